"""What decides whether a cached index is current: the stamps of the fact files.

A file's stamp is its size and mtime. Stamping every file is the only part of a warm run
that grows with the number of files, and it is one ``stat`` call per file, which no cache
can skip if a file edited in place is to be noticed. ``CSPACE_CACHE_CHECK=folders``
stamps the kind folders instead, for huge generated bases (see the README).
"""

from __future__ import annotations

import os
from array import array
from collections.abc import Sequence
from pathlib import Path

from cspace_cli.load.walk import EntityFile, Listing


def fingerprint(listings: Sequence[Listing], salt: str, folders_only: bool = False) -> bytes:
    """``salt``, the folders in order, each kind folder's stamp, and every fact file's
    size and mtime, in the order the folder lists them.

    A file added, removed or renamed changes its folder's mtime, so names need not be
    kept. Kept whole rather than hashed: comparing a few megabytes is as quick as hashing
    them, can never mistake one state for another, and spares every run the import of
    hashlib. The stamps are packed as raw integers: at 100,000 files, formatting them as
    text cost a third as much as the ``stat`` calls. ``folders_only`` stamps the kind
    folders alone: it still sees files added, removed or renamed, and editors that save
    by replacing a file, but not a file rewritten in place.
    """
    parts = [layout(listings, salt)]
    stamps = array("q")
    for listing in listings:
        cut = len(str(listing.folder))
        parts += (f"D {k.path[cut:]} {_stamp(k.path)}" for k in listing.kinds)
        parts += (p.message for p in listing.problems)
        if not folders_only:
            for k in listing.kinds:
                stamps += _stat_names(k.path, k.names)
    return "\n".join(parts).encode(errors="surrogateescape") + stamps.tobytes()


def _stat_names(folder: str, names: list[str]) -> array[int]:
    """Size and mtime of each name, stat'ed relative to the open folder (the kernel then
    resolves one name, not the whole path), packed as raw integers: at 100,000 files,
    formatting them as text cost a third as much as the ``stat`` calls."""
    out = array("q")
    add = out.extend
    if os.stat not in os.supports_dir_fd:  # Windows: full paths
        names = [os.path.join(folder, name) for name in names]
        fd = None
    else:
        try:
            fd = os.open(folder, os.O_RDONLY)
        except OSError:
            return array("q", [-1, -1] * len(names))
    stat = os.stat
    try:
        for name in names:
            try:
                st = stat(name, dir_fd=fd)
                add((st.st_size, st.st_mtime_ns))
            except OSError:
                add((-1, -1))
    finally:
        if fd is not None:
            os.close(fd)
    return out


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
        for f in listing.files():
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
