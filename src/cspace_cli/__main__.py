"""Entry point for ``cspace`` and ``python -m cspace_cli``."""

from __future__ import annotations

import sys


def main() -> None:
    """Run the app. What escapes it (Ctrl-C while modules load, a closed stdout at exit)
    goes down the same ladder as errors inside a command."""
    try:
        tolerate_any_encoding()
        from cspace_cli.cli.app import main as run

        status = run(sys.argv[1:])
    except (Exception, KeyboardInterrupt) as exc:
        from cspace_cli.cli.ladder import exit_status
        from cspace_cli.settings import from_env

        status = exit_status(exc, from_env().debug or "--debug" in sys.argv[1:])
    sys.exit(status)


def tolerate_any_encoding() -> None:
    """Under a non-UTF-8 locale (``LANG=C`` without UTF-8 mode) Chinese names would stop the
    program with UnicodeEncodeError; write what the terminal cannot show as escapes instead."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")


if __name__ == "__main__":
    main()
