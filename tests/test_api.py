"""The public Python API, used as the README's "Use from Python" shows."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import cspace_cli
from conftest import write_base
from cspace_cli import InvalidFactBase, NotFound, Settings, lookup, open_index, search


def test_exports_are_listed_and_importable() -> None:
    for name in cspace_cli.__all__:
        assert getattr(cspace_cli, name) is not None, name
    with pytest.raises(AttributeError):
        _ = cspace_cli.no_such_name  # type: ignore[attr-defined]


def test_lookup_and_search_on_the_shipped_base() -> None:
    index = open_index()
    pioneer = index.get(lookup(index, "tianbing", "company").best.id)
    assert pioneer.id == "company/space-pioneer"
    assert pioneer.facts
    assert search(index, "sea launch")


def test_own_folder_alone_without_cache(tmp_path: Path) -> None:
    root = write_base(tmp_path / "mine")
    index = open_index(Settings(extra_facts=(root,), shipped=False, use_cache=False))
    assert lookup(index, "tianbing", "company").best.id == "company/space-pioneer"
    with pytest.raises(NotFound) as miss:
        lookup(index, "nothing like it", "company")
    assert isinstance(miss.value.suggestions, list)


def test_a_broken_folder_raises_with_its_problems(tmp_path: Path) -> None:
    root = write_base(tmp_path / "bad", {"city/x.toml": "name = "})
    with pytest.raises(InvalidFactBase) as bad:
        open_index(Settings(extra_facts=(root,), shipped=False, use_cache=False))
    assert bad.value.problems[0].path.endswith("x.toml")


def test_importing_the_package_loads_nothing_heavy() -> None:
    code = (
        "import sys, cspace_cli; "
        "print(sorted(m for m in sys.modules if m.startswith(('cspace_cli.', 'typer', 'rich'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
