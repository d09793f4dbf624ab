"""The records a fact base is made of: sources, entities, facts and relations.

They are plain frozen dataclasses so the index, the cache and the views can share them
without copying, and ``asdict`` gives the JSON shape directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field

Number = int | float
Value = int | float | str


@dataclass(frozen=True)
class Source:
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


@dataclass(frozen=True)
class Conversion:
    """The same figure in a second currency, exactly as the source converts it."""

    unit: str
    value: Number | None = None
    low: Number | None = None
    high: Number | None = None


@dataclass(frozen=True)
class Fact:
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


@dataclass(frozen=True)
class Relation:
    subject: str
    relation: str
    object: str
    sources: tuple[str, ...]
    text: str = ""


@dataclass(frozen=True)
class Entity:
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
    relations: tuple[Relation, ...] = field(default=())
    path: str = ""

    @property
    def slug(self) -> str:
        return self.id.split("/", 1)[1]

    def names(self) -> list[str]:
        """Every name a user might type for this entity, the primary name first."""
        out = [self.name, self.name_zh, self.pinyin, *self.aliases, self.slug]
        return [n for n in dict.fromkeys(out) if n]
