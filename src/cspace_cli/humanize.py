"""Figures for people: scales, currency signs, bounds, ranges and periods.

Kept apart from the Rich renderer so it can be tested on its own and reused by any
plain-text output.
"""

from __future__ import annotations

from typing import Any

SCALES = ((1e12, "trillion"), (1e9, "billion"), (1e6, "million"))
CURRENCY = {"CNY": "¥", "USD": "$", "EUR": "€"}
PERIOD_WORDS = {"H1": "first half of", "H2": "second half of", "Q1": "Q1", "Q2": "Q2",
                "Q3": "Q3", "Q4": "Q4"}


def plain_number(x: float) -> str:
    if float(x).is_integer():
        return f"{int(x):,}"
    return f"{x:,.6f}".rstrip("0").rstrip(".")


def scaled(x: float, scale: tuple[float, str] | None) -> str:
    if scale is None:
        return plain_number(x)
    return plain_number(round(x / scale[0], 6))


def pick_scale(x: float) -> tuple[float, str] | None:
    return next((s for s in SCALES if abs(x) >= s[0]), None)


def amount(value: Any = None, low: Any = None, high: Any = None, unit: str = "") -> str:
    """``¥2.5–2.8 trillion``, ``25 rockets/year``, ``20%`` or the text itself."""
    if isinstance(value, str):
        return value
    if value is not None:
        scale = pick_scale(value)
        figure = scaled(value, scale)
    else:
        scale = pick_scale(low)
        figure = f"{scaled(low, scale)}–{scaled(high, scale)}"
    words = f"{figure} {scale[1]}" if scale else figure
    if unit in CURRENCY:
        return CURRENCY[unit] + words
    if unit in ("percent", "%"):
        return f"{words}%"
    return f"{words} {unit}".strip()


def fact_value(fact: dict[str, Any]) -> str:
    text = amount(fact.get("value"), fact.get("low"), fact.get("high"), fact.get("unit", ""))
    if fact.get("qualifier") and not isinstance(fact.get("value"), str):
        text = f"{fact['qualifier']} {text}"
    conv = fact.get("converted")
    if conv:
        text += f" ({amount(conv.get('value'), conv.get('low'), conv.get('high'), conv['unit'])})"
    return text


def period(fact: dict[str, Any]) -> str:
    date = fact.get("date", "")
    if not date:
        return fact.get("date_text", "")
    year, _, part = date.partition("-")
    shown = f"{PERIOD_WORDS[part]} {year}" if part in PERIOD_WORDS else date
    prefix = {"by": "by ", "as_of": "as of ", "during": "in ", "on": ""}[fact.get("date_kind",
                                                                              "as_of")]
    out = prefix + shown
    if fact.get("date_inferred"):
        out += " (year inferred)"
    return out


def date_or_unknown(value: str, what: str) -> str:
    return value or f"{what} not stated"
