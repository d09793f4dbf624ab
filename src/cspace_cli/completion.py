"""Entity names for shell completion: ``cspace company tia<TAB>`` -> Tianbing Technology.

Completion runs the whole program on every Tab, so this stays on the index's name keys
(no entity records, no Rich) and never raises: a broken fact folder just completes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from .errors import CspaceError
from .factbase import open_index
from .index import Index
from .normalize import compact, spaced

LIMIT = 50


def complete_names(index: Index, kind: str, typed: Sequence[str], incomplete: str
                   ) -> list[tuple[str, str]]:
    """(text to insert, a label for shells that show one) for names of ``kind`` that
    continue what was typed.

    ``typed`` are the query words already on the command line; what is offered is the
    rest of a name after them. Shells and Typer keep only offers that start with the
    typed text exactly, so a name that differs only in case keeps the user's letters
    (``tia`` offers ``tianbing Keji``): the lookup folds case anyway.
    """
    before = spaced(" ".join(typed))
    found: dict[str, tuple[str, str]] = {}
    for _, _, name, eid in index.keys:
        summary = index.summaries[eid]
        if summary.kind != kind:
            continue
        rest = _rest(name.split(), before)
        offer = _continue(" ".join(rest), incomplete) if rest else None
        if offer:
            label = summary.name if name != summary.name else summary.id
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
    if text.startswith(incomplete):
        return text
    head = text[: len(incomplete)]
    return incomplete + text[len(incomplete):] if head.casefold() == incomplete.casefold() else None


def names_for(kind: str, typed: Sequence[str], incomplete: str,
              facts: Sequence[Path] = ()) -> list[tuple[str, str]]:
    try:
        return complete_names(open_index(facts), kind, typed, incomplete)
    except (CspaceError, OSError):
        return []
