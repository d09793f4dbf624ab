"""Search across every kind: names first (by the lookup order), then summaries and facts.

A text hit needs every word of the query in one entity's text (normalised the same way
as names); it scores below any exact, prefix or substring name hit, higher when the words
form the query's phrase or sit in the summary, and carries a short context around the
match. The index ranks text hits and returns only as many as can be shown, and skips them
when name hits already fill the list; contexts are built only for the hits shown.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from typing import NamedTuple

from .index import Index
from .match import query_keys, ranked

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
    scan = TextScan(index, key, words, kind, limit)
    try:
        hits: dict[str, Hit] = {}
        for c in ranked(index, query, kind, every_tier=True):
            score = 50 + c.score / 2 if c.method != "fuzzy" else c.score / 2
            hits[c.id] = Hit(c.id, score, "name", c.matched)
    except BaseException:
        scan.cancel()
        raise
    above = sum(h.score > TEXT_SCORES[-1] for h in hits.values())
    if limit is not None and above >= limit:
        scan.cancel()
        text_hits = []
    else:
        text_hits = [
            Hit(eid, TEXT_SCORES[rank], "text", "")
            for eid, rank in scan.result(len(hits))
            if eid not in hits
        ]
    ranked_hits = sorted([*hits.values(), *text_hits], key=lambda h: (-h.score, h.id))[:limit]
    return [
        h
        if h.context
        else Hit(h.id, h.score, h.field, context(searchable_text(index, h.id), words))
        for h in ranked_hits
    ]


class TextScan:
    """The text hits, scanned in a thread on a second connection while names are matched:
    at scale the scan reads every entity's text, and SQLite lets go of the GIL while it
    reads. It starts before the name hits it must leave room for are known, so it asks
    for ``ROOM`` more rows than shown and is run again in the rare case that was too few.
    An index held in memory has no second connection and is scanned when asked."""

    ROOM = 1000

    def __init__(
        self, index: Index, key: str, words: list[str], kind: str | None, limit: int | None
    ) -> None:
        self.index, self.key, self.words, self.kind, self.limit = index, key, words, kind, limit
        self.rows: list[tuple[str, int]] = []
        self.error: BaseException | None = None
        self.aside = index.twin()
        self.thread: threading.Thread | None = None
        if self.aside is not None:
            self.thread = threading.Thread(target=self._scan, args=(self.aside,), daemon=True)
            self.thread.start()

    def _scan(self, conn: sqlite3.Connection) -> None:
        try:
            self.rows = self._query(Index(conn), self.ROOM)
        except BaseException as exc:
            self.error = exc

    def _query(self, index: Index, names: int) -> list[tuple[str, int]]:
        room = None if self.limit is None else self.limit + names
        return index.text_hits(self.key, self.words, self.kind, room)

    def result(self, names: int) -> list[tuple[str, int]]:
        """The ranked (id, rank) rows, room left for ``names`` name hits."""
        if self.thread is None or self.aside is None:
            return self._query(self.index, names)
        self.thread.join()
        self.aside.close()
        if self.error is not None:
            raise self.error
        if (
            self.limit is not None
            and names > self.ROOM
            and len(self.rows) == self.limit + self.ROOM
        ):
            return self._query(self.index, names)
        return self.rows

    def cancel(self) -> None:
        if self.thread is not None and self.aside is not None:
            self.aside.interrupt()
            self.thread.join()
            self.aside.close()


def searchable_text(index: Index, entity_id: str) -> str:
    e = index.get(entity_id)
    parts = [
        e.summary,
        *(f"{f.attribute}: {f.text}" for f in e.facts),
        *(r.text for r in e.relations),
    ]
    return "\n".join(p for p in parts if p)


def context(blob: str, words: list[str]) -> str:
    """A one-line snippet around the first query word, for the hit list."""
    flat = " ".join(blob.split())
    m = re.search(re.escape(words[0]), flat, re.IGNORECASE)
    if not m:
        return flat[: 2 * CONTEXT]
    start = max(0, m.start() - CONTEXT)
    end = min(len(flat), m.end() + CONTEXT)
    return ("…" if start else "") + flat[start:end] + ("…" if end < len(flat) else "")
