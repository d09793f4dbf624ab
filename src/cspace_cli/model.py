"""The records a fact base is made of: sources, entities, facts and relations.

They are named tuples: immutable, so the index, the cache and the views share them without
copying, and cheap to define (a frozen dataclass cost about 1 ms of every start-up).
"""

from __future__ import annotations

from typing import NamedTuple

Number = int | float
Value = int | float | str


class Source(NamedTuple):
    id: str
    title: str
    publisher: str = ""
    byline: str = ""
    date: str = ""
    as_of: str = ""
    url: str = ""
    language: str = ""
    note: str = ""
    file: str = ""


class Conversion(NamedTuple):
    """The same figure in a second currency, exactly as the source converts it."""

    unit: str
    value: Number | None = None
    low: Number | None = None
    high: Number | None = None


class Fact(NamedTuple):
    attribute: str
    status: str
    sources: tuple[str, ...]
    text: str
    value: Value | None = None
    low: Number | None = None
    high: Number | None = None
    unit: str = ""
    qualifier: str = ""
    date: str = ""
    date_kind: str = "as_of"
    date_text: str = ""
    date_inferred: bool = False
    converted: Conversion | None = None
    section: str = ""


class Relation(NamedTuple):
    subject: str
    relation: str
    object: str
    sources: tuple[str, ...]
    text: str = ""


class Entity(NamedTuple):
    id: str
    kind: str
    name: str
    summary: str
    name_zh: str = ""
    pinyin: str = ""
    aliases: tuple[str, ...] = ()
    located_in: str = ""
    sources: tuple[str, ...] = ()
    facts: tuple[Fact, ...] = ()
    relations: tuple[Relation, ...] = ()
    path: str = ""

    @property
    def slug(self) -> str:
        return self.id.split("/", 1)[1]

    def names(self) -> list[str]:
        """Every name a user might type for this entity, the primary name first."""
        out = [self.name, self.name_zh, self.pinyin, *self.aliases, self.slug]
        return [n for n in dict.fromkeys(out) if n]
