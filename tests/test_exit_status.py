"""Exit codes are part of the interface: pinned here and documented in the README."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import REPO, run, write_base
from cspace_cli.errors import ExitStatus


def test_codes_are_stable() -> None:
    assert {s.name: int(s) for s in ExitStatus} == {
        "OK": 0,
        "NO_MATCH": 1,
        "USAGE": 2,
        "INVALID_FACTS": 3,
        "INTERNAL": 70,
        "IO": 74,
        "INTERRUPTED": 130,
    }


def test_readme_documents_every_code() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for status in ExitStatus:
        assert re.search(rf"^\| `?{int(status)}`? \|", readme, re.M), status


def test_each_code_through_the_cli(base: Path, tmp_path: Path) -> None:
    assert run("company", "tianbing").exit_code == ExitStatus.OK
    assert run("company", "nothing-like-it").exit_code == ExitStatus.NO_MATCH
    assert run("company", "--no-such-flag", "x").exit_code == ExitStatus.USAGE
    assert run("list", "spaceships").exit_code == ExitStatus.USAGE
    broken = write_base(tmp_path / "b", {"city/x.toml": "name = "}, sources=None)
    assert run("company", "x", "--facts", str(broken)).exit_code == ExitStatus.INVALID_FACTS


def test_version() -> None:
    from cspace_cli import __version__

    res = run("--version")
    assert res.exit_code == 0 and res.stdout.strip() == f"cspace {__version__}"


def test_ci_runs_the_readme_test_command() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    commands = re.findall(r"```sh\n(.*?)\n```", readme, re.S)
    assert "pytest" in commands[1]
    assert commands[1] in (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "cspace " in commands[0]
