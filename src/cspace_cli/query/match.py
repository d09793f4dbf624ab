"""The lookup order, applied to the index's name keys.

For a lookup of one kind: (1) exact key, (2) prefix of a name or of one of its words,
(3) substring (Chinese characters always match this way), each tried only when the one
before found nothing; then (4) entities of that kind inside a place the query names
(``cspace site haiyang``), and last (5) rapidfuzz similarity above a cut-off. Candidates
rank by that tier, then by score, then by the shorter name. Ambiguity is reported, never
hidden: the next (up to three) candidates in the best one's tier are its alternatives; for
fuzzy matches only those within ``CLOSE`` points of the best.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from cspace_cli.errors import NotFound, UsageError
from cspace_cli.index.reader import Index
from cspace_cli.kinds import KINDS
from cspace_cli.text import clean, from_argv, has_cjk, spaced

TIERS = {"exact": 4, "prefix": 3, "substring": 2, "place": 1, "fuzzy": 0}
PLACE_DEPTH = 3
HEAD_MIN = 7
FUZZY_CUTOFF = 75.0
SUGGEST_CUTOFF = 60.0
CLOSE = 5.0
MAX_QUERY = 200


class Candidate(NamedTuple):
    id: str
    method: str
    score: float
    matched: str

    @property
    def rank(self) -> tuple[int, float, int]:
        return TIERS[self.method], self.score, -len(self.matched)


class Match(NamedTuple):
    query: str
    best: Candidate
    alternatives: tuple[Candidate, ...]


def query_keys(query: str) -> tuple[str, str]:
    """Normalise a query, refusing ones that cannot match anything."""
    query = from_argv(query)
    if len(query) > MAX_QUERY:
        raise UsageError(f"query is {len(query)} characters long; the limit is {MAX_QUERY}")
    key = spaced(query)
    if not key:
        raise UsageError("query is empty or has no letters or digits")
    return key, key.replace(" ", "")


def _direct(
    index: Index, ckey: str, kind: str | None, every_tier: bool = False
) -> dict[str, Candidate]:
    """Tiers 1-3 through the index; a lookup stops at the first tier that finds anything."""
    found: dict[str, Candidate] = {}
    tiers = (("exact", index.exact), ("prefix", index.prefixed), ("substring", index.containing))
    for method, query in tiers:
        if method == "substring" and len(ckey) < 3 and not has_cjk(ckey):
            break
        for row in query(ckey, kind):
            score = 100.0 if method == "exact" else round(100 * len(ckey) / row.keylen, 1)
            _keep(found, Candidate(row.id, method, score, row.name))
        if found and not every_tier:
            break
    return found


def _keep(found: dict[str, Candidate], cand: Candidate) -> None:
    if cand.id not in found or cand.rank > found[cand.id].rank:
        found[cand.id] = cand


def _by_place(index: Index, ckey: str, kind: str) -> dict[str, Candidate]:
    """Entities of ``kind`` inside a place the query names: ``cspace site haiyang``."""
    found: dict[str, Candidate] = {}
    for place in _direct(index, ckey, None).values():
        for eid in index.contained(place.id, PLACE_DEPTH):
            if index.summaries[eid].kind == kind:
                _keep(found, Candidate(eid, "place", place.score, place.matched))
    return found


def _fuzzy(
    index: Index, key: str, kind: str | None, cutoff: float, head_min: int = 0
) -> dict[str, Candidate]:
    """Similarity to a whole name, or, for queries of ``head_min`` characters or more, to
    its first ``len(query)`` characters: a typo in the first word of a long name still
    finds it, while a short different name (``spacex``) is not taken for a longer one."""
    from rapidfuzz import fuzz, process

    whole = index.fuzzy_keys(kind)
    size = len(key)
    heads = [k[:size] for k in whole] if size >= head_min else []
    scores: dict[str, float] = {}
    for choices in (whole, heads):
        for _, score, i in process.extract(
            key, choices, scorer=fuzz.ratio, score_cutoff=cutoff, limit=30
        ):
            scores[whole[i]] = max(float(score), scores.get(whole[i], 0.0))
    found: dict[str, Candidate] = {}
    for skey, score in scores.items():
        for row in index.named(skey, kind):
            _keep(found, Candidate(row.id, "fuzzy", round(score, 1), row.name))
    return found


def ranked(
    index: Index, query: str, kind: str | None = None, every_tier: bool = False
) -> list[Candidate]:
    """Candidates for ``query`` in lookup order; empty when nothing is close."""
    key, ckey = query_keys(query)
    found = (
        _direct(index, ckey, kind, every_tier)
        or (_by_place(index, ckey, kind) if kind else {})
        or _fuzzy(index, key, kind, FUZZY_CUTOFF, HEAD_MIN)
    )
    return sorted(found.values(), key=lambda c: (c.rank, c.id), reverse=True)


def lookup(index: Index, query: str, kind: str | None = None) -> Match:
    """The best entity for ``query``, with close alternatives; ``NotFound`` on a miss."""
    query = from_argv(query)
    cands = ranked(index, query, kind)
    if not cands:
        raise NotFound(
            f"no {kind or 'entity'} matches '{printable(query)}'", suggest(index, query, kind)
        )
    best = cands[0]
    close = tuple(
        c
        for c in cands[1:4]
        if c.method == best.method and (c.method != "fuzzy" or c.score >= best.score - CLOSE)
    )
    return Match(query, best, close)


def by_id(index: Index, entity_id: str) -> str:
    """``entity_id`` itself, or the one entity with its slug under another kind: records
    that moved kind (``policy/two-sessions`` is now ``event/two-sessions``) keep their
    old ids working. A miss raises NotFound with near names."""
    if entity_id in index:
        return entity_id
    kind, _, slug = entity_id.rpartition("/")
    moved = [f"{k}/{slug}" for k in KINDS if k != kind and f"{k}/{slug}" in index] if slug else []
    if len(moved) == 1:
        return moved[0]
    raise NotFound(
        f"no entity with id '{printable(entity_id)}'",
        suggest(index, slug, kind if kind in KINDS else None) if slug.strip(" -/") else [],
    )


def suggest(index: Index, query: str, kind: str | None) -> list[str]:
    """Up to three near names, as commands a user can run next (none for a query that
    has nothing to compare, such as an id made of punctuation)."""
    try:
        key, _ = query_keys(query)
    except UsageError:
        return []
    found = _fuzzy(index, key, kind, SUGGEST_CUTOFF)
    if kind and not found:
        found = _direct(index, key.replace(" ", ""), None) or _fuzzy(
            index, key, None, SUGGEST_CUTOFF
        )
    best = sorted(found.values(), key=lambda c: (c.rank, c.id), reverse=True)[:3]
    out = []
    for c in best:
        s = index.summaries[c.id]
        out.append(f"cspace {s.kind} {shell_word(printable(s.name, limit=0))}")
    return out


def shell_word(name: str) -> str:
    return name if re.fullmatch(r"[\w.-]+", name) else "'" + name.replace("'", "'\\''") + "'"


def printable(text: str, limit: int = 60) -> str:
    """A query echoed in a message: inert and at most ``limit`` characters (0: no limit)."""
    return clean(from_argv(text), limit)
