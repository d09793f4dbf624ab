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


def claim_kinds(facts: tuple[Fact, ...]) -> dict[str, str]:
    """``series`` or ``disputed`` for each attribute that holds more than one value.

    A series: every value is stated at a known date of its own (not inferred), as a count
    at a time, a period total or a deadline, and no two values share a date; that is a
    figure changing over time, shown as history. Anything else with different values from
    more than one source is a dispute: the same date, a missing or inferred date, or an
    event (``on``: a founding year has one true value), shown side by side and flagged.
    A value also given undated or with an inferred date only agrees with a dated claim.
    """
    by_attribute: dict[str, list[Fact]] = {}
    for f in facts:
        by_attribute.setdefault(f.attribute, []).append(f)
    out: dict[str, str] = {}
    for attribute, claims in by_attribute.items():
        values: dict[tuple[Any, ...], set[str]] = {}
        for f in claims:
            dated = f.date and not f.date_inferred and f.date_kind != "on"
            values.setdefault((f.value, f.low, f.high, f.unit), set()).update(
                [f.date] if dated else []
            )
        if len(values) < 2:
            continue
        dates = [d for ds in values.values() for d in ds]
        if all(values.values()) and len(dates) == len(set(dates)):
            out[attribute] = "series"
        elif len({s for f in claims for s in f.sources}) > 1:
            out[attribute] = "disputed"
    return out
