"""Writing the index: its tables, and the rows each entity adds to them.

With :mod:`reader` (which reads these tables) and :mod:`cache` (which keeps the file
current) this is the one owner of the on-disk format; nothing else writes SQL against it.
"""

from __future__ import annotations

import json
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
from cspace_cli.model import Entity
from cspace_cli.periods import period_of
from cspace_cli.text import escape_active, spaced

if TYPE_CHECKING:
    from cspace_cli.load.scan import Progress

FORMAT = 7
SALT = f"{__version__} {FORMAT}"  # a new release or index layout is a new cache
SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE entities(id TEXT PRIMARY KEY, kind TEXT NOT NULL, name TEXT NOT NULL,
                      name_zh TEXT NOT NULL, summary TEXT NOT NULL, record BLOB NOT NULL);
CREATE TABLE texts(id TEXT PRIMARY KEY, kind TEXT NOT NULL, head TEXT NOT NULL,
                   body TEXT NOT NULL);
CREATE TABLE fuzzy(kind TEXT PRIMARY KEY, skeys TEXT NOT NULL);
CREATE TABLE keys(ckey TEXT NOT NULL, skey TEXT NOT NULL, name TEXT NOT NULL,
                  id TEXT NOT NULL, kind TEXT NOT NULL);
CREATE TABLE words(wkey TEXT NOT NULL, keylen INTEGER NOT NULL, name TEXT NOT NULL,
                   id TEXT NOT NULL, kind TEXT NOT NULL);
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
CREATE INDEX words_wkey ON words(wkey);
CREATE INDEX links_node ON links(node);
CREATE INDEX keys_id ON keys(id);
CREATE INDEX words_id ON words(id);
CREATE INDEX links_owner ON links(owner);
CREATE INDEX facts_owner ON facts(owner, rank);
CREATE INDEX facts_name ON facts(name COLLATE NOCASE, owner, rank);
CREATE INDEX facts_status ON facts(status, name COLLATE NOCASE, owner, rank);
CREATE INDEX facts_date ON facts(first_day, last_day DESC, name COLLATE NOCASE, owner, rank);
CREATE INDEX cites_source ON cites(source);
CREATE INDEX cites_owner ON cites(owner);
"""


def build(
    listings: Sequence[Listing],
    target: str,
    stamp: bytes = b"",
    progress: Progress | None = None,
) -> sqlite3.Connection:
    """Load and check every folder straight into a new index; refuse an invalid fact base.
    ``progress`` hears of every file parsed."""
    from cspace_cli.load.scan import scan

    conn = sqlite3.connect(target)
    conn.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;" + SCHEMA)
    stats = Stats()
    batch = Batch(conn)

    def insert(entity: Entity, replaces: bool, rows: Rows) -> None:
        if replaces:
            batch.flush()
            drop_entity(conn, entity.id, stats)
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
        meta = {
            "fingerprint": stamp,
            "layout": layout(listings, SALT),
            "version": __version__,
            "stats": json.dumps(stats.dump()),
            "folders": json.dumps(
                [as_text(absolute(x.folder)) for x in listings], ensure_ascii=False
            ),
        }
        conn.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
        conn.executescript(INDEXES)
    with conn:
        index_fuzzy_keys(conn, KINDS)
    return conn


def drop_entity(conn: sqlite3.Connection, eid: str, stats: Stats) -> None:
    """Take an entity's rows and its share of the counts out of the index."""
    row = conn.execute("SELECT record FROM entities WHERE id = ?", (eid,)).fetchone()
    if row is not None:
        stats.remove(decode_entity(row[0]))
    tables = (
        ("entities", "id"),
        ("texts", "id"),
        ("keys", "id"),
        ("words", "id"),
        ("links", "owner"),
        ("facts", "owner"),
        ("cites", "owner"),
    )
    for table, col in tables:
        conn.execute(f"DELETE FROM {table} WHERE {col} = ?", (eid,))


Row = tuple[Any, ...]
Rows = tuple[Row, Row, list[Row], list[Row], list[Row], list[Row], list[Row]]


def prepare_rows(e: Entity) -> Rows:
    """Every row an entity adds to the index; runs in the worker that parsed the file."""
    entity = (
        e.id,
        e.kind,
        e.name,
        e.name_zh,
        e.summary,
        encode_entity(e),
    )
    text = (e.id, e.kind, *searchable(e))
    keys, words = [], []
    for name in e.names():
        skey = spaced(name)
        if not skey:
            continue
        ckey = skey.replace(" ", "")
        keys.append((ckey, skey, name, e.id, e.kind))
        parts = skey.split(" ")
        for i in range(len(parts)):
            words.append(("".join(parts[i:]), len(ckey), name, e.id, e.kind))
    rels = [("located_in", e.located_in, e.sources, "")] if e.located_in else []
    rels += [(r.relation, r.object, r.sources, r.text) for r in e.relations]
    links = []
    for relation, other, sources, note in rels:
        cited = json.dumps(list(sources))
        links.append((e.id, relation, "out", other, cited, note, e.id))
        links.append((other, relation, "in", e.id, cited, note, e.id))
    facts, cites = fact_rows(e)
    return entity, text, keys, words, links, facts, cites


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
        self.texts: list[Row] = []
        self.keys: list[Row] = []
        self.words: list[Row] = []
        self.links: list[Row] = []
        self.facts: list[Row] = []
        self.cites: list[Row] = []

    def add(self, rows: Rows) -> None:
        self.entities.append(rows[0])
        self.texts.append(rows[1])
        self.keys += rows[2]
        self.words += rows[3]
        self.links += rows[4]
        self.facts += rows[5]
        self.cites += rows[6]
        if len(self.entities) >= self.SIZE:
            self.flush()

    def flush(self) -> None:
        c = self.conn
        c.executemany("INSERT INTO entities VALUES (?, ?, ?, ?, ?, ?)", self.entities)
        c.executemany("INSERT INTO texts VALUES (?, ?, ?, ?)", self.texts)
        c.executemany("INSERT INTO keys VALUES (?, ?, ?, ?, ?)", self.keys)
        c.executemany("INSERT INTO words VALUES (?, ?, ?, ?, ?)", self.words)
        c.executemany(
            "INSERT INTO links(node, relation, direction, other, sources, text, "
            "owner) VALUES (?, ?, ?, ?, ?, ?, ?)",
            self.links,
        )
        c.executemany(f"INSERT INTO facts VALUES ({', '.join('?' * 13)})", self.facts)
        c.executemany("INSERT INTO cites VALUES (?, ?, ?)", self.cites)
        self.entities, self.texts, self.keys, self.words, self.links = [], [], [], [], []
        self.facts, self.cites = [], []


def searchable(e: Entity) -> tuple[str, str]:
    """The normalised summary and the rest of the text, which ``search`` matches query
    words against (a phrase in the summary ranks first)."""
    summary, *rest = e.texts() or [""]
    return spaced(summary), "\n".join(spaced(p) for p in rest)


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
