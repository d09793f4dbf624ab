"""The compiled index: an SQLite file built from the fact folders, cached between runs.

A lookup then reads a few indexed rows instead of parsing every TOML file. The cache is
keyed by the list of folders and invalidated when any fact file's path, size or mtime
changes, or the package version does. It is written to a temporary file and renamed into
place, so a crash, Ctrl-C or a second process building at the same time never leaves a
half-written index; a corrupt or truncated file is rebuilt silently; when the cache
folder cannot be written the index is built in memory. SQLite, not pickle: loading a
cache someone else wrote cannot run code.
"""

from __future__ import annotations

import json
import os
import sqlite3
import zlib
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from . import __version__
from .codec import entity_from_dict, entity_to_dict, source_to_dict
from .errors import InvalidFactBase, Problem
from .freshness import file_stats, fingerprint, layout
from .kinds import KINDS
from .model import Entity, Source
from .normalize import spaced

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


def cache_dir(env: dict[str, str] | os._Environ[str] | None = None) -> Path:
    environ = os.environ if env is None else env
    if environ.get("CSPACE_CACHE_DIR"):
        return Path(environ["CSPACE_CACHE_DIR"])
    base = environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "cspace"


def open_cached(
    folders: Sequence[Path], use_cache: bool = True, env: dict[str, str] | None = None
) -> sqlite3.Connection:
    """A connection to an up-to-date index of ``folders``, from the cache when possible."""
    if not use_cache:
        return build(folders, ":memory:")
    environ = os.environ if env is None else env
    stamp = fingerprint(folders, SALT, environ.get("CSPACE_CACHE_CHECK", "") == "folders")
    folder_list = "\0".join(str(f.resolve()) for f in folders).encode(errors="surrogateescape")
    key = f"{zlib.crc32(folder_list):08x}{zlib.adler32(folder_list):08x}"
    path = cache_dir(env) / f"index-{key}.sqlite"
    conn = _open_fresh(path, stamp)
    if conn is None and path.is_file() and refresh(path, folders, stamp):
        conn = _open_fresh(path, stamp)
    if conn is not None:
        return conn
    import tempfile  # only when building: it imports random, a cost on every warm run

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".index-", suffix=".tmp")
        os.close(fd)
    except OSError:
        return build(folders, ":memory:")
    try:
        build(folders, tmp, stamp).close()
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return _open_fresh(path, stamp) or build(folders, ":memory:")


def refresh(path: Path, folders: Sequence[Path], stamp: bytes) -> bool:
    """Bring a stale index up to date by re-reading only the entity files that changed.

    One transaction: a crash or Ctrl-C rolls it back, and a second process waits for it
    and then finds the index fresh. False means "rebuild instead": the folders or a
    sources.toml changed, too many files did, an id is defined in two folders, or the
    file cannot be written. A changed file with problems raises ``InvalidFactBase``
    and leaves the index as it was.
    """
    try:
        conn = sqlite3.connect(path, timeout=60)
    except sqlite3.Error:
        return False
    try:
        conn.execute("BEGIN IMMEDIATE")
        meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        if meta.get("fingerprint") == stamp:
            return True
        if meta.get("layout") != layout(folders, SALT):
            return False
        problems = apply_changes(conn, folders, Stats(json.loads(meta["stats"])))
        if problems is None:
            return False
        if problems:
            raise InvalidFactBase(problems)
        conn.execute("UPDATE meta SET value = ? WHERE key = 'fingerprint'", (stamp,))
        conn.commit()
        return True
    except sqlite3.Error:
        return False
    finally:
        conn.close()


REFRESH_MIN = 500
REFRESH_SHARE = 5  # an update reads files one by one; past a fifth, a parallel rebuild wins


def apply_changes(
    conn: sqlite3.Connection, folders: Sequence[Path], stats: Stats
) -> list[Problem] | None:
    """Replace the rows of changed, added and removed files; None when it cannot."""
    from .loader import check_sources, entity_targets, read_entity

    now, plain = file_stats(folders)
    before = dict(conn.execute("SELECT path, stamp FROM files").fetchall())
    changed = [p for p, st in now.items() if before.get(p) != st]
    removed = [p for p in before if p not in now]
    limit = max(REFRESH_MIN, len(now) // REFRESH_SHARE)
    if not plain or len(changed) + len(removed) > limit:
        return None
    ids = Counter(_id_of(p) for p in now)
    touched = {_id_of(p) for p in changed + removed}
    if any(ids[eid] > 1 for eid in touched):
        return None
    sources = {
        sid: Source(**json.loads(record))
        for sid, record in conn.execute("SELECT id, record FROM sources")
    }
    problems: list[Problem] = []
    fresh: list[Entity] = []
    for p in changed:
        entity, found = read_entity(Path(p), _id_of(p).split("/")[0], p)
        problems += found
        if entity is not None:
            problems += check_sources(entity, sources)
            fresh.append(entity)
    for eid in touched:
        drop_entity(conn, eid, stats)
    conn.executemany("DELETE FROM files WHERE path = ?", [(p,) for p in changed + removed])
    batch = Batch(conn)
    for entity in fresh:
        batch.add(prepare_rows(entity))
        stats.add(entity)
    batch.flush()
    conn.executemany("INSERT INTO files VALUES (?, ?)", [(p, now[p]) for p in changed])
    exists = conn.execute
    for entity in fresh:
        for what, target in entity_targets(entity):
            if not exists("SELECT 1 FROM entities WHERE id = ?", (target,)).fetchone():
                problems.append(Problem(entity.path, f"{what} points to unknown entity '{target}'"))
    for eid in touched - {e.id for e in fresh}:
        for (record,) in exists(
            "SELECT record FROM entities WHERE id IN (SELECT owner FROM links "
            "WHERE node = ? AND direction = 'in')",
            (eid,),
        ):
            owner = json.loads(zlib.decompress(record))["path"]
            problems.append(Problem(owner, f"points to unknown entity '{eid}' (file removed)"))
    index_fuzzy_keys(conn, {eid.split("/")[0] for eid in touched})
    conn.execute("UPDATE meta SET value = ? WHERE key = 'stats'", (json.dumps(stats.dump()),))
    return problems


def _id_of(path: str) -> str:
    """The id the loader gives a file: ``<kind>/<slug>`` from its last two path parts."""
    kind_dir, name = os.path.split(path)
    return f"{os.path.basename(kind_dir)}/{name[: -len('.toml')]}"


def _open_fresh(path: Path, stamp: bytes) -> sqlite3.Connection | None:
    if not path.is_file():
        return None
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        row = conn.execute("SELECT value FROM meta WHERE key = 'fingerprint'").fetchone()
        if row and row[0] == stamp:
            return conn
        conn.close()
    except sqlite3.DatabaseError:
        pass
    return None


def build(folders: Sequence[Path], target: str, stamp: bytes = b"") -> sqlite3.Connection:
    """Load and check every folder straight into a new index; refuse an invalid fact base."""
    from .loader import scan

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

    files, _ = file_stats(folders)
    try:
        sources, problems, _ = scan(folders, insert, prepare_rows)
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
            [(s.id, json.dumps(source_to_dict(s), ensure_ascii=False)) for s in sources.values()],
        )
        conn.executemany("INSERT INTO files VALUES (?, ?)", files.items())
        meta = {
            "fingerprint": stamp,
            "layout": layout(folders, SALT),
            "version": __version__,
            "stats": json.dumps(stats.dump()),
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
        stats.remove(entity_from_dict(json.loads(zlib.decompress(row[0]))))
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
        zlib.compress(json.dumps(entity_to_dict(e)).encode(), 1),
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
    parts: list[str] = []
    for f in e.facts:
        parts += [f.attribute, f.text, f.value if isinstance(f.value, str) else ""]
    parts += [r.text for r in e.relations]
    return spaced(e.summary), "\n".join(spaced(p) for p in parts if p)


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


class Stats:
    """Counts the overview and ``cspace sources`` need, kept whole in the index so an
    update can take one entity's share out and put the new one in."""

    def __init__(self, saved: dict[str, Any] | None = None) -> None:
        saved = saved or {}
        self.facts: int = saved.get("facts", 0)
        self.fact_cites: Counter[str] = Counter(saved.get("fact_cites", {}))
        self.entity_cites: Counter[str] = Counter(saved.get("entity_cites", {}))
        self.date_counts: Counter[str] = Counter(saved.get("date_counts", {}))

    def add(self, e: Entity, sign: int = 1) -> None:
        """Count an entity in (``sign`` 1) or out (-1); plain increments, as this runs once
        per entity of a first build."""
        cited = set(e.sources)
        for f in e.facts:
            for sid in f.sources:
                self.fact_cites[sid] += sign
                cited.add(sid)
            if f.date:
                self.date_counts[f.date] += sign
        for sid in cited:
            self.entity_cites[sid] += sign
        self.facts += sign * len(e.facts)

    def remove(self, e: Entity) -> None:
        self.add(e, -1)

    def dump(self) -> dict[str, Any]:
        def positive(c: Counter[str]) -> dict[str, int]:
            return {k: n for k, n in c.items() if n > 0}

        dates = sorted(positive(self.date_counts))
        return {
            "facts": self.facts,
            "fact_cites": positive(self.fact_cites),
            "entity_cites": positive(self.entity_cites),
            "date_counts": positive(self.date_counts),
            "dates": [dates[0], dates[-1]] if dates else ["", ""],
        }
