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

import hashlib
import json
import os
import sqlite3
import tempfile
import zlib
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import __version__
from .codec import entity_to_dict, source_to_dict
from .errors import InvalidFactBase
from .model import Entity
from .normalize import spaced
from .paths import SOURCES_FILE

FORMAT = 2
SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE entities(id TEXT PRIMARY KEY, kind TEXT NOT NULL, name TEXT NOT NULL,
                      name_zh TEXT NOT NULL, record BLOB NOT NULL, text TEXT NOT NULL);
CREATE TABLE keys(ckey TEXT NOT NULL, skey TEXT NOT NULL, name TEXT NOT NULL,
                  id TEXT NOT NULL, kind TEXT NOT NULL);
CREATE TABLE words(wkey TEXT NOT NULL, keylen INTEGER NOT NULL, name TEXT NOT NULL,
                   id TEXT NOT NULL, kind TEXT NOT NULL);
CREATE TABLE links(node TEXT NOT NULL, relation TEXT NOT NULL, direction TEXT NOT NULL,
                   other TEXT NOT NULL, sources TEXT NOT NULL, text TEXT NOT NULL,
                   owner TEXT NOT NULL, ord INTEGER PRIMARY KEY);
CREATE TABLE sources(id TEXT PRIMARY KEY, record TEXT NOT NULL);
"""
INDEXES = """
CREATE INDEX entities_kind ON entities(kind, name);
CREATE INDEX keys_ckey ON keys(ckey);
CREATE INDEX keys_kind ON keys(kind);
CREATE INDEX words_wkey ON words(wkey);
CREATE INDEX links_node ON links(node);
"""


def cache_dir(env: dict[str, str] | os._Environ[str] | None = None) -> Path:
    environ = os.environ if env is None else env
    if environ.get("CSPACE_CACHE_DIR"):
        return Path(environ["CSPACE_CACHE_DIR"])
    base = environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "cspace"


def fingerprint(folders: Sequence[Path], folders_only: bool = False) -> str:
    """Every fact file's path, size and mtime, the folder order, and the package version.

    One ``scandir`` per folder and one hash at the end: on every warm run this is the
    only work proportional to the number of files. ``folders_only`` (``CSPACE_CACHE_CHECK=
    folders``) stamps each kind folder instead of its files: constant time, and it still
    sees files added, removed or renamed, and editors that save by replacing the file,
    but not a file rewritten in place.
    """
    parts = [__version__, str(FORMAT)]
    for folder in folders:
        parts.append(f"F {folder.resolve()}")
        for entry in _entries(folder, parts):
            if entry.name == SOURCES_FILE:
                parts.append(_stamp(entry))
            elif _is_dir(entry):
                parts.append(f"K {_stamp(entry)}")
                if not folders_only:
                    parts.extend(map(_stamp, _entries(Path(entry.path), parts)))
    return hashlib.sha256("\n".join(parts).encode(errors="surrogateescape")).hexdigest()


def _entries(folder: Path, parts: list[str]) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(folder) as it:
            return sorted(it, key=lambda e: e.name)
    except OSError:
        parts.append(f"unreadable {folder}")
        return []


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _stamp(entry: os.DirEntry[str]) -> str:
    try:
        st = entry.stat()
    except OSError:
        return f"{entry.name} missing"
    return f"{entry.name} {st.st_size} {st.st_mtime_ns}"


def open_cached(
    folders: Sequence[Path], use_cache: bool = True, env: dict[str, str] | None = None
) -> sqlite3.Connection:
    """A connection to an up-to-date index of ``folders``, from the cache when possible."""
    if not use_cache:
        return build(folders, ":memory:")
    environ = os.environ if env is None else env
    stamp = fingerprint(folders, environ.get("CSPACE_CACHE_CHECK", "") == "folders")
    key = hashlib.sha256(
        "\0".join(str(f.resolve()) for f in folders).encode(errors="surrogateescape")
    ).hexdigest()
    path = cache_dir(env) / f"index-{key[:16]}.sqlite"
    conn = _open_fresh(path, stamp)
    if conn is not None:
        return conn
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


def _open_fresh(path: Path, stamp: str) -> sqlite3.Connection | None:
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


def build(folders: Sequence[Path], target: str, stamp: str = "") -> sqlite3.Connection:
    """Load and check every folder straight into a new index; refuse an invalid fact base."""
    from .loader import scan

    conn = sqlite3.connect(target)
    conn.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;" + SCHEMA)
    stats = Stats()
    batch = Batch(conn)

    def insert(entity: Entity, replaces: bool, rows: Rows) -> None:
        if replaces:
            batch.flush()
            stats.forget(entity.id)
            for table, col in (
                ("entities", "id"),
                ("keys", "id"),
                ("words", "id"),
                ("links", "owner"),
            ):
                conn.execute(f"DELETE FROM {table} WHERE {col} = ?", (entity.id,))
        batch.add(rows)
        stats.add(entity)

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
        meta = {"fingerprint": stamp, "version": __version__, "stats": json.dumps(stats.dump())}
        conn.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
        conn.executescript(INDEXES)
    return conn


Rows = tuple[tuple[Any, ...], list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]]


def prepare_rows(e: Entity) -> Rows:
    """Every row an entity adds to the index; runs in the worker that parsed the file."""
    entity = (
        e.id,
        e.kind,
        e.name,
        e.name_zh,
        zlib.compress(json.dumps(entity_to_dict(e)).encode(), 1),
        searchable(e),
    )
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
    return entity, keys, words, links


class Batch:
    """Rows waiting to be written, in a few large ``executemany`` calls."""

    SIZE = 2000

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.entities: list[tuple[Any, ...]] = []
        self.keys: list[tuple[Any, ...]] = []
        self.words: list[tuple[Any, ...]] = []
        self.links: list[tuple[Any, ...]] = []

    def add(self, rows: Rows) -> None:
        self.entities.append(rows[0])
        self.keys += rows[1]
        self.words += rows[2]
        self.links += rows[3]
        if len(self.entities) >= self.SIZE:
            self.flush()

    def flush(self) -> None:
        c = self.conn
        c.executemany("INSERT INTO entities VALUES (?, ?, ?, ?, ?, ?)", self.entities)
        c.executemany("INSERT INTO keys VALUES (?, ?, ?, ?, ?)", self.keys)
        c.executemany("INSERT INTO words VALUES (?, ?, ?, ?, ?)", self.words)
        c.executemany(
            "INSERT INTO links(node, relation, direction, other, sources, text, "
            "owner) VALUES (?, ?, ?, ?, ?, ?, ?)",
            self.links,
        )
        self.entities, self.keys, self.words, self.links = [], [], [], []


def searchable(e: Entity) -> str:
    """The normalised text that ``search`` matches query words against."""
    parts: list[str] = [e.summary]
    for f in e.facts:
        parts += [f.attribute, f.text, f.value if isinstance(f.value, str) else ""]
    parts += [r.text for r in e.relations]
    return "\n".join(spaced(p) for p in parts if p)


class Stats:
    """Counts the overview and ``cspace sources`` need, gathered while building."""

    def __init__(self) -> None:
        self.facts = 0
        self.fact_cites: Counter[str] = Counter()
        self.entity_cites: Counter[str] = Counter()
        self.dates: Counter[str] = Counter()
        self.per_entity: dict[str, tuple[int, list[str], set[str], list[str]]] = {}

    def add(self, e: Entity) -> None:
        cites = [sid for f in e.facts for sid in f.sources]
        cited = set(cites) | set(e.sources)
        dates = [f.date for f in e.facts if f.date]
        self.facts += len(e.facts)
        self.fact_cites.update(cites)
        self.entity_cites.update(cited)
        self.dates.update(dates)
        self.per_entity[e.id] = (len(e.facts), cites, cited, dates)

    def forget(self, eid: str) -> None:
        n, cites, cited, dates = self.per_entity.pop(eid)
        self.facts -= n
        self.fact_cites.subtract(cites)
        self.entity_cites.subtract(cited)
        self.dates.subtract(dates)

    def dump(self) -> dict[str, Any]:
        dates = sorted(d for d, n in self.dates.items() if n > 0)
        return {
            "facts": self.facts,
            "fact_cites": dict(self.fact_cites),
            "entity_cites": dict(self.entity_cites),
            "dates": [dates[0], dates[-1]] if dates else ["", ""],
        }
