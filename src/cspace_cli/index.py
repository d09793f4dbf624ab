"""The in-memory index: name keys for matching, entities by id, and relations both ways.

Reverse relations are derived here, never stored in fact files. The index only needs the
light parts (names, kinds, links) up front; full entity records may come from a loader on
demand, which is how the on-disk cache keeps large fact bases fast.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from .loader import FactBase
from .model import Entity, Relation, Source
from .normalize import spaced


@dataclass(frozen=True)
class Link:
    """One edge seen from one end: ``direction`` is "out" for the subject, "in" for the object."""

    relation: str
    direction: str
    other: str
    sources: tuple[str, ...] = ()
    text: str = ""


@dataclass(frozen=True)
class Summary:
    """The light part of an entity that lists and related-views need."""

    id: str
    kind: str
    name: str
    name_zh: str


class Index:
    def __init__(self, summaries: dict[str, Summary], keys: list[tuple[str, str, str, str]],
                 links: dict[str, list[Link]], sources: dict[str, Source],
                 fetch: Callable[[str], Entity], search_text: Callable[[], Iterable[
                     tuple[str, str]]]) -> None:
        self.summaries = summaries
        self.keys = keys
        self.links = links
        self.sources = sources
        self._fetch = fetch
        self._search_text = search_text

    @classmethod
    def build(cls, base: FactBase) -> Index:
        entities = base.entities
        summaries = {e.id: Summary(e.id, e.kind, e.name, e.name_zh) for e in entities.values()}
        keys = [key for e in entities.values() for key in name_keys(e)]
        links = derive_links(e for e in entities.values())
        return cls(summaries, keys, links, base.sources, entities.__getitem__,
                   lambda: ((e.id, search_blob(e)) for e in entities.values()))

    def get(self, entity_id: str) -> Entity:
        return self._fetch(entity_id)

    def __contains__(self, entity_id: object) -> bool:
        return entity_id in self.summaries

    def __len__(self) -> int:
        return len(self.summaries)

    def of_kind(self, kind: str | None = None) -> Iterator[Summary]:
        return (s for s in self.summaries.values() if kind is None or s.kind == kind)

    def texts(self) -> Iterable[tuple[str, str]]:
        """(id, searchable text) for every entity, for full-text search."""
        return self._search_text()


def name_keys(entity: Entity) -> list[tuple[str, str, str, str]]:
    """(compact key, spaced key, name as written, entity id) for each name of an entity."""
    out = []
    for name in entity.names():
        key = spaced(name)
        if key:
            out.append((key.replace(" ", ""), key, name, entity.id))
    return out


def search_blob(entity: Entity) -> str:
    parts = [entity.summary]
    for f in entity.facts:
        parts += [f.attribute, f.text, f.value if isinstance(f.value, str) else ""]
    parts += [r.text for r in entity.relations]
    return "\n".join(p for p in parts if p)


def derive_links(entities: Iterable[Entity]) -> dict[str, list[Link]]:
    links: dict[str, list[Link]] = {}
    for e in entities:
        rels = list(e.relations)
        if e.located_in:
            rels.insert(0, Relation(e.id, "located_in", e.located_in, e.sources))
        for r in rels:
            links.setdefault(r.subject, []).append(
                Link(r.relation, "out", r.object, r.sources, r.text))
            links.setdefault(r.object, []).append(
                Link(r.relation, "in", r.subject, r.sources, r.text))
    return links

