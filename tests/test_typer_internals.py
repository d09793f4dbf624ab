"""The Typer internals cspace relies on (``cli/typer_internals.py``): these fail when a
Typer upgrade changes them, before users see a difference."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from cspace_cli.cli.app import app
from cspace_cli.cli.typer_internals import app_for

LEAN_CASES = [
    ["company", "tianbing", "--json"],
    ["--json", "--color", "never", "company", "tian", "bing"],
    ["--color=never", "site", "haiyang"],
    ["--facts", "facts", "--fields", "id", "--json", "company", "tianbing"],
    ["company", "--help"],
    ["--help", "company"],
    ["search", "sea", "launch", "--json"],
    ["compnay", "tianbing"],
    ["list", "--bogus"],
    ["--", "company", "tianbing"],
    ["-q", "company", "tianbing", "--json"],
    ["cache", "path"],
    ["cache", "--help"],
    [],
]


@pytest.mark.parametrize("args", LEAN_CASES, ids=" ".join)
def test_building_only_the_named_command_changes_nothing(args: list[str]) -> None:
    runner = CliRunner()
    full = runner.invoke(app, args)
    lean = runner.invoke(app_for(app, args), args)
    assert (lean.exit_code, lean.stdout, lean.stderr) == (full.exit_code, full.stdout, full.stderr)


def test_a_lookup_builds_one_command_and_root_help_builds_all() -> None:
    assert [c.name for c in app_for(app, ["--json", "company", "x"]).registered_commands] == [
        "company"
    ]
    assert app_for(app, ["--help", "company"]) is app
    assert app_for(app, ["--color", "company", "x"]) is app, (
        "company is --color's value, x no command"
    )
