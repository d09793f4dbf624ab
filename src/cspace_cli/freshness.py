"""What decides whether a cached index is current: the stamps of the fact files.

A fact file's stamp is its size and mtime. On every warm run, stamping the files is the
only work that grows with the number of files, and nearly all of it is one ``stat`` call
per file, which no cache can skip if a file edited in place is to be noticed. So names
are stat'ed relative to their open folder (cheaper for the kernel than a full path), the
stamps are hashed as raw integers, and from ``PARALLEL_FROM`` files on Linux a forked
child stats part of every folder while this process stats the rest.
"""

from __future__ import annotations

import mmap
import os
import sys
from array import array
from collections.abc import Sequence
from pathlib import Path

from .kinds import KINDS
from .paths import SOURCES_FILE, is_dir

PARALLEL_FROM = 20_000
MAX_WORKERS = 4
STAMP_BYTES = 16  # size and mtime, two signed 64-bit integers


def fingerprint(folders: Sequence[Path], salt: str, folders_only: bool = False) -> bytes:
    """``salt``, the folder order, and every fact file's name, size and mtime, as bytes.

    Kept whole rather than hashed: comparing a few megabytes at 100,000 files is as quick
    as hashing them, can never mistake one state for another, and spares every run the
    import of hashlib (OpenSSL), several milliseconds.

    ``folders_only`` (``CSPACE_CACHE_CHECK=folders``) stamps each kind folder instead of
    its files: constant time, and it still sees files added, removed or renamed, and
    editors that save by replacing the file, but not a file rewritten in place.
    """
    digest = [_encode(salt)]
    kind_dirs: list[str] = []
    for folder in folders:
        unreadable: list[str] = []
        digest.append(_encode(f"\0F {folder.resolve()}"))
        for entry in _entries(folder, unreadable):
            if entry.name == SOURCES_FILE:
                digest.append(_encode(f"\0{_stamp(entry)}"))
            elif is_dir(entry):
                digest.append(_encode(f"\0K {_stamp(entry)}"))
                kind_dirs.append(entry.path)
        digest.append(_encode("".join(unreadable)))
    if not folders_only:
        digest += _folder_stamps(kind_dirs)
    return b"".join(digest)


def layout(folders: Sequence[Path], salt: str) -> str:
    """What an in-place update cannot follow: the folder list and every sources.toml."""
    parts = [salt]
    for folder in folders:
        parts.append(f"F {folder.resolve()}")
        parts.extend(_stamp(e) for e in _entries(folder, parts) if e.name == SOURCES_FILE)
    return "\n".join(parts)


def file_stats(folders: Sequence[Path]) -> tuple[dict[str, str], bool]:
    """Path -> "size mtime" of every entity file, as the loader names them, and whether
    the folders hold only what an update can follow (no unknown kind, no nested folder)."""
    out: dict[str, str] = {}
    plain = True
    for folder in folders:
        for entry in _entries(folder, []):
            if entry.name.startswith(".") or not is_dir(entry):
                continue
            plain = plain and entry.name in KINDS
            for f in _entries(Path(entry.path), []):
                if f.name.startswith("."):
                    continue
                if is_dir(f):
                    plain = False
                elif f.name.lower().endswith(".toml"):
                    out[f.path] = _size_mtime(f)
    return out, plain


def _folder_stamps(dirs: list[str]) -> list[bytes]:
    """For each folder, its path and the names, sizes and mtimes of everything in it."""
    listed: list[tuple[str, list[str] | None]] = []
    for path in dirs:
        try:
            listed.append((path, sorted(os.listdir(path))))
        except OSError:
            listed.append((path, None))
    jobs = [(path, names) for path, names in listed if names]
    stamps = _stamp_parallel(jobs) or [_stat_names(path, names) for path, names in jobs]
    by_path = dict(zip((path for path, _ in jobs), stamps, strict=True))
    return [
        _encode("\0".join(["", "D", path, *(names or ["unreadable"])])) + by_path.get(path, b"")
        for path, names in listed
    ]


def _stat_names(path: str, names: Sequence[str]) -> bytes:
    stamps = array("q")
    add = stamps.extend
    relative = os.stat in os.supports_dir_fd
    try:
        fd = os.open(path, os.O_RDONLY) if relative else None
    except OSError:
        return array("q", [-1, -1] * len(names)).tobytes()
    try:
        for name in names:
            try:
                st = os.stat(name, dir_fd=fd) if relative else os.stat(os.path.join(path, name))
                add((st.st_size, st.st_mtime_ns))
            except OSError:
                add((-1, -1))
    finally:
        if fd is not None:
            os.close(fd)
    return stamps.tobytes()


def _workers(files: int) -> int:
    """How many processes should share the stat calls: 1 unless forking is cheap and safe
    (Linux, more than one core, no other thread that a fork could catch holding a lock)."""
    if files < PARALLEL_FROM or sys.platform != "linux":
        return 1
    threading = sys.modules.get("threading")
    if threading is not None and threading.active_count() > 1:
        return 1
    return max(1, min(MAX_WORKERS, len(os.sched_getaffinity(0))))


def _stamp_parallel(jobs: list[tuple[str, list[str]]]) -> list[bytes] | None:
    """Stamps for every job, each folder's names split between this process and forked
    children that write theirs into shared memory; None when it is not worth a fork or a
    child failed (the caller then stats everything itself)."""
    workers = _workers(sum(len(names) for _, names in jobs))
    if workers == 1:
        return None

    def share(names: list[str], k: int) -> list[str]:
        step = -(-len(names) // workers)
        return names[k * step : (k + 1) * step]

    children = []
    for k in range(1, workers):
        size = sum(len(share(names, k)) for _, names in jobs) * STAMP_BYTES
        memory = mmap.mmap(-1, max(size, 1))
        pid = os.fork()
        if pid == 0:
            status = 1
            try:
                memory.write(b"".join(_stat_names(p, share(names, k)) for p, names in jobs))
                status = 0
            finally:
                os._exit(status)
        children.append((pid, memory, k))
    own = [_stat_names(path, share(names, 0)) for path, names in jobs]
    parts = [own]
    failed = False
    for pid, memory, k in children:
        _, status = os.waitpid(pid, 0)
        failed = failed or status != 0
        data, offset, mine = memory[:], 0, []
        for _, names in jobs:
            end = offset + len(share(names, k)) * STAMP_BYTES
            mine.append(data[offset:end])
            offset = end
        memory.close()
        parts.append(mine)
    if failed:
        return None
    return [b"".join(part[i] for part in parts) for i in range(len(jobs))]


def _entries(folder: Path, parts: list[str]) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(folder) as it:
            return sorted(it, key=lambda e: e.name)
    except OSError:
        parts.append(f"unreadable {folder}")
        return []


def _stamp(entry: os.DirEntry[str]) -> str:
    return f"{entry.name} {_size_mtime(entry)}"


def _size_mtime(entry: os.DirEntry[str]) -> str:
    try:
        st = entry.stat()
    except OSError:
        return "missing"
    return f"{st.st_size} {st.st_mtime_ns}"


def _encode(text: str) -> bytes:
    return text.encode(errors="surrogateescape")
