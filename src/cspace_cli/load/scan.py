"""Fact folders -> validated records.

A fact folder holds ``sources.toml`` and one ``<kind>/<slug>.toml`` per entity. Every
problem in every file is collected (with the line where we can find it) so one run of
``cspace validate`` reports them all. Later folders override earlier ones by id.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import tomli

from cspace_cli.errors import Problem
from cspace_cli.load import records
from cspace_cli.load.records import FieldError
from cspace_cli.load.walk import Listing, walk
from cspace_cli.model import Entity, Source

MAX_FILE_BYTES = 1024 * 1024
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")


@dataclass
class FactBase:
    """Everything loaded from the fact folders, ready to index."""

    sources: dict[str, Source] = field(default_factory=dict)
    entities: dict[str, Entity] = field(default_factory=dict)
    notices: list[Problem] = field(default_factory=list)


def read_toml(path: Path, label: str) -> tuple[dict[str, Any] | None, str, list[Problem]]:
    """Parse one file, turning every way it can fail into a located problem."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            return (
                None,
                "",
                [
                    Problem(
                        label,
                        "not a regular file (a pipe or device would never "
                        "end); fact files must be plain files",
                    )
                ],
            )
        size = info.st_size
        if size > MAX_FILE_BYTES:
            return (
                None,
                "",
                [
                    Problem(
                        label,
                        f"file is {size / 1048576:.1f} MiB; fact files "
                        f"are limited to {MAX_FILE_BYTES // 1048576} MiB",
                    )
                ],
            )
        data = path.read_bytes()
    except OSError as exc:
        return None, "", [Problem(label, f"cannot read file: {exc.strerror or exc}")]
    if data.startswith(b"\xef\xbb\xbf"):
        return (
            None,
            "",
            [
                Problem(
                    label,
                    "file starts with a byte order mark (BOM); save it as UTF-8 without BOM",
                    1,
                )
            ],
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return (
            None,
            "",
            [
                Problem(
                    label,
                    f"not UTF-8 text (byte 0x{data[exc.start]:02x} at "
                    f"offset {exc.start}); save the file as UTF-8",
                    line,
                )
            ],
        )
    try:
        return tomli.loads(text), text, []
    except tomli.TOMLDecodeError as exc:
        msg = getattr(exc, "msg", str(exc))
        return None, text, [Problem(label, f"invalid TOML: {msg}", getattr(exc, "lineno", None))]


def find_line(text: str, key: str) -> int | None:
    """Best-effort line of a dotted key such as ``facts[2].value`` in a TOML text."""
    m = re.match(r"^(facts|relations|sources)\[(\d+)\](?:\.(\w+))?", key)
    lines = text.splitlines()
    start, stop = 0, len(lines)
    if m:
        headers = [i for i, ln in enumerate(lines) if ln.strip() == f"[[{m[1]}]]"]
        n = int(m[2])
        if n >= len(headers):
            return None
        start = headers[n]
        stop = next(
            (i for i in range(start + 1, len(lines)) if lines[i].lstrip().startswith("[")),
            len(lines),
        )
        leaf = m[3]
        if not leaf:
            return start + 1
    else:
        leaf = key.split(".")[0].split("[")[0]
        stop = next((i for i, ln in enumerate(lines) if ln.lstrip().startswith("[")), len(lines))
    pattern = re.compile(rf"^\s*{re.escape(leaf)}\s*=")
    for i in range(start, stop):
        if pattern.match(lines[i]):
            return i + 1
    return start + 1 if m else None


def read_entity(path: Path, kind: str, label: str) -> tuple[Entity | None, list[Problem]]:
    """One entity file -> an Entity, or the problems that stop it being one."""
    slug = path.name[: -len(".toml")]
    if not SLUG.match(slug):
        return None, [
            Problem(
                label,
                f"file name '{path.name}' is not a valid id: use lowercase "
                "letters, digits and '-' (e.g. space-pioneer.toml)",
            )
        ]
    raw, text, problems = read_toml(path, label)
    if raw is None:
        return None, problems
    eid = f"{kind}/{slug}"
    try:
        records.check_keys(raw, records.ENTITY_KEYS, "")
        facts_raw = raw.get("facts", [])
        rels_raw = raw.get("relations", [])
        for key, value in (("facts", facts_raw), ("relations", rels_raw)):
            if not isinstance(value, list):
                raise FieldError(
                    key, f"expected an array of tables ([[{key}]]), got {records.type_name(value)}"
                )
        entity = Entity(
            id=eid,
            kind=kind,
            name=records.text(raw, "name", "", required=True),
            summary=records.text(raw, "summary", "", required=True),
            name_zh=records.text(raw, "name_zh", ""),
            pinyin=records.text(raw, "pinyin", ""),
            aliases=records.text_list(raw, "aliases", ""),
            located_in=records.entity_id(raw, "located_in", ""),
            sources=records.text_list(raw, "sources", ""),
            facts=tuple(records.fact(f, f"facts[{i}].") for i, f in enumerate(facts_raw)),
            relations=tuple(
                records.relation(r, eid, f"relations[{i}].") for i, r in enumerate(rels_raw)
            ),
            path=label,
        )
    except FieldError as exc:
        return None, [Problem(label, str(exc), find_line(text, exc.key))]
    return entity, []


def read_sources(path: Path, label: str) -> tuple[list[Source], list[Problem]]:
    raw, text, problems = read_toml(path, label)
    if raw is None:
        return [], problems
    out: list[Source] = []
    try:
        records.check_keys(raw, {"sources"}, "")
        items = raw.get("sources", [])
        if not isinstance(items, list):
            raise FieldError("sources", "expected an array of tables ([[sources]])")
    except FieldError as exc:
        return [], [Problem(label, str(exc), find_line(text, exc.key))]
    for i, item in enumerate(items):
        where = f"sources[{i}]."
        try:
            if not isinstance(item, dict):
                raise FieldError(where.rstrip("."), "expected a table")
            records.check_keys(item, records.SOURCE_KEYS, where)
            sid = records.text(item, "id", where, required=True)
            if not SLUG.match(sid):
                raise FieldError(
                    where + "id",
                    f"'{sid}' is not a valid id: use lowercase letters, digits and '-'",
                )
            if not item.get("file") and not item.get("url"):
                raise FieldError(
                    where + "url", "a web source needs a url (a local document names its file)"
                )
            out.append(
                Source(
                    id=sid,
                    title=records.text(item, "title", where, required=True),
                    publisher=records.text(item, "publisher", where),
                    byline=records.text(item, "byline", where),
                    date=records.partial_date(item, "date", where),
                    as_of=records.partial_date(item, "as_of", where),
                    url=records.text(item, "url", where),
                    language=records.text(item, "language", where),
                    note=records.text(item, "note", where),
                    file=records.text(item, "file", where),
                )
            )
        except FieldError as exc:
            problems.append(Problem(label, str(exc), find_line(text, exc.key)))
    return out, problems


EntitySink = Callable[[Entity, bool, Any], None]
Prepare = Callable[[Entity], Any]
Progress = Callable[[int, int], None]  # (done, of how many): long work reports here
PARALLEL_MIN = 2000
CHUNK = 256


def read_many(
    jobs: list[tuple[Path, str, str]],
    prepare: Prepare | None = None,
) -> Iterator[tuple[Entity | None, list[Problem], Any]]:
    """Parse entity files in order, on every core when there are many of them.

    ``prepare`` (a module-level function, so it can cross to a worker) runs on each
    entity where it was parsed: the index builder uses it to encode rows in parallel.
    """
    work = partial(_read_job, prepare=prepare)
    workers = os.cpu_count() or 1
    if len(jobs) < PARALLEL_MIN or workers < 2:
        yield from map(work, jobs)
        return
    from concurrent.futures import ProcessPoolExecutor

    pool = ProcessPoolExecutor(max_workers=workers, initializer=_leave_ctrl_c_to_parent)
    try:
        yield from pool.map(work, jobs, chunksize=CHUNK)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def _leave_ctrl_c_to_parent() -> None:
    """Workers ignore Ctrl-C so only the parent reacts: one clean exit 130, no tracebacks."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _read_job(
    job: tuple[Path, str, str],
    prepare: Prepare | None,
) -> tuple[Entity | None, list[Problem], Any]:
    entity, problems = read_entity(*job)
    return entity, problems, prepare(entity) if prepare and entity else None


def scan(
    listings: Sequence[Listing],
    sink: EntitySink,
    prepare: Prepare | None = None,
    progress: Progress | None = None,
) -> tuple[dict[str, Source], list[Problem], list[Problem]]:
    """Stream every accepted entity into ``sink(entity, replaces, prepared)``; check references.

    Returns (sources, problems, notices). Only ids and relation targets are kept in memory,
    so a large fact base can go straight into the on-disk index. ``progress`` hears of
    every file parsed.
    """
    problems: list[Problem] = []
    notices: list[Problem] = []
    sources: dict[str, Source] = {}
    origin: dict[str, str] = {}
    for listing in listings:
        problems += listing.problems
        if listing.sources is None:
            continue
        src_path = Path(listing.sources)
        found, found_problems = read_sources(src_path, str(src_path))
        problems += found_problems
        seen: set[str] = set()
        for s in found:
            if s.id in seen:
                problems.append(Problem(str(src_path), f"duplicate source id '{s.id}'"))
            elif s.id in sources:
                notices.append(
                    Problem(
                        str(src_path),
                        f"source '{s.id}' replaces the one in {origin[s.id]}",
                        severity="notice",
                    )
                )
            seen.add(s.id)
            sources[s.id] = s
            origin[s.id] = str(src_path)
    paths: dict[str, str] = {}
    targets: dict[str, list[tuple[str, str]]] = {}
    parsed, total = 0, sum(len(k.names) for listing in listings for k in listing.kinds)
    for listing in listings:
        jobs = [(Path(f.path), f.kind, f.path) for f in listing.files()]
        here: set[str] = set()
        for entity, found_problems, prepared in read_many(jobs, prepare):
            parsed += 1
            if progress:
                progress(parsed, total)
            problems += found_problems
            if entity is None:
                continue
            if entity.id in here:
                problems.append(
                    Problem(
                        entity.path,
                        f"duplicate id '{entity.id}': also defined in {paths[entity.id]}",
                    )
                )
                continue
            replaces = entity.id in paths
            if replaces:
                notices.append(
                    Problem(
                        entity.path,
                        f"'{entity.id}' replaces the one in {paths[entity.id]}",
                        severity="notice",
                    )
                )
            here.add(entity.id)
            paths[entity.id] = entity.path
            problems += check_sources(entity, sources)
            targets[entity.id] = entity_targets(entity)
            sink(entity, replaces, prepared)
    for eid, refs in targets.items():
        problems += dangling(paths[eid], refs, paths.__contains__)
    return sources, problems, notices


def check_sources(entity: Entity, sources: dict[str, Source]) -> list[Problem]:
    problems = []
    for i, f in enumerate(entity.facts):
        for sid in f.sources:
            if sid not in sources:
                problems.append(
                    Problem(
                        entity.path, f"facts[{i}] ('{f.attribute}') cites unknown source '{sid}'"
                    )
                )
    cited = [*entity.sources, *(sid for r in entity.relations for sid in r.sources)]
    for sid in dict.fromkeys(cited):
        if sid not in sources:
            problems.append(Problem(entity.path, f"cites unknown source '{sid}'"))
    for i, r in enumerate(entity.relations):
        if r.object == entity.id:
            problems.append(Problem(entity.path, f"relations[{i}] ({r.relation}) points to itself"))
    return problems


def entity_targets(entity: Entity) -> list[tuple[str, str]]:
    refs = [(f"relations[{i}] ({r.relation})", r.object) for i, r in enumerate(entity.relations)]
    if entity.located_in:
        refs.append(("located_in", entity.located_in))
    return refs


def dangling(
    path: str, refs: list[tuple[str, str]], exists: Callable[[str], bool]
) -> list[Problem]:
    """A problem for each reference to an entity that does not exist."""
    return [
        Problem(path, f"{what} points to unknown entity '{target}'")
        for what, target in refs
        if not exists(target)
    ]


def check_folders(folders: Iterable[Path]) -> tuple[FactBase, list[Problem]]:
    """Read every folder in order; return what loaded and every problem found."""
    base = FactBase()

    def keep(entity: Entity, replaces: bool, prepared: Any) -> None:
        base.entities[entity.id] = entity

    base.sources, problems, base.notices = scan([walk(f) for f in folders], keep)
    return base, problems
