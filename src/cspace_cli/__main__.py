"""Entry point for ``cspace`` and ``python -m cspace_cli``."""

from __future__ import annotations

import sys


def main() -> None:
    """Run the app; a Ctrl-C before the app is up still exits 130 without a traceback."""
    try:
        from .cli import app

        app(prog_name="cspace")
    except KeyboardInterrupt:
        sys.stderr.write("\n")
        sys.exit(130)


if __name__ == "__main__":
    main()
