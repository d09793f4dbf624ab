"""Key figures: the numbers about an entity, gathered across the graph.

A headline figure often sits on another entity than the one a person looks up (Guangdong's
¥300 billion target is on its action plan; the Oriental Aerospace Port's satellite counts
are on the port, not on Yantai). :func:`reach` walks from an entity to what it contains at
any depth and to what it publishes, builds, operates or is backed by (the plans and funds
that support it), each with what that contains. :func:`key_figures` takes the numeric,
target and projection facts of all of them and ranks them:

1. the entity's own figures, then those of places, sites, plans and reports, then the rest;
   each other entity gives at most ``PER_OWNER`` lines (claims) before any gives more;
2. targets, then projections, then dated figures, then undated ones;
3. nearer entities first, then the most recent (by the day the period ends).

A dated series counts once, by its newest value; a dispute keeps every claim side by side.
The figures shown are then put together by entity, in the order each entity first came.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from cspace_cli.index.reader import FactFilter, FactRow, Index
from cspace_cli.periods import period_of

LIMIT = 12
PER_OWNER = 5
REACH = {("published_by", "in"), ("builds", "out"), ("operates", "out")}
BACKING = {("supports", "in"), ("invests_in", "in")}
BACKER_KINDS = {"policy"}
FRAME_KINDS = {"country", "province", "region", "city", "site", "policy", "report"}
STATUS_RANK = {"target": 0, "projection": 1}


class Step(NamedTuple):
    """One edge on the way from the entity looked up to the one a figure belongs to."""

    id: str
    relation: str
    direction: str


Path = tuple[Step, ...]


class Figure(NamedTuple):
    row: FactRow
    record: dict[str, Any]  # the row's fact, decoded once
    path: Path
    earlier: int = 0  # older values of a series, left out


class KeyFigures(NamedTuple):
    groups: list[list[Figure]]  # claims on one attribute of one entity, side by side
    more: int  # groups left out by the limit


def reach(index: Index, entity_id: str) -> dict[str, Path]:
    """The entity, what it contains, and what it publishes, builds, operates or is backed
    by (with what those contain), each with its path from the entity, nearest first."""
    out: dict[str, Path] = {entity_id: ()}

    def add_inside(root: str) -> None:
        for child, parent in index.inside(root).items():
            if child not in out:
                out[child] = (*out[parent], Step(child, "located_in", "in"))

    add_inside(entity_id)
    for link in index.links.get(entity_id, []):
        edge = (link.relation, link.direction)
        backer = edge in BACKING and index.summaries[link.other].kind in BACKER_KINDS
        if (edge in REACH or backer) and link.other not in out:
            out[link.other] = (Step(link.other, link.relation, link.direction),)
            add_inside(link.other)
    return out


def figure_groups(index: Index, scope: dict[str, Path]) -> list[list[Figure]]:
    """The figures of every entity in scope, one group per attribute of one entity."""
    groups: dict[tuple[str, str], list[Figure]] = {}
    for row in index.facts(FactFilter(owners=list(scope), figures=True)):
        record = row.record
        groups.setdefault((row.owner.id, record["attribute"]), []).append(
            Figure(row, record, scope[row.owner.id])
        )
    out = []
    for claims in groups.values():
        if claims[0].row.claim == "series":
            claims = [claims[0]._replace(earlier=len(claims) - 1)]
        out.append(claims)
    return out


def recency(date: str | None) -> tuple[int, int]:
    """Most recent first, by the day a period ends: a total for 2025 is newer news than a
    count as of February 2025. Undated (None) last."""
    p = period_of(date or "")
    return (-p.last.toordinal(), -p.first.toordinal()) if p else (0, 0)


def _status_rank(group: list[Figure]) -> int:
    return min(STATUS_RANK.get(f.record["status"], 2 if f.record["date"] else 3) for f in group)


def key_figures(index: Index, entity_id: str, limit: int = LIMIT) -> KeyFigures:
    """The ranked figure groups about an entity, cut after about ``limit`` claims (a group
    is never cut in two)."""
    scope = reach(index, entity_id)
    order = {eid: i for i, eid in enumerate(scope)}
    groups = figure_groups(index, scope)
    per_owner: dict[str, list[list[Figure]]] = {}
    for g in groups:
        per_owner.setdefault(g[0].row.owner.id, []).append(g)
    over_cap: set[int] = set()
    for owner, own in per_owner.items():
        if owner == entity_id:
            continue
        own.sort(key=lambda g: (_status_rank(g), recency(g[0].record["date"])))
        lines = 0
        for g in own:
            lines += len(g)
            if lines > PER_OWNER and lines > len(g):
                over_cap.add(id(g))

    def rank(g: list[Figure]) -> tuple[object, ...]:
        first = g[0]
        owner = first.row.owner
        tier = 0 if owner.id == entity_id else 1 if owner.kind in FRAME_KINDS else 2
        return (
            id(g) in over_cap,
            tier,
            _status_rank(g),
            len(first.path),
            recency(first.record["date"]),
            order[owner.id],
        )

    groups.sort(key=rank)
    shown: list[list[Figure]] = []
    lines = 0
    for g in groups:
        if lines >= limit:
            break
        shown.append(g)
        lines += len(g)
    first_of: dict[str, int] = {}
    for i, g in enumerate(shown):
        first_of.setdefault(g[0].row.owner.id, i)
    shown.sort(key=lambda g: first_of[g[0].row.owner.id])
    return KeyFigures(shown, len(groups) - len(shown))
