"""Search across every kind: names first (by the lookup order), then summaries and facts.

A text hit needs every word of the query in one entity's text (normalised the same way
as names); it scores below any name hit and carries a short context around the match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .index import Index
from .match import query_keys, ranked
from .normalize import spaced

CONTEXT = 36


@dataclass(frozen=True)
class Hit:
    id: str
    score: float
    field: str
    context: str


def search(index: Index, query: str, kind: str | None = None) -> list[Hit]:
    key, _ = query_keys(query)
    hits: dict[str, Hit] = {}
    for c in ranked(index, query, kind):
        hits[c.id] = Hit(c.id, 50 + c.score / 2 if c.method != "fuzzy" else c.score / 2,
                         "name", c.matched)
    words = key.split()
    for eid, blob in index.texts():
        if eid in hits or (kind and index.summaries[eid].kind != kind):
            continue
        norm = spaced(blob)
        if all(w in norm for w in words):
            phrase = key in norm
            hits[eid] = Hit(eid, 40.0 if phrase else 30.0, "text", context(blob, words))
    return sorted(hits.values(), key=lambda h: (-h.score, index.summaries[h.id].name))


def context(blob: str, words: list[str]) -> str:
    """A one-line snippet around the first query word, for the hit list."""
    flat = " ".join(blob.split())
    m = re.search(re.escape(words[0]), flat, re.IGNORECASE)
    if not m:
        return flat[: 2 * CONTEXT]
    start = max(0, m.start() - CONTEXT)
    end = min(len(flat), m.end() + CONTEXT)
    return ("…" if start else "") + flat[start:end] + ("…" if end < len(flat) else "")
