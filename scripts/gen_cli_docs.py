"""Write docs/cli.md: the ``--help`` of every cspace command, taken from the real app.

Run it after changing a command, an option or a help text::

    python scripts/gen_cli_docs.py

tests/test_docs.py renders the same text in memory and fails when docs/cli.md differs.
The width is fixed so the file does not depend on the terminal it was made in.
"""

from __future__ import annotations

import sys
from pathlib import Path

from typer.main import get_command
from typer.testing import CliRunner

from cspace_cli.cli import app

WIDTH = 100
DOCS = Path(__file__).resolve().parent.parent / "docs" / "cli.md"
REGENERATE = "python scripts/gen_cli_docs.py"


def command_names() -> list[str]:
    """Commands in the order ``cspace --help`` lists them."""
    group = get_command(app)
    return list(getattr(group, "commands", {}))


def help_text(args: list[str]) -> str:
    res = CliRunner().invoke(
        app,
        [*args, "--help"],
        prog_name="cspace",
        terminal_width=WIDTH,
        env={"COLUMNS": str(WIDTH), "NO_COLOR": "1", "TERM": "dumb"},
    )
    if res.exit_code != 0:
        raise RuntimeError(
            f"cspace {' '.join(args)} --help exited {res.exit_code}: {res.stderr or res.stdout}"
        )
    return res.stdout.rstrip()


def render() -> str:
    names = command_names()
    parts = [
        "# cspace command reference",
        "",
        f"Generated from the `--help` of every command by `{REGENERATE}`; do not edit by hand.",
        "",
        " · ".join(f"[{n}](#cspace-{n})" for n in names),
        "",
    ]
    for args in ([], *([n] for n in names)):
        parts += [f"## {' '.join(['cspace', *args])}", "", "```text", help_text(args), "```", ""]
    return "\n".join(parts)


def main() -> None:
    DOCS.parent.mkdir(parents=True, exist_ok=True)
    DOCS.write_text(render(), encoding="utf-8")
    sys.stderr.write(f"wrote {DOCS}\n")


if __name__ == "__main__":
    main()
