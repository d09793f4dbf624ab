"""Entry point for ``cspace`` and ``python -m cspace_cli``."""

from __future__ import annotations

import os
import sys
from types import FrameType


class Terminated(BaseException):
    """SIGTERM or SIGHUP, raised wherever the program is, so that ``finally`` blocks remove
    temporary files before it dies of the same signal (a BaseException: no ``except
    Exception`` on the way out may swallow it)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def main() -> None:
    """Run the app. What escapes it (Ctrl-C while modules load, a closed stdout at exit)
    goes down the same ladder as errors inside a command."""
    try:
        catch_termination()
        reopen_closed_streams()
        tolerate_any_encoding()
        from cspace_cli.cli.app import main as run

        status = run(sys.argv[1:])
        sys.stdout.flush()
    except Terminated as exc:
        die_of(exc.signum)
    except (Exception, KeyboardInterrupt) as exc:
        from cspace_cli.cli.ladder import exit_status
        from cspace_cli.settings import from_env

        status = exit_status(exc, from_env().debug or "--debug" in sys.argv[1:])
    sys.exit(status)


def catch_termination() -> None:
    """Turn SIGTERM and SIGHUP into :class:`Terminated`; a signal the caller set to be
    ignored (``nohup``) stays ignored."""
    import signal

    def terminated(signum: int, frame: FrameType | None) -> None:
        raise Terminated(signum)

    for name in ("SIGTERM", "SIGHUP"):
        signum = getattr(signal, name, None)
        if signum is not None and signal.getsignal(signum) is not signal.SIG_IGN:
            signal.signal(signum, terminated)


def die_of(signum: int) -> None:
    """End as the signal's default action would, so the caller sees how the run ended."""
    import signal

    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)
    sys.exit(128 + signum)  # reached only where the default action does not end a process


def reopen_closed_streams() -> None:
    """Give a closed stdin, stdout or stderr (``>&-``) a stand-in on /dev/null.

    Without one, Python leaves ``sys.stdout`` as None (a write became "a bug", exit 70)
    and the next file opened takes the free number. Written data must not vanish, so
    stdout's stand-in is opened for reading only: a write fails with EBADF, which is
    exit 74. stderr's takes the messages nobody can read; the exit code still tells.
    """
    import io

    for fd, name, flags in (
        (0, "stdin", os.O_RDONLY),
        (1, "stdout", os.O_RDONLY),
        (2, "stderr", os.O_WRONLY),
    ):
        try:
            os.fstat(fd)
            continue
        except OSError:
            pass
        stand_in = os.open(os.devnull, flags)
        if stand_in != fd:
            os.dup2(stand_in, fd)
            os.close(stand_in)
        mode = "r" if fd == 0 else "w"
        setattr(sys, name, io.TextIOWrapper(io.FileIO(fd, mode, closefd=False), "utf-8"))


def tolerate_any_encoding() -> None:
    """Under a non-UTF-8 locale (``LANG=C`` without UTF-8 mode) Chinese names would stop the
    program with UnicodeEncodeError; write what the terminal cannot show as escapes instead."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")


if __name__ == "__main__":
    main()
