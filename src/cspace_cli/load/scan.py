"""Fact folders -> validated records.

A fact folder holds ``sources.toml`` and one ``<kind>/<slug>.toml`` per entity. Every
problem in every file is collected (with the line where we can find it) so one run of
``cspace validate`` reports them all. Later folders override earlier ones by id.
"""

from __future__ import annotations

import os
import re
import stat
import sys
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
LONG_NUMBER = re.compile(r"[0-9_]{1000,}")
# Brackets that nest, and what can hold a bracket that does not: strings and comments.
BRACKETS = re.compile(
    r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:\\.|[^"\\\n])*"|\'[^\'\n]*\'|#[^\n]*|[\[\]{}]'
)


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
    except RecursionError:
        message = "arrays or inline tables are nested too deeply (a few levels are plenty)"
        return None, text, [Problem(label, f"invalid TOML: {message}", deepest_line(text))]
    except ValueError:  # Python refuses to convert an integer of thousands of digits
        long = LONG_NUMBER.search(text)
        at = text.count("\n", 0, long.start()) + 1 if long else None
        return None, text, [Problem(label, "invalid TOML: a number has too many digits", at)]


def deepest_line(text: str) -> int:
    """The line where arrays and inline tables nest deepest, to point at a file that nests
    too deeply for the parser."""
    depth = deepest = where = 0
    for m in BRACKETS.finditer(text):
        if m[0] in ("[", "{"):
            depth += 1
            if depth > deepest:
                deepest, where = depth, m.start()
        elif m[0] in ("]", "}"):
            depth -= 1
    return text.count("\n", 0, where) + 1


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
    pattern = re.compile(rf"^\s*{re.escape(leaf)}\s*[=.]")  # a key, or a dotted key under it
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
            name=records.name(raw, "name", "", required=True),
            summary=records.text(raw, "summary", "", required=True),
            name_zh=records.name(raw, "name_zh", ""),
            pinyin=records.name(raw, "pinyin", ""),
            aliases=records.name_list(raw, "aliases", ""),
            located_in=records.entity_id(raw, "located_in", ""),
            sources=records.text_list(raw, "sources", ""),
            facts=tuple(records.fact(f, f"facts[{i}].") for i, f in enumerate(facts_raw)),
            relations=tuple(
                records.relation(r, eid, f"relations[{i}].") for i, r in enumerate(rels_raw)
            ),
            path=label,
        )
        if entity.located_in == eid:
            raise FieldError("located_in", f"'{eid}' is this entity itself, not a place holding it")
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

    pool = ProcessPoolExecutor(max_workers=workers, initializer=_worker_setup)
    try:
        yield from pool.map(work, jobs, chunksize=CHUNK)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def _worker_setup() -> None:
    """Make a worker die with the process that started it, and leave signals to it.

    A parent killed by SIGTERM, SIGHUP or SIGKILL runs no clean-up, and its workers lived
    on for minutes, holding its stdout open (``cspace list | wc -l`` hung). On Linux the
    kernel sends the worker SIGKILL when its parent dies (``PR_SET_PDEATHSIG``); elsewhere
    a thread checks once a second that the parent is still there. The worker's stdout
    goes to /dev/null, as it never writes there. Ctrl-C is ignored (only the parent
    answers it, once) and SIGTERM and SIGHUP kill at once: the parent's handlers that
    turn them into a clean exit are not the worker's.
    """
    import signal

    parent = os.getppid()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_DFL)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.close(devnull)
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None).prctl(pr_set_pdeathsig, signal.SIGKILL)
    else:
        import threading

        threading.Thread(target=_exit_when_orphaned, args=(parent,), daemon=True).start()
    if os.getppid() != parent:  # the parent died while the worker was being set up
        os._exit(1)


def _exit_when_orphaned(parent: int) -> None:
    import time

    while os.getppid() == parent:
        time.sleep(1)
    os._exit(1)


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
    ups: dict[str, list[tuple[str, str]]] = {}
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
            ups[entity.id] = placed_in(entity)
            sink(entity, replaces, prepared)
    for eid, refs in targets.items():
        problems += dangling(paths[eid], refs, paths.__contains__)
    for cycle in loops(paths, lambda eid: [t for _, t in ups.get(eid, ())]):
        problems.append(loop_problem(cycle, paths[cycle[0]], ups[cycle[0]]))
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


def placed_in(entity: Entity) -> list[tuple[str, str]]:
    """(key, place) for every place an entity says it is in, itself left out (that is
    reported where it is read)."""
    edges = [("located_in", entity.located_in)] if entity.located_in else []
    edges += [
        (f"relations[{i}].object", r.object)
        for i, r in enumerate(entity.relations)
        if r.relation == "located_in"
    ]
    return [(key, place) for key, place in edges if place != entity.id]


def loops(starts: Iterable[str], up: Callable[[str], list[str]]) -> list[list[str]]:
    """Each loop of places inside places reachable from ``starts``, once, as its ids from
    the smallest: a walk up that never ends would make every view of them contradict
    itself. Depth-first without recursion, as a chain can be as long as the base."""
    state: dict[str, bool] = {}  # True: on the current path; False: done
    found: dict[tuple[str, ...], None] = {}
    for start in starts:
        if start in state:
            continue
        path, todo = [start], [iter(up(start))]
        state[start] = True
        while todo:
            place = next(todo[-1], None)
            if place is None:
                state[path.pop()] = False
                todo.pop()
            elif state.get(place):
                cycle = path[path.index(place) :]
                first = cycle.index(min(cycle))
                found.setdefault((*cycle[first:], *cycle[:first]), None)
            elif place not in state:
                state[place] = True
                path.append(place)
                todo.append(iter(up(place)))
    return [list(cycle) for cycle in found]


def loop_problem(cycle: list[str], path: str, edges: list[tuple[str, str]]) -> Problem:
    """The loop, reported at the key of its first entity that leads into it."""
    key = next(k for k, place in edges if place == cycle[1 % len(cycle)])
    try:
        line = find_line(Path(path).read_text(encoding="utf-8"), key)
    except (OSError, ValueError):
        line = None
    chain = " → ".join([*cycle, cycle[0]])
    return Problem(path, f"{key}: places are inside each other in a loop: {chain}", line)


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
