"""Records <-> compact plain dicts, for the index cache.

Written out field by field, as a large fact base encodes a hundred thousand entities on a
cold start; fact fields left at their defaults are omitted, which halves the cache.
"""

from __future__ import annotations

from typing import Any

from .model import Conversion, Entity, Fact, Relation, Source

REQUIRED = object()  # the "default" of a field that has none: never equal to a value
FACT_DEFAULTS = {name: Fact._field_defaults.get(name, REQUIRED) for name in Fact._fields}
SOURCE_FIELDS = Source._fields


def conversion_to_dict(c: Conversion | None) -> dict[str, Any] | None:
    return None if c is None else {"unit": c.unit, "value": c.value, "low": c.low, "high": c.high}


def fact_to_full_dict(fact: Fact) -> dict[str, Any]:
    """Every field, as the JSON contract lists them (the cache uses the compact form)."""
    out = {name: getattr(fact, name) for name in FACT_DEFAULTS}
    out["sources"] = list(fact.sources)
    out["converted"] = conversion_to_dict(fact.converted)
    return out


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
