"""Entity names for shell completion: ``cspace company tia<TAB>`` -> Tianbing Technology.

Completion runs the whole program on every Tab, so this asks the index for the name keys
that start with the typed text (no entity records, no Rich), and a broken fact folder
just completes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from cspace_cli.errors import CspaceError
from cspace_cli.index.cache import open_index
from cspace_cli.index.reader import Index
from cspace_cli.settings import from_env
from cspace_cli.text import clean, compact, spaced

LIMIT = 50


def complete_names(
    index: Index, kind: str, typed: Sequence[str], incomplete: str
) -> list[tuple[str, str]]:
    """(text to insert, a label for shells that show one) for names of ``kind`` that
    continue what was typed.

    ``typed`` are the query words already on the command line; what is offered is the
    rest of a name after them, without the control and format characters (C1 codes,
    bidi overrides) a shell would print raw. Shells and Typer keep only offers that start with the
    typed text exactly, so a name that differs only in case keeps the user's letters
    (``tia`` offers ``tianbing keji``): the lookup folds case anyway.
    """
    before = spaced(" ".join(typed))
    found: dict[str, tuple[str, str]] = {}
    for row in index.prefixed(compact(f"{before} {incomplete}"), kind):
        rest = _rest(clean(row.name, mark="").split(), before)
        offer = _continue(" ".join(rest), incomplete) if rest else None
        if offer:
            primary = index.summaries[row.id].name
            label = clean(primary, mark="") if row.name != primary else row.id
            found.setdefault(compact(offer), (offer, label))
    return list(found.values())[:LIMIT]


def _rest(words: list[str], before: str) -> list[str] | None:
    """The words of a name after those already typed, or None if the name does not
    begin with them."""
    if not before:
        return words
    for i in range(1, len(words)):
        if spaced(" ".join(words[:i])) == before:
            return words[i:]
    return None


def _continue(text: str, incomplete: str) -> str | None:
    """``text`` if it starts with what was typed, else in the typed case if only case differs."""
    if text.startswith(incomplete):
        return text
    if text[: len(incomplete)].casefold() != incomplete.casefold():
        return None
    lower = text.lower()
    return lower if lower.startswith(incomplete) else incomplete + text[len(incomplete) :]


def names_for(
    kind: str, typed: Sequence[str], incomplete: str, facts: Sequence[str | Path] = ()
) -> list[tuple[str, str]]:
    try:
        return complete_names(
            open_index(from_env(), [Path(f) for f in facts]), kind, typed, incomplete
        )
    except (CspaceError, OSError):
        return []
