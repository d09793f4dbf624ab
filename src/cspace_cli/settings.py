"""Settings for one run: every environment variable cspace reads, read here and only here.

:func:`from_env` builds one :class:`Settings` from the environment and the root flags;
the CLI passes it down, and Python callers build their own (``Settings()`` is the default
of a plain environment). :data:`ENVIRONMENT` documents each variable for ``--help``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

PACKAGE_DIR = Path(__file__).resolve().parent

ENVIRONMENT: tuple[tuple[str, str], ...] = (
    (
        "CSPACE_FACTS",
        f"extra fact folders, separated by '{os.pathsep}', loaded after the shipped base",
    ),
    ("CSPACE_NO_SHIPPED", "1: leave out the shipped fact base"),
    ("CSPACE_CACHE_DIR", "where the index cache lives (default: $XDG_CACHE_HOME/cspace)"),
    ("XDG_CACHE_HOME", "base of the default cache folder (default: ~/.cache)"),
    ("CSPACE_NO_CACHE", "1: build the index in memory, as --no-cache"),
    ("CSPACE_CACHE_CHECK", "folders: check kind folders, not every file, for freshness"),
    ("CSPACE_DEBUG", "1: show the traceback of an unexpected error, as --debug"),
    ("CSPACE_PAGER", "pager for views longer than the terminal; empty: none (as --no-pager)"),
    ("PAGER", "the pager when CSPACE_PAGER is not set (default: less -FRX)"),
    ("NO_COLOR", "any non-empty value: no colour"),
    ("FORCE_COLOR", "any non-empty value: colour even when not on a terminal"),
    ("TERM", "dumb: no colour"),
)


DEFAULT_PAGER = "less -FRX"


def _flag(env: Mapping[str, str], name: str) -> bool:
    return env.get(name, "") not in ("", "0")


class Settings(NamedTuple):
    """Everything a run depends on besides its arguments."""

    extra_facts: tuple[Path, ...] = ()
    shipped: bool = True
    use_cache: bool = True
    cache_dir: Path | None = None
    check_folders_only: bool = False
    debug: bool = False
    color: str = "auto"
    no_color: bool = False
    force_color: bool = False
    dumb_terminal: bool = False
    pager: str = DEFAULT_PAGER  # a command line; "" for none

    def fact_folders(self, more: Sequence[Path] = ()) -> list[Path]:
        """The shipped base, then ``CSPACE_FACTS``, then ``--facts``, then ``more``: a
        later record with the same id replaces an earlier one."""
        return ([shipped_facts_dir()] if self.shipped else []) + [*self.extra_facts, *more]

    def known_fact_folders(self) -> list[Path]:
        """Every folder cspace would load, with the shipped base even when it is left out:
        the folders it must never write into."""
        return [shipped_facts_dir(), *self.extra_facts]

    def cache_folder(self) -> Path:
        if self.cache_dir is not None:
            return self.cache_dir
        return Path(os.path.expanduser("~")) / ".cache" / "cspace"

    def colour_on(self, is_terminal: bool) -> bool:
        """``--color`` wins; then NO_COLOR and TERM=dumb turn colour off, FORCE_COLOR on."""
        if self.color != "auto":
            return self.color == "always"
        if self.no_color or self.dumb_terminal:
            return False
        return self.force_color or is_terminal


def from_env(
    env: Mapping[str, str] | None = None,
    *,
    facts: Sequence[Path] = (),
    no_cache: bool = False,
    debug: bool = False,
    color: str = "auto",
) -> Settings:
    environ = os.environ if env is None else env
    from_var = [Path(p) for p in environ.get("CSPACE_FACTS", "").split(os.pathsep) if p.strip()]
    cache = environ.get("CSPACE_CACHE_DIR") or ""
    xdg = environ.get("XDG_CACHE_HOME") or ""
    return Settings(
        extra_facts=(*from_var, *facts),
        shipped=not _flag(environ, "CSPACE_NO_SHIPPED"),
        use_cache=not (no_cache or _flag(environ, "CSPACE_NO_CACHE")),
        cache_dir=Path(cache) if cache else (Path(xdg) / "cspace" if xdg else None),
        check_folders_only=environ.get("CSPACE_CACHE_CHECK", "") == "folders",
        debug=debug or _flag(environ, "CSPACE_DEBUG"),
        color=color,
        no_color=bool(environ.get("NO_COLOR")),
        force_color=bool(environ.get("FORCE_COLOR")),
        dumb_terminal=environ.get("TERM") == "dumb",
        pager=pager_command(environ),
    )


def pager_command(env: Mapping[str, str]) -> str:
    """``CSPACE_PAGER`` when set (empty turns paging off), else ``PAGER``, else less."""
    if "CSPACE_PAGER" in env:
        return env["CSPACE_PAGER"].strip()
    return env.get("PAGER", "").strip() or DEFAULT_PAGER


def shipped_facts_dir() -> Path:
    """``cspace_cli/facts`` in an installed wheel, else ``facts/`` of a source checkout."""
    inside = PACKAGE_DIR / "facts"
    if inside.is_dir():
        return inside
    return PACKAGE_DIR.parent.parent / "facts"
