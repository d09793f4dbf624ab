"""Every use of Typer beyond its public API, fenced here so an upgrade breaks one module.

``tests/test_typer_internals.py`` fails when a Typer release changes what this relies on.
"""

from __future__ import annotations

import contextlib
import copy
import inspect
import os
from collections.abc import Sequence
from typing import Any

import typer
from typer._click.shell_completion import CompletionItem, add_completion_class
from typer._completion_classes import BashComplete, FishComplete, ZshComplete
from typer._completion_shared import _completion_scripts
from typer.core import TyperCommand
from typer.main import get_command_name
from typer.models import CommandInfo

from cspace_cli.cli.options import VALUED
from cspace_cli.text import clean

COMPLETE_VAR = "_CSPACE_COMPLETE"


def app_for(app: typer.Typer, argv: Sequence[str]) -> typer.Typer:
    """``app`` with only the command ``argv`` names.

    Typer turns every command's signature into options on each run, about 12 ms for all
    of them (8% of a warm lookup, docs/benchmarks.md), and a lookup needs one. Root help,
    completion, no command or an unknown name get the whole app.
    """
    name = command_name(argv)
    kept = [c for c in app.registered_commands if name and command_of(c) == name]
    if not kept or COMPLETE_VAR in os.environ:
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


class PlainUsageCommand(TyperCommand):
    """Usage reads ``cspace search [OPTIONS] QUERY...``: Typer wraps a required argument in
    braces (``{QUERY...}``), which reads like shell brace expansion."""

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces: list[str] = super().collect_usage_pieces(ctx)
        return [p[1:-1] if p.startswith("{") and p.endswith("}") else p for p in pieces]


def tidy_commands(app: typer.Typer) -> None:
    """Every command lists its whole first sentence in ``cspace --help`` (Click cuts a
    default short help to fit the terminal: "best..."), and prints plain usage."""
    for info in app.registered_commands:
        if info.short_help is None:
            doc = info.help or inspect.getdoc(info.callback) or ""
            info.short_help = " ".join(doc.split("\n\n")[0].split())
        if info.cls in (None, TyperCommand):
            info.cls = PlainUsageCommand


# --- shell completion -------------------------------------------------------------------
#
# Typer's completion classes run every zsh and fish label through Rich (importing it on
# each Tab, about 100 ms), and bash inserts a name as it is, so ``xi'an`` leaves an open
# quote. These subclasses keep Typer's protocol (scripts installed earlier keep working)
# and change only how each offer is written.

BASH_SAFE = frozenset("-_.,/+@%=")


class NamesOnly:
    """Leaves paths to the shell: Click offers a path argument's typed text back as is,
    which stopped every shell from completing file names there."""

    def get_completions(self, args: list[str], incomplete: str) -> list[CompletionItem]:
        found: list[CompletionItem] = super().get_completions(args, incomplete)  # type: ignore[misc]
        return [item for item in found if item.type == "plain"]


def bash_word(value: str, raw: str) -> str:
    """``value`` written so that bash, replacing the word being completed (typed as
    ``raw``), reads it back as the same words. Spaces are left alone: query words are
    joined, so ``tianbing keji`` may stay two words. Inside an open quote the quote's own
    rules apply; readline closes it after a single match."""
    quote = open_quote(raw)
    if quote == "'":
        return value.replace("'", "'\\''")
    if quote == '"':
        return "".join("\\" + c if c in '"$`\\' else c for c in value)
    return "".join(c if c.isalnum() or c == " " or c in BASH_SAFE else "\\" + c for c in value)


def open_quote(raw: str) -> str:
    """The quote character left open at the end of ``raw`` as the shell reads it, if any
    (``xi\\'a`` has none: its quote is escaped)."""
    quote, escaped = "", False
    for c in raw:
        if escaped:
            escaped = False
        elif c == "\\" and quote != "'":
            escaped = True
        elif c in "'\"" and quote in ("", c):
            quote = "" if quote else c
    return quote


class QuotingBashComplete(NamesOnly, BashComplete):
    def format_completion(self, item: CompletionItem) -> str:
        words = os.environ.get("COMP_WORDS", "").split("\n")
        index = int(os.environ.get("COMP_CWORD", "0") or 0)
        raw = words[index] if 0 <= index < len(words) else ""
        return bash_word(clean(item.value), raw)


def zsh_item(text: str, colons: bool) -> str:
    """``text`` inside a double-quoted word of the ``_arguments`` spec that the zsh script
    evaluates inside single quotes; a colon in a value is escaped for ``_arguments``."""
    quoted = "".join("\\" + c if c in '"$`\\' else c for c in text)
    if colons:
        quoted = quoted.replace(":", "\\\\:")
    return quoted.replace("'", "'\\''")


ZSH_SCRIPT = """\
#compdef %(prog_name)s

%(complete_func)s() {
  eval $(env _TYPER_COMPLETE_ARGS="${words[1,$CURRENT]}" %(autocomplete_var)s=complete_zsh \\
    %(prog_name)s)
}

if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
  %(complete_func)s "$@"
else
  compdef %(complete_func)s %(prog_name)s
fi"""


class PlainZshComplete(NamesOnly, ZshComplete):
    """Typer's script, except that when zsh loads it from ``fpath`` on the first Tab it
    also completes that Tab (Typer's only registered itself, so the first Tab did nothing)."""

    source_template = ZSH_SCRIPT

    def format_completion(self, item: CompletionItem) -> str:
        value = f'"{zsh_item(clean(item.value), colons=True)}"'
        return f'{value}:"{zsh_item(clean(item.help), colons=False)}"' if item.help else value


FISH_SCRIPT = """\
function __%(prog_name)s_complete
    set -l found (env %(autocomplete_var)s=complete_fish _TYPER_COMPLETE_FISH_ACTION=get-args \\
        _TYPER_COMPLETE_ARGS=(commandline -cp) %(prog_name)s)
    if string length -q -- $found
        printf '%%s\\n' $found
    else
        __fish_complete_path (commandline -ct)
    end
end
complete --command %(prog_name)s --no-files --arguments '(__%(prog_name)s_complete)'"""


class PlainFishComplete(NamesOnly, FishComplete):
    """One ``cspace`` run per Tab: Typer's script runs it twice (once to ask whether there
    are offers, once for them); this one falls back to paths when there are none."""

    source_template = FISH_SCRIPT

    def format_completion(self, item: CompletionItem) -> str:
        return f"{clean(item.value)}\t{clean(item.help)}" if item.help else clean(item.value)


def use_own_completion() -> None:
    """Put cspace's completion classes and fish script in place of Typer's: after Typer
    registers its own (it does on every command build), before a completion runs."""
    for cls in (QuotingBashComplete, PlainZshComplete, PlainFishComplete):
        add_completion_class(cls, cls.name)
    _completion_scripts.update(zsh=ZSH_SCRIPT, fish=FISH_SCRIPT)


def completion_script(shell: str) -> str:
    from typer._completion_shared import get_completion_script

    use_own_completion()
    return get_completion_script(prog_name="cspace", complete_var=COMPLETE_VAR, shell=shell)


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
