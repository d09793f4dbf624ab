"""From what a person asks of ``cspace facts``, ``timeline`` and ``list --in`` to a filter.

Names become entities by the lookup order (an exact id is taken as it is), dates become
periods, attribute words become keys; whatever cannot mean anything is refused with a
usage error, and a name that matches nothing is a miss with suggestions.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cspace_cli.errors import NotFound, UsageError
from cspace_cli.index.reader import FactFilter, Index
from cspace_cli.kinds import KINDS, STATUSES
from cspace_cli.periods import Period, parse
from cspace_cli.query.figures import reach
from cspace_cli.query.match import by_id, lookup, printable
from cspace_cli.text import from_argv, spaced

SORTS = ("entity", "date", "value")
SOURCE_CUTOFF = 80.0


def resolve(index: Index, name: str, option: str = "") -> str:
    """The entity a name means: an id (``kind/slug``, also one that moved kind) as it
    is, else the best lookup of any kind. A miss names the option it came from."""
    name = from_argv(name)
    try:
        if "/" in name:
            return by_id(index, name.strip())
        return lookup(index, name).best.id
    except NotFound as miss:
        if not option:
            raise
        raise NotFound(f"{option}: {miss}", miss.suggestions) from None


def inside(index: Index, name: str, option: str = "--in") -> list[str]:
    """A place and everything it contains, at any depth."""
    place = resolve(index, name, option)
    return [place, *index.contained(place)]


def about(index: Index, name: str, option: str = "--about") -> list[str]:
    """An entity, what it contains and what it publishes, builds, operates or is backed by."""
    return list(reach(index, resolve(index, name, option)))


def period_option(option: str, text: str) -> Period:
    try:
        return parse(from_argv(text).strip())
    except ValueError as exc:
        raise UsageError(f"{option}: '{printable(text)}' {exc}") from None


def date_bounds(year: str, since: str, until: str) -> tuple[str, str]:
    """The first and last day a fact's period must overlap ('' for open ends)."""
    first = last = ""
    if year:
        if not (len(year) == 4 and year.isascii() and year.isdigit()):
            raise UsageError(f"--year: '{printable(year)}' is not a year (use YYYY, e.g. 2026)")
        p = period_option("--year", year)
        first, last = p.start, p.end
    if since:
        first = max(first, period_option("--from", since).start)
    if until:
        end = period_option("--to", until).end
        last = min(last, end) if last else end
    if first and last and first > last:
        raise UsageError(f"the dates leave no time between them ({first} is after {last})")
    return first, last


def check_statuses(statuses: Sequence[str]) -> tuple[str, ...]:
    for status in statuses:
        if status not in STATUSES:
            raise UsageError(
                f"--status: '{printable(status)}' is not one of: {', '.join(STATUSES)}"
            )
    return tuple(dict.fromkeys(statuses))


def check_source(index: Index, source_id: str) -> str:
    """A source id that exists; a miss suggests the nearest ids."""
    source_id = from_argv(source_id).strip()
    if source_id in index.sources:
        return source_id
    raise NotFound(
        f"no source with id '{printable(source_id)}'",
        [f"cspace sources {s}" for s in near_sources(index, source_id)],
    )


def near_sources(index: Index, source_id: str) -> list[str]:
    from rapidfuzz import fuzz, process

    found = process.extract(source_id, list(index.sources), scorer=fuzz.WRatio, limit=3)
    return [choice for choice, score, _ in found if score >= SOURCE_CUTOFF]


def fact_filter(index: Index, **asked: Any) -> FactFilter:
    """The filter ``cspace facts`` runs: every option given narrows it further. The
    options are those of the command, by name (``inside`` is ``--in``)."""
    kind, sort, attribute = asked["kind"], asked["sort"], asked["attribute"]
    if kind and kind not in KINDS:
        raise UsageError(f"unknown kind '{printable(kind)}' (known: {', '.join(KINDS)})")
    if sort not in SORTS:
        raise UsageError(f"--sort: '{printable(sort)}' is not one of: {', '.join(SORTS)}")
    first, last = date_bounds(asked["year"], asked["since"], asked["until"])
    owners: list[str] | None = None
    if asked["inside"]:
        owners = inside(index, asked["inside"])
    if asked["about"]:
        scope = about(index, asked["about"])
        owners = scope if owners is None else [o for o in scope if o in set(owners)]
    words = spaced(from_argv(attribute)).split()
    if attribute and not words:
        raise UsageError("--attribute has no letters or digits")
    return FactFilter(
        owners=owners,
        statuses=check_statuses(asked["status"] or ()),
        first_day=first,
        last_day=last,
        kinds=(kind,) if kind else (),
        words=tuple(words),
        source=check_source(index, asked["source"]) if asked["source"] else "",
        disputed=asked["disputed"],
        numeric=asked["numeric"],
        sort=sort,
    )


def timeline_filter(index: Index, query: str, since: str, until: str) -> FactFilter:
    """Dated facts (of one entity and what it reaches, when a query names one), in time
    order, within ``--from`` and ``--to``."""
    first, last = date_bounds("", since, until)
    owners = about(index, query, "") if query else None
    return FactFilter(owners=owners, first_day=first, last_day=last, dated=True, sort="date")
