"""Write docs/cli.md (the ``--help`` of every cspace command), the man page docs/cspace.1
(from the same commands, options and help texts) and the example outputs in README.md
(each ```text block after an ``<!-- output: cspace ... -->`` line), all taken from the
real app and the shipped facts.

Run it after changing a command, an option, a help text, a view or the facts::

    python scripts/gen_cli_docs.py

tests/test_docs.py renders the same text in memory and fails when any file differs.
The width is fixed so the files do not depend on the terminal they were made in.
"""

from __future__ import annotations

import re
import shlex
import sys
from pathlib import Path
from typing import Any

import typer
from typer.main import get_command
from typer.testing import CliRunner

from cspace_cli import __version__
from cspace_cli.cli.app import EXAMPLES, app
from cspace_cli.cli.options import SHARED
from cspace_cli.errors import ExitStatus
from cspace_cli.settings import ENVIRONMENT

WIDTH = 100
DOCS = Path(__file__).resolve().parent.parent / "docs" / "cli.md"
MAN = DOCS.parent / "cspace.1"
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


# The man page -------------------------------------------------------------------------

EXIT_MEANING = {
    ExitStatus.OK: "found; a list printed (an empty list too)",
    ExitStatus.NO_MATCH: "a lookup, show or search found nothing",
    ExitStatus.USAGE: "a bad option, kind, field or query",
    ExitStatus.INVALID_FACTS: "a fact folder has problems (cspace validate lists them)",
    ExitStatus.INTERNAL: "a bug; --debug shows the traceback",
    ExitStatus.IO: "the output could not be written",
    ExitStatus.INTERRUPTED: "Ctrl-C",
}


def roff(text: str) -> str:
    """Text as roff reads it literally: backslashes and dashes escaped, other than ASCII as
    Unicode escapes (so any troff reads it), and no line starts with a control character."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    text = "".join(c if c.isascii() else f"\\[u{ord(c):04X}]" for c in text)
    return "\n".join("\\&" + line if line[:1] in (".", "'") else line for line in text.split("\n"))


def paragraphs(help_text: str) -> list[str]:
    """A Click help text as roff paragraphs (``\\b`` paragraphs keep their lines)."""
    out = []
    for block in help_text.strip().split("\n\n"):
        if block.startswith("\b\n"):
            out += [".nf", roff(block[2:]), ".fi"]
        else:
            out += [".PP", roff(" ".join(block.split()))]
    return out


def param_entries(command: Any, ctx: Any, skip: tuple[str, ...] = ()) -> list[str]:
    """``.TP`` entries for a command's arguments and options, as --help lists them."""
    out = []
    for param in command.get_params(ctx):
        if param.name in skip:
            continue
        record = param.get_help_record(ctx)
        if record:
            out += [".TP", f"\\fB{roff(record[0])}\\fR", roff(" ".join(record[1].split()))]
    return out


def man_page() -> str:
    """cspace.1 from the commands themselves: what ``--help`` says, laid out as a man page."""
    group = get_command(app)
    root = typer.Context(group, info_name="cspace", **group.context_settings)
    about = (group.help or "").strip()
    lines = [
        f'.TH CSPACE 1 "" "cspace {__version__}" "User Commands"',
        ".SH NAME",
        "cspace \\- " + roff(about.split(":")[0].rstrip(".")),
        ".SH SYNOPSIS",
        ".B cspace",
        "[\\fIOPTIONS\\fR] \\fICOMMAND\\fR [\\fIARGS\\fR]...",
        ".SH DESCRIPTION",
        *paragraphs(about),
        ".PP",
        roff(
            f"The shared options ({', '.join('--' + n for n in SHARED)}) work before the "
            "command and after it; the other options below only before it."
        ),
        ".SH OPTIONS",
        *param_entries(group, root),
        ".SH COMMANDS",
    ]
    for name, command in getattr(group, "commands", {}).items():
        ctx = typer.Context(command, info_name=name, parent=root, **command.context_settings)
        usage = " ".join(command.collect_usage_pieces(ctx))
        shared = [p.opts[0] for p in command.get_params(ctx) if p.name in SHARED]
        lines += [f".SS {roff(f'cspace {name} {usage}')}", *paragraphs(command.help or "")]
        lines += param_entries(command, ctx, skip=(*SHARED, "help"))
        if shared:
            lines += [".PP", roff(f"Shared options: {', '.join(shared)}.")]
    lines += [".SH ENVIRONMENT"]
    for variable, what in ENVIRONMENT:
        lines += [".TP", f"\\fB{roff(variable)}\\fR", roff(what)]
    lines += [".SH EXIT STATUS"]
    for status in ExitStatus:
        lines += [".TP", f"\\fB{int(status)}\\fR", roff(EXIT_MEANING[status])]
    lines += [".SH EXAMPLES", ".nf", *(roff(example) for example in EXAMPLES), ".fi"]
    lines += [
        ".SH FILES",
        ".TP",
        "\\fI$CSPACE_CACHE_DIR\\fR, else \\fI$XDG_CACHE_HOME/cspace\\fR, "
        "else \\fI~/.cache/cspace\\fR",
        roff("The index cache: one index file per set of fact folders (cspace cache info)."),
        ".SH SEE ALSO",
        roff("cspace schema (the JSON Schema of --json output); the README and docs/cli.md."),
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    DOCS.parent.mkdir(parents=True, exist_ok=True)
    DOCS.write_text(render(), encoding="utf-8")
    MAN.write_text(man_page(), encoding="utf-8")
    README.write_text(readme(README.read_text(encoding="utf-8")), encoding="utf-8")
    sys.stderr.write(f"wrote {DOCS}, {MAN} and the examples in {README}\n")


if __name__ == "__main__":
    main()
