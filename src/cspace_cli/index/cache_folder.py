"""The cache folder: which index files it holds, what each serves, and pruning.

Each set of fact folders gets its own index file (see :mod:`cache`); an index records in
its meta table the folders it serves and, in its layout, the format it was written in.
A file's modification time tells when it was last used: a run that reads it renews it
at most once a day (``cache._open_fresh``). ``cspace cache`` lists the files and removes
them; a build removes the files of older formats on its own, as no run of this cspace
can use them again.
"""

from __future__ import annotations

import json
import re
import sqlite3
import time
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

from cspace_cli.index.build import SALT

PATTERN = "index-*.sqlite"
DAY = 86400


class CacheFile(NamedTuple):
    path: Path
    size: int
    last_used: float  # seconds since the epoch
    folders: tuple[str, ...]  # the fact folders it serves, in load order
    format: str  # current, older (never used again), newer (another cspace's) or unreadable


def cache_files(folder: Path) -> list[CacheFile]:
    """Every index file in ``folder``, most recently used first."""
    found = []
    for path in sorted(folder.glob(PATTERN)) if folder.is_dir() else []:
        try:
            st = path.stat()
        except OSError:
            continue
        folders, salt = _described(path)
        found.append(CacheFile(path, st.st_size, st.st_mtime, folders, format_of(salt)))
    return sorted(found, key=lambda f: -f.last_used)


def format_of(salt: str) -> str:
    """How an index's format (cspace version and index layout) compares with this one's:
    only an older one can be removed safely, as a newer cspace may still use its file."""
    if salt == SALT:
        return "current"
    if not salt:
        return "unreadable"
    return "older" if _order(salt) < _order(SALT) else "newer"


def _order(salt: str) -> tuple[int, tuple[int, ...]]:
    version, _, layout = salt.rpartition(" ")
    numbers = tuple(int(n) for n in re.findall(r"\d+", version))
    return (int(layout) if layout.isdigit() else 0, numbers)


def _described(path: Path) -> tuple[tuple[str, ...], str]:
    """(folders, format) from an index's meta table; nothing for a file it cannot read.
    Indexes written before the folder list was kept name them in their layout."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            meta = dict(
                conn.execute("SELECT key, value FROM meta WHERE key IN ('layout', 'folders')")
            )
        finally:
            conn.close()
    except sqlite3.Error:
        return (), ""
    layout = str(meta.get("layout", "")).split("\n")
    try:
        folders = tuple(json.loads(meta["folders"]))
    except (KeyError, ValueError, TypeError):
        folders = tuple(line[2:] for line in layout if line.startswith("F "))
    return folders, layout[0]


def remove(files: Iterable[CacheFile]) -> list[CacheFile]:
    """Delete ``files``; those already gone or not removable are left out of the result."""
    removed = []
    for f in files:
        try:
            f.path.unlink()
        except OSError:
            continue
        removed.append(f)
    return removed


def stale(files: Iterable[CacheFile], days: float) -> list[CacheFile]:
    """Files of older formats or unreadable, and files not used for ``days`` days."""
    cutoff = time.time() - days * DAY
    return [f for f in files if f.format in ("older", "unreadable") or f.last_used < cutoff]


def prune_older_formats(folder: Path, keep: Path) -> None:
    """After a build: remove index files an older cspace wrote (best effort)."""
    remove(f for f in cache_files(folder) if f.format == "older" and f.path != keep)
