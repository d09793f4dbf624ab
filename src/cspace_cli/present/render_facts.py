"""Terminal views of facts across entities: the fact table, the timeline, a comparison and
one source with what cites it. Built from :mod:`render`'s pieces (pages, tables, claims,
citations), so they wrap, number sources and stay inert the same way as the entity view.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from rich.text import Text

from cspace_cli.present.humanize import count, fact_value, period
from cspace_cli.present.render import (
    CITE,
    GLUE,
    STATUS_STYLE,
    Column,
    Page,
    Payload,
    cat,
    claim,
    heading,
    markers,
    safe,
    source_block,
    source_details,
    t,
    table,
)

BAR = 12  # cells of the longest bar in a comparison row
BLOCKS = " ▏▎▍▌▋▊▉█"


def numbered(facts: Iterable[Payload], numbers: dict[str, int]) -> Iterator[Payload]:
    """The rows as they come, numbering their sources in the order they are first cited
    (so a listing is read once, and never held whole)."""
    for f in facts:
        for sid in f["sources"]:
            numbers.setdefault(sid, len(numbers) + 1)
        yield f


def sources_below(numbers: dict[str, int], sources: dict[str, Payload], page: Page) -> None:
    if not numbers:
        return
    heading(page, "Sources")
    for sid, n in numbers.items():
        if sid in sources:
            source_block(n, sources[sid], page)


def status_cell(row: Payload) -> Text:
    return Text(row["status"], STATUS_STYLE.get(row["status"], ""))


def cited(numbers: dict[str, int]) -> Callable[[Payload], Text]:
    return lambda row: markers(row["sources"], numbers, " ")


def fact_columns(numbers: dict[str, int] | None) -> list[Column]:
    columns = [
        Column("entity", lambda r: t(r["entity"]["name"], "bold"), True),
        Column("attribute", lambda r: t(r["attribute"]), True),
        Column("value", lambda r: t(fact_value(r)), True),
        Column("status", status_cell),
        Column("date", lambda r: t(period(r), "dim"), True),
    ]
    if numbers is not None:
        columns.append(Column("src", cited(numbers)))
    return columns


def facts(payload: Payload, page: Page) -> None:
    """One row per fact, then the numbered sources."""
    numbers: dict[str, int] = {}
    table(numbered(payload["rows"], numbers), fact_columns(numbers), page)
    sources_below(numbers, payload["sources"], page)


def timeline(payload: Payload, page: Page) -> None:
    """Years as headings, each fact on a line that starts with its date, then the count of
    undated facts left out and the numbered sources."""
    numbers: dict[str, int] = {}
    about = payload["about"]
    if about:
        page.add(
            cat(
                Text("Timeline of "),
                t(about["name"], "bold"),
                Text(f" ({about['kind']})", "dim"),
                Text(" and what it contains, publishes, builds, operates or is backed by"),
            ),
            hang=4,
        )
    year = None
    for f in numbered(payload["rows"], numbers):
        start = f["date"][:4]
        if start != year:
            year = start
            heading(page, year)
        line = cat(Text(safe(period(f)), "bold"), Text("  "))
        if not about or f["entity"]["id"] != about["id"]:
            line.append_text(
                cat(t(f["entity"]["name"]), Text(f" ({f['entity']['kind']})", "dim"), Text(" · "))
            )
        line.append(safe(f["attribute"]), "italic").append(": ").append(safe(fact_value(f)))
        line.append(" — ").append(f["status"], STATUS_STYLE.get(f["status"], ""))
        page.add(line.append(GLUE).append_text(markers(f["sources"], numbers)), 2, 6)
    page.blank()
    undated = payload["undated"]
    page.add(
        Text(
            f"{count(undated, 'undated fact')} left out" if undated else "no undated facts",
            "dim",
        )
    )
    sources_below(numbers, payload["sources"], page)


def bars(payload: Payload) -> dict[tuple[int, str], str]:
    """A proportional bar for each figure that shares its unit and status with another
    figure in its row: (row number, entity id) -> bar. Nothing else shares a scale."""
    out: dict[tuple[int, str], str] = {}
    for i, row in enumerate(payload["rows"]):
        scales: dict[tuple[str, str], list[tuple[str, float]]] = {}
        for eid, f in row["values"].items():
            size = _size(f)
            if size is not None:
                scales.setdefault((f["unit"], f["status"]), []).append((eid, size))
        for members in scales.values():
            top = max(size for _, size in members)
            if len(members) < 2 or top <= 0:
                continue
            for eid, size in members:
                out[(i, eid)] = _bar(size / top)
    return out


def _size(f: Payload | None) -> float | None:
    if f is None:
        return None
    number = f["value"] if f["value"] is not None else f["high"]
    if isinstance(number, str) or number is None or number < 0:
        return None
    return float(number)


def _bar(share: float) -> str:
    eighths = round(share * BAR * 8)
    full, part = divmod(eighths, 8)
    return ("█" * full + (BLOCKS[part] if part else "")) or BLOCKS[1]


def compare(payload: Payload, page: Page, color: bool) -> None:
    """One column per entity; on a terminal (colour on), bars for figures that share a
    unit and status in a row. Then the numbered sources."""
    numbers: dict[str, int] = {}
    for _ in numbered((f for r in payload["rows"] for f in r["values"].values() if f), numbers):
        pass
    drawn = bars(payload) if color else {}
    columns = [Column("", lambda r: t(r["attribute"], "bold"), True)]
    for entity in payload["entities"]:
        columns.append(
            Column(safe(entity["name"]), _compare_cell(entity["id"], numbers, drawn), True)
        )
    table([{**r, "_row": i} for i, r in enumerate(payload["rows"])], columns, page)
    sources_below(numbers, {s["id"]: s for s in payload["sources"]}, page)


def _compare_cell(
    eid: str, numbers: dict[str, int], drawn: dict[tuple[int, str], str]
) -> Callable[[Payload], Text]:
    def cell(row: Payload) -> Text:
        f = row["values"][eid]
        if f is None:
            return Text("—", "dim")
        out = Text()
        bar = drawn.get((row["_row"], eid))
        if bar:
            out.append(bar + "\n", STATUS_STYLE.get(f["status"], ""))
        out.append_text(claim(f)).append(" ").append_text(markers(f["sources"], numbers, " "))
        if f["entity"]["id"] != eid:
            out.append(f" ({safe(f['entity']['name'])})", "dim")
        return out

    return cell


def source(payload: Payload, page: Page) -> None:
    """One source in full, then what cites it: entities, and each fact in a table."""
    page.add(t(payload["title"], "bold italic"), hang=4)
    source_details(payload, page, 0)
    if payload["note"]:
        page.add(cat(Text("note: ", "dim"), t(payload["note"])), hang=4)
    page.add(
        cat(
            Text("id: ", "dim"),
            Text(safe(payload["id"]), CITE),
            Text(
                f" · cited by {count(len(payload['facts']), 'fact')} and "
                f"{count(len(payload['entities']), 'entity', 'entities')}",
                "dim",
            ),
        ),
        hang=4,
    )
    if payload["entities"]:
        heading(page, "Cited by")
        line = Text()
        for i, e in enumerate(payload["entities"]):
            if i:
                line.append("; ")
            line.append(safe(e["name"])).append(f"{GLUE}({e['kind']})", "dim")
        page.add(line)
    if payload["facts"]:
        heading(page, "Facts")
        table(payload["facts"], fact_columns(None), page)


VIEWS: dict[str, Callable[..., Any]] = {
    "facts": facts,
    "timeline": timeline,
    "source": source,
}
