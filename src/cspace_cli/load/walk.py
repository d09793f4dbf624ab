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


class Listing(NamedTuple):
    """One folder as the loader sees it. ``folders`` are the kind folders that were
    read (their own stamps tell when a file is added, removed or renamed)."""

    folder: Path
    sources: str | None
    files: list[EntityFile]
    folders: list[str]
    problems: list[Problem]


def entity_id(path: str, kind: str) -> str:
    name = os.path.basename(path)
    return f"{kind}/{name[: -len(SUFFIX)]}"


def walk(folder: Path) -> Listing:
    """List a fact folder in a stable order; what is wrong with it becomes a problem."""
    files: list[EntityFile] = []
    kind_folders: list[str] = []
    problems: list[Problem] = []
    sources: str | None = None
    if not folder.is_dir():
        problems.append(Problem(str(folder), "fact folder does not exist or is not a folder"))
    for child in _entries(str(folder), problems) if not problems else []:
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
        kind_folders.append(child.path)
        for entry in _entries(child.path, problems):
            if entry.name.startswith("."):
                continue
            if _is_dir(entry):
                problems.append(
                    Problem(
                        entry.path,
                        "unexpected folder: fact files go directly in "
                        f"'{child.name}/' as <slug>.toml",
                    )
                )
            elif entry.name.lower().endswith(SUFFIX):
                files.append(EntityFile(entry.path, child.name))
    return Listing(folder, sources, files, kind_folders, problems)


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


def _is_dir(entry: os.DirEntry[str]) -> bool:
    """A folder entry that is a directory; an entry that vanished or loops is not."""
    try:
        return entry.is_dir()
    except OSError:
        return False
