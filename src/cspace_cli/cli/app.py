"""The ``cspace`` command: the only module that knows Typer.

Each command parses its options, calls the core, builds a payload with :mod:`views` and
hands it to the one output sink. Core errors become one-line messages and the exit codes
in :class:`cspace_cli.errors.ExitStatus`, in one place (``CspaceGroup.invoke``).

Annotations here are evaluated at import (no ``from __future__ import annotations``):
Typer otherwise evaluates every string annotation of every command on each run, which
more than doubled the time it takes to build the command tree.
"""

import functools
import sys
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from cspace_cli import __version__
from cspace_cli.cli.ladder import exit_status, say
from cspace_cli.cli.options import (
    Color,
    ColorOpt,
    FactsOpt,
    FieldsOpt,
    JsonOpt,
    NoPagerOpt,
    Run,
    shared,
)
from cspace_cli.cli.typer_internals import tidy_commands
from cspace_cli.errors import InvalidFactBase, NotFound, UsageError
from cspace_cli.index.cache import open_index
from cspace_cli.index.reader import Index
from cspace_cli.kinds import KINDS, STATUSES
from cspace_cli.present import output, views
from cspace_cli.query import facts as query_facts
from cspace_cli.query.complete import names_for
from cspace_cli.query.match import by_id, lookup, printable
from cspace_cli.query.search import search as run_search
from cspace_cli.settings import ENVIRONMENT, from_env
from cspace_cli.text import from_argv

LIMIT_MAX = 10**9  # far past any fact base; a larger --limit is a usage error, not an overflow

KindArg = Annotated[
    str | None,
    typer.Argument(
        metavar="[KIND]",
        help=f"One of: {', '.join(KINDS)}; e.g. company.",
        autocompletion=lambda: list(KINDS),
    ),
]


def kind_option(help: str) -> Any:
    """``--kind``/``-k KIND``, completed with the kinds (search and facts)."""
    return typer.Option(
        "--kind", "-k", metavar="KIND", help=help, autocompletion=lambda: list(KINDS)
    )


class CspaceGroup(TyperGroup):
    """Sends whatever a command raises down the one ladder in :mod:`ladder`, and answers
    shell completion with cspace's own classes (see :mod:`typer_internals`)."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        from cspace_cli.cli.typer_internals import use_own_completion

        use_own_completion()
        return super().main(*args, **kwargs)

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, typer.TyperException):
            raise
        except (Exception, KeyboardInterrupt) as exc:
            run = ctx.obj if isinstance(ctx.obj, Run) else None
            debug = run.settings.debug if run else from_env().debug
            raise typer.Exit(exit_status(exc, debug)) from None


EXAMPLES = (  # the root help and the man page (scripts/gen_cli_docs.py) show these
    "cspace province shandong",
    "cspace company 'tian bing' --json",
    "cspace search 'sea launch'",
    "cspace facts --status target --year 2026",
    "cspace timeline shandong",
    "cspace compare province guangdong shandong zhejiang",
)
EPILOG = (
    "\b\nExamples:\n"
    + "\n".join(f"  {example}" for example in EXAMPLES)
    + "\n\n\b\nEnvironment:\n"
    + "\n".join(f"  {name:<19}{what}" for name, what in ENVIRONMENT)
)


app = typer.Typer(
    cls=CspaceGroup,
    name="cspace",
    help="Offline facts on China's commercial space industry: provinces, companies, "
    "spaceports, rockets, policies, each figure with its date, status and source.",
    epilog=EPILOG,
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
    fields: FieldsOpt = "",
    color: ColorOpt = Color.auto,
    facts: FactsOpt = None,
    no_cache: Annotated[
        bool,
        typer.Option(
            "--no-cache",
            help="Build the index in memory instead of using the cache. Also CSPACE_NO_CACHE=1.",
        ),
    ] = False,
    no_pager: NoPagerOpt = False,
    quiet: Annotated[
        bool,
        typer.Option(
            "--quiet", "-q", help="No progress bar on long work (a first index build, an export)."
        ),
    ] = False,
) -> None:
    """With no command, print an overview of the fact base and the main commands."""
    settings = from_env(facts=facts or [], no_cache=no_cache, debug=debug, color=color.value)
    ctx.obj = Run(settings, json, fields, pager=not no_pager, quiet=quiet)
    if ctx.invoked_subcommand is None:
        output.emit(
            "overview", views.overview(index_of(ctx.obj)), ctx.obj._replace(fields="").output()
        )


def index_of(run: Run) -> Index:
    """The index for this run: shipped base, CSPACE_FACTS, then --facts folders."""
    with run.long_work("reading fact files") as progress:
        return open_index(run.settings, progress=progress)


def complete_query(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """Tab on a lookup's QUERY offers names of the kind the command is named after."""
    return names_for(
        ctx.command.name or "",
        ctx.params.get("query") or (),
        incomplete,
        ctx.params.get("facts") or (),
    )


def make_lookup(kind: str) -> Callable[..., None]:
    @shared()
    def command(
        query: Annotated[
            list[str],
            typer.Argument(
                metavar="QUERY...",
                help="Name, alias, pinyin or 中文, e.g. 'tian bing'; words are joined.",
                autocompletion=complete_query,
            ),
        ],
        *,
        run: Run,
    ) -> None:
        index = index_of(run)
        match = lookup(index, " ".join(query), kind)
        payload = views.entity_view(index, index.get(match.best.id), match)
        output.emit("entity", payload, run.output())

    spec = KINDS[kind]
    command.__doc__ = f"{spec.help}\n\nExample: cspace {kind} {spec.example}"
    command.__name__ = f"lookup_{kind}"
    return command


for _kind in KINDS:
    _lookup = make_lookup(_kind)
    app.command(_kind, help=_lookup.__doc__)(_lookup)


@app.command()
@shared()
def show(
    entity_id: Annotated[
        str, typer.Argument(metavar="ID", help="An id such as company/space-pioneer.")
    ],
    *,
    run: Run,
) -> None:
    """Show one entity by its exact id.

    Example: cspace show site/oriental-aerospace-port
    """
    index = index_of(run)
    asked = from_argv(entity_id)
    found = by_id(index, asked)
    if found != asked:
        say(f"'{printable(asked)}' is now '{found}' (the record moved to another kind)")
    output.emit("entity", views.entity_view(index, index.get(found)), run.output())


@app.command()
@shared()
def search(
    query: Annotated[
        list[str],
        typer.Argument(
            metavar="QUERY...", help="Words to find in names and facts, e.g. sea launch."
        ),
    ],
    kind: Annotated[str | None, kind_option("Only this kind, e.g. -k site.")] = None,
    limit: Annotated[
        int,
        typer.Option(
            "--limit",
            "-L",
            min=0,
            max=LIMIT_MAX,
            metavar="N",
            help="Show at most this many hits; 0 for all.",
        ),
    ] = 50,
    *,
    run: Run,
) -> None:
    """Search every kind by name, summary and fact text, best first.

    Exits 1 when nothing matches (with --json it still prints []).

    Example: cspace search 'sea launch'
    """
    check_kind(kind)
    index = index_of(run)
    text = " ".join(query)
    rows = views.search_rows(index, run_search(index, text, kind, limit or None))
    if rows or run.json:
        output.emit("search", rows, run.output())
    if not rows:
        raise NotFound(f"nothing matches '{printable(text)}'")


@app.command("list")
@shared()
def list_entities(
    kind: KindArg = None,
    inside: Annotated[
        str | None,
        typer.Option(
            "--in",
            metavar="PLACE",
            help="Only what PLACE contains, at any depth (a name or an id), e.g. --in shandong.",
        ),
    ] = None,
    *,
    run: Run,
) -> None:
    """List entities, all or of one kind, or those inside a place.

    Example: cspace list site --in shandong
    """
    check_kind(kind)
    index = index_of(run)
    within = set(query_facts.inside(index, inside)[1:]) if inside is not None else None
    rows = views.list_rows(index, kind, within)
    if rows or run.json:
        output.emit("list", rows, run.output())
    if not rows:
        what = KINDS[kind].plural if kind else "entities"
        say(f"no {what} in {printable(inside)}" if inside else f"no {what} in the fact base")


@app.command()
@shared()
def sources(
    source_id: Annotated[
        str | None,
        typer.Argument(
            metavar="[ID]",
            help="One source's id, e.g. provinces-race-2026: show it in full with what cites it.",
        ),
    ] = None,
    *,
    run: Run,
) -> None:
    """List the source documents and how many facts cite each, or show one.

    With an ID: its title, byline, publisher, date, as-of date, URL and note, every entity
    citing it and every fact citing it.

    Example: cspace sources provinces-race-2026
    """
    index = index_of(run)
    if source_id is not None:
        found = query_facts.check_source(index, source_id)
        output.emit("source", views.source_detail(index, found), run.output())
        return
    rows = views.source_rows(index)
    if rows or run.json:
        output.emit("sources", rows, run.output())
    if not rows:
        say("no sources in the fact base")


REACHED = "only it and what it contains, publishes, builds, operates or is backed by."


class Sort(str, Enum):
    entity = "entity"
    date = "date"
    value = "value"


StatusOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--status",
        "-s",
        metavar="STATUS",
        help=f"Only this status ({', '.join(STATUSES)}); repeatable.",
        autocompletion=lambda: list(STATUSES),
    ),
]
FromOpt = Annotated[
    str,
    typer.Option(
        "--from",
        metavar="DATE",
        help="Only facts dated in or after DATE (YYYY, YYYY-MM, YYYY-MM-DD, YYYY-H1, YYYY-Q3).",
    ),
]
ToOpt = Annotated[
    str,
    typer.Option("--to", metavar="DATE", help="Only facts dated in or before DATE (same forms)."),
]
CsvOpt = Annotated[
    bool,
    typer.Option(
        "--csv", help="Print CSV: the columns of cspace export --format csv (--fields picks)."
    ),
]


def listing(
    what: str,
    payload: Callable[[], dict[str, Any]],
    found: bool,
    run: Run,
    csv: bool,
    empty: str,
) -> None:
    """Print a fact listing, or a note on stderr when it is empty (with --json still [],
    with --csv still the header)."""
    opts = run.output()._replace(csv=csv and not run.json)
    if not found:
        say(empty)
        if run.json or opts.csv:
            output.emit(what, {"rows": [], "json_rows": [], "sources": {}}, opts)
        return
    output.emit(what, payload(), opts)


@app.command()
@shared()
def facts(
    status: StatusOpt = None,
    year: Annotated[
        str,
        typer.Option(
            "--year", "-y", metavar="YYYY", help="Only facts whose date or period overlaps YYYY."
        ),
    ] = "",
    since: FromOpt = "",
    until: ToOpt = "",
    inside: Annotated[
        str,
        typer.Option(
            "--in",
            metavar="PLACE",
            help="Only facts of PLACE and what it contains, at any depth, e.g. --in shandong.",
        ),
    ] = "",
    about: Annotated[
        str,
        typer.Option(
            "--about",
            metavar="ENTITY",
            help=f"Only facts of an ENTITY, e.g. --about tianbing: {REACHED}",
        ),
    ] = "",
    kind: Annotated[str, kind_option("Only facts of entities of this kind.")] = "",
    attribute: Annotated[
        str,
        typer.Option(
            "--attribute",
            "-a",
            metavar="WORDS",
            help="Only attributes with words starting so, e.g. -a 'satellite launch'.",
        ),
    ] = "",
    source: Annotated[
        str, typer.Option("--source", metavar="ID", help="Only facts citing this source.")
    ] = "",
    disputed: Annotated[
        bool, typer.Option("--disputed", help="Only figures on which sources disagree.")
    ] = False,
    numeric: Annotated[
        bool, typer.Option("--numeric", help="Only facts with a number or a range.")
    ] = False,
    sort: Annotated[
        Sort,
        typer.Option(
            "--sort",
            case_sensitive=False,
            help="entity (name, then as the entity shows them), date (in time order) or "
            "value (largest first; a range by its low end).",
        ),
    ] = Sort.entity,
    csv: CsvOpt = False,
    *,
    run: Run,
) -> None:
    """Every fact in the fact base as a table, narrowed by filters that combine.

    Each row shows the entity, attribute, value (with its precision), status, date and
    citations, with the numbered sources below. An empty result prints a note on stderr
    and exits 0 (with --json: []).

    Example: cspace facts --status target --year 2026
    """
    index = index_of(run)
    flt = query_facts.fact_filter(
        index,
        status=status,
        year=year,
        since=since,
        until=until,
        inside=inside,
        about=about,
        kind=kind,
        attribute=attribute,
        source=source,
        disputed=disputed,
        numeric=numeric,
        sort=sort.value,
    )
    view = functools.partial(views.fact_listing, index, flt)
    listing("facts", view, index.has_facts(flt), run, csv, "no facts match")


@app.command()
@shared()
def timeline(
    query: Annotated[
        list[str] | None,
        typer.Argument(metavar="[QUERY]...", help=f"An entity (any kind; words joined): {REACHED}"),
    ] = None,
    since: FromOpt = "",
    until: ToOpt = "",
    csv: CsvOpt = False,
    *,
    run: Run,
) -> None:
    """Dated facts in time order, grouped by year.

    Periods come by their start, then the longer first (2025, 2025-H1, 2025-01); undated
    facts are left out and counted at the end.

    Example: cspace timeline space pioneer --from 2023
    """
    index = index_of(run)
    text = " ".join(query or [])
    flt = query_facts.timeline_filter(index, text, since, until)
    about = query_facts.resolve(index, text) if text else None
    undated = index.count_facts(flt._replace(dated=False, first_day="", last_day=""))
    if run.json or csv:
        say(f"{undated} undated facts left out" if undated else "no undated facts left out")
    view = functools.partial(views.timeline_view, index, flt, undated=undated, about=about)
    listing("timeline", view, index.has_facts(flt), run, csv, "no dated facts match")


@app.command()
@shared()
def compare(
    kind: Annotated[
        str,
        typer.Argument(
            metavar="KIND", help=f"One of: {', '.join(KINDS)}.", autocompletion=lambda: list(KINDS)
        ),
    ],
    names: Annotated[
        list[str],
        typer.Argument(
            metavar="NAME NAME [NAME]...",
            help="Two or more names of that kind; quote a name with spaces ('space pioneer').",
        ),
    ],
    *,
    run: Run,
) -> None:
    """Entities of one kind side by side: one column each, one row per attribute.

    Rows hold each entity's key figures and facts. On a terminal, figures of the same unit
    and status get proportional bars. A name that matches nothing stops the command (exit
    1) with suggestions.

    Example: cspace compare province guangdong shandong zhejiang
    """
    check_kind(kind)
    if len(names) < 2:
        raise UsageError("compare needs at least two names")
    index = index_of(run)
    ids = list(dict.fromkeys(lookup(index, name, kind).best.id for name in names))
    if len(ids) < 2:
        raise UsageError("the names all match one entity; compare needs two or more")
    output.emit("compare", views.compare_view(index, kind, ids), run.output())


@app.command()
@shared("json", "color", "facts")
def validate(
    folders: Annotated[
        list[Path] | None,
        typer.Argument(
            metavar="[DIR]...",
            help="Fact folders to check on top of the shipped base "
            "(default: the folders cspace would load).",
            readable=False,  # the loader reports an unreadable folder, with the others
        ),
    ] = None,
    *,
    run: Run,
) -> None:
    """Check fact folders and list every problem, with file and line.

    Exits 3 if there is any error; notices (a record replacing a shipped one) do not fail.

    Example: cspace validate ./my-facts
    """
    from cspace_cli.load.scan import check_folders

    base, problems = check_folders(run.settings.fact_folders(folders or []))
    rows = [
        {"path": p.path, "line": p.line, "severity": p.severity, "message": p.message}
        for p in [*problems, *base.notices]
    ]
    if rows or run.json:
        output.emit("problems", rows, run.output())
    n_facts = sum(len(e.facts) for e in base.entities.values())
    if problems:
        raise InvalidFactBase(problems)
    say(f"ok: {len(base.entities)} entities, {n_facts} facts, {len(base.sources)} sources")


@app.command()
def schema() -> None:
    """Print the JSON Schema of every --json output.

    Example: cspace schema | jq '.["$defs"] | keys'
    """
    from cspace_cli.settings import PACKAGE_DIR

    sys.stdout.write((PACKAGE_DIR / "schema.json").read_text(encoding="utf-8"))


class ExportFormat(str, Enum):
    json = "json"
    jsonl = "jsonl"
    csv = "csv"
    sqlite = "sqlite"


@app.command("export")
@shared("facts")
def export_command(
    fmt: Annotated[
        ExportFormat | None,
        typer.Option(
            "--format",
            "-f",
            metavar="FORMAT",
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
    metadata: Annotated[
        Path | None,
        typer.Option(
            "--metadata",
            "-m",
            metavar="JSON",
            help="With an SQLite FILE, also write Datasette metadata (title, source, licence, "
            "label columns) to JSON: datasette FILE -m JSON.",
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace FILE (and JSON) if it exists.")
    ] = False,
    raw: Annotated[
        bool,
        typer.Option(
            "--raw",
            help="CSV only: write text cells as stored, without the ' that keeps a "
            "spreadsheet from running a cell starting with = + - @ as a formula, and with "
            "control characters kept.",
        ),
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    *,
    run: Run,
) -> None:
    """Export every entity and fact as JSON, JSON Lines, CSV or SQLite.

    The whole fact base is exported, with the folders of --facts and CSPACE_FACTS. A value
    the facts leave out is null in JSON, NULL in SQLite and an empty cell in CSV. The
    SQLite file has full-text tables, so Datasette offers search.

    Example: cspace export -o facts.db -m metadata.json && datasette facts.db -m metadata.json
    """
    from cspace_cli.present.export import format_for, utf8, write_file, write_stream

    name = format_for(fmt.value if fmt else None, target)
    if raw and name != "csv":
        raise UsageError(f"--raw applies to the csv format only, not {name}")
    run = run._replace(quiet=run.quiet or quiet)
    if metadata is not None and (target is None or name != "sqlite"):
        raise UsageError("--metadata describes an SQLite export for Datasette: add -o FILE.db")
    index = index_of(run)
    with run.long_work("writing entities") as progress:
        if target is None:
            with utf8(sys.stdout) as out:
                write_stream(index, name, out, progress, raw)
            sys.stdout.flush()
            return
        folders = run.settings.known_fact_folders()
        write_file(index, name, target, force, folders, metadata, progress, raw)
    say(f"wrote {len(index)} entities as {name} to {target}")
    if metadata is not None:
        say(f"wrote Datasette metadata to {metadata}; run: datasette {target} -m {metadata}")


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
    from cspace_cli.load.scaffold import init_folder

    for path in init_folder(folder, from_env().known_fact_folders()):
        sys.stdout.write(f"{path}\n")
    say(f"next: edit the files, then run: cspace validate {folder}")


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
    from cspace_cli.cli.typer_internals import completion_script

    sys.stdout.write(completion_script(shell.value) + "\n")


CacheAction = Enum(  # type: ignore[misc]
    "CacheAction", {action: action for action in ("path", "info", "clear", "prune")}, type=str
)


@app.command("cache")
@shared("json", "fields", "color")
def cache_command(
    action: Annotated[
        CacheAction,
        typer.Argument(
            metavar="ACTION",
            case_sensitive=False,
            help="path: the cache folder; info: its index files, their sizes, last use and "
            "the fact folders each serves; clear: remove them all; prune: remove those not "
            "used for --days days and those an older cspace wrote.",
        ),
    ],
    days: Annotated[
        int,
        typer.Option("--days", min=0, metavar="N", help="With prune: unused for N days."),
    ] = 30,
    *,
    run: Run,
) -> None:
    """Show or clean the index cache: path, info, clear or prune.

    cspace keeps one index file per set of fact folders, and removes the files of older
    formats itself when it builds one.

    Example: cspace cache info
    """
    from cspace_cli.index.cache_folder import cache_files, remove, stale
    from cspace_cli.present.humanize import count, size

    folder = run.settings.cache_folder()
    if action.value == "path":
        sys.stdout.write(f"{folder}\n")
        return
    files = cache_files(folder)
    if action.value == "info":
        rows = views.cache_rows(files)
        if rows or run.json:
            output.emit("cache", rows, run.output())
        if not rows:
            say(f"no index files in {folder}")
        return
    gone = remove(files if action.value == "clear" else stale(files, days))
    freed = size(sum(f.size for f in gone))
    say(f"removed {count(len(gone), 'index file')} ({freed}) from {folder}")


tidy_commands(app)


def check_kind(kind: str | None) -> None:
    if kind is not None and kind not in KINDS:
        raise UsageError(f"unknown kind '{printable(kind)}' (known: {', '.join(KINDS)})")


def main(argv: list[str]) -> int:
    """Run the app with only the command ``argv`` names (see :mod:`typer_internals`)."""
    from cspace_cli.cli.typer_internals import app_for, run_app

    return run_app(app_for(app, argv), argv)
