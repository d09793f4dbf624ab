"""The index a command works on: name keys, entities by id, relations both ways.

It reads the SQLite index that :mod:`build` writes (from the cache, or in memory), fetching
only the rows a command needs: a lookup in a hundred thousand entities touches a few
indexed rows and decodes one record. Reverse relations are derived at build time,
never stored in fact files.

Every read names its order in full (ties broken by id and then by the order of an
entity's own rows), so an index updated in place answers byte for byte as a new one.
A cached index can be damaged in ways its freshness check cannot see (a record that no
longer decodes, a table emptied or malformed): a read that fails so rebuilds the index
once, through the ``rebuild`` its opener gave, and is tried again on the new one.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import json
import sqlite3
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import cached_property
from typing import Any, Concatenate, NamedTuple, ParamSpec, Protocol, TypeVar

from cspace_cli.index.codec import (
    UNDATED,
    Stats,
    decode_entity,
    decode_source,
)
from cspace_cli.model import Entity, Source

PREFIX_LIMIT = 200
# What reading a damaged index raises: SQLite's own errors, and a stored value that no
# longer decodes (zlib, JSON, a missing or mistyped field).
DAMAGE = (sqlite3.DatabaseError, zlib.error, ValueError, KeyError, TypeError)


class Store:
    """The connection an index reads, and how to replace it, once, when it is damaged."""

    def __init__(
        self, conn: sqlite3.Connection, rebuild: Callable[[], sqlite3.Connection] | None
    ) -> None:
        self.conn = conn
        self.rebuild = rebuild

    def recover(self, exc: BaseException) -> None:
        """Swap in a rebuilt index, or re-raise ``exc`` when there is none to build."""
        if self.rebuild is None:
            raise exc
        rebuild, self.rebuild = self.rebuild, None
        damaged, self.conn = self.conn, rebuild()
        with contextlib.suppress(sqlite3.Error):
            damaged.close()


class Reads(Protocol):
    store: Store


P = ParamSpec("P")
R = TypeVar("R")
S = TypeVar("S", bound=Reads)


def recovering(read: Callable[Concatenate[S, P], R]) -> Callable[Concatenate[S, P], R]:
    """Run ``read``; if the index turns out damaged, rebuild it once and run it again."""

    def wrapper(self: S, /, *args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return read(self, *args, **kwargs)
        except DAMAGE as exc:
            self.store.recover(exc)
            return read(self, *args, **kwargs)

    functools.update_wrapper(wrapper, read)
    return wrapper


class Link(NamedTuple):
    """One edge seen from one end: ``direction`` is "out" for the subject, "in" for the object."""

    relation: str
    direction: str
    other: str
    sources: tuple[str, ...] = ()
    text: str = ""


class Summary(NamedTuple):
    """The light part of an entity that lists and related-views need."""

    id: str
    kind: str
    name: str
    name_zh: str


class KeyRow(NamedTuple):
    """A name key that matched: the name as written, its entity, and the key's length."""

    name: str
    id: str
    kind: str
    keylen: int


class FactRow(NamedTuple):
    """One fact with the entity it belongs to; ``claim`` is "series", "disputed" or "".
    ``json`` is the row of ``cspace facts --json`` (the fact with ``disputed``, ``series``
    and ``entity``); ``record`` the same, decoded."""

    owner: Summary
    pos: int
    claim: str
    json: str

    @property
    def record(self) -> dict[str, Any]:
        return dict(json.loads(self.json))


class FactFilter(NamedTuple):
    """Which facts to read, every condition combined. Periods overlap the bounds: a fact
    dated 2025-H1 is in a filter from 2025-03 to 2025-12; an undated fact is in none."""

    owners: Sequence[str] | None = None  # None: every entity
    statuses: Sequence[str] = ()
    first_day: str = ""  # the fact's period ends on or after this day (YYYY-MM-DD)
    last_day: str = ""  # and starts on or before this one
    dated: bool | None = None  # True: only dated facts, False: only undated ones
    kinds: Sequence[str] = ()
    words: Sequence[str] = ()  # each starts a word of the attribute (spaced keys)
    source: str = ""
    disputed: bool = False
    numeric: bool = False
    figures: bool = False  # a number, or a target or projection
    sort: str = "entity"  # entity, date or value


FACT_BATCH = 500
FACT_ORDER = {
    "entity": "f.name COLLATE NOCASE, f.owner, f.rank",
    "date": "f.first_day, f.last_day DESC, f.name COLLATE NOCASE, f.owner, f.rank",
    "value": "f.number IS NULL, f.number DESC, f.name COLLATE NOCASE, f.owner, f.rank",
}


def fact_conditions(flt: FactFilter) -> tuple[str, list[Any]]:
    """The WHERE clause of a filter, and its arguments."""
    where: list[str] = []
    args: list[Any] = []
    if flt.owners is not None:
        where.append("f.owner IN (SELECT value FROM json_each(?))")
        args.append(json.dumps(list(flt.owners)))
    if flt.statuses:
        where.append(f"f.status IN ({', '.join('?' * len(flt.statuses))})")
        args += flt.statuses
    if flt.first_day:
        where.append(f"f.last_day >= ? AND f.first_day != '{UNDATED}'")
        args.append(flt.first_day)
    if flt.last_day:
        where.append("f.first_day <= ?")  # UNDATED sorts after every date
        args.append(flt.last_day)
    if flt.dated is not None:
        where.append(f"f.first_day {'!=' if flt.dated else '='} '{UNDATED}'")
    if flt.kinds:
        where.append(f"f.kind IN ({', '.join('?' * len(flt.kinds))})")
        args += flt.kinds
    for word in flt.words:
        where.append("instr(f.words, ?) > 0")
        args.append(f" {word}")
    if flt.source:
        where.append(
            "EXISTS (SELECT 1 FROM cites c WHERE c.source = ? AND c.owner = f.owner "
            "AND c.pos = f.pos)"
        )
        args.append(flt.source)
    if flt.disputed:
        where.append("f.claim = 'disputed'")
    if flt.numeric:
        where.append("f.number IS NOT NULL")
    if flt.figures:
        where.append("(f.number IS NOT NULL OR f.status IN ('target', 'projection'))")
    return (" WHERE " + " AND ".join(where) if where else ""), args


class Summaries(Mapping[str, Summary]):
    def __init__(self, store: Store) -> None:
        self.store = store

    def __getitem__(self, eid: str) -> Summary:
        row = self._row(eid)
        if row is None:
            raise KeyError(eid)
        return Summary(*row)

    @recovering
    def _row(self, eid: str) -> Any:
        return self.store.conn.execute(
            "SELECT id, kind, name, name_zh FROM entities WHERE id = ?", (eid,)
        ).fetchone()

    def __contains__(self, eid: object) -> bool:
        return isinstance(eid, str) and self._row(eid) is not None

    @recovering
    def __iter__(self) -> Iterator[str]:
        sql = "SELECT id FROM entities ORDER BY kind, name, id"
        return iter([r[0] for r in self.store.conn.execute(sql)])

    @recovering
    def __len__(self) -> int:
        return int(self.store.conn.execute("SELECT count(*) FROM entities").fetchone()[0])


class Links(Mapping[str, list[Link]]):
    """The links of a node, ordered by the entity whose file states them (then as that
    file lists them): the same order however the index was built or updated."""

    def __init__(self, store: Store) -> None:
        self.store = store

    @recovering
    def __getitem__(self, node: str) -> list[Link]:
        rows = self.store.conn.execute(
            "SELECT relation, direction, other, sources, text FROM links "
            "WHERE node = ? ORDER BY owner, ord",
            (node,),
        ).fetchall()
        return [Link(r[0], r[1], r[2], tuple(json.loads(r[3])), r[4]) for r in rows]

    @recovering
    def __iter__(self) -> Iterator[str]:
        sql = "SELECT DISTINCT node FROM links ORDER BY node"
        return iter([r[0] for r in self.store.conn.execute(sql)])

    @recovering
    def __len__(self) -> int:
        sql = "SELECT count(DISTINCT node) FROM links"
        return int(self.store.conn.execute(sql).fetchone()[0])


class Index:
    """Reads the index. ``summaries`` and ``links`` default to views that query it per
    key; :meth:`in_memory` passes dicts read in one pass instead. ``rebuild`` makes a
    new index when this one turns out damaged (see the module's docstring)."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        summaries: Mapping[str, Summary] | None = None,
        links: Mapping[str, list[Link]] | None = None,
        rebuild: Callable[[], sqlite3.Connection] | None = None,
    ) -> None:
        self.store = Store(conn, rebuild)
        self.summaries: Mapping[str, Summary] = summaries or Summaries(self.store)
        self.links: Mapping[str, list[Link]] = links or Links(self.store)
        self._fuzzy: dict[str | None, list[str]] = {}

    @property
    def conn(self) -> sqlite3.Connection:
        return self.store.conn

    @cached_property
    @recovering
    def sources(self) -> dict[str, Source]:
        rows = self.conn.execute("SELECT record FROM sources ORDER BY rowid").fetchall()
        return {s.id: s for s in (decode_source(r[0]) for r in rows)}

    @cached_property
    @recovering
    def stats(self) -> Stats:
        row = self.conn.execute("SELECT value FROM meta WHERE key = 'stats'").fetchone()
        return Stats.decode(row[0])

    def get(self, entity_id: str) -> Entity:
        entity = self._entity(entity_id)
        if entity is None:
            raise KeyError(entity_id)
        return entity

    @recovering
    def _entity(self, entity_id: str) -> Entity | None:
        row = self.conn.execute("SELECT record FROM entities WHERE id = ?", (entity_id,)).fetchone()
        return None if row is None else decode_entity(row[0])

    def entities(self) -> Iterator[Entity]:
        """Every entity in id order, decoded one at a time: a pass over the whole base.
        One query, in the order ``sorted`` gives the ids (SQLite compares UTF-8 bytes,
        which sort as the code points do); after a rebuild it goes on past the last id."""
        last = ""
        while True:
            try:
                rows = self.conn.execute(
                    "SELECT id, record FROM entities WHERE id > ? ORDER BY id", (last,)
                )
                for eid, record in rows:
                    entity = decode_entity(record)
                    last = eid
                    yield entity
                return
            except DAMAGE as exc:
                self.store.recover(exc)

    @recovering
    def in_memory(self) -> Index:
        """This index with every summary, link and source read into memory: for a pass over
        every entity (export), where a query per lookup would cost more than the memory.
        Each distinct string is kept once (ids recur in every link to them)."""
        same: dict[str, str] = {}
        one = same.setdefault
        summaries = {one(s.id, s.id): s for s in self.of_kind()}
        links: dict[str, list[Link]] = {}
        cited: dict[str, tuple[str, ...]] = {}
        rows = self.conn.execute(
            "SELECT node, relation, direction, other, sources, text FROM links ORDER BY owner, ord"
        )
        for node, relation, direction, other, sources, text in rows:
            if sources not in cited:
                cited[sources] = tuple(json.loads(sources))
            link = Link(
                one(relation, relation),
                one(direction, direction),
                one(other, other),
                cited[sources],
                one(text, text),
            )
            links.setdefault(one(node, node), []).append(link)
        whole = copy.copy(self)
        whole.summaries, whole.links = summaries, links
        return whole

    def __contains__(self, entity_id: object) -> bool:
        return entity_id in self.summaries

    def __len__(self) -> int:
        return len(self.summaries)

    @recovering
    def of_kind(self, kind: str | None = None) -> Iterator[Summary]:
        sql = "SELECT id, kind, name, name_zh FROM entities"
        rows = (
            self.conn.execute(sql + " WHERE kind = ? ORDER BY name, id", (kind,))
            if kind
            else self.conn.execute(sql + " ORDER BY kind, name, id")
        )
        return iter([Summary(*r) for r in rows])

    @recovering
    def listing(self, kind: str | None = None) -> Iterator[tuple[Summary, str]]:
        """Every entity (of one kind) with its summary, in id order, for lists: no record
        decoded."""
        sql = "SELECT id, kind, name, name_zh, summary FROM entities"
        rows = (
            self.conn.execute(sql + " WHERE kind = ? ORDER BY id", (kind,))
            if kind
            else self.conn.execute(sql + " ORDER BY id")
        )
        return iter([(Summary(*r[:4]), r[4]) for r in rows])

    def inside(self, entity_id: str, depth: int | None = None) -> dict[str, str]:
        """What sits inside an entity (its cities, their sites …), nearest first, down to
        ``depth`` levels (None: every level); each with the entity it sits in directly."""
        parents: dict[str, str] = {}
        seen = {entity_id}
        frontier = [entity_id]
        level = 0
        while frontier and (depth is None or level < depth):
            level += 1
            below = []
            for node in frontier:
                for link in self.links.get(node, []):
                    if (
                        link.relation == "located_in"
                        and link.direction == "in"
                        and link.other not in seen
                    ):
                        seen.add(link.other)
                        parents[link.other] = node
                        below.append(link.other)
            frontier = below
        return parents

    def contained(self, entity_id: str, depth: int | None = None) -> list[str]:
        """The ids :meth:`inside` finds, nearest first."""
        return list(self.inside(entity_id, depth))

    def facts(self, flt: FactFilter) -> Iterator[FactRow]:
        """The facts a filter selects, in its order, one at a time."""
        owners: dict[str, Summary] = {}
        columns = "f.owner, f.kind, f.name, f.name_zh, f.pos, f.claim, f.record"
        for owner, kind, name, name_zh, pos, claim, record in self._fact_rows(flt, columns):
            summary = owners.get(owner)
            if summary is None:
                summary = owners[owner] = Summary(owner, kind, name, name_zh)
            yield FactRow(summary, pos, claim, record)

    def fact_json(self, flt: FactFilter) -> Iterator[str]:
        """The same facts as their ``cspace facts --json`` rows, read as stored."""
        return (r[0] for r in self._fact_rows(flt, "f.record"))

    @recovering
    def has_facts(self, flt: FactFilter) -> bool:
        where, args = fact_conditions(flt)
        sql = f"SELECT 1 FROM facts f{where} LIMIT 1"
        return self.conn.execute(sql, args).fetchone() is not None

    def _fact_rows(self, flt: FactFilter, columns: str) -> Iterator[tuple[Any, ...]]:
        """``columns`` of the selected facts, in order.

        Where an index gives the order (a status in entity order, any filter in date
        order), the rows are read in one query. Where SQLite would sort, it would copy
        every stored record into the sort; the rowids are sorted alone instead and the
        rows read in batches (10,000 rows of 50,000: one query 35 ms where an index
        serves, 70-110 ms with a sort; batches 55 ms either way).
        """
        where, args = fact_conditions(flt)
        order = FACT_ORDER[flt.sort]
        sql = f"SELECT {columns} FROM facts f{where} ORDER BY {order}"
        plan = self.conn.execute(f"EXPLAIN QUERY PLAN {sql}", args).fetchall()
        if not any("TEMP B-TREE" in str(step[-1]) for step in plan):
            yield from self.conn.execute(sql, args)
            return
        sorted_ids = f"SELECT f.rowid FROM facts f{where} ORDER BY {order}"
        rowids = [r[0] for r in self.conn.execute(sorted_ids, args)]
        for start in range(0, len(rowids), FACT_BATCH):
            batch = rowids[start : start + FACT_BATCH]
            found = {
                r[0]: r[1:]
                for r in self.conn.execute(
                    f"SELECT f.rowid, {columns} FROM facts f "
                    f"WHERE f.rowid IN ({', '.join('?' * len(batch))})",
                    batch,
                )
            }
            yield from (found[rowid] for rowid in batch)

    @recovering
    def count_facts(self, flt: FactFilter) -> int:
        where, args = fact_conditions(flt)
        return int(self.conn.execute(f"SELECT count(*) FROM facts f{where}", args).fetchone()[0])

    @recovering
    def citing(self, source_id: str) -> list[str]:
        """The entities that cite a source, in a fact, a relation or for themselves."""
        rows = self.conn.execute(
            "SELECT DISTINCT c.owner FROM cites c JOIN entities e ON e.id = c.owner "
            "WHERE c.source = ? ORDER BY e.kind, e.name COLLATE NOCASE, c.owner",
            (source_id,),
        )
        return [r[0] for r in rows]

    @recovering
    def kind_counts(self) -> dict[str, int]:
        return dict(self.conn.execute("SELECT kind, count(*) FROM entities GROUP BY kind"))

    def exact(self, ckey: str, kind: str | None) -> list[KeyRow]:
        return self._keys(
            "SELECT name, id, kind, length(ckey) FROM keys WHERE ckey = ?",
            (ckey,),
            kind,
            " ORDER BY id, rowid",
        )

    def prefixed(self, ckey: str, kind: str | None) -> list[KeyRow]:
        """Keys that start with ``ckey``, or have a word that does; shortest first."""
        return self._keys(
            "SELECT name, id, kind, keylen FROM words WHERE wkey >= ? AND wkey < ?",
            (ckey, ckey + "\U0010ffff"),
            kind,
            " ORDER BY keylen, id, rowid LIMIT ?",
            (PREFIX_LIMIT,),
        )

    def containing(self, ckey: str, kind: str | None) -> list[KeyRow]:
        return self._keys(
            "SELECT name, id, kind, length(ckey) FROM keys WHERE instr(ckey, ?) > 0",
            (ckey,),
            kind,
            " ORDER BY length(ckey), id, rowid LIMIT ?",
            (PREFIX_LIMIT,),
        )

    @recovering
    def fuzzy_keys(self, kind: str | None) -> list[str]:
        """Every distinct spaced name key of a kind (of all kinds: a key two kinds share
        comes twice), for fuzzy matching; read once per process."""
        if kind not in self._fuzzy:
            sql = "SELECT skeys FROM fuzzy"
            rows = (
                self.conn.execute(sql + " WHERE kind = ?", (kind,))
                if kind
                else self.conn.execute(sql + " ORDER BY kind")
            )
            joined = "\n".join(blob for (blob,) in rows)
            self._fuzzy[kind] = joined.split("\n") if joined else []
        return self._fuzzy[kind]

    def named(self, skey: str, kind: str | None) -> list[KeyRow]:
        """The names whose spaced key is ``skey``."""
        return self._keys(
            "SELECT name, id, kind, length(ckey) FROM keys WHERE ckey = ? AND skey = ?",
            (skey.replace(" ", ""), skey),
            kind,
            " ORDER BY id, rowid",
        )

    @recovering
    def text_hits(
        self, phrase: str, words: list[str], kind: str | None, limit: int | None
    ) -> list[tuple[str, int]]:
        """(id, rank) of entities whose text holds every word, best first. Rank 3: the
        summary holds the phrase; 2: the rest does; 1: the summary holds every word; 0."""
        every = " AND ".join("(instr(head, ?) > 0 OR instr(body, ?) > 0)" for _ in words)
        in_head = " AND ".join("instr(head, ?) > 0" for _ in words)
        sql = (
            f"SELECT id, CASE WHEN instr(head, ?) > 0 THEN 3 WHEN instr(body, ?) > 0 THEN 2 "
            f"WHEN {in_head} THEN 1 ELSE 0 END AS rank FROM texts WHERE {every}"
        )
        args: list[Any] = [phrase, phrase, *words, *(w for w in words for _ in (0, 1))]
        if kind:
            sql += " AND kind = ?"
            args.append(kind)
        args.append(-1 if limit is None else limit)
        return [
            (r[0], r[1]) for r in self.conn.execute(sql + " ORDER BY rank DESC, id LIMIT ?", args)
        ]

    @recovering
    def _keys(
        self,
        sql: str,
        args: tuple[Any, ...],
        kind: str | None,
        tail: str = "",
        tail_args: tuple[Any, ...] = (),
    ) -> list[KeyRow]:
        if kind:
            sql += " AND kind = ?"
            args += (kind,)
        return [KeyRow(*r) for r in self.conn.execute(sql + tail, args + tail_args)]
