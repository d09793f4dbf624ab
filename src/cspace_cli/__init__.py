"""cspace: offline fact lookup for China's commercial space industry.

The package is a plain library; the ``cspace`` command (:mod:`cspace_cli.cli`) is a thin
layer over it. A script needs only what is exported here::

    from cspace_cli import Settings, lookup, open_index
    index = open_index()                       # shipped base, cached like the CLI's
    entity = index.get(lookup(index, "tianbing", "company").best.id)

Names are imported on first use, so ``import cspace_cli`` costs nothing at start-up.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "1.0.0"

_EXPORTS = {
    "Settings": "cspace_cli.settings",
    "open_index": "cspace_cli.index.cache",
    "Index": "cspace_cli.index.reader",
    "lookup": "cspace_cli.query.match",
    "suggest": "cspace_cli.query.match",
    "search": "cspace_cli.query.search",
    "Entity": "cspace_cli.model",
    "Fact": "cspace_cli.model",
    "Relation": "cspace_cli.model",
    "Source": "cspace_cli.model",
    "CspaceError": "cspace_cli.errors",
    "NotFound": "cspace_cli.errors",
    "InvalidFactBase": "cspace_cli.errors",
    "UsageError": "cspace_cli.errors",
}
__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'cspace_cli' has no attribute {name!r}")
