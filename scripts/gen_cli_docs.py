"""Write docs/cli.md (the ``--help`` of every cspace command) and the example outputs in
README.md (each ```text block after an ``<!-- output: cspace ... -->`` line), all taken
from the real app and the shipped facts.

Run it after changing a command, an option, a help text, a view or the facts::

    python scripts/gen_cli_docs.py

tests/test_docs.py renders the same text in memory and fails when either file differs.
The width is fixed so the files do not depend on the terminal they were made in.
"""

from __future__ import annotations

import re
import shlex
import sys
from pathlib import Path

from typer.main import get_command
from typer.testing import CliRunner

from cspace_cli.cli.app import app

WIDTH = 100
DOCS = Path(__file__).resolve().parent.parent / "docs" / "cli.md"
README = DOCS.parent.parent / "README.md"
EXAMPLE_WIDTH = 80
EXAMPLE = re.compile(r"(<!-- output: cspace (.+?) -->\n```text\n)(.*?)(```)", re.S)
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


def example_output(command: str) -> str:
    res = CliRunner().invoke(
        app,
        shlex.split(command),
        prog_name="cspace",
        terminal_width=EXAMPLE_WIDTH,
        env={"COLUMNS": str(EXAMPLE_WIDTH), "NO_COLOR": "1", "CSPACE_NO_CACHE": "1"},
    )
    if res.exit_code != 0:
        raise RuntimeError(f"cspace {command} exited {res.exit_code}: {res.stderr}")
    return res.stdout


def readme(text: str) -> str:
    """README.md with every marked example block holding the command's real output."""
    return EXAMPLE.sub(lambda m: m[1] + example_output(m[2]) + m[4], text)


def main() -> None:
    DOCS.parent.mkdir(parents=True, exist_ok=True)
    DOCS.write_text(render(), encoding="utf-8")
    README.write_text(readme(README.read_text(encoding="utf-8")), encoding="utf-8")
    sys.stderr.write(f"wrote {DOCS} and the examples in {README}\n")


if __name__ == "__main__":
    main()
