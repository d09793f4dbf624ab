"""Entry point for ``cspace`` and ``python -m cspace_cli``."""

from __future__ import annotations

import os
import sys
import traceback

from .errors import ExitStatus


def main() -> None:
    """Run the app. Whatever escapes it still ends with a documented code and no surprise:
    Ctrl-C (even before the app is up) exits 130, a bug exits 70 with one line asking for a
    report, or with its traceback under ``--debug`` / ``CSPACE_DEBUG``."""
    try:
        tolerate_any_encoding()
        from .cli import app_for

        app_for(sys.argv[1:])(prog_name="cspace")
    except KeyboardInterrupt:
        sys.stderr.write("\n")
        sys.exit(ExitStatus.INTERRUPTED)
    except Exception as exc:
        if os.environ.get("CSPACE_DEBUG") or "--debug" in sys.argv[1:]:
            traceback.print_exc()
        else:
            from .output import message

            message(
                f"internal error: {type(exc).__name__}: {exc}. This is a bug; please "
                "report it with the output of the same command with --debug."
            )
        sys.exit(ExitStatus.INTERNAL)


def tolerate_any_encoding() -> None:
    """Under a non-UTF-8 locale (``LANG=C`` without UTF-8 mode) Chinese names would stop the
    program with UnicodeEncodeError; write what the terminal cannot show as escapes instead."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")


if __name__ == "__main__":
    main()
