"""Writing the index: its tables, and the rows each entity adds to them.

With :mod:`reader` (which reads these tables) and :mod:`cache` (which keeps the file
current) this is the one owner of the on-disk format; nothing else writes SQL against it.
"""

from __future__ import annotations

import contextlib
import json
import re
import sqlite3
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from cspace_cli import __version__
from cspace_cli.claims import claim_kinds, ordered_facts
from cspace_cli.errors import InvalidFactBase
from cspace_cli.index.codec import (
    UNDATED,
    Stats,
    decode_entity,
    encode_entity,
    encode_source,
    fact_row,
)
from cspace_cli.index.freshness import absolute, as_text, file_stamps, layout
from cspace_cli.kinds import KINDS
from cspace_cli.load.walk import Listing
from cspace_cli.model import Entity, Fact
from cspace_cli.periods import period_of
from cspace_cli.text import escape_active, spaced

if TYPE_CHECKING:
    from cspace_cli.load.scan import Progress

FORMAT = 8
SALT = f"{__version__} {FORMAT}"  # a new release or index layout is a new cache
CONTEXT_NAMES = 256  # characters of an entity's names repeated in each of its search rows
SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE entities(id TEXT PRIMARY KEY, kind TEXT NOT NULL, name TEXT NOT NULL,
                      name_zh TEXT NOT NULL, summary TEXT NOT NULL, record BLOB NOT NULL,
                      names TEXT NOT NULL);
CREATE TABLE fuzzy(kind TEXT PRIMARY KEY, skeys TEXT NOT NULL);
CREATE TABLE keys(ckey TEXT NOT NULL, skey TEXT NOT NULL, name TEXT NOT NULL,
                  id TEXT NOT NULL, kind TEXT NOT NULL, role INTEGER NOT NULL);
CREATE TABLE rows(rowid INTEGER PRIMARY KEY, id TEXT NOT NULL, kind TEXT NOT NULL,
                  part TEXT NOT NULL, pos INTEGER NOT NULL, attribute TEXT NOT NULL,
                  value TEXT NOT NULL, status TEXT NOT NULL, date TEXT NOT NULL,
                  body TEXT NOT NULL);
CREATE TABLE cjk(rowid INTEGER PRIMARY KEY, text TEXT NOT NULL);
CREATE VIEW rows_in_context AS SELECT r.rowid AS rowid, e.names AS names, r.attribute,
    r.value, r.status, r.date, r.body FROM rows r JOIN entities e ON e.id = r.id;
CREATE TABLE links(node TEXT NOT NULL, relation TEXT NOT NULL, direction TEXT NOT NULL,
                   other TEXT NOT NULL, sources TEXT NOT NULL, text TEXT NOT NULL,
                   owner TEXT NOT NULL, ord INTEGER PRIMARY KEY);
CREATE TABLE facts(owner TEXT NOT NULL, kind TEXT NOT NULL, name TEXT NOT NULL,
                   name_zh TEXT NOT NULL, rank INTEGER NOT NULL, pos INTEGER NOT NULL,
                   words TEXT NOT NULL, status TEXT NOT NULL, first_day TEXT NOT NULL,
                   last_day TEXT NOT NULL, number REAL, claim TEXT NOT NULL,
                   record TEXT NOT NULL);
CREATE TABLE cites(source TEXT NOT NULL, owner TEXT NOT NULL, pos INTEGER NOT NULL);
CREATE TABLE sources(id TEXT PRIMARY KEY, record TEXT NOT NULL);
CREATE TABLE files(path TEXT PRIMARY KEY, stamp TEXT NOT NULL);
"""
INDEXES = """
CREATE INDEX entities_kind ON entities(kind, name);
CREATE INDEX keys_ckey ON keys(ckey, kind);
CREATE INDEX keys_kind ON keys(kind);
CREATE INDEX links_node ON links(node);
CREATE INDEX keys_id ON keys(id);
CREATE INDEX rows_id ON rows(id);
CREATE INDEX links_owner ON links(owner);
CREATE INDEX facts_owner ON facts(owner, rank);
CREATE INDEX facts_name ON facts(name COLLATE NOCASE, owner, rank);
CREATE INDEX facts_status ON facts(status, name COLLATE NOCASE, owner, rank);
CREATE INDEX facts_date ON facts(first_day, last_day DESC, name COLLATE NOCASE, owner, rank);
CREATE INDEX cites_source ON cites(source);
CREATE INDEX cites_owner ON cites(owner);
"""
# Full-text tables over the plain ones (external content: the text is stored once). Names
# keep their words (a prefix of a name's word finds it); row text is stemmed, so
# "members" finds "member institutions"; Chinese goes through trigrams, as it has no spaces,
# and so do compact name keys, for the substring tier (an instr() scan of every key took
# 30 to 55 ms at 100,000 entities, the trigram query 2 to 13 ms, for 14 MiB of index).
FULL_TEXT = {
    "names_fts": "fts5(skey, content='keys', content_rowid='rowid', "
    "tokenize='unicode61 remove_diacritics 2')",
    "rows_fts": "fts5(names, attribute, value, status, date, body, content='rows_in_context', "
    "content_rowid='rowid', tokenize='porter unicode61 remove_diacritics 2')",
    "cjk_fts": "fts5(text, content='cjk', content_rowid='rowid', tokenize='trigram')",
    "keys_tri": "fts5(ckey, content='keys', content_rowid='rowid', tokenize='trigram')",
}
FULL_TEXT_COLUMNS = {
    "names_fts": "skey",
    "rows_fts": "names, attribute, value, status, date, body",
    "cjk_fts": "text",
    "keys_tri": "ckey",
}
FULL_TEXT_SOURCES = {  # the rows each table indexes, selected by entity id
    "names_fts": "SELECT rowid, skey FROM keys WHERE id = ?",
    "rows_fts": "SELECT v.rowid, v.names, v.attribute, v.value, v.status, v.date, v.body "
    "FROM rows_in_context v JOIN rows r ON r.rowid = v.rowid WHERE r.id = ?",
    "cjk_fts": "SELECT c.rowid, c.text FROM cjk c JOIN rows r ON r.rowid = c.rowid WHERE r.id = ?",
    "keys_tri": "SELECT rowid, ckey FROM keys WHERE id = ?",
}
ROLES = {"name": 0, "alias": 1, "id": 2}  # keys.role: which kind of name a key is
CJK_RUN = "[\u3400-\u9fff\uf900-\ufaff]+"  # compiled on first use: a build, not a lookup


def build(
    listings: Sequence[Listing],
    target: str,
    stamp: bytes = b"",
    progress: Progress | None = None,
    full_text: bool = True,
) -> sqlite3.Connection:
    """Load and check every folder straight into a new index; refuse an invalid fact base.
    ``progress`` hears of every file parsed.

    The full-text tables are added last, in one pass over the finished rows; without
    ``full_text``, or where this SQLite lacks FTS5, the index has none and search scans.
    """
    from cspace_cli.load.scan import scan

    conn = sqlite3.connect(target)
    conn.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;" + SCHEMA)
    stats = Stats()
    batch = Batch(conn)

    def insert(entity: Entity, replaces: bool, rows: Rows) -> None:
        if replaces:
            batch.flush()
            drop_entity(conn, entity.id, stats, full_text=False)
        batch.add(rows)
        stats.add(entity)

    try:
        sources, problems, _ = scan(listings, insert, prepare_rows, progress)
        batch.flush()
    except BaseException:
        conn.close()
        raise
    if problems:
        conn.close()
        raise InvalidFactBase(problems)
    with conn:
        conn.executemany(
            "INSERT INTO sources VALUES (?, ?)",
            [(s.id, encode_source(s)) for s in sources.values()],
        )
        conn.executemany(
            "INSERT INTO files VALUES (?, ?)",
            [(key, stamp) for key, (_, stamp) in file_stamps(listings).items()],
        )
        conn.executescript(INDEXES)
        indexed = full_text and create_full_text(conn)
        meta = {
            "fingerprint": stamp,
            "layout": layout(listings, SALT),
            "version": __version__,
            "stats": json.dumps(stats.dump()),
            "full_text": "1" if indexed else "0",
            "folders": json.dumps(
                [as_text(absolute(x.folder)) for x in listings], ensure_ascii=False
            ),
        }
        conn.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
    with conn:
        index_fuzzy_keys(conn, KINDS)
    return conn


def create_full_text(conn: sqlite3.Connection) -> bool:
    """The full-text tables, filled from the plain ones; False where FTS5 or its trigram
    tokenizer is missing (then none is left behind)."""
    try:
        for name, spec in FULL_TEXT.items():
            conn.execute(f"CREATE VIRTUAL TABLE {name} USING {spec}")
            conn.execute(f"INSERT INTO {name}({name}) VALUES ('rebuild')")
    except sqlite3.OperationalError:
        for name in FULL_TEXT:
            with contextlib.suppress(sqlite3.OperationalError):
                conn.execute(f"DROP TABLE IF EXISTS {name}")
        return False
    return True


def index_full_text(conn: sqlite3.Connection, eid: str) -> None:
    """Add one entity's rows (already in the plain tables) to the full-text tables."""
    for name, select in FULL_TEXT_SOURCES.items():
        conn.execute(f"INSERT INTO {name}(rowid, {FULL_TEXT_COLUMNS[name]}) {select}", (eid,))


def drop_entity(conn: sqlite3.Connection, eid: str, stats: Stats, full_text: bool) -> None:
    """Take an entity's rows and its share of the counts out of the index.

    External-content full-text tables forget a row only when told its old text, so they
    go first, while the plain rows still hold it.
    """
    row = conn.execute("SELECT record FROM entities WHERE id = ?", (eid,)).fetchone()
    if row is not None:
        stats.remove(decode_entity(row[0]))
    if full_text:
        for name, select in FULL_TEXT_SOURCES.items():
            columns = FULL_TEXT_COLUMNS[name]
            conn.execute(
                f"INSERT INTO {name}({name}, rowid, {columns}) SELECT 'delete', * FROM ({select})",
                (eid,),
            )
    conn.execute("DELETE FROM cjk WHERE rowid IN (SELECT rowid FROM rows WHERE id = ?)", (eid,))
    tables = (
        ("entities", "id"),
        ("keys", "id"),
        ("rows", "id"),
        ("links", "owner"),
        ("facts", "owner"),
        ("cites", "owner"),
    )
    for table, col in tables:
        conn.execute(f"DELETE FROM {table} WHERE {col} = ?", (eid,))


Row = tuple[Any, ...]
Rows = tuple[Row, list[Row], list[Row], list[Row], list[Row], list[Row]]


def prepare_rows(e: Entity) -> Rows:
    """Every row an entity adds to the index; runs in the worker that parsed the file.

    Search rows (the summary, each fact, each relation note) get their ``rowid`` in
    :class:`Batch`, in the order written; the last field of each is its Chinese text.
    """
    names = [n for n in e.names() if n != e.slug]
    entity = (e.id, e.kind, e.name, e.name_zh, e.summary, encode_entity(e), context(names))
    keys: list[Row] = []
    for name in e.names():
        skey = spaced(name)
        ckey = skey.replace(" ", "")
        if not skey or (name == e.slug and any(k[0] == ckey for k in keys)):
            continue  # a slug that spells a name adds nothing but a second, weaker match
        role = "name" if name == e.name else "id" if name == e.slug else "alias"
        keys.append((ckey, skey, name, e.id, e.kind, ROLES[role]))
    rels = [("located_in", e.located_in, e.sources, "")] if e.located_in else []
    rels += [(r.relation, r.object, r.sources, r.text) for r in e.relations]
    links = []
    for relation, other, sources, note in rels:
        cited = json.dumps(list(sources))
        links.append((e.id, relation, "out", other, cited, note, e.id))
        links.append((other, relation, "in", e.id, cited, note, e.id))
    facts, cites = fact_rows(e)
    return entity, keys, search_rows(e), links, facts, cites


def context(names: list[str]) -> str:
    """An entity's names as the context of each of its search rows ("alliance members"
    finds the alliance's member count), cut so a huge alias list is not copied per row."""
    text = "\n".join(names)
    return text if len(text) <= CONTEXT_NAMES else text[:CONTEXT_NAMES].rsplit(" ", 1)[0]


def search_rows(e: Entity) -> list[Row]:
    """(part, position, attribute, value, status, date, body, Chinese text) per row: the
    summary, each fact, each relation that has a note."""
    from cspace_cli.present.humanize import when

    rows: list[Row] = []
    if e.summary:  # in the value column: a short statement, weighted as a value is
        rows.append(("summary", 0, "", e.summary, "", "", ""))
    for i, f in enumerate(e.facts):
        date = f"{when(f.date)} {f.date} {f.date_text}".strip() if f.date else f.date_text
        rows.append(("fact", i, f.attribute, value_words(f), f.status, date, f.text))
    for i, r in enumerate(e.relations):
        if r.text:
            rows.append(("relation", i, "", "", "", "", r.text))
    return [(*row, " ".join(cjk_runs(" ".join(row[2:])))) for row in rows]


def value_words(f: Fact) -> str:
    """A value as it is printed (``¥13.38 billion``, ``over 600 enterprises``) and as stored
    (``13380000000``; a percentage also as ``35 percent``), so either form finds it."""
    if isinstance(f.value, str):
        return f.value
    from cspace_cli.index.codec import fact_to_full_dict
    from cspace_cli.present.humanize import PERCENT, fact_value, plain_number

    conv = f.converted
    numbers = [f.value, f.low, f.high, *((conv.value, conv.low, conv.high) if conv else ())]
    per = " percent" if f.unit in PERCENT else ""
    stored = " ".join(plain_number(n, False) + per for n in numbers if n is not None)
    return f"{fact_value(fact_to_full_dict(f))} {stored}"


def cjk_runs(text: str) -> list[str]:
    """The runs of Chinese characters in ``text``: a regular expression, as a scan in Python
    took half of the time spent preparing search rows."""
    return [] if text.isascii() else re.findall(CJK_RUN, text)


def fact_rows(e: Entity) -> tuple[list[Row], list[Row]]:
    """One row per fact, in view order, with what ``cspace facts`` filters and sorts on:
    the entity's kind and names (no join at read time), the attribute's words, the
    period's first and last day, the number (a range by its low end), whether it is part
    of a series or a dispute, and the fact with its entity as one line of the JSON that
    ``cspace facts --json`` prints (a listing writes it as it is: 10,000 rows took 40 ms
    more to decode and encode, a fifth of the whole command). And one row per source it
    cites (``pos`` -1: cited by the entity itself or one of its relations)."""
    kinds = claim_kinds(e.facts)
    entity = {"id": e.id, "kind": e.kind, "name": e.name, "name_zh": e.name_zh or None}
    position = {id(f): i for i, f in enumerate(e.facts)}
    facts, cites = [], []
    for rank, f in enumerate(ordered_facts(e.facts)):
        pos = position[id(f)]
        claim = kinds.get(f.attribute, "")
        p = period_of(f.date)
        number = f.low if f.value is None else f.value
        facts.append(
            (
                e.id,
                e.kind,
                e.name,
                e.name_zh,
                rank,
                pos,
                f" {spaced(f.attribute)} ",
                f.status,
                p.start if p else UNDATED,
                p.end if p else UNDATED,
                None if isinstance(number, str) else number,
                claim,
                escape_active(json.dumps(fact_row(f, claim, entity), ensure_ascii=False)),
            )
        )
        cites += [(s, e.id, pos) for s in dict.fromkeys(f.sources)]
    own = dict.fromkeys([*e.sources, *(s for r in e.relations for s in r.sources)])
    cites += [(s, e.id, -1) for s in own]
    return facts, cites


class Batch:
    """Rows waiting to be written, in a few large ``executemany`` calls."""

    SIZE = 2000

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.entities: list[Row] = []
        self.keys: list[Row] = []
        self.rows: list[Row] = []
        self.cjk: list[Row] = []
        self.links: list[Row] = []
        self.facts: list[Row] = []
        self.cites: list[Row] = []
        last = conn.execute("SELECT coalesce(max(rowid), 0) FROM rows").fetchone()[0]
        self.next_rowid = int(last) + 1

    def add(self, prepared: Rows) -> None:
        entity, keys, rows, links, facts, cites = prepared
        self.entities.append(entity)
        self.keys += keys
        for *row, cjk in rows:
            self.rows.append((self.next_rowid, entity[0], entity[1], *row))
            if cjk:
                self.cjk.append((self.next_rowid, cjk))
            self.next_rowid += 1
        self.links += links
        self.facts += facts
        self.cites += cites
        if len(self.entities) >= self.SIZE:
            self.flush()

    def flush(self) -> None:
        c = self.conn
        c.executemany("INSERT INTO entities VALUES (?, ?, ?, ?, ?, ?, ?)", self.entities)
        c.executemany("INSERT INTO keys VALUES (?, ?, ?, ?, ?, ?)", self.keys)
        c.executemany("INSERT INTO rows VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", self.rows)
        c.executemany("INSERT INTO cjk VALUES (?, ?)", self.cjk)
        c.executemany(
            "INSERT INTO links(node, relation, direction, other, sources, text, "
            "owner) VALUES (?, ?, ?, ?, ?, ?, ?)",
            self.links,
        )
        c.executemany(f"INSERT INTO facts VALUES ({', '.join('?' * 13)})", self.facts)
        c.executemany("INSERT INTO cites VALUES (?, ?, ?)", self.cites)
        self.entities, self.keys, self.rows, self.cjk, self.links = [], [], [], [], []
        self.facts, self.cites = [], []


def index_fuzzy_keys(conn: sqlite3.Connection, kinds: Iterable[str]) -> None:
    """One sorted, newline-joined list of distinct name keys per kind: fuzzy matching
    reads one value instead of a row per name."""
    for kind in kinds:
        skeys = sorted(
            {r[0] for r in conn.execute("SELECT skey FROM keys WHERE kind = ?", (kind,))}
        )
        conn.execute("DELETE FROM fuzzy WHERE kind = ?", (kind,))
        if skeys:
            conn.execute("INSERT INTO fuzzy VALUES (?, ?)", (kind, "\n".join(skeys)))
