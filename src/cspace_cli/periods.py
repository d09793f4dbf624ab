"""The one date type: a partial date as the period it names, with a first and a last day.

Fact files date figures as ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``, ``YYYY-H1``/``H2`` or
``YYYY-Q1``…``Q4``. Each names a span of days, so they compare by span, not by spelling:
in time order a period comes by its first day, and of two that start together the longer
comes first (``2025``, ``2025-H1``, ``2025-Q1``, ``2025-01``, ``2025-01-01``); ``2025-H2``
comes after ``2025-03``, which string order got wrong. Validation, sorting, ``--year``,
``--from``/``--to``, the timeline and the index's date columns all use this module.
"""

from __future__ import annotations

import re
from datetime import date
from functools import cache
from typing import NamedTuple

FORMS = "YYYY, YYYY-MM, YYYY-MM-DD, YYYY-H1/H2 or YYYY-Q1..Q4"
_SHAPE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?|-(H(?=[12])|Q)([1-4]))?$", re.ASCII)
_MONTHS_IN = {"H": 6, "Q": 3}


class Period(NamedTuple):
    """``text`` as written; ``first`` and ``last`` are its first and last days."""

    text: str
    first: date
    last: date
    precision: str  # year, half, quarter, month or day

    @property
    def start(self) -> str:
        return self.first.isoformat()

    @property
    def end(self) -> str:
        return self.last.isoformat()

    @property
    def order(self) -> tuple[int, int]:
        """Time order: by the first day, then the longer period first."""
        return self.first.toordinal(), -self.last.toordinal()

    def overlaps(self, other: Period) -> bool:
        return self.first <= other.last and other.first <= self.last


def _month_end(year: int, month: int) -> date:
    if month == 12:
        return date(year, 12, 31)
    return date.fromordinal(date(year, month + 1, 1).toordinal() - 1)


def parse(text: str) -> Period:
    """The period ``text`` names; ``ValueError`` saying what is wrong (to follow the quoted
    text in a message) when it names none."""
    m = _SHAPE.match(text)
    if not m:
        raise ValueError(f"is not a date (use {FORMS})")
    year = int(m[1])
    try:
        if m[4]:
            size = _MONTHS_IN[m[4]]
            first_month = (int(m[5]) - 1) * size + 1
            precision = "half" if m[4] == "H" else "quarter"
            return Period(
                text,
                date(year, first_month, 1),
                _month_end(year, first_month + size - 1),
                precision,
            )
        if m[3]:
            day = date(year, int(m[2]), int(m[3]))
            return Period(text, day, day, "day")
        if m[2]:
            month = int(m[2])
            return Period(text, date(year, month, 1), _month_end(year, month), "month")
        return Period(text, date(year, 1, 1), date(year, 12, 31), "year")
    except ValueError:
        raise ValueError("is not a real date") from None


@cache
def period_of(text: str) -> Period | None:
    """The period of a stored date, or None for an empty one. Cached: a fact base holds
    few distinct dates, and sorting asks for each many times."""
    if not text:
        return None
    try:
        return parse(text)
    except ValueError:
        return None


def newest_first(text: str) -> tuple[int, int, int]:
    """A sort key putting the latest period first and undated claims last."""
    p = period_of(text)
    if p is None:
        return (1, 0, 0)
    start, longer = p.order
    return (0, -start, -longer)
