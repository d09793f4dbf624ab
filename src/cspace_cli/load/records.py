"""Field-by-field checks for one parsed TOML record.

Each checker takes the raw value and returns it converted, or raises ``FieldError`` with
a sentence a person can act on. The loader adds the file and line.
"""

from __future__ import annotations

import math
import re
from datetime import date as _date
from datetime import time as _time
from typing import Any

from cspace_cli.kinds import DATE_KINDS, QUALIFIERS, RELATIONS, STATUSES
from cspace_cli.model import Conversion, Entity, Fact, Number, Relation, Source
from cspace_cli.periods import parse as parse_period
from cspace_cli.text import clean, quoted

ENTITY_ID = re.compile(r"^[a-z]+/[a-z0-9][a-z0-9-]*$")

# The keys a fact file may use are the records' own fields, less what the path gives.
ENTITY_KEYS = set(Entity._fields) - {"id", "kind", "path"}
FACT_KEYS = set(Fact._fields)
RELATION_KEYS = set(Relation._fields) - {"subject"}
CONVERSION_KEYS = set(Conversion._fields)
SOURCE_KEYS = set(Source._fields)

# Every name and alias becomes lookup keys, one for each of its words, so its cost in the
# index grows with its length times its words: these caps keep an entity's share of the
# index a small multiple of its file's size, whatever the file holds.
NAME_CHARS = 300  # the longest shipped name, an official policy title, is 138
NAME_WORDS = 40
MAX_ALIASES = 50
# SQLite stores integers in 64 bits; a larger one cannot be indexed or exported.
INT_RANGE = (-(2**63), 2**63 - 1)


class FieldError(ValueError):
    """A value of the wrong shape; ``key`` says where inside the record."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"{key}: {message}")
        self.key = key


def type_name(value: Any) -> str:
    if isinstance(value, (_date, _time)):
        return 'an unquoted TOML date or time (write dates as text: "2025-03")'
    names = {
        str: "text",
        bool: "true/false",
        int: "a number",
        float: "a number",
        list: "a list",
        dict: "a table",
    }
    return names.get(type(value), type(value).__name__)


def check_keys(table: dict[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise FieldError(
            f"{where}{clean(unknown[0])}", f"unknown field (allowed: {', '.join(sorted(allowed))})"
        )


def text(table: dict[str, Any], key: str, where: str, required: bool = False) -> str:
    value = table.get(key, "")
    if not isinstance(value, str):
        raise FieldError(where + key, f"expected text, got {type_name(value)}")
    if required and not value.strip():
        raise FieldError(where + key, "is required and must not be empty")
    return value.strip()


def text_list(
    table: dict[str, Any], key: str, where: str, required: bool = False
) -> tuple[str, ...]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise FieldError(where + key, f"expected a list of text, got {type_name(value)}")
    if required and not value:
        raise FieldError(where + key, "must list at least one source id")
    return tuple(v.strip() for v in value if v.strip())


def name(table: dict[str, Any], key: str, where: str, required: bool = False) -> str:
    """A name people look up by: text within the length and word caps."""
    return _name_size(text(table, key, where, required), where + key)


def name_list(table: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    values = text_list(table, key, where)
    if len(values) > MAX_ALIASES:
        raise FieldError(
            where + key, f"has {len(values)} entries; an entity has at most {MAX_ALIASES}"
        )
    return tuple(_name_size(v, f"{where}{key}[{i}]") for i, v in enumerate(values))


def _name_size(value: str, key: str) -> str:
    if len(value) > NAME_CHARS:
        raise FieldError(
            key, f"is {len(value):,} characters long; a name is limited to {NAME_CHARS}"
        )
    words = len(value.split())
    if words > NAME_WORDS:
        raise FieldError(key, f"has {words} words; a name is limited to {NAME_WORDS}")
    return value


def number(table: dict[str, Any], key: str, where: str) -> Number | None:
    value = table.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise FieldError(where + key, f"expected a number, got {type_name(value)}")
    return usable(value, where + key)


def usable(value: Number, key: str) -> Number:
    """A number every output can carry: finite (JSON has no nan or inf, and TOML reads
    1e309 as inf) and, for an integer, within SQLite's 64 bits."""
    if isinstance(value, float) and not math.isfinite(value):
        raise FieldError(key, f"{value} is not a finite number (too large, inf or nan)")
    low, high = INT_RANGE
    if isinstance(value, int) and not low <= value <= high:
        raise FieldError(
            key,
            f"an integer of {len(str(abs(value)))} digits is out of range "
            f"(integers go from {low} to {high})",
        )
    return value


def choice(
    table: dict[str, Any], key: str, options: tuple[str, ...], where: str, default: str = ""
) -> str:
    value = text(table, key, where) or default
    if value and value not in options:
        raise FieldError(where + key, f"{quoted(value)} is not one of: {', '.join(options)}")
    return value


def partial_date(table: dict[str, Any], key: str, where: str) -> str:
    value = text(table, key, where)
    if not value:
        return ""
    try:
        parse_period(value)
    except ValueError as exc:
        raise FieldError(where + key, f"{quoted(value)} {exc}") from None
    return value


def entity_id(table: dict[str, Any], key: str, where: str) -> str:
    value = text(table, key, where)
    if value and not ENTITY_ID.match(value):
        raise FieldError(
            where + key, f"{quoted(value)} is not an entity id like 'province/shandong'"
        )
    return value


def _range(table: dict[str, Any], where: str) -> tuple[Number | None, Number | None]:
    low, high = number(table, "low", where), number(table, "high", where)
    if (low is None) != (high is None):
        raise FieldError(
            where + ("high" if low is not None else "low"), "a range needs both low and high"
        )
    if low is not None and high is not None and low > high:
        raise FieldError(where + "low", f"range low ({low}) is greater than high ({high})")
    return low, high


def conversion(raw: Any, where: str) -> Conversion | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise FieldError(where + "converted", f"expected a table, got {type_name(raw)}")
    sub = where + "converted."
    check_keys(raw, CONVERSION_KEYS, sub)
    low, high = _range(raw, sub)
    value = number(raw, "value", sub)
    if (value is None) == (low is None):
        raise FieldError(sub + "value", "give either value or low and high")
    return Conversion(unit=text(raw, "unit", sub, required=True), value=value, low=low, high=high)


def fact(raw: Any, where: str) -> Fact:
    if not isinstance(raw, dict):
        raise FieldError(where.rstrip("."), f"expected a table, got {type_name(raw)}")
    check_keys(raw, FACT_KEYS, where)
    low, high = _range(raw, where)
    value = raw.get("value")
    if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float, str))):
        raise FieldError(where + "value", f"expected a number or text, got {type_name(value)}")
    if (value is None) == (low is None):
        raise FieldError(where + "value", "give either value or low and high")
    if isinstance(value, str):
        value = value.strip()
        if not value:
            raise FieldError(where + "value", "must not be empty")
    elif value is not None:
        value = usable(value, where + "value")
    inferred = raw.get("date_inferred", False)
    if not isinstance(inferred, bool):
        raise FieldError(where + "date_inferred", f"expected true/false, got {type_name(inferred)}")
    return Fact(
        attribute=text(raw, "attribute", where, required=True),
        value=value,
        low=low,
        high=high,
        unit=text(raw, "unit", where),
        qualifier=choice(raw, "qualifier", QUALIFIERS, where),
        status=choice(raw, "status", STATUSES, where) or _missing(where, "status"),
        date=partial_date(raw, "date", where),
        date_kind=choice(raw, "date_kind", DATE_KINDS, where, default="as_of"),
        date_text=text(raw, "date_text", where),
        date_inferred=inferred,
        converted=conversion(raw.get("converted"), where),
        sources=text_list(raw, "sources", where, required=True),
        text=text(raw, "text", where, required=True),
        section=text(raw, "section", where),
    )


def relation(raw: Any, subject: str, where: str) -> Relation:
    if not isinstance(raw, dict):
        raise FieldError(where.rstrip("."), f"expected a table, got {type_name(raw)}")
    check_keys(raw, RELATION_KEYS, where)
    name = choice(raw, "relation", tuple(RELATIONS), where) or _missing(where, "relation")
    obj = entity_id(raw, "object", where) or _missing(where, "object")
    return Relation(
        subject=subject,
        relation=name,
        object=obj,
        sources=text_list(raw, "sources", where, required=True),
        text=text(raw, "text", where),
    )


def _missing(where: str, key: str) -> str:
    raise FieldError(where + key, "is required")
