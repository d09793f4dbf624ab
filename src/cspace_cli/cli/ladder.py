"""The one ladder from an exception to a message on stderr and an exit code.

Both the command group (errors inside a command) and ``__main__`` (errors before the app
is up, such as Ctrl-C during imports) come here, so every way out is decided once.
"""

from __future__ import annotations

import contextlib
import os
import sys
import traceback

from cspace_cli.errors import CspaceError, ExitStatus, NotFound
from cspace_cli.text import clean


def say(text: str) -> None:
    """One line for a person on stderr; a closed stderr is not an error of ours."""
    try:
        sys.stderr.write(f"cspace: {clean(text)}\n")
        sys.stderr.flush()
    except (OSError, ValueError, AttributeError):
        pass


def exit_status(exc: BaseException, debug: bool) -> int:
    """Report ``exc`` as its documented exit code; a bug says so, with its traceback
    under ``--debug``."""
    if isinstance(exc, NotFound):
        say(str(exc))
        for s in exc.suggestions:
            with contextlib.suppress(OSError, ValueError, AttributeError):
                sys.stderr.write(f"  did you mean: {clean(s)}\n")
        return exc.status
    if isinstance(exc, CspaceError):
        say(str(exc))
        return exc.status
    if isinstance(exc, KeyboardInterrupt):
        with contextlib.suppress(OSError, ValueError, AttributeError):
            sys.stderr.write("\n")
        return ExitStatus.INTERRUPTED
    if isinstance(exc, BrokenPipeError):
        # The reader went away (``cspace list | head``): what was wanted was written.
        _silence_stdout()
        return ExitStatus.OK
    if isinstance(exc, OSError) and exc.errno is not None and _is_output_error(exc):
        say(f"cannot write output: {exc.strerror or exc}")
        _silence_stdout()
        return ExitStatus.IO
    if debug:
        traceback.print_exc()
    else:
        say(
            f"internal error: {type(exc).__name__}: {exc}. This is a bug; please report it "
            "with the output of the same command with --debug."
        )
    return ExitStatus.INTERNAL


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so the interpreter's final flush of what is still
    buffered cannot fail a second time (Python would then exit 120)."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def _is_output_error(exc: OSError) -> bool:
    """ENOSPC, EIO or EBADF while writing results: the disk or the stream, not a bug."""
    import errno

    return exc.errno in (errno.ENOSPC, errno.EIO, errno.EBADF, errno.EDQUOT)
