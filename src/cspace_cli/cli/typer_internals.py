"""Every use of Typer beyond its public API, fenced here so an upgrade breaks one module.

``tests/test_typer_internals.py`` fails when a Typer release changes what this relies on.
"""

from __future__ import annotations

import contextlib
import copy
import os
from collections.abc import Sequence

import typer
from typer.main import get_command_name
from typer.models import CommandInfo

from cspace_cli.cli.options import VALUED


def app_for(app: typer.Typer, argv: Sequence[str]) -> typer.Typer:
    """``app`` with only the command ``argv`` names.

    Typer turns every command's signature into options on each run, about 12 ms for all
    of them (8% of a warm lookup, docs/benchmarks.md), and a lookup needs one. Root help,
    completion, no command or an unknown name get the whole app.
    """
    name = command_name(argv)
    kept = [c for c in app.registered_commands if name and command_of(c) == name]
    if not kept or "_CSPACE_COMPLETE" in os.environ:
        return app
    lean = copy.copy(app)
    lean.registered_commands = kept
    return lean


def command_name(argv: Sequence[str]) -> str | None:
    """The first word that is not a root option or its value; None after root help."""
    words = iter(argv)
    for arg in words:
        if arg in ("-h", "--help", "--"):
            return None
        if arg in VALUED:
            next(words, None)
        elif not arg.startswith("-"):
            return arg
    return None


def command_of(info: CommandInfo) -> str:
    if info.name:
        return info.name
    return get_command_name(info.callback.__name__ if info.callback else "")


def completion_script(shell: str) -> str:
    from typer._completion_shared import get_completion_script

    return get_completion_script(prog_name="cspace", complete_var="_CSPACE_COMPLETE", shell=shell)


def run_app(app: typer.Typer, argv: list[str]) -> int:
    """Run ``app`` and return its exit code instead of letting Click exit.

    Click's standalone mode turns a closed stdout into exit 1 (so ``cspace --help | true``
    failed) and echoes the raw text of a bad option. Outside standalone mode its only
    ``sys.exit`` left is that broken-pipe branch (shell completion exits 0 before it), so
    a ``SystemExit(1)`` here is a reader that went away.
    """
    from typer.main import get_command

    from cspace_cli.cli.ladder import exit_status

    command = get_command(app)
    try:
        code = command.main(args=argv, prog_name="cspace", standalone_mode=False)
    except typer.Abort:
        return 1
    except typer.TyperException as exc:
        show_usage_error(exc)
        return int(getattr(exc, "exit_code", 2))
    except SystemExit as exc:
        if exc.code == 1:
            return exit_status(BrokenPipeError(), debug=False)
        raise
    return code if isinstance(code, int) else 0


def show_usage_error(exc: typer.TyperException) -> None:
    """Click's usage message, with the user's text made inert."""
    import sys

    from cspace_cli.text import clean

    ctx = getattr(exc, "ctx", None)
    lines = []
    if ctx is not None:
        lines += [ctx.get_usage(), f"Try '{ctx.command_path} -h' for help.", ""]
    lines.append(f"Error: {clean(exc.format_message())}")
    with contextlib.suppress(OSError, ValueError):
        sys.stderr.write("\n".join(lines) + "\n")
