"""The library's front door: fact folders in, a ready index out.

``open_index`` is what the CLI calls and what Python users call::

    from cspace_cli.factbase import open_index
    from cspace_cli.match import lookup
    index = open_index()
    index.get(lookup(index, "tianbing", "company").best.id)
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from .index import Index
from .loader import load
from .paths import fact_folders


def open_index(extra: Sequence[Path] = (), *, env: dict[str, str] | None = None) -> Index:
    return Index.build(load(fact_folders(extra, env)))
