"""The ``cspace`` command: the only module that knows Typer.

Each command parses its options, calls the core, builds a payload with :mod:`views` and
hands it to the one output sink. Core errors become one-line messages and the exit codes
in :class:`cspace_cli.errors.ExitStatus`, in one place (``CspaceGroup.invoke``).

Annotations here are evaluated at import (no ``from __future__ import annotations``):
Typer otherwise evaluates every string annotation of every command on each run, which
more than doubled the time it takes to build the command tree.
"""

import copy
import os
import sys
from collections.abc import Callable, Sequence
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer
from typer._click.exceptions import ClickException
from typer.core import TyperGroup
from typer.main import get_command_name
from typer.models import CommandInfo

from . import __version__, output, views
from .completion import names_for
from .errors import CspaceError, ExitStatus, InvalidFactBase, NotFound, UsageError
from .factbase import open_index
from .index import Index
from .kinds import KINDS
from .match import lookup, printable, suggest
from .normalize import from_argv
from .output import OutputOptions
from .paths import fact_folders
from .search import search as run_search


class Color(str, Enum):
    auto = "auto"
    always = "always"
    never = "never"


JsonOpt = Annotated[
    bool,
    typer.Option(
        "--json",
        help="Print JSON instead of text, e.g. "
        "cspace company tianbing --json (schema: cspace schema).",
    ),
]
FieldsOpt = Annotated[
    str,
    typer.Option(
        "--fields", metavar="A,B", help="With --json, keep only these keys, e.g. --fields id,name."
    ),
]
ColorOpt = Annotated[
    Color,
    typer.Option(
        "--color",
        case_sensitive=False,
        help="Colour: auto (terminal only), always or never, "
        "e.g. --color never. NO_COLOR and TERM=dumb also turn it off.",
    ),
]
FactsOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--facts",
        metavar="DIR",
        help="Extra fact folder loaded after the shipped base; "
        "repeatable, e.g. --facts ./my-facts. Also CSPACE_FACTS.",
    ),
]
KindArg = Annotated[
    str | None,
    typer.Argument(
        metavar="[KIND]",
        help=f"One of: {', '.join(KINDS)}; e.g. company.",
        autocompletion=lambda: list(KINDS),
    ),
]


class CspaceGroup(TyperGroup):
    """Maps library errors, broken pipes and crashes to messages and exit codes."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except NotFound as exc:
            output.message(str(exc))
            for s in exc.suggestions:
                sys.stderr.write(f"  did you mean: {s}\n")
            raise typer.Exit(exc.status) from None
        except CspaceError as exc:
            output.message(str(exc))
            raise typer.Exit(exc.status) from None
        except BrokenPipeError:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            raise typer.Exit(ExitStatus.OK) from None
        except (typer.Exit, typer.Abort, ClickException, KeyboardInterrupt):
            raise
        except Exception as exc:
            if ctx.meta.get("debug") or os.environ.get("CSPACE_DEBUG"):
                raise
            output.message(
                f"internal error: {type(exc).__name__}: {exc}. This is a bug; "
                "please report it with the output of the same command with --debug."
            )
            raise typer.Exit(ExitStatus.INTERNAL) from None


app = typer.Typer(
    cls=CspaceGroup,
    name="cspace",
    help="Offline facts on China's commercial space industry: provinces, companies, "
    "spaceports, rockets, policies, each figure with its date, status and source.",
    epilog="Examples: cspace province shandong | cspace company 'tian bing' --json | "
    "cspace search 'sea launch'",
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    add_completion=True,
    no_args_is_help=False,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def version_callback(value: bool) -> None:
    if value:
        typer.echo(f"cspace {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=version_callback,
            is_eager=True,
            help="Print the version and exit.",
        ),
    ] = False,
    debug: Annotated[
        bool,
        typer.Option("--debug", help="Show tracebacks for unexpected errors. Also CSPACE_DEBUG=1."),
    ] = False,
    json: JsonOpt = False,
    color: ColorOpt = Color.auto,
    no_cache: Annotated[
        bool,
        typer.Option(
            "--no-cache",
            help="Build the index in memory instead of using the cache in "
            "~/.cache/cspace. Also CSPACE_NO_CACHE=1.",
        ),
    ] = False,
) -> None:
    """With no command, print an overview of the fact base and the main commands."""
    ctx.meta.update(debug=debug, json=json, color=color, no_cache=no_cache)
    if ctx.invoked_subcommand is None:
        output.emit(
            "overview", views.overview(index_for(ctx, None)), opts(ctx, False, Color.auto, "")
        )


def index_for(ctx: typer.Context, facts: list[Path] | None) -> Index:
    """The index for this run: shipped base, CSPACE_FACTS, then --facts folders."""
    return open_index(facts or [], use_cache=False if ctx.meta.get("no_cache") else None)


def opts(ctx: typer.Context, json: bool, color: Color, fields: str) -> OutputOptions:
    """Options given before the command (``cspace --json company x``) count too."""
    if color is Color.auto:
        color = ctx.meta.get("color", Color.auto)
    return OutputOptions(json=json or ctx.meta.get("json", False), color=color.value, fields=fields)


def complete_query(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """Tab on a lookup's QUERY offers names of the kind the command is named after."""
    return names_for(
        ctx.command.name or "",
        ctx.params.get("query") or (),
        incomplete,
        ctx.params.get("facts") or (),
    )


def make_lookup(kind: str) -> Callable[..., None]:
    def command(
        ctx: typer.Context,
        query: Annotated[
            list[str],
            typer.Argument(
                metavar="QUERY...",
                help="Name, alias, pinyin or 中文, e.g. 'tian bing'; words are joined.",
                autocompletion=complete_query,
            ),
        ],
        json: JsonOpt = False,
        fields: FieldsOpt = "",
        color: ColorOpt = Color.auto,
        facts: FactsOpt = None,
    ) -> None:
        index = index_for(ctx, facts)
        match = lookup(index, " ".join(query), kind)
        payload = views.entity_view(index, index.get(match.best.id), match)
        output.emit("entity", payload, opts(ctx, json, color, fields))

    spec = KINDS[kind]
    command.__doc__ = f"{spec.help}\n\nExample: cspace {kind} {spec.example}"
    command.__name__ = f"lookup_{kind}"
    return command


for _kind in KINDS:
    _lookup = make_lookup(_kind)
    app.command(_kind, help=_lookup.__doc__)(_lookup)


@app.command()
def show(
    ctx: typer.Context,
    entity_id: Annotated[
        str, typer.Argument(metavar="ID", help="An id such as company/space-pioneer.")
    ],
    json: JsonOpt = False,
    fields: FieldsOpt = "",
    color: ColorOpt = Color.auto,
    facts: FactsOpt = None,
) -> None:
    """Show one entity by its exact id.

    Example: cspace show site/oriental-aerospace-port
    """
    index = index_for(ctx, facts)
    entity_id = from_argv(entity_id)
    if entity_id not in index:
        kind = entity_id.split("/", 1)[0] if "/" in entity_id else None
        name = entity_id.split("/", 1)[-1]
        raise NotFound(
            f"no entity with id '{printable(entity_id)}'",
            suggest(index, name, kind if kind in KINDS else None) if name.strip(" -/") else [],
        )
    output.emit(
        "entity", views.entity_view(index, index.get(entity_id)), opts(ctx, json, color, fields)
    )


@app.command()
def search(
    ctx: typer.Context,
    query: Annotated[
        list[str],
        typer.Argument(
            metavar="QUERY...", help="Words to find in names and facts, e.g. sea launch."
        ),
    ],
    kind: Annotated[
        str | None,
        typer.Option(
            "--kind", "-k", help="Only this kind, e.g. -k site.", autocompletion=lambda: list(KINDS)
        ),
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", "-L", min=0, help="Show at most this many hits; 0 for all.")
    ] = 50,
    json: JsonOpt = False,
    fields: FieldsOpt = "",
    color: ColorOpt = Color.auto,
    facts: FactsOpt = None,
) -> None:
    """Search every kind by name, summary and fact text, best first.

    Exits 1 when nothing matches (with --json it still prints []).

    Example: cspace search 'sea launch'
    """
    check_kind(kind)
    index = index_for(ctx, facts)
    text = " ".join(query)
    rows = views.search_rows(index, run_search(index, text, kind, limit or None))
    if rows or json:
        output.emit("search", rows, opts(ctx, json, color, fields))
    if not rows:
        raise NotFound(f"nothing matches '{printable(text)}'")


@app.command("list")
def list_entities(
    ctx: typer.Context,
    kind: KindArg = None,
    json: JsonOpt = False,
    fields: FieldsOpt = "",
    color: ColorOpt = Color.auto,
    facts: FactsOpt = None,
) -> None:
    """List entities, all or of one kind.

    Example: cspace list company
    """
    check_kind(kind)
    index = index_for(ctx, facts)
    rows = views.list_rows(index, kind)
    if rows or json:
        output.emit("list", rows, opts(ctx, json, color, fields))
    if not rows:
        output.message(f"no {KINDS[kind].plural if kind else 'entities'} in the fact base")


@app.command()
def sources(
    ctx: typer.Context,
    json: JsonOpt = False,
    fields: FieldsOpt = "",
    color: ColorOpt = Color.auto,
    facts: FactsOpt = None,
) -> None:
    """List the source documents and how many facts cite each.

    Example: cspace sources
    """
    index = index_for(ctx, facts)
    rows = views.source_rows(index)
    if rows or json:
        output.emit("sources", rows, opts(ctx, json, color, fields))
    if not rows:
        output.message("no sources in the fact base")


@app.command()
def validate(
    ctx: typer.Context,
    folders: Annotated[
        list[Path] | None,
        typer.Argument(
            metavar="[DIR]...",
            help="Fact folders to check on top of the shipped base "
            "(default: the folders cspace would load).",
        ),
    ] = None,
    json: JsonOpt = False,
    color: ColorOpt = Color.auto,
    facts: FactsOpt = None,
) -> None:
    """Check fact folders and list every problem, with file and line.

    Exits 3 if there is any error; notices (a record replacing a shipped one) do not fail.

    Example: cspace validate ./my-facts
    """
    from .loader import check_folders

    base, problems = check_folders(fact_folders([*(facts or []), *(folders or [])]))
    rows = [
        {"path": p.path, "line": p.line, "severity": p.severity, "message": p.message}
        for p in [*problems, *base.notices]
    ]
    if rows or json:
        output.emit("problems", rows, opts(ctx, json, color, ""))
    n_facts = sum(len(e.facts) for e in base.entities.values())
    if problems:
        raise InvalidFactBase(problems)
    output.message(
        f"ok: {len(base.entities)} entities, {n_facts} facts, {len(base.sources)} sources"
    )


@app.command()
def schema() -> None:
    """Print the JSON Schema of every --json output.

    Example: cspace schema | jq '.["$defs"] | keys'
    """
    from .paths import PACKAGE_DIR

    sys.stdout.write((PACKAGE_DIR / "schema.json").read_text(encoding="utf-8"))


class ExportFormat(str, Enum):
    json = "json"
    jsonl = "jsonl"
    csv = "csv"
    sqlite = "sqlite"


@app.command("export")
def export_command(
    ctx: typer.Context,
    fmt: Annotated[
        ExportFormat | None,
        typer.Option(
            "--format",
            "-f",
            case_sensitive=False,
            help="json: an array of entity objects (as --json); jsonl: one per line; csv: one "
            "row per fact with its entity and citation; sqlite: a database (needs -o). "
            "Default: from the -o suffix (.json .jsonl .csv .db), else json.",
        ),
    ] = None,
    target: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="Write FILE instead of stdout. An existing "
            "FILE is kept unless --force; never inside a fact folder.",
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace FILE if it exists.")] = False,
    facts: FactsOpt = None,
) -> None:
    """Export every entity and fact as JSON, JSON Lines, CSV or SQLite.

    The whole fact base is exported, with the folders of --facts and CSPACE_FACTS.

    Example: cspace export -o facts.db && datasette facts.db
    """
    from .export import format_for, write_file, write_stream

    name = format_for(fmt.value if fmt else None, target)
    index = index_for(ctx, facts)
    if target is None:
        write_stream(index, name, sys.stdout)
        return
    write_file(index, name, target, force, fact_folders(facts or []))
    output.message(f"wrote {len(index)} entities as {name} to {target}")


@app.command()
def init(
    folder: Annotated[Path, typer.Argument(metavar="DIR", help="A new or empty folder.")],
) -> None:
    """Create an example fact folder to start your own facts from.

    Writes a small, commented sources.toml and one entity file, and prints their paths.
    Load the folder with --facts DIR or CSPACE_FACTS=DIR and check it with cspace validate
    DIR; init never writes into a folder that has files.

    Example: cspace init my-facts && cspace validate my-facts
    """
    from .scaffold import init_folder

    for path in init_folder(folder):
        sys.stdout.write(f"{path}\n")
    output.message(f"next: edit the files, then run: cspace validate {folder}")


class Shell(str, Enum):
    bash = "bash"
    zsh = "zsh"
    fish = "fish"


@app.command()
def completion(
    shell: Annotated[
        Shell, typer.Argument(metavar="SHELL", case_sensitive=False, help="bash, zsh or fish.")
    ],
) -> None:
    """Print the completion script for bash, zsh or fish.

    It completes commands, options and, after a kind, the names of that kind. To put it in
    place for the shell you are in, run cspace --install-completion instead.

    Example: cspace completion fish > ~/.config/fish/completions/cspace.fish
    """
    from typer._completion_shared import get_completion_script

    sys.stdout.write(
        get_completion_script(
            prog_name="cspace", complete_var="_CSPACE_COMPLETE", shell=shell.value
        )
        + "\n"
    )


def check_kind(kind: str | None) -> None:
    if kind is not None and kind not in KINDS:
        raise UsageError(f"unknown kind '{printable(kind)}' (known: {', '.join(KINDS)})")


HELP = ("-h", "--help")
ROOT_VALUED = ("--color",)  # root options that take the next word as their value


def app_for(argv: Sequence[str]) -> typer.Typer:
    """The app with only the command ``argv`` names. Typer turns every command's signature
    into options on each run, about 12 ms for all of them, and a lookup needs one. Root
    help, completion, no command or a name it does not know get the whole app."""
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
        if arg in HELP or arg == "--":
            return None
        if arg in ROOT_VALUED:
            next(words, None)
        elif not arg.startswith("-"):
            return arg
    return None


def command_of(info: CommandInfo) -> str:
    if info.name:
        return info.name
    return get_command_name(info.callback.__name__ if info.callback else "")
