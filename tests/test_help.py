"""Help as people read it: the command list, usage lines and placeholders."""

from __future__ import annotations

import pytest

from conftest import run
from cspace_cli.settings import ENVIRONMENT

COMMANDS = ["company", "show", "search", "list", "validate", "export", "init", "completion"]


@pytest.mark.parametrize("width", ["60", "80", "120"])
def test_the_command_list_gives_every_summary_whole(width: str) -> None:
    listed = run("--help", env={"COLUMNS": width}).stdout.split("Commands:")[1]
    joined = " ".join(listed.split())
    assert "..." not in listed.split("Examples:")[0]
    assert "search Search every kind by name, summary and fact text, best first." in joined
    assert "policy A plan, action plan, regulation, programme or government fund." in joined


@pytest.mark.parametrize("command", COMMANDS)
def test_usage_and_options_name_plain_placeholders(command: str) -> None:
    text = run(command, "--help").stdout
    assert "{" not in text.splitlines()[0]
    assert "<int" not in text and "<str>" not in text and "range>" not in text


def test_usage_names_the_query() -> None:
    assert run("search", "--help").stdout.splitlines()[0] == (
        "Usage: cspace search [OPTIONS] QUERY..."
    )
    assert "-L, --limit N" in run("search", "--help").stdout


def test_root_help_shows_examples_one_per_line_and_the_environment() -> None:
    text = run("--help").stdout
    examples = text.split("Examples:")[1].split("Environment:")[0]
    assert [line.strip() for line in examples.strip().splitlines()] == [
        "cspace province shandong",
        "cspace company 'tian bing' --json",
        "cspace search 'sea launch'",
        "cspace facts --status target --year 2026",
        "cspace timeline shandong",
        "cspace compare province guangdong shandong zhejiang",
    ]
    assert " | " not in examples
    for name, _ in ENVIRONMENT:
        assert f"\n    {name}" in text
