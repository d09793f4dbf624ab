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
from cspace_cli.errors import InvalidFactBase
from cspace_cli.index.codec import Stats, decode_entity, encode_entity, encode_source
from cspace_cli.index.freshness import absolute, as_text, file_stamps, layout
from cspace_cli.kinds import KINDS
from cspace_cli.load.walk import Listing
from cspace_cli.model import Entity
from cspace_cli.text import spaced

if TYPE_CHECKING:
    from cspace_cli.load.scan import Progress

FORMAT = 5
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
    )
    for table, col in tables:
        conn.execute(f"DELETE FROM {table} WHERE {col} = ?", (eid,))


Row = tuple[Any, ...]
Rows = tuple[Row, Row, list[Row], list[Row], list[Row]]


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
    return entity, text, keys, words, links


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

    def add(self, rows: Rows) -> None:
        self.entities.append(rows[0])
        self.texts.append(rows[1])
        self.keys += rows[2]
        self.words += rows[3]
        self.links += rows[4]
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
        self.entities, self.texts, self.keys, self.words, self.links = [], [], [], [], []


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
