"""Entry point for ``cspace`` and ``python -m cspace_cli``."""

from __future__ import annotations

import sys


def main() -> None:
    """Run the app; a Ctrl-C before the app is up still exits 130 without a traceback."""
    try:
        tolerate_any_encoding()
        from .cli import app

        app(prog_name="cspace")
    except KeyboardInterrupt:
        sys.stderr.write("\n")
        sys.exit(130)


def tolerate_any_encoding() -> None:
    """Under a non-UTF-8 locale (``LANG=C`` without UTF-8 mode) Chinese names would stop the
    program with UnicodeEncodeError; write what the terminal cannot show as escapes instead."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")


if __name__ == "__main__":
    main()
