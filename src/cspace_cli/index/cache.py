"""Fact folders in, a current index out: the cache file, its freshness and in-place updates.

A lookup reads a few indexed rows instead of parsing every TOML file. The cache file is
named by the list of folders (as real paths, so ``facts`` and ``/abs/facts`` share it)
and is current while its fingerprint matches the fact files'. A stale one is updated in
place when few files changed, else rebuilt into a temporary file and renamed into place,
so a crash, Ctrl-C or a second process building at the same time never leaves a
half-written index; temporary files left by a build that was killed are removed by the
next build (see :mod:`cspace_cli.atomic`). A damaged cache is rebuilt, whether the damage
shows on opening or only later while it is read (:class:`reader.Store`); when the cache
folder cannot be written (read-only, unenterable, full) the index is built in memory.
SQLite, not pickle: loading a cache someone else wrote cannot run code.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
import time
import zlib
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from cspace_cli.index.build import (
    SALT,
    Batch,
    build,
    drop_entity,
    index_fuzzy_keys,
    prepare_rows,
)
from cspace_cli.index.codec import Stats, decode_entity, decode_source
from cspace_cli.index.freshness import absolute, file_stamps, fingerprint, layout
from cspace_cli.index.reader import Index
from cspace_cli.load.walk import Listing, walk
from cspace_cli.settings import Settings

if TYPE_CHECKING:
    from cspace_cli.load.scan import Progress

REFRESH_MIN = 500
REFRESH_SHARE = 5  # an update reads files one by one; past a fifth, a parallel rebuild wins
REQUIRED_TABLES = {
    "meta",
    "entities",
    "texts",
    "fuzzy",
    "keys",
    "words",
    "links",
    "facts",
    "cites",
    "sources",
}
# Tables that hold rows for every entity: all empty, or none (an emptied one would make
# lookups miss without an error).
PER_ENTITY = ("entities", "texts", "fuzzy", "keys", "words")
TEMP_PREFIX, TEMP_SUFFIX = ".index-", ".tmp"
USED_EVERY = 86400  # a file's mtime marks its last use (cspace cache info), renewed daily


def open_index(
    settings: Settings | None = None,
    extra: Sequence[Path] = (),
    progress: Progress | None = None,
) -> Index:
    """Index the shipped base, ``CSPACE_FACTS``, ``--facts`` and ``extra``. A build from
    the fact files tells ``progress`` of every file parsed."""
    settings = settings or Settings()
    listings = [walk(folder) for folder in settings.fact_folders(extra)]
    if not settings.use_cache:
        return Index(build(listings, ":memory:", progress=progress))
    return Index(
        open_cached(listings, settings, progress),
        rebuild=lambda: rebuilt(listings, settings, progress),
    )


def rebuilt(
    listings: Sequence[Listing], settings: Settings, progress: Progress | None = None
) -> sqlite3.Connection:
    """A new index in place of a cache found damaged while it was read."""
    path = cache_path(listings, settings)
    with contextlib.suppress(OSError):
        path.unlink()
    if os.path.lexists(path):
        return build(listings, ":memory:", progress=progress)
    return open_cached(listings, settings, progress)


def cache_path(listings: Sequence[Listing], settings: Settings) -> Path:
    folder_list = "\0".join(absolute(x.folder) for x in listings).encode(errors="surrogateescape")
    key = f"{zlib.crc32(folder_list):08x}{zlib.adler32(folder_list):08x}"
    return settings.cache_folder() / f"index-{key}.sqlite"


def open_cached(
    listings: Sequence[Listing], settings: Settings, progress: Progress | None = None
) -> sqlite3.Connection:
    """A connection to an up-to-date index of ``listings``, from the cache when possible."""
    stamp = fingerprint(listings, SALT, settings.check_folders_only)
    path = cache_path(listings, settings)
    conn = _open_fresh(path, stamp)
    if conn is None and os.path.isfile(path) and refresh(path, listings, stamp):
        conn = _open_fresh(path, stamp)
    if conn is not None:
        return conn
    from cspace_cli import atomic  # only when building: a warm run needs none of it

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic.clean_stale(path.parent, TEMP_PREFIX, TEMP_SUFFIX)
        tmp = atomic.create(path.parent, TEMP_PREFIX, TEMP_SUFFIX, 0o600)
    except OSError:
        return build(listings, ":memory:", progress=progress)
    try:
        build(listings, str(tmp.path), stamp, progress).close()
        tmp.replace(path)
        from cspace_cli.index.cache_folder import prune_older_formats

        prune_older_formats(path.parent, path)
    except (OSError, sqlite3.Error):
        tmp.discard()
        return build(listings, ":memory:")
    except BaseException:
        tmp.discard()
        raise
    return _open_fresh(path, stamp) or build(listings, ":memory:")


def refresh(path: Path, listings: Sequence[Listing], stamp: bytes) -> bool:
    """Bring a stale index up to date by re-reading only the entity files that changed.

    One transaction: a crash or Ctrl-C rolls it back, and a second process waits for it
    and then finds the index fresh. False means "rebuild instead": the folders or a
    sources.toml changed, too many files did, an id lives in more than one file, the
    file cannot be written, or the change leaves the fact base with problems. Those are
    then listed by a whole load, in its order and with its count, exactly as without a
    cache, and the index stays as it was until they are fixed.
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
        if meta.get("layout") != layout(listings, SALT) or "stats" not in meta:
            return False
        if not apply_changes(conn, listings, Stats.decode(meta["stats"])):
            return False
        conn.execute("UPDATE meta SET value = ? WHERE key = 'fingerprint'", (stamp,))
        conn.commit()
        return True
    except (sqlite3.Error, ValueError, KeyError, TypeError, zlib.error):
        return False
    finally:
        conn.close()


def apply_changes(conn: sqlite3.Connection, listings: Sequence[Listing], stats: Stats) -> bool:
    """Replace the rows of changed, added and removed files; False when it cannot, or when
    the result would have problems (the caller's transaction is then rolled back)."""
    from cspace_cli.load.scan import check_sources, dangling, entity_targets, loops, read_entity

    if any(x.problems for x in listings):
        return False
    now = file_stamps(listings)
    before = dict(conn.execute("SELECT path, stamp FROM files").fetchall())
    changed = [key for key, (_, st) in now.items() if before.get(key) != st]
    removed = [key for key in before if key not in now]
    limit = max(REFRESH_MIN, len(now) // REFRESH_SHARE)
    if len(changed) + len(removed) > limit:
        return False
    ids = Counter(f.id for f, _ in now.values())
    rewritten = {now[key][0].id for key in changed}
    touched = rewritten | {_id_of_key(key) for key in removed}
    # An id now held by a file that did not change (an override removed, so an earlier
    # folder's record shows again) or by two files needs the whole load order: rebuild.
    if any(ids[eid] > 1 or (eid in ids and eid not in rewritten) for eid in touched):
        return False
    sources = {sid: decode_source(r) for sid, r in conn.execute("SELECT id, record FROM sources")}
    fresh = []
    for key in changed:
        file = now[key][0]
        entity, problems = read_entity(Path(file.path), file.kind, file.path)
        if problems or entity is None or check_sources(entity, sources):
            return False
        fresh.append(entity)
    for eid in touched:
        drop_entity(conn, eid, stats)
    conn.executemany("DELETE FROM files WHERE path = ?", [(k,) for k in changed + removed])
    batch = Batch(conn)
    for entity in fresh:
        batch.add(prepare_rows(entity))
        stats.add(entity)
    batch.flush()
    conn.executemany("INSERT INTO files VALUES (?, ?)", [(k, now[k][1]) for k in changed])

    def exists(eid: str) -> bool:
        return conn.execute("SELECT 1 FROM entities WHERE id = ?", (eid,)).fetchone() is not None

    owners = [
        decode_entity(record)
        for eid in touched - {e.id for e in fresh}
        for (record,) in conn.execute(
            "SELECT record FROM entities WHERE id IN (SELECT owner FROM links "
            "WHERE node = ? AND direction = 'in')",
            (eid,),
        )
    ]
    if any(dangling(e.path, entity_targets(e), exists) for e in [*fresh, *owners]):
        return False

    def up(eid: str) -> list[str]:
        rows = conn.execute(
            "SELECT other FROM links WHERE node = ? AND relation = 'located_in' "
            "AND direction = 'out' AND other != node",
            (eid,),
        )
        return [r[0] for r in rows]

    if loops([e.id for e in fresh], up):
        return False
    index_fuzzy_keys(conn, {eid.split("/")[0] for eid in touched})
    conn.execute("UPDATE meta SET value = ? WHERE key = 'stats'", (stats.encode(),))
    return True


def _id_of_key(key: str) -> str:
    kind_dir, name = os.path.split(key)
    return f"{os.path.basename(kind_dir)}/{name[: -len('.toml')]}"


def _open_fresh(path: Path, stamp: bytes) -> sqlite3.Connection | None:
    """The cache at ``path`` if it is current and whole; None sends the caller to rebuild.
    Using it renews its modification time, once a day, as its "last used" time."""
    try:
        st = os.stat(path)
    except OSError:  # None, not an error, also when the folder cannot be entered
        return None
    if not stat.S_ISREG(st.st_mode):
        return None
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        row = conn.execute("SELECT value FROM meta WHERE key = 'fingerprint'").fetchone()
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        if row and row[0] == stamp and tables >= REQUIRED_TABLES and _whole(conn):
            if time.time() - st.st_mtime > USED_EVERY:
                with contextlib.suppress(OSError):
                    os.utime(path)
            return conn
        conn.close()
    except sqlite3.DatabaseError:
        pass
    return None


def _whole(conn: sqlite3.Connection) -> bool:
    """Every per-entity table empty, or none: a few microseconds, not a full check."""
    found = conn.execute(
        "SELECT " + ", ".join(f"EXISTS(SELECT 1 FROM {t})" for t in PER_ENTITY)
    ).fetchone()
    return len(set(found)) == 1
