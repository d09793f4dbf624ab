"""The whole fact base out, for data tools: JSON, JSON Lines, CSV or an SQLite database.

JSON and JSON Lines carry the same entity objects as a lookup's ``--json`` (with
``match`` null), so one schema covers both, with the same ``\\u`` escapes for characters
that could act on a terminal. CSV is one row per fact with its entity and citation; it
has no escapes, so those characters become U+FFFD, and a text cell that a spreadsheet
would run as a formula (``=``, ``+``, ``-``, ``@``) starts with ``'`` unless ``raw``.
SQLite has real tables with foreign keys and indexes, so datasette or sqlite-utils can
browse it. Exports are UTF-8 whatever the locale.

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
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

from cspace_cli import __version__, atomic
from cspace_cli.errors import OutputError, UsageError
from cspace_cli.index.codec import source_to_dict
from cspace_cli.index.reader import Index
from cspace_cli.load.walk import fact_folder_holding
from cspace_cli.present.views import SCHEMA_VERSION, Payload, entity_view, facts_view
from cspace_cli.text import defuse, escape_active, spaced

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
    name_zh TEXT, pinyin TEXT, summary TEXT,
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


def format_for(fmt: str | None, target: Path | None) -> str:
    """The format asked for, else the one the file suffix names, else JSON."""
    if fmt:
        return fmt
    if target is not None:
        return SUFFIXES.get(target.suffix.lower(), "json")
    return "json"


def entity_objects(index: Index) -> Iterator[Payload]:
    """Every entity's view, in id order. Summaries and links are read into memory first:
    one query for each, instead of several for every entity."""
    whole = index.in_memory()
    return (entity_view(whole, e) for e in index.entities())


def write_json(index: Index, out: TextIO) -> None:
    """The array an ``indent=2`` dump gives, written one entity at a time."""
    out.write("[")
    for i, obj in enumerate(entity_objects(index)):
        text = escape_active(json.dumps(obj, ensure_ascii=False, indent=2))
        out.write(f"{',' if i else ''}\n  {text.replace(chr(10), chr(10) + '  ')}")
    out.write("\n]\n" if len(index) else "]\n")


def write_jsonl(index: Index, out: TextIO) -> None:
    for obj in entity_objects(index):
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


class _Defused:
    """Writes CSV rows with :func:`defuse` applied: once per row, not once per cell."""

    def __init__(self, out: TextIO) -> None:
        self.out = out

    def write(self, text: str) -> int:
        return self.out.write(defuse(text))


def fact_rows(index: Index, raw: bool = False) -> Iterator[list[Any]]:
    """One row per fact, in the order a lookup shows them, with titles for its sources."""
    titles = {s.id: s.title for s in index.sources.values()}
    cell = _cell if raw else _guarded_cell
    for e in index.entities():
        for f in facts_view(e.facts):
            conv = f["converted"] or {}
            yield [
                cell(v)
                for v in (
                    e.id,
                    e.kind,
                    e.name,
                    *(f[k] for k in CSV_FACT_KEYS),
                    *(conv.get(k) for k in ("value", "low", "high", "unit")),
                    f["disputed"],
                    f["section"],
                    f["text"],
                    "; ".join(f["sources"]),
                    "; ".join(titles[s] for s in f["sources"] if s in titles),
                )
            ]


def write_csv(index: Index, out: TextIO, raw: bool = False) -> None:
    writer = csv.writer(out if raw else _Defused(out), lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(fact_rows(index, raw))


def write_sqlite(index: Index, path: Path) -> None:
    """Tables first, rows next, indexes last: building an index once is cheaper than
    keeping it up to date row by row. The file is a temporary one, so no journal."""
    con = sqlite3.connect(path)
    try:
        con.executescript("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;" + SQL_TABLES)
        with con:
            fill(con, index)
        con.executescript(SQL_INDEXES)
    finally:
        con.close()


def fill(con: sqlite3.Connection, index: Index) -> None:
    con.executemany(
        "INSERT INTO meta VALUES (?, ?)",
        [("schema_version", str(SCHEMA_VERSION)), ("cspace_version", __version__)],
    )
    con.executemany(
        "INSERT INTO sources VALUES (:id, :title, :publisher, :byline, :date, "
        ":as_of, :url, :language, :note, :file)",
        [source_to_dict(s) for s in index.sources.values()],
    )
    fact_id = relation_id = 0
    for e in index.entities():
        con.execute(
            "INSERT INTO entities VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (e.id, e.kind, e.slug, e.name, e.name_zh, e.pinyin, e.summary, e.located_in or None),
        )
        named = [
            ("name", e.name),
            ("name_zh", e.name_zh),
            ("pinyin", e.pinyin),
            *(("alias", a) for a in e.aliases),
            ("slug", e.slug),
        ]
        field_of = {name: fld for fld, name in reversed(named) if name}
        con.executemany(
            "INSERT INTO names VALUES (?, ?, ?, ?)",
            [(e.id, n, field_of[n], spaced(n)) for n in e.names()],
        )
        con.executemany(
            "INSERT INTO entity_sources VALUES (?, ?)",
            [(e.id, s) for s in dict.fromkeys(e.sources)],
        )
        facts, cites = [], []
        for position, f in enumerate(facts_view(e.facts)):
            fact_id += 1
            conv = f["converted"] or {}
            facts.append(
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
            cites += [(fact_id, s) for s in dict.fromkeys(f["sources"])]
        con.executemany(f"INSERT INTO facts VALUES ({', '.join('?' * 21)})", facts)
        con.executemany("INSERT INTO fact_sources VALUES (?, ?)", cites)
        relations, cites = [], []
        for r in e.relations:
            relation_id += 1
            relations.append((relation_id, r.subject, r.relation, r.object, r.text))
            cites += [(relation_id, s) for s in dict.fromkeys(r.sources)]
        con.executemany("INSERT INTO relations VALUES (?, ?, ?, ?, ?)", relations)
        con.executemany("INSERT INTO relation_sources VALUES (?, ?)", cites)


def write_stream(index: Index, fmt: str, out: TextIO, raw: bool = False) -> None:
    if fmt == "sqlite":
        raise UsageError(
            "the sqlite format is a binary file: give it a name with -o FILE (e.g. -o facts.db)"
        )
    if fmt == "csv":
        write_csv(index, out, raw)
    else:
        {"json": write_json, "jsonl": write_jsonl}[fmt](index, out)


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
    raw: bool = False,
) -> None:
    """Write ``target``: through a temporary file beside it, renamed into place, or as a
    stream when it is a character device or a pipe."""
    place = destination(target, force, fact_folders)
    if place is None:
        if fmt == "sqlite":
            raise UsageError(f"'{target}' is a device or a pipe; the sqlite format needs a file")
        with open_stream(target) as out:
            write_stream(index, fmt, out, raw)
        return
    prefix = f".{place.name}."
    try:
        atomic.clean_stale(place.parent, prefix, ".tmp")
        tmp = atomic.create(place.parent, prefix, ".tmp")
    except OSError as exc:
        raise OutputError(f"cannot write '{target}': {exc.strerror or exc}") from None
    try:
        if fmt == "sqlite":
            write_sqlite(index, tmp.path)
        else:
            with open(os.dup(tmp.fd), "w", encoding="utf-8", newline="") as out:
                write_stream(index, fmt, out, raw)
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
