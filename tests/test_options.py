"""Shared options work before and after the command, and colour follows the conventions
(--color, NO_COLOR, FORCE_COLOR, TERM=dumb), as the README promises."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, run, write_base
from cspace_cli.errors import ExitStatus

SGR = "\x1b["


def test_fields_before_the_command(base: Path) -> None:
    res = run("--fields", "id,name", "--json", "company", "tianbing")
    assert res.exit_code == 0, res.stderr
    assert json.loads(res.stdout) == {
        "schema_version": 2,
        "id": "company/space-pioneer",
        "name": "Space Pioneer",
    }


def test_facts_before_the_command_adds_a_folder(base: Path, tmp_path: Path) -> None:
    mine = write_base(
        tmp_path / "mine",
        {"company/rocket-works.toml": 'name = "Rocket Works"\nsummary = "Mine."\n'},
    )
    before = run("--facts", str(mine), "company", "rocket works", "--json")
    after = run("company", "rocket works", "--facts", str(mine), "--json")
    assert before.exit_code == after.exit_code == 0, before.stderr
    assert before.stdout == after.stdout
    assert json.loads(before.stdout)["id"] == "company/rocket-works"


def test_color_before_the_command(base: Path) -> None:
    res = run("--color", "always", "company", "tianbing")
    assert res.exit_code == 0 and SGR in res.stdout


def test_command_option_overrides_the_root_one(base: Path) -> None:
    res = run("--color", "always", "company", "tianbing", "--color", "never")
    assert res.exit_code == 0 and SGR not in res.stdout


def test_a_missing_facts_folder_is_a_usage_error(base: Path, tmp_path: Path) -> None:
    for args in (
        ("--facts", str(tmp_path / "nope"), "company", "x"),
        ("company", "x", "--facts", str(tmp_path / "nope")),
    ):
        res = run(*args)
        assert res.exit_code == ExitStatus.USAGE, args
        assert "nope" in res.stderr and "does not exist" in res.stderr


@pytest.mark.parametrize(
    ("env", "coloured"),
    [
        ({"FORCE_COLOR": "1"}, True),
        ({"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),
        ({"FORCE_COLOR": "1", "NO_COLOR": ""}, True),
        ({"FORCE_COLOR": "1", "TERM": "dumb"}, False),
        ({}, False),
    ],
    ids=["FORCE_COLOR", "NO_COLOR wins", "empty NO_COLOR is unset", "TERM=dumb", "a pipe"],
)
def test_colour_from_the_environment(base: Path, env: dict[str, str], coloured: bool) -> None:
    res = run("company", "tianbing", env=env)
    assert res.exit_code == 0
    assert (SGR in res.stdout) is coloured


def test_snippet_comes_from_the_text_that_matched(tmp_path: Path) -> None:
    root = write_base(
        tmp_path / "f",
        {
            "company/tanker.toml": """
            name = "Tanker Co"
            summary = "A company with an unrelated summary."
            [[facts]]
            attribute = "service"
            value = "orbital refuelling"
            status = "plan"
            sources = ["doc-a"]
            text = "Plans a service."
            """
        },
    )
    env = {"CSPACE_NO_SHIPPED": "1"}
    res = run("search", "refuelling", "--json", "--facts", str(root), env=env)
    assert res.exit_code == 0, res.stderr
    [row] = json.loads(res.stdout)
    assert "refuelling" in json.dumps(row, ensure_ascii=False)


def quiet_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CSPACE_")}
    return {**env, "PYTHONPATH": str(REPO / "src")}


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["company", "--help"]], ids=str)
def test_help_and_version_into_a_closed_pipe_exit_0(args: list[str]) -> None:
    """``cspace --help | true``: the reader leaves before the text is written."""
    res = subprocess.run(
        f"{sys.executable} -m cspace_cli {' '.join(args)} | true; echo ${{PIPESTATUS[0]}}",
        shell=True,
        executable="/bin/bash",
        capture_output=True,
        text=True,
        env=quiet_env(),
        timeout=60,
    )
    assert res.stdout.strip() == "0", res.stderr
    assert "Traceback" not in res.stderr
