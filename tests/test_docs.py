"""docs/cli.md holds the current --help of every command; a stale copy fails here."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
from types import ModuleType

import pytest

from conftest import REPO, run
from cspace_cli.settings import ENVIRONMENT


def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "gen_cli_docs", REPO / "scripts" / "gen_cli_docs.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GEN = generator()


def test_cli_reference_is_up_to_date() -> None:
    path = REPO / "docs" / "cli.md"
    assert path.is_file(), f"docs/cli.md is missing; run: {GEN.REGENERATE}"
    current = path.read_text(encoding="utf-8")
    assert current == GEN.render(), f"docs/cli.md is stale; run: {GEN.REGENERATE}"


def test_reference_covers_every_command_with_its_real_help() -> None:
    text = GEN.render()
    names = GEN.command_names()
    assert {"company", "search", "export", "init", "completion"} <= set(names)
    for name in names:
        assert f"\n## cspace {name}\n" in text, name
    usage = run("export", "--help").stdout.splitlines()[0]
    assert usage.startswith("Usage: cspace export") and usage in text


def test_readme_examples_are_real_output() -> None:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    assert len(GEN.EXAMPLE.findall(text)) >= 3
    assert text == GEN.readme(text), f"README.md examples are stale; run: {GEN.REGENERATE}"


def test_man_page_is_up_to_date() -> None:
    path = REPO / "docs" / "cspace.1"
    assert path.is_file(), f"docs/cspace.1 is missing; run: {GEN.REGENERATE}"
    assert path.read_text(encoding="utf-8") == GEN.man_page(), (
        f"docs/cspace.1 is stale; run: {GEN.REGENERATE}"
    )


def test_man_page_covers_commands_environment_and_exit_codes() -> None:
    page = GEN.man_page()
    for name in GEN.command_names():
        assert f"\n.SS cspace {name} " in page, name
    environment = page.split(".SH ENVIRONMENT")[1].split(".SH ")[0]
    for variable, _ in ENVIRONMENT:
        assert f"\\fB{variable}\\fR" in environment, variable
    assert ".SH EXIT STATUS" in page and "\\fB130\\fR" in page
    assert "\\fB\\-L, \\-\\-limit N\\fR" in page  # search's own options


@pytest.mark.skipif(shutil.which("groff") is None, reason="needs groff to typeset the man page")
def test_man_page_typesets_without_warnings() -> None:
    out = subprocess.run(
        ["groff", "-man", "-Tutf8", "-ww", "-z", str(REPO / "docs" / "cspace.1")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stderr == ""
