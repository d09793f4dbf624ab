"""Where fact folders come from, in the order they are loaded.

1. The shipped base: ``cspace_cli/facts`` inside an installed wheel, or ``facts/`` at the
   top of a source checkout (editable installs see the checkout).
2. Every folder in ``CSPACE_FACTS`` (separated by ``os.pathsep``), in order.
3. Every ``--facts DIR``, in order. A later record with the same id replaces an earlier one.

``CSPACE_NO_SHIPPED=1`` leaves out the shipped base, to work on one's own facts alone.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
SOURCES_FILE = "sources.toml"


def shipped_facts_dir() -> Path:
    inside = PACKAGE_DIR / "facts"
    if inside.is_dir():
        return inside
    return PACKAGE_DIR.parent.parent / "facts"


def fact_folders(
    extra: Sequence[Path] = (), env: dict[str, str] | None = None, shipped: bool = True
) -> list[Path]:
    environ = os.environ if env is None else env
    from_env = [Path(p) for p in environ.get("CSPACE_FACTS", "").split(os.pathsep) if p.strip()]
    if environ.get("CSPACE_NO_SHIPPED", "") not in ("", "0"):
        shipped = False
    return ([shipped_facts_dir()] if shipped else []) + from_env + list(extra)


def is_dir(entry: os.DirEntry[str]) -> bool:
    """A folder entry that is a directory; an entry that vanished or loops is not."""
    try:
        return entry.is_dir()
    except OSError:
        return False
