"""Search across every kind: names first (by the lookup order), then summaries and facts.

A text hit needs every word of the query in one entity's text (normalised the same way
as names); it scores below any exact, prefix or substring name hit, higher when the words
form the query's phrase or sit in the summary, and carries a short context around the
match. The index ranks text hits and returns only as many as can be shown, and skips them
when name hits already fill the list; contexts are built only for the hits shown.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from cspace_cli.index.reader import Index
from cspace_cli.query.match import query_keys, ranked

CONTEXT = 36
TEXT_SCORES = (30.0, 35.0, 40.0, 45.0)  # by the index's text rank


class Hit(NamedTuple):
    id: str
    score: float
    field: str
    context: str


def search(
    index: Index, query: str, kind: str | None = None, limit: int | None = None
) -> list[Hit]:
    key, _ = query_keys(query)
    words = key.split()
    hits: dict[str, Hit] = {}
    for c in ranked(index, query, kind, every_tier=True):
        score = 50 + c.score / 2 if c.method != "fuzzy" else c.score / 2
        hits[c.id] = Hit(c.id, score, "name", c.matched)
    above = sum(h.score > TEXT_SCORES[-1] for h in hits.values())
    text_hits = []
    if limit is None or above < limit:
        room = None if limit is None else limit + len(hits)
        text_hits = [
            Hit(eid, TEXT_SCORES[rank], "text", "")
            for eid, rank in index.text_hits(key, words, kind, room)
            if eid not in hits
        ]
    ranked_hits = sorted([*hits.values(), *text_hits], key=lambda h: (-h.score, h.id))[:limit]
    return [
        h if h.context else h._replace(context=context(index.get(h.id).texts(), words))
        for h in ranked_hits
    ]


def context(texts: list[str], words: list[str]) -> str:
    """A one-line snippet around the first query word, from the text that matched."""
    blob = "\n".join(texts)
    flat = " ".join(blob.split())
    m = re.search(re.escape(words[0]), flat, re.IGNORECASE)
    if not m:
        return flat[: 2 * CONTEXT]
    start = max(0, m.start() - CONTEXT)
    end = min(len(flat), m.end() + CONTEXT)
    return ("…" if start else "") + flat[start:end] + ("…" if end < len(flat) else "")
