"""The one walk over a fact folder: which files are entity files, and what each one's id is.

Loading, the cache's freshness check and in-place updates all list a folder through
:func:`walk`, so they can never disagree about dotfiles, ``.TOML`` suffixes, nested
folders or unknown kind folders. ``sources.toml`` sits at the top; every entity lives
at ``<kind>/<slug>.toml``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

from cspace_cli.errors import Problem
from cspace_cli.kinds import KINDS

SOURCES_FILE = "sources.toml"
SUFFIX = ".toml"


class EntityFile(NamedTuple):
    path: str
    kind: str

    @property
    def id(self) -> str:
        return entity_id(self.path, self.kind)


class KindFolder(NamedTuple):
    """A kind folder and the names of its entity files, in the file system's order: the
    freshness check stats them as they come (sorting 100,000 names, or making an object
    for each, cost a third as much as the ``stat`` calls), loading sorts them."""

    path: str
    kind: str
    names: list[str]


class Listing(NamedTuple):
    """One folder as the loader sees it; its kind folders' own stamps tell when a file
    is added, removed or renamed."""

    folder: Path
    sources: str | None
    kinds: list[KindFolder]
    problems: list[Problem]

    def files(self) -> list[EntityFile]:
        """Every entity file, in name order within each kind folder."""
        return [
            EntityFile(os.path.join(k.path, name), k.kind)
            for k in self.kinds
            for name in sorted(k.names)
        ]


def entity_id(path: str, kind: str) -> str:
    name = os.path.basename(path)
    return f"{kind}/{name[: -len(SUFFIX)]}"


def walk(folder: Path) -> Listing:
    """List a fact folder; what is wrong with it becomes a problem."""
    kinds: list[KindFolder] = []
    problems: list[Problem] = []
    sources: str | None = None
    if not folder.is_dir():
        problems.append(Problem(str(folder), "fact folder does not exist or is not a folder"))
        return Listing(folder, None, [], problems)
    for child in _entries(str(folder), problems):
        try:
            is_dir = child.is_dir()
        except OSError as exc:  # a link that loops: reported if it stands for a kind folder
            is_dir = False
            if child.name in KINDS:
                problems.append(Problem(child.path, f"cannot read folder: {exc.strerror or exc}"))
        if child.name == SOURCES_FILE and not is_dir:
            sources = child.path
        if child.name.startswith(".") or not is_dir:
            continue
        if child.name not in KINDS:
            problems.append(
                Problem(
                    child.path,
                    f"unknown kind folder '{child.name}' (known kinds: {', '.join(KINDS)})",
                )
            )
            continue
        kinds.append(KindFolder(child.path, child.name, _entity_names(child, problems)))
    return Listing(folder, sources, kinds, problems)


def _entity_names(kind: os.DirEntry[str], problems: list[Problem]) -> list[str]:
    try:
        names = os.listdir(kind.path)
    except OSError as exc:
        problems.append(Problem(kind.path, f"cannot read folder: {exc.strerror or exc}"))
        return []
    found = [n for n in names if n[0] != "." and n.lower().endswith(SUFFIX)]
    if len(found) + sum(n[0] == "." for n in names) < len(names):
        for name in sorted(set(names) - set(found)):
            path = os.path.join(kind.path, name)
            if name[0] != "." and os.path.isdir(path):
                problems.append(
                    Problem(
                        path,
                        f"unexpected folder: fact files go directly in '{kind.name}/' "
                        "as <slug>.toml",
                    )
                )
    return found


def fact_folder_holding(path: Path, folders: Iterable[Path]) -> Path | None:
    """The fact folder ``path`` lies in, if any: one of ``folders``, or a folder above it
    that holds a sources.toml. cspace writes files (exports, ``init``), never into one."""
    real = Path(os.path.realpath(path))
    for folder in folders:
        if real.is_relative_to(os.path.realpath(folder)):
            return folder
    return next((up for up in real.parents if os.path.isfile(up / SOURCES_FILE)), None)


def _entries(path: str, problems: list[Problem]) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(path) as it:
            return sorted(it, key=lambda e: e.name)
    except OSError as exc:
        problems.append(Problem(path, f"cannot read folder: {exc.strerror or exc}"))
        return []
