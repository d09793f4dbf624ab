"""The index's stored values: entity records, sources and counts, encoded and decoded here.

An entity is compact JSON (fact fields left at their defaults are omitted, which halves
the cache), zlib-compressed; a source is plain JSON; the counts are one JSON object.
Written out field by field, as a large fact base encodes every entity on a cold start.
"""

from __future__ import annotations

import json
import zlib
from collections import Counter
from typing import Any

from cspace_cli.model import Conversion, Entity, Fact, Relation, Source
from cspace_cli.periods import Period, period_of

REQUIRED = object()  # the "default" of a field that has none: never equal to a value
FACT_DEFAULTS = {name: Fact._field_defaults.get(name, REQUIRED) for name in Fact._fields}
SOURCE_FIELDS = Source._fields
OPTIONAL_FACT_TEXT = ("unit", "qualifier", "date", "date_text", "section")
UNDATED = "~"  # first and last day of an undated fact: after every date, so an index in
# date order puts undated facts last


def conversion_to_dict(c: Conversion | None) -> dict[str, Any] | None:
    return None if c is None else {"unit": c.unit, "value": c.value, "low": c.low, "high": c.high}


def fact_to_full_dict(fact: Fact) -> dict[str, Any]:
    """Every field, as the JSON contract lists them (the cache uses the compact form)."""
    out = {name: getattr(fact, name) for name in FACT_DEFAULTS}
    out["sources"] = list(fact.sources)
    out["converted"] = conversion_to_dict(fact.converted)
    return out


def claimed(fact: Fact, claim: str) -> dict[str, Any]:
    """A fact as the JSON contract lists it, with whether it is part of a series or a
    dispute (``claim``). A text the fact file leaves out is None (schema version 2)."""
    out = fact_to_full_dict(fact)
    for key in OPTIONAL_FACT_TEXT:
        if not out[key]:
            out[key] = None
    out["disputed"] = claim == "disputed"
    out["series"] = claim == "series"
    return out


def fact_row(fact: Fact, claim: str, entity: dict[str, str | None]) -> dict[str, Any]:
    """A fact with its claim flags and the entity it belongs to: a row of ``cspace facts
    --json``, as the index stores it."""
    return {**claimed(fact, claim), "entity": entity}


def fact_to_dict(fact: Fact) -> dict[str, Any]:
    out = {
        name: value
        for name, default in FACT_DEFAULTS.items()
        if (value := getattr(fact, name)) != default
    }
    out["sources"] = list(fact.sources)
    if fact.converted is not None:
        out["converted"] = conversion_to_dict(fact.converted)
    return out


def fact_from_dict(d: dict[str, Any]) -> Fact:
    conv = d.get("converted")
    return Fact(
        **{**d, "sources": tuple(d["sources"]), "converted": Conversion(**conv) if conv else None}
    )


def entity_to_dict(e: Entity) -> dict[str, Any]:
    return {
        "id": e.id,
        "kind": e.kind,
        "name": e.name,
        "summary": e.summary,
        "name_zh": e.name_zh,
        "pinyin": e.pinyin,
        "aliases": list(e.aliases),
        "located_in": e.located_in,
        "sources": list(e.sources),
        "path": e.path,
        "facts": [fact_to_dict(f) for f in e.facts],
        "relations": [
            {"relation": r.relation, "object": r.object, "sources": list(r.sources), "text": r.text}
            for r in e.relations
        ],
    }


def entity_from_dict(d: dict[str, Any]) -> Entity:
    return Entity(
        id=d["id"],
        kind=d["kind"],
        name=d["name"],
        summary=d["summary"],
        name_zh=d["name_zh"],
        pinyin=d["pinyin"],
        aliases=tuple(d["aliases"]),
        located_in=d["located_in"],
        sources=tuple(d["sources"]),
        path=d["path"],
        facts=tuple(fact_from_dict(f) for f in d["facts"]),
        relations=tuple(
            Relation(d["id"], r["relation"], r["object"], tuple(r["sources"]), r["text"])
            for r in d["relations"]
        ),
    )


def source_to_dict(s: Source) -> dict[str, Any]:
    return {name: getattr(s, name) for name in SOURCE_FIELDS}


def encode_entity(e: Entity) -> bytes:
    return zlib.compress(json.dumps(entity_to_dict(e)).encode(), 1)


def decode_entity(record: bytes) -> Entity:
    return entity_from_dict(json.loads(zlib.decompress(record)))


def encode_source(s: Source) -> str:
    return json.dumps(source_to_dict(s), ensure_ascii=False)


def decode_source(record: str) -> Source:
    return Source(**json.loads(record))


def in_time_order(p: Period) -> tuple[int, int]:
    return p.order


class Stats:
    """Counts the overview and ``cspace sources`` need, kept whole in the index so an
    update can take one entity's share out and put the new one in."""

    def __init__(self, saved: dict[str, Any] | None = None) -> None:
        saved = saved or {}
        self.facts: int = saved.get("facts", 0)
        self.fact_cites: Counter[str] = Counter(saved.get("fact_cites", {}))
        self.entity_cites: Counter[str] = Counter(saved.get("entity_cites", {}))
        self.date_counts: Counter[str] = Counter(saved.get("date_counts", {}))

    def add(self, e: Entity, sign: int = 1) -> None:
        """Count an entity in (``sign`` 1) or out (-1); plain increments, as this runs once
        per entity of a first build."""
        cited = set(e.sources)
        for f in e.facts:
            for sid in f.sources:
                self.fact_cites[sid] += sign
                cited.add(sid)
            if f.date:
                self.date_counts[f.date] += sign
        for sid in cited:
            self.entity_cites[sid] += sign
        self.facts += sign * len(e.facts)

    def remove(self, e: Entity) -> None:
        self.add(e, -1)

    def dump(self) -> dict[str, Any]:
        def positive(c: Counter[str]) -> dict[str, int]:
            return {k: n for k, n in c.items() if n > 0}

        return {
            "facts": self.facts,
            "fact_cites": positive(self.fact_cites),
            "entity_cites": positive(self.entity_cites),
            "date_counts": positive(self.date_counts),
        }

    @property
    def dates(self) -> tuple[str, str]:
        """The earliest and latest fact dates, as written, in time order."""
        periods = [p for d, n in self.date_counts.items() if n > 0 and (p := period_of(d))]
        if not periods:
            return ("", "")
        return min(periods, key=in_time_order).text, max(periods, key=in_time_order).text

    def encode(self) -> str:
        return json.dumps(self.dump())

    @classmethod
    def decode(cls, text: str) -> Stats:
        return cls(json.loads(text))
