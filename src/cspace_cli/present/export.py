"""The whole fact base out, for data tools: JSON, JSON Lines, CSV or an SQLite database.

JSON and JSON Lines carry the same entity objects as a lookup's ``--json`` (with
``match`` null), so one schema covers both, with the same ``\\u`` escapes for characters
that could act on a terminal. CSV is one row per fact with its entity and citation; it
has no escapes, so those characters become U+FFFD, and a text cell that a spreadsheet
would run as a formula (``=``, ``+``, ``-``, ``@``) starts with ``'`` unless ``raw``.
SQLite has real tables with foreign keys and indexes, full-text tables set up as
``sqlite-utils enable-fts`` sets them up, and optional Datasette metadata, so Datasette
offers labels, facets and a search box. A missing value is null in JSON, NULL in SQLite
and an empty cell in CSV. Exports are UTF-8 whatever the locale.

A file is written to a random temporary name beside it and renamed (:mod:`atomic`), so a
failed or killed export never leaves half a file under the real name, never inside a
fact folder; a character device or a pipe (``-o /dev/stdout``) is written as a stream,
never replaced.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import sqlite3
import stat
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from cspace_cli import __version__, atomic
from cspace_cli.errors import OutputError, UsageError
from cspace_cli.index.reader import Index
from cspace_cli.load.walk import fact_folder_holding
from cspace_cli.model import Entity
from cspace_cli.present.views import (
    SCHEMA_VERSION,
    Payload,
    entity_view,
    facts_view,
    source_view,
)
from cspace_cli.text import defuse, escape_active, spaced

if TYPE_CHECKING:
    from cspace_cli.load.scan import Progress

SUFFIXES = {
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".csv": "csv",
    ".db": "sqlite",
    ".sqlite": "sqlite",
    ".sqlite3": "sqlite",
}

CSV_FACT_KEYS = (
    "attribute",
    "value",
    "low",
    "high",
    "unit",
    "qualifier",
    "status",
    "date",
    "date_kind",
    "date_text",
    "date_inferred",
)
CSV_COLUMNS = (
    "entity_id",
    "entity_kind",
    "entity_name",
    *CSV_FACT_KEYS,
    "converted_value",
    "converted_low",
    "converted_high",
    "converted_unit",
    "disputed",
    "section",
    "text",
    "source_ids",
    "source_titles",
)


SQL_TABLES = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE sources (
    id TEXT PRIMARY KEY, title TEXT NOT NULL, publisher TEXT, byline TEXT, date TEXT,
    as_of TEXT, url TEXT, language TEXT, note TEXT, file TEXT);
CREATE TABLE entities (
    id TEXT PRIMARY KEY, kind TEXT NOT NULL, slug TEXT NOT NULL, name TEXT NOT NULL,
    name_zh TEXT, pinyin TEXT, aliases TEXT NOT NULL, summary TEXT,
    located_in TEXT REFERENCES entities(id));
CREATE TABLE names (
    entity_id TEXT NOT NULL REFERENCES entities(id), name TEXT NOT NULL,
    field TEXT NOT NULL, key TEXT NOT NULL, PRIMARY KEY (entity_id, name));
CREATE TABLE entity_sources (
    entity_id TEXT NOT NULL REFERENCES entities(id),
    source_id TEXT NOT NULL REFERENCES sources(id), PRIMARY KEY (entity_id, source_id));
CREATE TABLE facts (
    id INTEGER PRIMARY KEY, entity_id TEXT NOT NULL REFERENCES entities(id),
    position INTEGER NOT NULL, attribute TEXT NOT NULL, value, low NUMERIC, high NUMERIC,
    unit TEXT, qualifier TEXT, status TEXT NOT NULL, date TEXT, date_kind TEXT,
    date_text TEXT, date_inferred INTEGER NOT NULL, converted_value NUMERIC,
    converted_low NUMERIC, converted_high NUMERIC, converted_unit TEXT,
    disputed INTEGER NOT NULL, section TEXT, text TEXT NOT NULL);
CREATE TABLE fact_sources (
    fact_id INTEGER NOT NULL REFERENCES facts(id),
    source_id TEXT NOT NULL REFERENCES sources(id), PRIMARY KEY (fact_id, source_id));
CREATE TABLE relations (
    id INTEGER PRIMARY KEY, subject_id TEXT NOT NULL REFERENCES entities(id),
    relation TEXT NOT NULL, object_id TEXT NOT NULL REFERENCES entities(id), text TEXT);
CREATE TABLE relation_sources (
    relation_id INTEGER NOT NULL REFERENCES relations(id),
    source_id TEXT NOT NULL REFERENCES sources(id), PRIMARY KEY (relation_id, source_id));
"""

SQL_INDEXES = """
CREATE INDEX entities_kind ON entities(kind);
CREATE INDEX entities_located_in ON entities(located_in);
CREATE INDEX names_key ON names(key);
CREATE INDEX facts_entity ON facts(entity_id);
CREATE INDEX facts_attribute ON facts(attribute);
CREATE INDEX fact_sources_source ON fact_sources(source_id);
CREATE INDEX entity_sources_source ON entity_sources(source_id);
CREATE INDEX relations_subject ON relations(subject_id);
CREATE INDEX relations_object ON relations(object_id);
CREATE INDEX relation_sources_source ON relation_sources(source_id);
"""


FTS_COLUMNS = {
    "entities": ("name", "name_zh", "pinyin", "aliases", "summary"),
    "facts": ("attribute", "text"),
}
LABEL_COLUMNS = {
    "entities": "name",
    "names": "name",
    "facts": "attribute",
    "relations": "relation",
    "sources": "title",
    "meta": "key",
}


def format_for(fmt: str | None, target: Path | None) -> str:
    """The format asked for, else the one the file suffix names, else JSON."""
    if fmt:
        return fmt
    if target is not None:
        return SUFFIXES.get(target.suffix.lower(), "json")
    return "json"


def entity_objects(index: Index, progress: Progress | None = None) -> Iterator[Payload]:
    """Every entity's view, in id order, without key figures (each is a fact exported on
    its own entity; with them a 10,000-entity JSON export was 2.4 times the size and
    time). Summaries and links are read into memory first: one query for each, instead of
    several for every entity."""
    whole = index.in_memory()
    total = len(index)
    for done, e in enumerate(index.entities(), 1):
        yield entity_view(whole, e, figures=False)
        if progress:
            progress(done, total)


def write_json(index: Index, out: TextIO, progress: Progress | None = None) -> None:
    """The array an ``indent=2`` dump gives, written one entity at a time.

    Most of its time is the standard library's encoder: with ``indent`` it runs in pure
    Python (see docs/benchmarks.md); JSON Lines uses the C encoder."""
    from cspace_cli.present.output import write_array

    write_array(entity_objects(index, progress), out)


def write_jsonl(index: Index, out: TextIO, progress: Progress | None = None) -> None:
    for obj in entity_objects(index, progress):
        out.write(escape_active(json.dumps(obj, ensure_ascii=False)) + "\n")


FORMULA_START = "=+-@\t\r"  # what a spreadsheet may run as a formula, at a cell's start


def _cell(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else value


def _guarded_cell(value: Any) -> Any:
    """A cell as :func:`_cell` gives it, with a ``'`` before text a spreadsheet would run
    as a formula (numbers are left as they are)."""
    if isinstance(value, str):
        return "'" + value if value and value[0] in FORMULA_START else value
    return _cell(value)


class Defused:
    """Writes CSV text with :func:`defuse` applied, 64 KiB at a time: once per cell, or
    even once per row, the calls cost more than the scan (docs/benchmarks.md)."""

    CHUNK = 1 << 16

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.parts: list[str] = []
        self.size = 0

    def write(self, text: str) -> int:
        self.parts.append(text)
        self.size += len(text)
        if self.size >= self.CHUNK:
            self.flush()
        return len(text)

    def flush(self) -> None:
        self.out.write(defuse("".join(self.parts)))
        self.parts, self.size = [], 0


def csv_row(
    entity: Payload, f: Payload, titles: dict[str, str], cell: Callable[[Any], Any] = _guarded_cell
) -> list[Any]:
    """One fact as a CSV row (``CSV_COLUMNS``): its entity, its fields, its citations;
    ``cell`` makes each value a cell (by default with the formula guard)."""
    conv = f["converted"] or {}
    return [
        cell(v)
        for v in (
            entity["id"],
            entity["kind"],
            entity["name"],
            *(f[k] for k in CSV_FACT_KEYS),
            *(conv.get(k) for k in ("value", "low", "high", "unit")),
            f["disputed"],
            f["section"],
            f["text"],
            "; ".join(f["sources"]),
            "; ".join(titles[s] for s in f["sources"] if s in titles),
        )
    ]


def fact_rows(
    index: Index, progress: Progress | None = None, raw: bool = False
) -> Iterator[list[Any]]:
    """One row per fact, in the order a lookup shows them, with titles for its sources."""
    titles = {s.id: s.title for s in index.sources.values()}
    cell = _cell if raw else _guarded_cell
    total = len(index)
    for done, e in enumerate(index.entities(), 1):
        entity = {"id": e.id, "kind": e.kind, "name": e.name}
        for f in facts_view(e.facts):
            yield csv_row(entity, f, titles, cell)
        if progress:
            progress(done, total)


def write_csv(
    index: Index, out: TextIO, progress: Progress | None = None, raw: bool = False
) -> None:
    sink = out if raw else Defused(out)
    writer = csv.writer(sink, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(fact_rows(index, progress, raw))
    sink.flush()


def write_sqlite(index: Index, path: Path, progress: Progress | None = None) -> None:
    """Tables first, rows next, indexes and full-text tables last: building them once is
    cheaper than keeping them up to date row by row. The file is a temporary one, so no
    journal."""
    con = sqlite3.connect(path)
    try:
        con.executescript("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;" + SQL_TABLES)
        with con:
            fill(con, index, progress)
        con.executescript(SQL_INDEXES)
        with con:
            for table, columns in FTS_COLUMNS.items():
                enable_fts(con, table, columns)
    finally:
        con.close()


def enable_fts(con: sqlite3.Connection, table: str, columns: Sequence[str]) -> None:
    """What ``sqlite-utils enable-fts DB TABLE COLUMNS...`` does: an FTS5 table that reads
    its text from ``table`` by rowid, filled once. Datasette finds it by its
    ``content=[table]`` and then shows a search box on ``table``."""
    cols = ", ".join(f"[{c}]" for c in columns)
    con.execute(f"CREATE VIRTUAL TABLE [{table}_fts] USING FTS5 ({cols}, content=[{table}])")
    con.execute(f"INSERT INTO [{table}_fts] (rowid, {cols}) SELECT rowid, {cols} FROM [{table}]")


INSERTS = {
    "entities": "INSERT INTO entities VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    "names": "INSERT INTO names VALUES (?, ?, ?, ?)",
    "entity_sources": "INSERT INTO entity_sources VALUES (?, ?)",
    "facts": f"INSERT INTO facts VALUES ({', '.join('?' * 21)})",
    "fact_sources": "INSERT INTO fact_sources VALUES (?, ?)",
    "relations": "INSERT INTO relations VALUES (?, ?, ?, ?, ?)",
    "relation_sources": "INSERT INTO relation_sources VALUES (?, ?)",
}
BATCH = 2000  # entities whose rows go in together: one executemany per table and batch


def fill(con: sqlite3.Connection, index: Index, progress: Progress | None = None) -> None:
    """Every row, written a batch of entities at a time (a call per entity and table cost
    a third of an export of 10,000 entities)."""
    con.executemany(
        "INSERT INTO meta VALUES (?, ?)",
        [("schema_version", str(SCHEMA_VERSION)), ("cspace_version", __version__)],
    )
    con.executemany(
        "INSERT INTO sources VALUES (:id, :title, :publisher, :byline, :date, "
        ":as_of, :url, :language, :note, :file)",
        [source_view(s) for s in index.sources.values()],
    )
    rows: dict[str, list[tuple[Any, ...]]] = {table: [] for table in INSERTS}
    counter = {"facts": 0, "relations": 0}
    total = len(index)
    for done, e in enumerate(index.entities(), 1):
        add_rows(rows, e, counter)
        if done % BATCH == 0 or done == total:
            for table, sql in INSERTS.items():
                con.executemany(sql, rows[table])
                rows[table].clear()
        if progress:
            progress(done, total)


def add_rows(rows: dict[str, list[tuple[Any, ...]]], e: Entity, counter: dict[str, int]) -> None:
    """The rows of one entity, its names, facts and relations, with their citations."""
    aliases = [n for n in e.names() if n not in (e.name, e.slug)]
    rows["entities"].append(
        (
            e.id,
            e.kind,
            e.slug,
            e.name,
            e.name_zh or None,
            e.pinyin or None,
            json.dumps(aliases, ensure_ascii=False),
            e.summary,
            e.located_in or None,
        )
    )
    named = [
        ("name", e.name),
        ("name_zh", e.name_zh),
        ("pinyin", e.pinyin),
        *(("alias", a) for a in e.aliases),
        ("slug", e.slug),
    ]
    field_of = {name: fld for fld, name in reversed(named) if name}
    rows["names"] += [(e.id, n, field_of[n], spaced(n)) for n in e.names()]
    rows["entity_sources"] += [(e.id, s) for s in dict.fromkeys(e.sources)]
    for position, f in enumerate(facts_view(e.facts)):
        counter["facts"] += 1
        fact_id = counter["facts"]
        conv = f["converted"] or {}
        rows["facts"].append(
            (
                fact_id,
                e.id,
                position,
                *(f[k] for k in CSV_FACT_KEYS),
                *(conv.get(k) for k in ("value", "low", "high", "unit")),
                f["disputed"],
                f["section"],
                f["text"],
            )
        )
        rows["fact_sources"] += [(fact_id, s) for s in dict.fromkeys(f["sources"])]
    for r in e.relations:
        counter["relations"] += 1
        relation_id = counter["relations"]
        rows["relations"].append((relation_id, r.subject, r.relation, r.object, r.text or None))
        rows["relation_sources"] += [(relation_id, s) for s in dict.fromkeys(r.sources)]


def datasette_metadata(index: Index, database: str) -> Payload:
    """Datasette's metadata for the exported ``database`` (the file name without suffix):
    what it is, where its facts come from, its licence, and the column that names a row of
    each table, which Datasette shows in place of a foreign key's bare id."""
    n_sources = len(index.sources)
    return {
        "title": "cspace: China's commercial space industry",
        "description": (
            f"{len(index)} entities (provinces, companies, spaceports, rockets, policies …) "
            f"and {index.stats.facts} facts, each with its unit, date, status and the "
            "documents it cites. Exported by cspace "
            f"{__version__} (data schema version {SCHEMA_VERSION})."
        ),
        "source": f"{n_sources} source documents, listed with title, publisher, date and "
        "address in the sources table",
        "license": "MIT",
        "databases": {
            database: {
                "tables": {
                    table: {"label_column": column} for table, column in LABEL_COLUMNS.items()
                }
            }
        },
    }


def write_stream(
    index: Index, fmt: str, out: TextIO, progress: Progress | None = None, raw: bool = False
) -> None:
    if fmt == "sqlite":
        raise UsageError(
            "the sqlite format is a binary file: give it a name with -o FILE (e.g. -o facts.db)"
        )
    if fmt == "csv":
        write_csv(index, out, progress, raw)
    else:
        {"json": write_json, "jsonl": write_jsonl}[fmt](index, out, progress)


@contextlib.contextmanager
def utf8(stream: TextIO) -> Iterator[TextIO]:
    """``stream`` as UTF-8 text: JSON must be UTF-8 and CSV has no escapes, so under a
    locale that is not (``LC_ALL=C``) the bytes go out as UTF-8 all the same."""
    encoding = (getattr(stream, "encoding", None) or "utf-8").lower().replace("_", "-")
    buffer = getattr(stream, "buffer", None)
    if encoding in ("utf-8", "utf8") or buffer is None:
        yield stream
        return
    stream.flush()
    out = io.TextIOWrapper(buffer, encoding="utf-8", newline="")
    try:
        yield out
    finally:
        out.flush()
        out.detach()


def write_file(
    index: Index,
    fmt: str,
    target: Path,
    force: bool,
    fact_folders: Sequence[Path],
    metadata: Path | None = None,
    progress: Progress | None = None,
    raw: bool = False,
) -> None:
    """Write ``target`` (and Datasette's ``metadata``): through a temporary file beside it,
    renamed into place, or as a stream when it is a character device or a pipe."""
    place = destination(target, force, fact_folders)
    about = None if metadata is None else destination(metadata, force, fact_folders)
    if metadata is not None and (about is None or about == place):
        raise UsageError("--metadata needs a file of its own, not the database or a device")
    if place is None:
        if fmt == "sqlite":
            raise UsageError(f"'{target}' is a device or a pipe; the sqlite format needs a file")
        with open_stream(target) as out:
            write_stream(index, fmt, out, progress, raw)
    elif fmt == "sqlite":
        written(place, target, lambda tmp: write_sqlite(index, tmp.path, progress))
    else:
        written(place, target, lambda tmp: write_text(tmp, index, fmt, progress, raw))
    if metadata is not None and about is not None:
        text = json.dumps(datasette_metadata(index, target.stem), ensure_ascii=False, indent=2)

        def describe(tmp: atomic.TempFile) -> None:
            with text_file(tmp) as out:
                out.write(f"{text}\n")

        written(about, metadata, describe)


def text_file(tmp: atomic.TempFile) -> TextIO:
    """The temporary file opened for text, through its own descriptor: never by its name,
    which someone could have swapped."""
    return open(os.dup(tmp.fd), "w", encoding="utf-8", newline="")


def write_text(
    tmp: atomic.TempFile, index: Index, fmt: str, progress: Progress | None, raw: bool
) -> None:
    with text_file(tmp) as out:
        write_stream(index, fmt, out, progress, raw)


def written(place: Path, target: Path, write: Callable[[atomic.TempFile], object]) -> None:
    """Run ``write`` on a new temporary file beside ``place``, then rename it into place;
    first remove what exports to the same name that were killed left behind."""
    prefix = f".{place.name}."
    try:
        atomic.clean_stale(place.parent, prefix, ".tmp")
        tmp = atomic.create(place.parent, prefix, ".tmp")
    except OSError as exc:
        raise OutputError(f"cannot write '{target}': {exc.strerror or exc}") from None
    try:
        write(tmp)
        tmp.replace(place)
    except (OSError, sqlite3.OperationalError) as exc:
        raise OutputError(
            f"cannot write '{target}': {getattr(exc, 'strerror', None) or exc}"
        ) from None
    finally:
        tmp.discard()


def destination(target: Path, force: bool, fact_folders: Sequence[Path]) -> Path | None:
    """The file to write for ``-o target`` (a symlink is followed, as a shell's ``>``
    does), or None for a stream; refuse a folder, a fact folder, an existing file without
    ``--force``, and a symlink to a missing file without it."""
    try:
        info: os.stat_result | None = os.stat(target)
    except (FileNotFoundError, NotADirectoryError):
        info = None
    except OSError as exc:
        raise OutputError(f"cannot write '{target}': {exc.strerror or exc}") from None
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise UsageError(f"'{target}' is a folder; give a file name")
    if info is not None and (stat.S_ISCHR(info.st_mode) or stat.S_ISFIFO(info.st_mode)):
        return None
    if info is not None and not stat.S_ISREG(info.st_mode):
        raise UsageError(f"'{target}' is neither a file, a character device nor a pipe")
    place = Path(os.path.realpath(target))
    folder = fact_folder_holding(place, fact_folders)
    if folder is not None:
        raise UsageError(
            f"'{target}' is inside the fact folder '{folder}'; cspace never writes into a "
            "fact folder"
        )
    if info is not None and not force:
        raise UsageError(f"'{target}' exists; add --force to replace it")
    if info is None and os.path.islink(target) and not force:
        raise UsageError(
            f"'{target}' is a symbolic link to '{place}', which does not exist; add --force "
            "to write there"
        )
    if not place.parent.is_dir():
        raise UsageError(f"folder '{place.parent}' does not exist")
    return place


@contextlib.contextmanager
def open_stream(target: Path) -> Iterator[TextIO]:
    """A device or pipe opened for writing as it is: never created, truncated or replaced."""
    try:
        fd = os.open(target, os.O_WRONLY | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise OutputError(f"cannot write '{target}': {exc.strerror or exc}") from None
    mode = os.fstat(fd).st_mode
    if not (stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)):  # swapped since it was looked at
        os.close(fd)
        raise OutputError(f"cannot write '{target}': it changed while it was opened")
    with open(fd, "w", encoding="utf-8", newline="") as out:
        yield out
