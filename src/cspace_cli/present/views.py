"""Index + match -> plain dicts: the one shape both JSON and the terminal views render.

Everything a view shows is decided here (alias lists, conflicts, citations, related
entities reached through containment) so the JSON and the Rich output never disagree.
A value the fact file leaves out is ``None`` (JSON null, SQL NULL), never ``""``: data
tools tell "missing" from "empty" by it (schema version 2). Lists stay lists.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from cspace_cli.index.codec import SOURCE_FIELDS, fact_to_full_dict
from cspace_cli.index.reader import Index, Link
from cspace_cli.kinds import KINDS, RELATIONS
from cspace_cli.model import Entity, Fact, Source
from cspace_cli.query.match import Candidate, Match
from cspace_cli.query.search import Hit

if TYPE_CHECKING:
    from cspace_cli.index.cache_folder import CacheFile

SCHEMA_VERSION = 2
OPTIONAL_FACT_TEXT = ("unit", "qualifier", "date", "date_text", "section")
CONTAINMENT_DEPTH = 3

Payload = dict[str, Any]


def entity_view(index: Index, entity: Entity, match: Match | None = None) -> Payload:
    facts = facts_view(entity.facts)
    related = related_view(index, entity.id)
    cited = list(
        dict.fromkeys(
            [
                *entity.sources,
                *(s for f in facts for s in f["sources"]),
                *(s for r in entity.relations for s in r.sources),
                *(s for r in related for s in r["sources"]),
            ]
        )
    )
    return {
        "schema_version": SCHEMA_VERSION,
        "id": entity.id,
        "kind": entity.kind,
        "name": entity.name,
        "name_zh": entity.name_zh or None,
        "pinyin": entity.pinyin or None,
        "aliases": [n for n in entity.names() if n not in (entity.name, entity.slug)],
        "summary": entity.summary,
        "located_in": ref(index, entity.located_in) if entity.located_in in index else None,
        "facts": facts,
        "related": related,
        "sources": [source_view(index.sources[s]) for s in cited if s in index.sources],
        "match": match_view(index, match) if match else None,
    }


def facts_view(facts: tuple[Fact, ...]) -> list[Payload]:
    """Facts in view order, each marked when its attribute is a dated series or a dispute."""
    kinds = claim_kinds(facts)
    return [fact_view(f, kinds.get(f.attribute, "")) for f in ordered_facts(facts)]


def fact_view(fact: Fact, kind: str = "") -> Payload:
    out = fact_to_full_dict(fact)
    for key in OPTIONAL_FACT_TEXT:
        if not out[key]:
            out[key] = None
    out["disputed"] = kind == "disputed"
    out["series"] = kind == "series"
    return out


def source_view(s: Source) -> Payload:
    """A source record; only ``id`` and ``title`` are always there."""
    return {name: getattr(s, name) or None for name in SOURCE_FIELDS}


def ref(index: Index, entity_id: str) -> Payload:
    s = index.summaries[entity_id]
    return {"id": s.id, "kind": s.kind, "name": s.name, "name_zh": s.name_zh or None}


def candidate_view(index: Index, c: Candidate) -> Payload:
    return {**ref(index, c.id), "matched": c.matched, "method": c.method, "score": c.score}


def match_view(index: Index, match: Match) -> Payload:
    return {
        "query": match.query,
        "matched": match.best.matched,
        "method": match.best.method,
        "score": match.best.score,
        "alternatives": [candidate_view(index, c) for c in match.alternatives],
    }


def ordered_facts(facts: tuple[Fact, ...]) -> list[Fact]:
    """File order by attribute, and within one attribute the newest claim first."""
    first = {f.attribute: i for i, f in reversed(list(enumerate(facts)))}
    return sorted(facts, key=lambda f: (first[f.attribute], _negated_date(f.date)))


@cache
def _negated_date(date: str) -> tuple[int, ...]:
    """Cached: a base has few distinct dates, and an export sorts every entity's facts."""
    digits = [int("".join(c for c in part if c.isdigit()) or 0) for part in date.split("-")]
    return tuple(-d for d in digits) if date else (1,)


ONE_TIME = ("first ", "found", "maiden", "debut", "establish")


def claim_kinds(facts: tuple[Fact, ...]) -> dict[str, str]:
    """``series`` or ``disputed`` for each attribute that holds more than one value.

    A series: every value is stated at a known date of its own and no two values share a
    date; that is a figure changing over time (a count, a period total, a deadline: its
    date must be stated, not inferred) or a run of dated events (launches, funding rounds;
    an inferred year still places an event), shown as history. The
    exception is a one-time event (a founding, a first or maiden flight, where the label
    says so or the value is itself a date): different dates for it mean the sources
    disagree. Anything else with different values from more than one source is a dispute,
    shown side by side and flagged. A value also given undated or with an inferred date
    only agrees with a dated claim.
    """
    by_attribute: dict[str, list[Fact]] = {}
    for f in facts:
        by_attribute.setdefault(f.attribute, []).append(f)
    out: dict[str, str] = {}
    for attribute, claims in by_attribute.items():
        events = all(f.date_kind == "on" for f in claims)
        values: dict[tuple[Any, ...], set[str]] = {}
        for f in claims:
            # a run of events is placed by any date; a changing figure needs a stated one
            dated = f.date and (events or not f.date_inferred)
            values.setdefault((f.value, f.low, f.high, f.unit), set()).update(
                [f.date] if dated else []
            )
        if len(values) < 2:
            continue
        dates = [d for ds in values.values() for d in ds]
        if all(values.values()) and len(dates) == len(set(dates)) and not one_time(claims):
            out[attribute] = "series"
        elif len({s for f in claims for s in f.sources}) > 1:
            out[attribute] = "disputed"
    return out


def one_time(claims: list[Fact]) -> bool:
    """Whether the claims are about one event that happened once, on one date."""
    label = claims[0].attribute.casefold()
    return any(word in label for word in ONE_TIME) or any(
        f.date_kind == "on"
        and isinstance(f.value, str)
        and f.date.startswith(f.value[:4])
        and f.value[:4].isdigit()
        for f in claims
    )


def related_view(index: Index, entity_id: str) -> list[Payload]:
    """Direct relations both ways, then what sits inside this entity's contained places.

    Each entity is listed once. One that sits inside (a site in a city of this province)
    is listed where it sits, even when another relation reaches it first.
    """
    links: dict[str, list[Link]] = {}

    def links_of(node: str) -> list[Link]:
        if node not in links:
            links[node] = list(index.links.get(node, []))
        return links[node]

    inside = set(index.contained(entity_id, CONTAINMENT_DEPTH + 1))
    out: list[Payload] = []
    seen = {entity_id}
    frontier: list[tuple[str, str | None]] = [(entity_id, None)]
    for depth in range(CONTAINMENT_DEPTH + 1):
        next_frontier: list[tuple[str, str | None]] = []
        for node, via in frontier:
            for link in links_of(node):
                contains = link.relation == "located_in" and link.direction == "in"
                if (
                    link.other in seen
                    or (depth and link.direction == "out" and link.relation == "located_in")
                    or (link.other in inside and not contains)
                ):
                    continue
                seen.add(link.other)
                rel = RELATIONS[link.relation]
                label = rel.forward if link.direction == "out" else rel.reverse
                out.append(
                    {
                        **ref(index, link.other),
                        "relation": link.relation,
                        "direction": link.direction,
                        "label": label,
                        "via": ref(index, node) if via else None,
                        "sources": list(link.sources),
                    }
                )
                if contains:
                    next_frontier.append((link.other, node))
        frontier = next_frontier
    return out


def list_rows(index: Index, kind: str | None) -> list[Payload]:
    rows = sorted(index.listing(kind), key=lambda row: (row[0].kind, row[0].name.casefold()))
    return [
        {
            "id": s.id,
            "kind": s.kind,
            "name": s.name,
            "name_zh": s.name_zh or None,
            "summary": summary,
        }
        for s, summary in rows
    ]


def search_rows(index: Index, hits: list[Hit]) -> list[Payload]:
    return [
        {**ref(index, h.id), "score": round(h.score, 1), "field": h.field, "context": h.context}
        for h in hits
    ]


def source_rows(index: Index) -> list[Payload]:
    facts, entities = index.stats.fact_cites, index.stats.entity_cites
    return [
        {**source_view(s), "facts": facts.get(s.id, 0), "entities": entities.get(s.id, 0)}
        for s in index.sources.values()
    ]


def overview(index: Index) -> Payload:
    kinds = index.kind_counts()
    earliest, latest = index.stats.dates
    return {
        "schema_version": SCHEMA_VERSION,
        "entities": len(index),
        "kinds": {k: kinds.get(k, 0) for k in KINDS},
        "facts": index.stats.facts,
        "sources": len(index.sources),
        "dates": {"earliest": earliest or None, "latest": latest or None},
    }


def cache_rows(files: list[CacheFile]) -> list[Payload]:
    """The index cache's files: where, how big, last used (UTC), their format against this
    cspace's (current, older, newer, unreadable), and the fact folders each serves."""
    from datetime import datetime, timezone

    return [
        {
            "path": str(f.path),
            "bytes": f.size,
            "last_used": datetime.fromtimestamp(f.last_used, timezone.utc).isoformat(
                timespec="seconds"
            ),
            "format": f.format,
            "folders": list(f.folders),
        }
        for f in files
    ]
