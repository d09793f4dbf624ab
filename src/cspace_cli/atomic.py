"""Files written whole or not at all: a temporary file beside the target, renamed into place.

The index cache and ``cspace export -o`` both write this way, so a crash, a signal or a
full disk never leaves half a file under the real name. The temporary name is random
and created with ``O_EXCL``, so nobody can have placed a file or a symlink there first.
While it is written, the file holds an ``flock`` lock; a writer killed with SIGKILL
cannot remove its file, but the kernel drops its lock, and the next writer in that
folder removes such unlocked leftovers (:func:`clean_stale`). Without ``fcntl``
(Windows) leftovers are kept: nothing tells them from a live writer's file.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

RANDOM_BYTES = 8  # 16 hex digits: a name nobody can guess


class TempFile:
    """An exclusive, locked temporary file; :meth:`replace` or :meth:`discard` ends it."""

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self.fd = fd

    def replace(self, target: Path | str) -> None:
        """Rename onto ``target`` (atomic within one file system), then let go of the lock."""
        os.replace(self.path, target)
        self._close()

    def discard(self) -> None:
        """Remove the file, unless :meth:`replace` has put it in place already."""
        if self.fd >= 0:
            with contextlib.suppress(OSError):
                self.path.unlink()
        self._close()

    def _close(self) -> None:
        if self.fd >= 0:
            with contextlib.suppress(OSError):
                os.close(self.fd)
            self.fd = -1


def create(folder: Path, prefix: str, suffix: str, mode: int = 0o666) -> TempFile:
    """A new, empty ``folder/<prefix><random><suffix>``, locked (``mode`` before the umask).

    A cleaner may lock and remove the file between its creation and our lock; then the
    name no longer leads to our file, and we try another.
    """
    flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    while True:
        path = folder / f"{prefix}{os.urandom(RANDOM_BYTES).hex()}{suffix}"
        fd = os.open(path, flags, mode)
        try:
            _lock(fd, blocking=True)
            if _same_file(path, fd):
                return TempFile(path, fd)
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)


def clean_stale(folder: Path, prefix: str, suffix: str) -> None:
    """Remove ``prefix<random>suffix`` files in ``folder`` that no live writer holds."""
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        middle = name[len(prefix) : len(name) - len(suffix)]
        if not (name.startswith(prefix) and name.endswith(suffix)) or not _is_random(middle):
            continue
        path = folder / name
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except OSError:
            continue
        try:
            if _lock(fd, blocking=False) and _same_file(path, fd):
                path.unlink()
        except OSError:
            pass
        finally:
            os.close(fd)


def _is_random(text: str) -> bool:
    return len(text) == 2 * RANDOM_BYTES and all(c in "0123456789abcdef" for c in text)


def _same_file(path: Path, fd: int) -> bool:
    try:
        a, b = os.stat(path, follow_symlinks=False), os.fstat(fd)
    except OSError:
        return False
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def _lock(fd: int, blocking: bool) -> bool:
    """An exclusive lock on ``fd``; False if another process holds one."""
    try:
        import fcntl
    except ImportError:  # Windows: no lock to take, and none to test for
        return blocking
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
    except BlockingIOError:
        return False
    return True
