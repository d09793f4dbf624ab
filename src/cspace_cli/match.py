"""The lookup order, applied to the index's name keys.

For a lookup of one kind: (1) exact key, (2) prefix of a name or of one of its words,
(3) substring (Chinese characters always match this way), (4) rapidfuzz similarity above
a cut-off, only when 1-3 found nothing. Candidates rank by that tier, then by score, then
by the shorter name. Ambiguity is reported, never hidden: the next (up to three)
candidates in the best one's tier are its alternatives; for fuzzy matches only those
within ``CLOSE`` points of the best.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import NotFound, UsageError
from .index import Index
from .normalize import has_cjk, spaced

TIERS = {"exact": 3, "prefix": 2, "substring": 1, "fuzzy": 0}
FUZZY_CUTOFF = 75.0
SUGGEST_CUTOFF = 60.0
CLOSE = 5.0
MAX_QUERY = 200


@dataclass(frozen=True)
class Candidate:
    id: str
    method: str
    score: float
    matched: str

    @property
    def rank(self) -> tuple[int, float, int]:
        return TIERS[self.method], self.score, -len(self.matched)


@dataclass(frozen=True)
class Match:
    query: str
    best: Candidate
    alternatives: tuple[Candidate, ...]


def query_keys(query: str) -> tuple[str, str]:
    """Normalise a query, refusing ones that cannot match anything."""
    if len(query) > MAX_QUERY:
        raise UsageError(f"query is {len(query)} characters long; the limit is {MAX_QUERY}")
    key = spaced(query)
    if not key:
        raise UsageError("query is empty or has no letters or digits")
    return key, key.replace(" ", "")


def _direct(index: Index, key: str, ckey: str, kind: str | None) -> dict[str, Candidate]:
    found: dict[str, Candidate] = {}
    cjk = has_cjk(ckey)
    for ck, sk, name, eid in index.keys:
        if kind and index.summaries[eid].kind != kind:
            continue
        if ck == ckey:
            cand = Candidate(eid, "exact", 100.0, name)
        elif ck.startswith(ckey) or (" " + key) in (" " + sk):
            cand = Candidate(eid, "prefix", round(100 * len(ckey) / len(ck), 1), name)
        elif (len(ckey) >= 3 or cjk) and ckey in ck:
            cand = Candidate(eid, "substring", round(100 * len(ckey) / len(ck), 1), name)
        else:
            continue
        if eid not in found or cand.rank > found[eid].rank:
            found[eid] = cand
    return found


def _fuzzy(index: Index, key: str, kind: str | None, cutoff: float) -> dict[str, Candidate]:
    """Similarity to a whole name, or to its first ``len(query)`` characters (a typo in
    the first word of a long name still finds it)."""
    from rapidfuzz import fuzz, process

    pool = [(sk, name, eid) for _, sk, name, eid in index.keys
            if not kind or index.summaries[eid].kind == kind]
    whole = [p[0] for p in pool]
    heads = [k[: len(key)] for k in whole]
    found: dict[str, Candidate] = {}
    for choices in (whole, heads):
        for _, score, i in process.extract(key, choices, scorer=fuzz.ratio,
                                           score_cutoff=cutoff, limit=30):
            _, name, eid = pool[i]
            cand = Candidate(eid, "fuzzy", round(float(score), 1), name)
            if eid not in found or cand.rank > found[eid].rank:
                found[eid] = cand
    return found


def ranked(index: Index, query: str, kind: str | None = None) -> list[Candidate]:
    """Every candidate for ``query`` in lookup order; empty when nothing is close."""
    key, ckey = query_keys(query)
    found = _direct(index, key, ckey, kind) or _fuzzy(index, key, kind, FUZZY_CUTOFF)
    return sorted(found.values(), key=lambda c: (c.rank, c.id), reverse=True)


def lookup(index: Index, query: str, kind: str | None = None) -> Match:
    """The best entity for ``query``, with close alternatives; ``NotFound`` on a miss."""
    cands = ranked(index, query, kind)
    if not cands:
        raise NotFound(f"no {kind or 'entity'} matches '{printable(query)}'",
                       suggest(index, query, kind))
    best = cands[0]
    close = tuple(c for c in cands[1:4] if c.method == best.method
                  and (c.method != "fuzzy" or c.score >= best.score - CLOSE))
    return Match(query, best, close)


def suggest(index: Index, query: str, kind: str | None) -> list[str]:
    """Up to three near names, as commands a user can run next."""
    key, _ = query_keys(query)
    found = _fuzzy(index, key, kind, SUGGEST_CUTOFF)
    if kind and not found:
        found = _direct(index, key, key.replace(" ", ""), None) or _fuzzy(
            index, key, None, SUGGEST_CUTOFF)
    best = sorted(found.values(), key=lambda c: (c.rank, c.id), reverse=True)[:3]
    out = []
    for c in best:
        s = index.summaries[c.id]
        out.append(f"cspace {s.kind} {shell_word(s.name)}")
    return out


def shell_word(name: str) -> str:
    return name if re.fullmatch(r"[\w.-]+", name) else "'" + name.replace("'", "'\\''") + "'"


def printable(text: str, limit: int = 60) -> str:
    """A query made safe to echo in one line: no control characters, bounded length."""
    clean = "".join(c if c.isprintable() else "?" for c in text)
    return clean if len(clean) <= limit else clean[: limit - 1] + "…"

