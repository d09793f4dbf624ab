"""What decides whether a cached index is current: the stamps of the fact files.

A file's stamp is its size and mtime. Stamping every file is the only part of a warm run
that grows with the number of files, and it is one ``stat`` call per file, which no cache
can skip if a file edited in place is to be noticed. ``CSPACE_CACHE_CHECK=folders``
stamps the kind folders instead, for huge generated bases (see the README).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from cspace_cli.load.walk import EntityFile, Listing


def fingerprint(listings: Sequence[Listing], salt: str, folders_only: bool = False) -> bytes:
    """``salt``, the folders in order, and every fact file's path, size and mtime.

    Kept whole rather than hashed: comparing a few megabytes is as quick as hashing them,
    can never mistake one state for another, and spares every run the import of hashlib.
    ``folders_only`` stamps each kind folder instead of its files: it still sees files
    added, removed or renamed, but not a file rewritten in place.
    """
    parts = [layout(listings, salt)]
    for listing in listings:
        cut = len(str(listing.folder))
        parts += (f"D {path[cut:]} {_stamp(path)}" for path in listing.folders)
        parts += (p.message for p in listing.problems)
        if not folders_only:
            parts += (f"{f.path[cut:]} {_stamp(f.path)}" for f in listing.files)
    return "\n".join(parts).encode(errors="surrogateescape")


def layout(listings: Sequence[Listing], salt: str) -> str:
    """What an in-place update cannot follow: the folder list and every sources.toml."""
    parts = [salt]
    for listing in listings:
        parts.append(f"F {as_text(absolute(listing.folder))}")
        if listing.sources:
            parts.append(f"S {_stamp(listing.sources)}")
    return "\n".join(parts)


def file_stamps(listings: Sequence[Listing]) -> dict[str, tuple[EntityFile, str]]:
    """Absolute path -> (file, stamp) of every entity file, for updating an index in
    place: absolute, so a folder named relatively from elsewhere is the same folder."""
    out: dict[str, tuple[EntityFile, str]] = {}
    for listing in listings:
        cut, root = len(str(listing.folder)), absolute(listing.folder)
        for f in listing.files:
            out[as_text(root + f.path[cut:])] = (f, _stamp(f.path))
    return out


def as_text(path: str) -> str:
    """A path as text SQLite can store: a name that is not UTF-8 reaches Python with its
    bytes as lone surrogates, which no UTF-8 encoder takes; they become ``\\xe9``."""
    if path.isascii():
        return path
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def absolute(folder: Path) -> str:
    """A folder's real path, so ``facts``, ``./facts`` and ``/abs/facts`` share a cache."""
    try:
        return str(folder.resolve())
    except (OSError, RuntimeError):
        return os.path.abspath(folder)


def _stamp(path: str) -> str:
    try:
        st = os.stat(path)
    except OSError:
        return "missing"
    return f"{st.st_size} {st.st_mtime_ns}"
