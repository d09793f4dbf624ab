"""Search across every kind: names first (by the lookup order), then the rows of text.

The query becomes terms (:mod:`terms`). Name hits come from the lookup order over every
kind. Text hits are search rows (a summary, a fact, a relation note) that hold every term,
ranked by bm25 in the index. Each fallback runs only when all before found nothing: every
term may start a word ("chairs" finds "chairman"); names by similarity (rapidfuzz, only
then imported); the rows and names holding the most terms, marked ``partial``. Name hits
score 50 to 100 (by tier and cover), text hits 10 to 50 (by bm25, a row with the words
side by side from 30), fuzzy name hits and partial rows below 10. An entity shows at most
``per_entity`` text rows. Snippets and marked words are read only for rows shown.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import NamedTuple

from cspace_cli.errors import NotFound
from cspace_cli.index.fulltext import MARK, Marked, Term, TextRow
from cspace_cli.index.reader import Index
from cspace_cli.query.match import TIERS, Candidate, printable, query_keys, ranked
from cspace_cli.query.terms import name_words
from cspace_cli.query.terms import terms as terms_of
from cspace_cli.text import from_argv

PER_ENTITY = 3
SNIPPET = 140  # characters of text around the first matched word
LEAD = 40  # of which at most this many before it
NEAR = 10.0  # a bm25 of -10 is halfway between the lowest and the highest text score
REASONS = {
    "names": "name",
    "attribute": "attribute",
    "value": "value",
    "status": "status",
    "date": "date",
}
BODY_REASON = {"summary": "summary", "fact": "fact_text", "relation": "relation"}
NAME_REASON = ("name", "alias", "id")  # by KeyRow.role


class Hit(NamedTuple):
    """One row of results: an entity by name, or one of its rows of text.

    ``why`` says where the query's words were found (``name``, ``alias``, ``id``,
    ``summary``, ``attribute``, ``value``, ``status``, ``date``, ``fact_text``,
    ``relation``); ``part`` and ``pos`` say which row (``fact`` and its position in
    the entity's facts); ``words`` are the row's words that matched, as written."""

    id: str
    score: float
    field: str
    context: str
    why: tuple[str, ...]
    part: str = ""
    pos: int = 0
    words: tuple[str, ...] = ()
    partial: bool = False


def search(
    index: Index,
    query: str,
    kind: str | None = None,
    limit: int | None = None,
    per_entity: int | None = PER_ENTITY,
) -> list[Hit]:
    """Hits for ``query``, best first; ``NotFound`` when the query has nothing left to
    search for once stop words and single letters are dropped."""
    query_keys(query)
    found = terms_of(from_argv(query))
    if not found:
        raise NotFound(
            f"nothing to search for in '{printable(query)}': stop words and single "
            "letters or digits count only in quotes"
        )
    name_query = name_words(from_argv(query))
    names = ranked(index, name_query, kind, every_tier=True, fuzzy=False) if name_query else []
    room = None if limit is None else max(0, limit - len(names))
    mode = "all"
    rows = _take(index.text_rows(found, kind, mode), room, per_entity)
    if not rows and not names:
        mode = "prefix"
        rows = _take(index.text_rows(found, kind, mode), room, per_entity)
    if not rows and not names and name_query:
        names = ranked(index, name_query, kind, every_tier=True)
    if not rows and not names:
        return _partial(index, found, kind, limit, per_entity)
    hits = [_name_hit(index, c) for c in names] + _text_hits(index, found, rows, mode, len(found))
    return sorted(hits, key=lambda h: -h.score)[:limit]


def _name_hit(index: Index, c: Candidate, share: float = 1.0) -> Hit:
    """A name hit; ``share`` below 1 is a partial one, holding that share of the terms."""
    if share < 1:
        score = 10 * share
    elif c.method == "fuzzy":
        score = c.score / 10
    else:  # in the order of Candidate.rank: tier, then lead, then cover
        within = (0.5 if c.lead else 0.0) + c.score / 200
        score = 50 + 50 * (TIERS[c.method] + within) / (max(TIERS.values()) + 1)
    names = index.summaries[c.id]
    role = 0 if c.matched == names.name else 2 if c.method == "id" else 1
    why = (NAME_REASON[role],)
    return Hit(c.id, round(score, 2), "name", c.matched, why, partial=share < 1)


def _take(rows: Iterator[TextRow], room: int | None, per_entity: int | None) -> list[TextRow]:
    """Rows best first, at most ``per_entity`` per entity, until ``room`` are taken; the
    rest of the index's answer is never read."""
    out: list[TextRow] = []
    seen: dict[str, int] = {}
    if room == 0:
        return out
    for row in rows:
        if per_entity is not None and seen.get(row.id, 0) >= per_entity:
            continue
        seen[row.id] = seen.get(row.id, 0) + 1
        out.append(row)
        if room is not None and len(out) >= room:
            break
    return out


def _partial(
    index: Index, found: list[Term], kind: str | None, limit: int | None, per_entity: int | None
) -> list[Hit]:
    """The rows and names holding the most terms, when none holds them all."""
    counts: dict[str, tuple[int, Candidate]] = {}
    for term in found:
        words = name_words(term.text)
        for c in ranked(index, words, kind, every_tier=True, fuzzy=False) if words else []:
            n, best = counts.get(c.id, (0, c))
            counts[c.id] = (n + 1, max(best, c, key=lambda x: x.rank))
    rows = index.text_rows(found, kind, "any")
    first = next(rows, None)
    most = max([n for n, _ in counts.values()] + ([first.hits] if first else []), default=0)
    if not most:
        return []
    name_hits = [_name_hit(index, c, most / len(found)) for n, c in counts.values() if n == most]
    room = None if limit is None else max(0, limit - len(name_hits))
    best_rows = _take(_while_most(first, rows, most), room, per_entity)
    hits = name_hits + _text_hits(index, found, best_rows, "any", len(found))
    return sorted(hits, key=lambda h: -h.score)[:limit]


def _while_most(first: TextRow | None, rest: Iterator[TextRow], most: int) -> Iterator[TextRow]:
    for row in [first] if first else []:
        if row.hits < most:
            return
        yield row
        for row in rest:
            if row.hits < most:
                return
            yield row


def _text_hits(
    index: Index, found: list[Term], rows: list[TextRow], mode: str, total: int
) -> list[Hit]:
    if not rows:
        return []
    marked = index.marked_rows(found, [r.rowid for r in rows], prefix=mode == "prefix")
    out = []
    for r in rows:
        m = marked.get(r.rowid, Marked({}))
        near = -r.rank / (NEAR - r.rank) if r.rank < 0 else 0.0  # bm25 is negative: 0 to 1
        if mode == "any":
            score = 10 * (r.hits - 1 + near) / total
        else:  # a row with the words side by side has one hit more than there are terms
            score = 10 + 20 * (r.hits - total) + 20 * near
        out.append(
            Hit(
                r.id,
                round(score, 4),
                "text",
                snippet(m.columns.get("value" if r.part == "summary" else "body", "")),
                _why(m, r.part),
                r.part,
                r.pos,
                marked_words(m.columns.values()),
                mode == "any",
            )
        )
    return out


def _why(m: Marked, part: str) -> tuple[str, ...]:
    """Where the row's matched words are; the row's own text when the marks were lost
    (the scan marks plain text, which a folded match may not find)."""
    if part == "summary":
        why = tuple(dict.fromkeys("name" if c == "names" else "summary" for c in m.matched()))
    else:
        why = tuple(REASONS.get(c) or BODY_REASON[part] for c in m.matched())
    return why or (BODY_REASON[part],)


def marked_words(texts: Iterable[str]) -> tuple[str, ...]:
    """The marked words of ``texts``, each once, as written."""
    found = (w for t in texts for w in re.findall(f"{MARK[0]}(.*?){MARK[1]}", t, re.S))
    return tuple(dict.fromkeys(w for w in found if w.strip()))


def snippet(text: str) -> str:
    """About ``SNIPPET`` characters around the first marked word, cut at word boundaries,
    with the marks taken out; the start of the text when nothing in it is marked."""
    at = text.find(MARK[0])
    flat = " ".join(text.replace(MARK[0], "").replace(MARK[1], "").split())
    start = 0
    if at > 0:
        before = " ".join(text[:at].replace(MARK[1], "").split())
        word = len(before) + 1 if before else 0
        start = max(0, word - LEAD)
        if start and flat[start - 1] != " ":
            cut = flat.find(" ", start)
            start = cut + 1 if 0 <= cut < word else start
    end = start + SNIPPET
    if end < len(flat):
        cut = flat.rfind(" ", start, end)
        end = cut if cut > start else end
    out = flat[start:end].strip()
    return ("…" if start else "") + out + ("…" if end < len(flat) else "")
