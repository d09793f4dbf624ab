"""Index + match -> plain dicts: the one shape both JSON and the terminal views render.

Everything a view shows is decided here (alias lists, conflicts, citations, related
entities reached through containment) so the JSON and the Rich output never disagree.
A value the fact file leaves out is ``None`` (JSON null, SQL NULL), never ``""``: data
tools tell "missing" from "empty" by it (schema version 2). Lists stay lists.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cspace_cli.claims import claim_kinds, ordered_facts
from cspace_cli.index.codec import SOURCE_FIELDS, claimed
from cspace_cli.index.reader import FactFilter, FactRow, Index, Link
from cspace_cli.kinds import KINDS, RELATIONS
from cspace_cli.model import Entity, Fact, Source
from cspace_cli.query.figures import Figure, Step, key_figures
from cspace_cli.query.match import Candidate, Match
from cspace_cli.query.search import Hit

if TYPE_CHECKING:
    from cspace_cli.index.cache_folder import CacheFile

SCHEMA_VERSION = 2
CONTAINMENT_DEPTH = 3

Payload = dict[str, Any]


def entity_view(
    index: Index, entity: Entity, match: Match | None = None, figures: bool = True
) -> Payload:
    """An entity as a lookup shows it. Without ``figures`` (the export) there are no
    ``key_figures``: each of them is a fact of some entity, exported there once."""
    shown, more = key_figures_view(index, entity.id) if figures else ([], 0)
    facts = facts_view(entity.facts)
    related = related_view(index, entity.id)
    cited = list(
        dict.fromkeys(
            [
                *entity.sources,
                *(s for f in facts for s in f["sources"]),
                *(s for r in entity.relations for s in r.sources),
                *(s for r in related for s in r["sources"]),
                *(s for f in shown for s in f["sources"]),
            ]
        )
    )
    view: Payload = {
        "schema_version": SCHEMA_VERSION,
        "id": entity.id,
        "kind": entity.kind,
        "name": entity.name,
        "name_zh": entity.name_zh or None,
        "pinyin": entity.pinyin or None,
        "aliases": [n for n in entity.names() if n not in (entity.name, entity.slug)],
        "summary": entity.summary,
        "located_in": ref(index, entity.located_in) if entity.located_in in index else None,
    }
    if figures:
        view.update(key_figures=shown, more_figures=more)
    return {
        **view,
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
    """A fact as the JSON contract lists it, with whether it is part of a series or a
    dispute."""
    return claimed(fact, kind)


def source_view(s: Source) -> Payload:
    """A source record; only ``id`` and ``title`` are always there."""
    return {name: getattr(s, name) or None for name in SOURCE_FIELDS}


def ref(index: Index, entity_id: str) -> Payload:
    s = index.summaries[entity_id]
    return {"id": s.id, "kind": s.kind, "name": s.name, "name_zh": s.name_zh or None}


def fact_row(row: FactRow) -> Payload:
    """A fact with the entity it belongs to: a row of ``cspace facts`` and the timeline."""
    return row.record


def key_figure(index: Index, figure: Figure) -> Payload:
    """A fact row with the path to it from the entity looked up (empty for its own) and
    the number of older values of its series left out."""
    return {
        **figure.record,
        "via": [step_view(index, step) for step in figure.path],
        "earlier": figure.earlier,
    }


def step_view(index: Index, step: Step) -> Payload:
    rel = RELATIONS[step.relation]
    label = rel.forward if step.direction == "out" else rel.reverse
    return {
        **ref(index, step.id),
        "relation": step.relation,
        "direction": step.direction,
        "label": label,
    }


def key_figures_view(index: Index, entity_id: str) -> tuple[list[Payload], int]:
    """The key figures about an entity, claims on one attribute next to each other, and
    how many groups the limit left out."""
    found = key_figures(index, entity_id)
    return [key_figure(index, f) for group in found.groups for f in group], found.more


def all_sources(index: Index) -> dict[str, Payload]:
    """Every source by id, for views that number the ones their rows cite."""
    return {sid: source_view(s) for sid, s in index.sources.items()}


def fact_listing(index: Index, flt: FactFilter) -> Payload:
    """``cspace facts``: the rows, read only as they are printed (as dicts, or as the
    index's JSON lines for the sink's fast path; it reads one of the two), and the
    sources to number."""
    return {
        "rows": (fact_row(r) for r in index.facts(flt)),
        "json_rows": index.fact_json(flt),
        "sources": all_sources(index),
    }


def timeline_view(index: Index, flt: FactFilter, *, undated: int, about: str | None) -> Payload:
    """Dated facts in time order, how many undated ones were left out, and the entity the
    timeline was narrowed to."""
    return {
        **fact_listing(index, flt),
        "undated": undated,
        "about": ref(index, about) if about else None,
    }


def compare_view(index: Index, kind: str, ids: list[str]) -> Payload:
    """One column per entity, one row per attribute: each entity's key figures, then its
    own facts (a series by its newest value). Where an entity holds several claims on one
    attribute (a dispute, or a figure of another entity with the same label), they fill
    rows of the same name one below the other. Rows that more entities fill come first."""
    rows: list[Payload] = []
    seen_rows: dict[str, list[Payload]] = {}
    cited: list[str] = []
    for eid in ids:
        found = key_figures(index, eid)
        items = [key_figure(index, f) for g in found.groups for f in g]
        taken = {(f.row.owner.id, f.row.pos) for g in found.groups for f in g}
        series: set[str] = set()
        for row in index.facts(FactFilter(owners=[eid])):
            record = fact_row(row)
            if (eid, row.pos) in taken or record["attribute"] in series:
                continue
            if row.claim == "series":
                series.add(record["attribute"])
            items.append({**record, "via": [], "earlier": 0})
        for item in items:
            same = seen_rows.setdefault(item["attribute"], [])
            free = next((r for r in same if r["values"][eid] is None), None)
            if free is None:
                free = {"attribute": item["attribute"], "values": dict.fromkeys(ids)}
                same.append(free)
                rows.append(free)
            free["values"][eid] = item
            cited += item["sources"]
    order = {id(r): i for i, r in enumerate(rows)}
    rows.sort(key=lambda r: (-sum(v is not None for v in r["values"].values()), order[id(r)]))
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": kind,
        "entities": [ref(index, eid) for eid in ids],
        "rows": rows,
        "sources": [
            source_view(index.sources[s]) for s in dict.fromkeys(cited) if s in index.sources
        ],
    }


def source_detail(index: Index, source_id: str) -> Payload:
    """One source in full, every entity citing it (for itself, a relation or a fact) and
    every fact citing it."""
    return {
        "schema_version": SCHEMA_VERSION,
        **source_view(index.sources[source_id]),
        "entities": [ref(index, eid) for eid in index.citing(source_id)],
        "facts": [fact_row(r) for r in index.facts(FactFilter(source=source_id))],
    }


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


def list_rows(index: Index, kind: str | None, within: set[str] | None = None) -> list[Payload]:
    """Entities (of one kind), by kind and name; only those in ``within`` when given."""
    listed = index.listing(kind)
    if within is not None:
        listed = (row for row in listed if row[0].id in within)
    rows = sorted(listed, key=lambda row: (row[0].kind, row[0].name.casefold()))
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
