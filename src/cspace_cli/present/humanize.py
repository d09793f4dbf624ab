"""Figures and dates for people: scales, currency signs, bounds, ranges and periods.

Kept apart from the Rich renderer so it can be tested on its own and reused by any
plain-text output. Numbers are formatted from their shortest decimal form, so nothing a
fact file states is rounded away.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from cspace_cli.periods import period_of

SCALES = ((Decimal("1e12"), "trillion"), (Decimal("1e9"), "billion"), (Decimal("1e6"), "million"))
CURRENCY = {"CNY": "¥", "RMB": "¥", "USD": "$", "EUR": "€", "GBP": "£", "JPY": "JP¥"}
PERCENT = ("percent", "%")
DASH = "\u2013"
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
DATE_PREFIX = {"by": "by ", "as_of": "as of ", "during": "in ", "on": "on "}

Scale = tuple[Decimal, str]


def exact(x: float | int) -> Decimal:
    """The number as written: ``13380000000.0`` is 13380000000, ``0.1`` is 0.1."""
    return Decimal(repr(x)) if isinstance(x, float) else Decimal(x)


def plain_number(x: Decimal | float | int, group: bool | None = None) -> str:
    """No exponent, no trailing zeros, thousands separators from five digits (SI style):
    ``50,000``, ``2019``, ``13.38``. ``group`` forces the choice, for both ends of a range."""
    d = x if isinstance(x, Decimal) else exact(x)
    if not d.is_finite():
        return str(d)
    group = abs(d) >= 10000 if group is None else group
    text = f"{d.normalize():{',' if group else ''}f}"
    return text[1:] if text.startswith("-0") and d.is_zero() else text


def pick_scale(x: Decimal) -> Scale | None:
    return next((s for s in SCALES if abs(x) >= s[0]), None)


def scaled(numbers: list[Decimal], scale: Scale | None) -> list[str]:
    shown = [n / scale[0] if scale else n for n in numbers]
    group = max(abs(n) for n in shown) >= 10000
    return [plain_number(n, group) for n in shown]


def amount(value: Any = None, low: Any = None, high: Any = None, unit: str = "") -> str:
    """A figure as people write it: ``¥2.5-2.8 trillion`` (with an en dash),
    ``25 rockets/year``, ``20%``, ``-¥5 billion``; a text value as it is."""
    if isinstance(value, str):
        return value
    numbers = [exact(n) for n in ((value,) if value is not None else (low, high)) if n is not None]
    if not numbers:
        return unit
    negative = len(numbers) == 1 and numbers[0] < 0 and unit in CURRENCY
    if negative:
        numbers = [-numbers[0]]
    scale = pick_scale(max(numbers, key=abs))
    words = DASH.join(scaled(numbers, scale)) + (f" {scale[1]}" if scale else "")
    if unit in CURRENCY:
        return ("-" if negative else "") + CURRENCY[unit] + words
    if unit in PERCENT:
        return f"{words}%"
    return f"{words} {unit}".strip()


def fact_value(fact: dict[str, Any]) -> str:
    """The value with its bound (``roughly half`` in words too, unless the words already
    start with it) and the source's own second-currency figure."""
    text = amount(fact.get("value"), fact.get("low"), fact.get("high"), fact.get("unit") or "")
    qualifier = fact.get("qualifier")
    if qualifier and not text.casefold().startswith(qualifier.casefold() + " "):
        text = f"{qualifier} {text}"
    conv = fact.get("converted")
    if conv:
        text += f" ({amount(conv.get('value'), conv.get('low'), conv.get('high'), conv['unit'])})"
    return text


def when(date: str) -> str:
    """``2026-02-01`` as ``1 Feb 2026``, ``2025-H2`` as ``H2 2025``; anything else as given."""
    p = period_of(date)
    if p is None:
        return date
    year = p.first.year
    if p.precision in ("half", "quarter"):
        return f"{date[5:]} {year}"
    if p.precision == "year":
        return str(year)
    shown = f"{MONTHS[p.first.month - 1]} {year}"
    return f"{p.first.day} {shown}" if p.precision == "day" else shown


def period(fact: dict[str, Any]) -> str:
    """``as of 1 Feb 2026``, ``by 2025``, ``in H1 2025``, with ``(year inferred)`` when so.

    "On" a year or a month reads as "in" it.
    """
    date = fact.get("date") or ""
    if not date:
        return str(fact.get("date_text") or "")
    kind = fact.get("date_kind", "as_of")
    if kind == "on" and date.count("-") < 2:
        kind = "during"
    out = DATE_PREFIX.get(kind, "") + when(date)
    if fact.get("date_inferred"):
        out += " (year inferred)"
    return out


def date_or_unknown(value: str, what: str) -> str:
    return when(value) if value else f"{what} not stated"


def size(n: int) -> str:
    """Bytes as people read them: ``640 B``, ``12.5 KiB``, ``3.1 MiB``."""
    value, unit = float(n), "B"
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            break
        value /= 1024
    return f"{n} B" if unit == "B" else f"{value:.1f} {unit}"


def count(n: int, singular: str, plural: str = "") -> str:
    return f"{n:,} {singular if n == 1 else plural or singular + 's'}"
