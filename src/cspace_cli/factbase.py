"""The library's front door: fact folders in, a ready index out.

``open_index`` is what the CLI calls and what Python users call::

    from cspace_cli.factbase import open_index
    from cspace_cli.match import lookup
    index = open_index()
    index.get(lookup(index, "tianbing", "company").best.id)
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from .index import Index
from .paths import fact_folders
from .store import open_cached


def open_index(
    extra: Sequence[Path] = (), *, use_cache: bool | None = None, env: dict[str, str] | None = None
) -> Index:
    """Index the shipped base, ``CSPACE_FACTS`` and ``extra``; cached unless told not to."""
    environ = os.environ if env is None else env
    if use_cache is None:
        use_cache = environ.get("CSPACE_NO_CACHE", "") in ("", "0")
    return Index(open_cached(fact_folders(extra, env), use_cache, env))
