"""cspace: offline fact lookup for China's commercial space industry.

The package is a plain library (``load_factbase``, ``Index``, ``lookup``, ``search``);
the ``cspace`` command in :mod:`cspace_cli.cli` is a thin layer over it.
"""

__version__ = "1.0.0"
