"""How several claims on one attribute relate: a dated series or a dispute, and their order.

The index stores each fact's kind of claim, so ``cspace facts --disputed`` is a lookup, and
the views show the same judgement; both ask this module.
"""

from __future__ import annotations

from typing import Any

from cspace_cli.model import Fact
from cspace_cli.periods import newest_first


def ordered_facts(facts: tuple[Fact, ...]) -> list[Fact]:
    """File order by attribute, and within one attribute the newest claim first."""
    first = {f.attribute: i for i, f in reversed(list(enumerate(facts)))}
    return sorted(facts, key=lambda f: (first[f.attribute], newest_first(f.date)))


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
