"""The lookup order, applied to the index's name keys.

For a lookup of one kind: (1) exact key, (2) prefix of a name or of one of its words,
(3) every query word in one name, (4) substring (Chinese characters always match this
way); then (5) entities of that kind inside a place the query names (``cspace site
haiyang``), and last (6) rapidfuzz similarity above a cut-off. A tier is tried only when
the ones before found nothing through a name (exact and prefix are both always read, for
the alternatives). Candidates rank by tier, then by whether the name starts with the
query's first word, then by score, then by the shorter name.

Three rules keep a near name from answering for a different thing: outside the exact
tier, every model designation of the query (a token with a digit: ``3``, ``8a``) must be
one of the name's; a short all-capital acronym (``CASC``) is matched only exactly, and a
query typed as one matches only exactly or as the first word of a name; a match through
part of an id slug alone ranks below every match through a name (a whole id is exact).
Ambiguity is reported, never hidden: the next (up to three) candidates of the best one's
tier are its alternatives (for fuzzy matches only those within ``CLOSE`` points), and after
an exact match, names that begin with the query as a whole word (``CCID`` → ``CCID
Consulting``; for an acronym, of any kind: the ``CCID report``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import NamedTuple

from cspace_cli.errors import NotFound, UsageError
from cspace_cli.index.reader import Index, KeyRow
from cspace_cli.kinds import KINDS
from cspace_cli.text import clean, from_argv, has_cjk, spaced

TIERS = {"exact": 6, "prefix": 5, "words": 4, "substring": 3, "id": 2, "place": 1, "fuzzy": 0}
PLACE_DEPTH = 3
HEAD_MIN = 7
FUZZY_CUTOFF = 75.0
SUGGEST_CUTOFF = 60.0
CLOSE = 5.0
MAX_QUERY = 200
MAX_ALTERNATIVES = 3
ID_ROLE = 2  # KeyRow.role of an id slug
ACRONYM = r"[A-Z][A-Z0-9&]{1,5}"  # CASC, CASIC, CCID, MIIT: one short all-capital word
DESIGNATION = r"\d+[a-z]*"  # 3, 8a, 2e, 1s, 600: a model's number, letters folded


class Candidate(NamedTuple):
    id: str
    method: str
    score: float
    matched: str
    lead: bool = True  # the name starts with the query's first word

    @property
    def rank(self) -> tuple[int, bool, float, int]:
        return TIERS[self.method], self.lead, self.score, -len(self.matched)


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


def is_acronym(name: str) -> bool:
    return re.fullmatch(ACRONYM, name.strip()) is not None


def designations(skey: str) -> set[str]:
    return set(re.findall(DESIGNATION, skey))


class Query(NamedTuple):
    """A query's keys and what the rules need to know about it."""

    key: str
    ckey: str
    numbers: frozenset[str]
    acronym: bool  # typed as an acronym: CASIC

    @classmethod
    def of(cls, query: str) -> Query:
        key, ckey = query_keys(query)
        return cls(key, ckey, frozenset(designations(key)), is_acronym(from_argv(query)))

    def allows(self, row: KeyRow, method: str) -> bool:
        """Whether ``row`` may match outside the exact tier (see the module docstring)."""
        if method == "exact":
            return True
        if not self.numbers <= designations(row.skey) or is_acronym(row.name):
            return False
        return not self.acronym or (method == "prefix" and row.skey.startswith(self.key + " "))


def _candidate(q: Query, method: str, row: KeyRow) -> Candidate | None:
    if not q.allows(row, method):
        return None
    score = 100.0 if method == "exact" else round(min(100.0, 100 * len(q.ckey) / row.keylen), 1)
    lead = method not in ("prefix", "words") or row.skey.startswith(q.key.split()[0])
    slug = row.role == ID_ROLE and method != "exact"
    return Candidate(row.id, "id" if slug else method, score, row.name, lead)


def _direct(
    index: Index, q: Query, kind: str | None, every_tier: bool = False
) -> dict[str, Candidate]:
    """Tiers 1-4 through the index. A lookup stops after the first tier (past the prefix
    tier) that finds anything through a name: a match through an id slug alone goes on."""
    words = q.key.split()
    tiers: tuple[tuple[str, Callable[[], list[KeyRow]]], ...] = (
        ("exact", lambda: index.exact(q.ckey, kind)),
        ("prefix", lambda: index.prefixed(q.ckey, kind) + index.word_prefixed(q.key, kind)),
        ("words", lambda: index.every_word(words, kind) if len(words) > 1 else []),
        (
            "substring",
            lambda: index.containing(q.ckey, kind) if len(q.ckey) >= 3 or has_cjk(q.ckey) else [],
        ),
    )
    found: dict[str, Candidate] = {}
    for i, (method, rows) in enumerate(tiers):
        for row in rows():
            cand = _candidate(q, method, row)
            if cand:
                _keep(found, cand)
        if i and not every_tier and any(c.method != "id" for c in found.values()):
            break
    return found


def _keep(found: dict[str, Candidate], cand: Candidate) -> None:
    if cand.id not in found or cand.rank > found[cand.id].rank:
        found[cand.id] = cand


def _by_place(index: Index, q: Query, kind: str) -> dict[str, Candidate]:
    """Entities of ``kind`` inside a place the query names: ``cspace site haiyang``."""
    found: dict[str, Candidate] = {}
    for place in _direct(index, q, None).values():
        for eid in index.contained(place.id, PLACE_DEPTH):
            if index.summaries[eid].kind == kind:
                _keep(found, Candidate(eid, "place", place.score, place.matched))
    return found


def _fuzzy(
    index: Index,
    q: Query,
    kind: str | None,
    cutoff: float,
    head_min: int = 0,
    strict: bool = True,
) -> dict[str, Candidate]:
    """Similarity to a whole name, or, for queries of ``head_min`` characters or more, to
    its first ``len(query)`` characters: a typo in the first word of a long name still
    finds it, while a short different name (``spacex``) is not taken for a longer one.
    ``strict`` applies the rules that keep near names of different things apart, and
    leaves out id slugs (a typo is a typo of a name); suggestions do without them."""
    if strict and q.acronym:
        return {}
    from rapidfuzz import fuzz, process

    whole = index.fuzzy_keys(kind)
    size = len(q.key)
    heads = [k[:size] for k in whole] if size >= head_min else []
    scores: dict[str, float] = {}
    for choices in (whole, heads):
        for _, score, i in process.extract(
            q.key, choices, scorer=fuzz.ratio, score_cutoff=cutoff, limit=30
        ):
            scores[whole[i]] = max(float(score), scores.get(whole[i], 0.0))
    found: dict[str, Candidate] = {}
    for skey, score in scores.items():
        for row in index.named(skey, kind):
            if not strict or (row.role != ID_ROLE and q.allows(row, "fuzzy")):
                _keep(found, Candidate(row.id, "fuzzy", round(score, 1), row.name))
    return found


def ranked(
    index: Index,
    query: str,
    kind: str | None = None,
    every_tier: bool = False,
    fuzzy: bool = True,
) -> list[Candidate]:
    """Candidates for ``query`` in lookup order; empty when nothing is close."""
    q = Query.of(query)
    found = (
        _direct(index, q, kind, every_tier)
        or (_by_place(index, q, kind) if kind else {})
        or (_fuzzy(index, q, kind, FUZZY_CUTOFF, HEAD_MIN) if fuzzy else {})
    )
    return _sorted(found.values())


def _sorted(cands: Iterable[Candidate]) -> list[Candidate]:
    """Best rank first; equals by id, so Zhuque-1 comes before Zhuque-2."""
    return sorted(sorted(cands, key=lambda c: c.id), key=lambda c: c.rank, reverse=True)


def lookup(index: Index, query: str, kind: str | None = None) -> Match:
    """The best entity for ``query``, with close alternatives; ``NotFound`` on a miss."""
    query = from_argv(query)
    cands = ranked(index, query, kind)
    if not cands:
        raise NotFound(
            f"no {kind or 'entity'} matches '{printable(query)}'", suggest(index, query, kind)
        )
    best = cands[0]
    close = [
        c
        for c in cands[1:]
        if c.method == best.method and (c.method != "fuzzy" or c.score >= best.score - CLOSE)
    ]
    if best.method == "exact":
        close += _word_prefixed(index, Query.of(query), kind, best, cands)
    return Match(query, best, tuple(close[:MAX_ALTERNATIVES]))


def _word_prefixed(
    index: Index, q: Query, kind: str | None, best: Candidate, cands: list[Candidate]
) -> list[Candidate]:
    """After an exact match, the names that begin with the query as a whole word; for an
    acronym (typed so, or an acronym the query matched exactly), of every kind."""
    acronym = q.acronym or is_acronym(best.matched)
    seen = {c.id for c in cands if c.method == "exact"}
    out: dict[str, Candidate] = {}
    for row in index.prefixed(q.ckey, None if acronym else kind):
        if row.id not in seen and row.role != ID_ROLE and row.skey.startswith(q.key + " "):
            score = round(100 * len(q.ckey) / row.keylen, 1)
            _keep(out, Candidate(row.id, "prefix", score, row.name))
    own_kind = index.summaries[best.id].kind
    return sorted(_sorted(out.values()), key=lambda c: index.summaries[c.id].kind != own_kind)


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
        q = Query.of(query)
    except UsageError:
        return []
    found = _fuzzy(index, q, kind, SUGGEST_CUTOFF, strict=False)
    if kind and not found:
        found = _direct(index, q, None) or _fuzzy(index, q, None, SUGGEST_CUTOFF, strict=False)
    out = []
    for c in _sorted(found.values())[:MAX_ALTERNATIVES]:
        s = index.summaries[c.id]
        out.append(f"cspace {s.kind} {shell_word(printable(s.name, limit=0))}")
    return out


def shell_word(name: str) -> str:
    return name if re.fullmatch(r"[\w.-]+", name) else "'" + name.replace("'", "'\\''") + "'"


def printable(text: str, limit: int = 60) -> str:
    """A query echoed in a message: inert and at most ``limit`` characters (0: no limit)."""
    return clean(from_argv(text), limit)
