"""The only module that knows Rich: payloads from :mod:`views` become terminal views.

Every string from a fact file or a query goes through ``safe`` into a ``Text`` object, so
markup is never parsed and escape sequences never reach the terminal. Lines are wrapped
here rather than by Rich, with hanging indents and no trailing spaces, so the same view
reads well on a terminal, in a pipe and pasted into a report.
"""

from __future__ import annotations

import io
import os
from collections import deque
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

from rich.cells import cell_len
from rich.console import Console
from rich.text import Span, Text

from cspace_cli.kinds import KINDS
from cspace_cli.present.humanize import count, date_or_unknown, fact_value, period, size, when
from cspace_cli.text import clean

Payload = dict[str, Any]

STATUS_STYLE = {
    "actual": "green",
    "target": "yellow",
    "projection": "magenta",
    "plan": "cyan",
    "proposal": "blue",
}
CITE = "blue"
MAX_VIEW = 100
MIN_ROOM = 12
GAP = 2
GLUE = "\ue000"
CHUNK = 2000  # lines of a plain page put into one piece of output


def safe(value: Any) -> str:
    """Data as inert one-line text, marked with U+FFFD where a character was dropped
    (private-use characters too, which ``GLUE`` needs). Brackets stay as they are:
    nothing printed here is parsed as markup."""
    return clean(value, mark="\ufffd")


def t(value: Any, style: str = "") -> Text:
    return Text(safe(value), style=style)


def cat(*parts: Text) -> Text:
    """Pieces side by side, each keeping its own style (``+`` spreads the first one's)."""
    out = Text()
    for part in parts:
        out.append_text(part)
    return out


def console(color: bool, width: int) -> Console:
    """Colour and width decided once by the caller; a fixed 8-colour palette keeps output
    predictable. It writes to a string: the sink writes that, so a closed pipe is ours to
    report, not Rich's."""
    return Console(
        file=io.StringIO(),
        width=width,
        force_terminal=color,
        no_color=not color,
        color_system="standard" if color else None,
        markup=False,
        highlight=False,
        emoji=False,
    )


class Page:
    """Lines wrapped to one width with hanging indents, printed in one go.

    ``GLUE`` is a space that never breaks: a citation stays on the line of the word before it.
    Lines that already fit are taken as they are, and without colour a line is kept as
    plain text and the page written as such: wrapping and Rich's rendering of every line
    cost about 0.5 ms a line, 7 s for a 10,000-row list, and Text objects for a 100,000-row
    table held 600 MiB (docs/benchmarks.md).
    """

    def __init__(self, out: Console, width: int) -> None:
        self.out = out
        self.width = max(width, MIN_ROOM * 2)
        self.styled = out.color_system is not None
        self.lines: list[Text | str] = []

    def add(self, text: Text, indent: int = 0, hang: int | None = None, fold: bool = True) -> None:
        """Wrap ``text`` from column ``indent``; later lines start at ``hang``. With
        ``fold`` off, a word longer than the line (an id) runs past the width instead of
        being cut in two."""
        hang = indent if hang is None else hang
        if fits(text, self.width - indent):
            self.keep(text, indent)
            return
        for i, line in enumerate(self.wrap(text, self.width - indent, self.width - hang, fold)):
            self.keep(line, hang if i else indent)

    def keep(self, line: Text, indent: int) -> None:
        if not self.styled:
            self.lines.append(" " * indent + line.plain)
        else:
            self.lines.append(Text(" " * indent) + line if indent else line)

    def wrap(self, text: Text, first: int, rest: int, fold: bool = True) -> list[Text]:
        if fits(text, first):
            return [text]
        overflow: Any = "fold" if fold else "ignore"
        lines = list(text.wrap(self.out, max(first, MIN_ROOM), overflow=overflow))
        if len(lines) > 1 and rest != first:
            head = lines[0]
            tail = text[len(head.plain) :]
            tail = tail[len(tail.plain) - len(tail.plain.lstrip(" ")) :]
            lines = [head, *tail.wrap(self.out, max(rest, MIN_ROOM), overflow=overflow)]
        for line in lines:
            line.rstrip()
            line.plain = line.plain.replace(GLUE, " ")
        return [line for line in lines if line.plain] or [Text()]

    def blank(self) -> None:
        if self.lines and _plain(self.lines[-1]):
            self.lines.append("")

    def print(self, chunks: list[str]) -> None:
        """Add the page to ``chunks`` as text: plain pages a few thousand lines at a time,
        letting go of the lines as they go, so a long one is never held twice over."""
        while self.lines and not _plain(self.lines[-1]):
            self.lines.pop()
        if not self.lines:
            return
        if self.styled:
            joined = Text("\n").join(t if isinstance(t, Text) else Text(t) for t in self.lines)
            self.out.print(joined, soft_wrap=True)
            chunks.append(self.out.file.getvalue())  # type: ignore[attr-defined]
            return
        lines = deque(map(_plain, self.lines))
        self.lines.clear()
        while lines:
            batch = [lines.popleft() for _ in range(min(CHUNK, len(lines)))]
            chunks.append("\n".join(batch) + "\n")


def _plain(line: Text | str) -> str:
    return line if isinstance(line, str) else line.plain


def fits(text: Text, width: int) -> bool:
    """True when ``text`` is one line, within ``width``, that wrapping would leave as it is."""
    plain = text.plain
    return (
        "\n" not in plain
        and GLUE not in plain
        and not plain.endswith(" ")
        and text.cell_len <= max(width, MIN_ROOM)
    )


def heading(page: Page, title: str) -> None:
    page.blank()
    page.add(Text(title, "bold underline"))


# Entity view ---------------------------------------------------------------------------


def entity(payload: Payload, page: Page) -> None:
    numbers = numbering(payload)
    header(payload, page)
    if payload["key_figures"]:
        heading(page, "Key figures")
        key_figures(payload, numbers, page)
    if payload["facts"]:
        heading(page, "Facts")
        for group in attribute_groups(payload["facts"]):
            fact_group(group, numbers, page)
    if payload["related"]:
        heading(page, "Related")
        related(payload["related"], numbers, page)
    if payload["sources"]:
        heading(page, "Sources")
        by_id = {s["id"]: s for s in payload["sources"]}
        for sid, n in numbers.items():
            source_block(n, by_id[sid], page)
    alternatives(payload, page)


def header(payload: Payload, page: Page) -> None:
    names = Text().append(safe(payload["name"]), "bold")
    for extra in (payload["name_zh"], payload["pinyin"]):
        if extra and extra.casefold() != payload["name"].casefold():
            names.append("  ").append(safe(extra))
    page.add(names, hang=4)
    where = Text().append(payload["kind"], "bold")
    place = payload["located_in"]
    if place:
        where.append(" in ").append(safe(place["name"])).append(f" ({place['kind']})", "dim")
    page.add(where, hang=4)
    others = [a for a in payload["aliases"] if a not in (payload["name_zh"], payload["pinyin"])]
    if others:
        page.add(cat(Text("also known as: ", "dim"), t("; ".join(others))), hang=4)
    if payload["summary"]:
        page.add(t(payload["summary"]))
    match = payload.get("match")
    if match and match["method"] == "place":
        page.add(
            Text(
                f"matched '{safe(match['query'])}' by place: the {payload['kind']} in "
                f"{safe(match['matched'])}",
                "dim italic",
            ),
            hang=4,
        )
    elif match and match["method"] != "exact":
        page.add(
            Text(
                f"matched '{safe(match['matched'])}' for '{safe(match['query'])}' "
                f"({match['method']})",
                "dim italic",
            ),
            hang=4,
        )


def numbering(payload: Payload) -> dict[str, int]:
    """Sources numbered in order of first citation: facts, then related, then the rest."""
    known = {s["id"] for s in payload["sources"]}
    cited = [
        *(s for f in payload["key_figures"] for s in f["sources"]),
        *(s for f in payload["facts"] for s in f["sources"]),
        *(s for r in payload["related"] for s in r["sources"]),
        *(s["id"] for s in payload["sources"]),
    ]
    return {sid: n for n, sid in enumerate((s for s in dict.fromkeys(cited) if s in known), 1)}


def markers(ids: Iterable[str], numbers: dict[str, int], sep: str = "") -> Text:
    """``[1][2]``: one word, so a line break never falls inside a citation. In narrow
    table cells ``sep`` " " lets a long run of citations wrap between them instead."""
    known = sorted({numbers[s] for s in ids if s in numbers})
    unknown = [safe(s) for s in dict.fromkeys(ids) if s not in numbers]
    return Text(sep.join(f"[{m}]" for m in [*known, *unknown]), CITE)


def attribute_groups(facts: list[Payload]) -> list[list[Payload]]:
    """Facts on one attribute of one entity side by side (views orders them newest first)."""
    groups: dict[tuple[str, str], list[Payload]] = {}
    for f in facts:
        owner = f["entity"]["id"] if "entity" in f else ""
        groups.setdefault((owner, f["attribute"]), []).append(f)
    return list(groups.values())


def fact_group(
    group: list[Payload],
    numbers: dict[str, int],
    page: Page,
    indent: int = 0,
    with_text: bool = True,
) -> None:
    """Claims on one attribute: one line, or a heading that says whether sources differ
    or the figure changed over time, with the claims beneath."""
    label = Text().append(safe(group[0]["attribute"]), "bold")
    if len(group) == 1:
        fact_block(group[0], numbers, page, indent, label.append(": "), with_text)
        return
    if any(f["disputed"] for f in group):
        label.append(" — ").append(f"sources{GLUE}differ", "bold red")
    elif any(f["series"] for f in group):
        label.append(" — ").append(f"over{GLUE}time, newest{GLUE}first", "bold")
    page.add(label.append(":"), indent, indent + 4)
    for f in group:
        fact_block(f, numbers, page, indent + 2, None, with_text)


def fact_block(
    f: Payload,
    numbers: dict[str, int],
    page: Page,
    indent: int,
    label: Text | None,
    with_text: bool = True,
) -> None:
    """One claim: its label, value, status, date and citations, then its text beneath."""
    line = label.copy() if label is not None else Text()
    line.append_text(claim(f))
    if f.get("earlier"):
        line.append(f", newest of {f['earlier'] + 1}", "dim")
    page.add(line.append(GLUE).append_text(markers(f["sources"], numbers)), indent, indent + 2)
    value = f.get("value")
    if (
        with_text
        and f["text"]
        and safe(f["text"]).rstrip(".") != safe(value if value is not None else "")
    ):
        page.add(t(f["text"]), indent + 4)


def claim(f: Payload) -> Text:
    """``¥300 billion — target, by 2026``: the value, its status and its date."""
    line = Text(safe(fact_value(f)))
    line.append(" — ").append(f["status"], STATUS_STYLE.get(f["status"], ""))
    date = period(f)
    if date:
        line.append(", " + safe(date), "dim")
    return line


def key_figures(payload: Payload, numbers: dict[str, int], page: Page) -> None:
    """The figures about the entity across the graph: its own, then each other entity's
    under its name, and how to see the rest."""
    owner = payload["id"]
    for group in attribute_groups(payload["key_figures"]):
        entity = group[0]["entity"]
        if entity["id"] != owner:
            owner = entity["id"]
            page.add(cat(t(entity["name"]), Text(f" ({entity['kind']})", "dim")), hang=4)
        fact_group(group, numbers, page, 0 if owner == payload["id"] else 2, with_text=False)
    if payload["more_figures"]:
        page.add(
            Text(f"{payload['more_figures']} more: cspace facts --about {payload['id']}", "dim"),
            hang=4,
        )


def related(rows: list[Payload], numbers: dict[str, int], page: Page) -> None:
    """Grouped by relation; what is reached through a contained place under its name."""
    groups: dict[str | None, dict[str, list[Payload]]] = {None: {}}
    via: dict[str | None, Payload] = {}
    for r in rows:
        key = r["via"]["id"] if r["via"] else None
        if key:
            via.setdefault(key, r["via"])
        groups.setdefault(key, {}).setdefault(r["label"], []).append(r)
    parent = {r["id"]: r["via"]["id"] if r["via"] else None for r in rows}
    for key in tree_order(list(groups), parent):
        labels = groups[key]
        indent = 0
        if key is not None:
            indent = 2
            page.add(
                cat(
                    Text("via "), t(via[key]["name"], "bold"), Text(f" ({via[key]['kind']})", "dim")
                ),
                hang=4,
            )
        for label, items in labels.items():
            line = Text().append(f"{label}: ", "italic")
            for i, r in enumerate(items):
                if i:
                    line.append("; ")
                line.append(safe(r["name"])).append(f" ({r['kind']})", "dim")
                if r["sources"]:
                    line.append(GLUE).append_text(markers(r["sources"], numbers))
            page.add(line, indent, indent + 4)


def tree_order(keys: list[str | None], parent: dict[str, str | None]) -> list[str | None]:
    """Depth first from the entity itself, so a place is followed by the places inside it."""
    children: dict[str | None, list[str]] = {}
    for key in keys:
        if key is not None:
            up = parent.get(key)
            children.setdefault(up if up in keys else None, []).append(key)
    out: list[str | None] = []
    stack: list[str | None] = [None]
    while stack:
        key = stack.pop()
        if key in out:
            continue
        out.append(key)
        stack.extend(reversed(children.get(key, [])))
    return out


def source_block(n: int, s: Payload, page: Page) -> None:
    """``[n] title``, then byline, publisher, date and the date the content holds."""
    mark = f"[{n}] "
    page.add(cat(Text(mark, CITE), t(s["title"], "italic")), 0, len(mark))
    source_details(s, page, len(mark))


def source_details(s: Payload, page: Page, indent: int) -> None:
    """Byline, publisher, date and the date the content holds on one line, then the URL."""
    parts = [f"by {safe(s['byline'])}"] if s.get("byline") else []
    parts += [
        safe(s["publisher"] or "publisher not stated"),
        safe(date_or_unknown(s["date"], "date")),
    ]
    if s.get("as_of"):
        parts.append(f"content as of {safe(when(s['as_of']))}")
    page.add(Text(" · ".join(parts), "dim"), indent)
    if s.get("url"):
        page.add(t(s["url"]), indent)


def alternatives(payload: Payload, page: Page) -> None:
    alts = (payload.get("match") or {}).get("alternatives") or []
    if not alts:
        return
    line = Text().append("Also close: ", "bold")
    for i, a in enumerate(alts):
        if i:
            line.append("; ")
        line.append(safe(a["name"])).append(
            f" (cspace {a['kind']} {a['id'].split('/', 1)[1]})", "dim"
        )
    page.blank()
    page.add(line, hang=4)


# Lists ---------------------------------------------------------------------------------


class Column(NamedTuple):
    title: str
    cell: Callable[[Payload], Text]
    flex: bool = False
    right: bool = False
    whole: bool = False  # never broken across lines (ids, which people copy)


def field(key: str, style: str = "") -> Callable[[Payload], Text]:
    return lambda row: t(row.get(key) or "", style)


def stated(key: str, shown: Callable[[str], str] = str) -> Callable[[Payload], Text]:
    """The value as ``shown`` gives it, or a dim "not stated" where the document does not
    give it."""
    return lambda row: t(shown(row[key])) if row.get(key) else Text("not stated", "dim")


def number(key: str) -> Callable[[Payload], Text]:
    return lambda row: Text(
        f"{row.get(key, 0):,}" if isinstance(row.get(key), int) else f"{row.get(key, 0):.1f}"
    )


def search_context(row: Payload) -> Text:
    """Text hits show the words around the match; name hits the name that matched."""
    if row["field"] != "name":
        return t(row["context"])
    if row["context"].casefold() == row["name"].casefold():
        return Text("name", "dim")
    return cat(Text("name: ", "dim"), t(row["context"]))


LIST_COLUMNS = [
    Column("kind", field("kind")),
    Column("name", field("name", "bold"), True),
    Column("中文", field("name_zh"), True),
    Column("id", field("id", "dim"), whole=True),
]
SEARCH_COLUMNS = [
    Column("kind", field("kind")),
    Column("name", field("name", "bold"), True),
    Column("中文", field("name_zh"), True),
    Column("score", number("score"), right=True),
    Column("match", search_context, True),
]
SOURCE_COLUMNS = [
    Column("id", field("id", "bold")),
    Column("title", field("title"), True),
    Column("publisher", stated("publisher"), True),
    Column("date", stated("date", when)),
    Column("as of", stated("as_of", when)),
    Column("facts", number("facts"), right=True),
    Column("entities", number("entities"), right=True),
    Column("url", field("url"), True),
]
CACHE_COLUMNS = [  # the file second: narrow terminals show it as each card's title
    Column("last used", lambda row: Text(row["last_used"][:10])),
    Column("file", lambda row: t(os.path.basename(row["path"]), "bold"), True),
    Column("size", lambda row: Text(size(row["bytes"])), right=True),
    Column("format", lambda row: Text(row["format"], "" if row["format"] == "current" else "dim")),
    Column("fact folders", lambda row: t("; ".join(row["folders"]) or "not known"), True),
]
CARD_TITLE = 1


Cell = Text | str  # a cell kept as plain text when the page has no colour


def table(rows: Iterable[Payload], columns: list[Column], page: Page) -> None:
    """A table without trailing spaces; as one card per row when the width is too small.
    Rows are read once; without colour each cell is kept as plain text only."""
    cells: list[list[Cell]] = [
        [c.cell(r) if page.styled else c.cell(r).plain for c in columns] for r in rows
    ]
    used = [i for i, c in enumerate(columns) if any(_plain(row[i]) for row in cells)]
    columns = [columns[i] for i in used]
    cells = [[row[i] for i in used] for row in cells]
    widths = column_widths(columns, cells, page.width)
    if widths is None:
        cards(columns, cells, page, used.index(CARD_TITLE) if CARD_TITLE in used else 0)
        return
    table_row([t(c.title, "bold") for c in columns], columns, widths, page)
    page.add(Text("─" * (sum(widths) + GAP * (len(widths) - 1)), "dim"))
    for row in cells:
        table_row(row, columns, widths, page)


def _text(cell: Cell) -> Text:
    return cell if isinstance(cell, Text) else Text(cell)


def table_row(row: list[Cell], columns: list[Column], widths: list[int], page: Page) -> None:
    """One row, each cell wrapped within its column."""
    wrapped = [page.wrap(_text(cell), w, w) for cell, w in zip(row, widths, strict=True)]
    for k in range(max(len(w) for w in wrapped)):
        parts = [w[k] if k < len(w) else Text() for w in wrapped]
        page.add(table_line(parts, columns, widths))


def column_widths(columns: list[Column], cells: list[list[Cell]], width: int) -> list[int] | None:
    """Natural widths if they fit; otherwise the flexible columns share what is left."""
    natural = [
        max(cell_len(c.title), *(cell_len(_plain(row[i])) for row in cells))
        for i, c in enumerate(columns)
    ]
    room = width - GAP * (len(columns) - 1)
    if sum(natural) <= room:
        return natural
    widths = natural[:]
    flex = sorted((i for i, c in enumerate(columns) if c.flex), key=lambda i: natural[i])
    left = room - sum(w for i, w in enumerate(natural) if not columns[i].flex)
    for k, i in enumerate(flex):
        widths[i] = min(natural[i], left // (len(flex) - k))
        left -= widths[i]
        if widths[i] < min(natural[i], MIN_ROOM):
            return None
    return widths if flex else None


def table_line(parts: list[Text], columns: list[Column], widths: list[int]) -> Text:
    """Cells padded to their widths, ``GAP`` apart, without trailing spaces. Put together
    as one string and its style spans: appending Text to Text took 0.2 ms a line, most of
    the time of an 850-row table."""
    pieces: list[str] = []
    spans: list[Span] = []
    at = 0
    last = len(parts) - 1
    for i, (part, column, w) in enumerate(zip(parts, columns, widths, strict=True)):
        pad = " " * (w - part.cell_len)
        if column.right:
            pieces.append(pad)
            at += len(pad)
        plain = part.plain
        if part.style and plain:
            spans.append(Span(at, at + len(plain), part.style))
        spans += [Span(at + s.start, at + s.end, s.style) for s in part.spans]
        pieces.append(plain)
        at += len(plain)
        if not column.right and i < last:
            pieces.append(pad)
            at += len(pad)
        if i < last:
            pieces.append(" " * GAP)
            at += GAP
    line = Text("".join(pieces).rstrip(), spans=spans)
    line.spans = [s for s in (sp.right_crop(len(line.plain)) for sp in line.spans) if s]
    return line


def cards(columns: list[Column], cells: list[list[Cell]], page: Page, title: int) -> None:
    """One block per row: the title column, the short columns on one line, then the rest."""
    for k, row in enumerate(cells):
        if k:
            page.blank()
        page.add(_text(row[title]).copy(), hang=4)
        fields = [
            (c, _text(cell))
            for i, (c, cell) in enumerate(zip(columns, row, strict=True))
            if i != title and _plain(cell)
        ]
        short = [
            cat(Text(f"{c.title}:{GLUE}", "dim"), cell)
            for c, cell in fields
            if not c.flex and not c.whole
        ]
        if short:
            page.add(Text(" · ").join(short), 2, 6)
        for c, cell in fields:
            if c.flex or c.whole:
                page.add(cat(Text(f"{c.title}:{GLUE}", "dim"), cell), 2, 6, fold=not c.whole)


# Overview and problems -----------------------------------------------------------------

COMMANDS = (
    ("cspace province shandong", "one entity: facts, related, numbered sources"),
    ("cspace company 'tian bing'", "names, pinyin, 中文 and aliases all work"),
    ("cspace search 'sea launch'", "every kind, names and fact text"),
    ("cspace list company", "everything of one kind"),
    ("cspace facts --status target", "every fact, with filters that combine"),
    ("cspace timeline shandong", "dated facts in time order"),
    ("cspace compare city jinan yantai", "entities side by side"),
    ("cspace sources", "the documents behind the facts"),
    ("cspace company tianbing --json", "the same data as JSON"),
    ("cspace --help", "every command and option"),
)


def overview(payload: Payload, page: Page) -> None:
    page.add(
        cat(Text("cspace", "bold"), Text(": offline facts on China's commercial space industry")),
        hang=4,
    )
    dates = payload["dates"]
    line = (
        f"{count(payload['entities'], 'entity', 'entities')}, "
        f"{count(payload['facts'], 'fact')}, {count(payload['sources'], 'source')}"
    )
    if dates["earliest"]:
        line += f"; facts dated {when(dates['earliest'])} to {when(dates['latest'])}"
    page.add(Text(line), hang=4)
    kinds = [
        f"{n} {KINDS[k].plural if n != 1 else k}" if k in KINDS else f"{n} {safe(k)}"
        for k, n in payload["kinds"].items()
        if n
    ]
    if kinds:
        page.add(Text(" · ".join(kinds), "dim"), hang=4)
    heading(page, "Try")
    command = max(len(c) for c, _ in COMMANDS) + GAP
    for cmd, what in COMMANDS:
        if page.width >= command + 2 + MIN_ROOM * 2:
            page.add(cat(Text(f"{cmd:<{command}}", "bold"), Text(what)), 2, command + 2)
        else:
            page.add(Text(cmd, "bold"), 2, 4)
            page.add(Text(what, "dim"), 6)


def problems(rows: list[Payload], out: Console) -> None:
    """``path:line: severity: message``, one per line, so editors can jump to them."""
    for p in rows:
        where = safe(p["path"]) + (f":{p['line']}" if p.get("line") else "")
        style = "red" if p["severity"] == "error" else "yellow"
        out.print(
            cat(
                Text(where, "bold"),
                Text(": "),
                Text(p["severity"], style),
                Text(": " + safe(p["message"])),
            ),
            soft_wrap=True,
        )


LIST_VIEWS = {
    "list": LIST_COLUMNS,
    "search": SEARCH_COLUMNS,
    "sources": SOURCE_COLUMNS,
    "cache": CACHE_COLUMNS,
}


def render(what: str, payload: Any, color: bool, width: int) -> list[str]:
    """The view as pieces of text for a terminal ``width`` wide, with colour codes if
    ``color``; written one after the other they make the view."""
    out = console(color, width)
    if what == "problems":
        problems(payload, out)
        return [out.file.getvalue()]  # type: ignore[attr-defined]
    prose = what in ("entity", "overview", "timeline", "source")
    page = Page(out, min(out.width, MAX_VIEW) if prose else out.width)
    if what == "entity":
        entity(payload, page)
    elif what == "overview":
        overview(payload, page)
    elif what in LIST_VIEWS:
        table(payload, LIST_VIEWS[what], page)
    else:
        from cspace_cli.present import render_facts

        if what == "compare":
            render_facts.compare(payload, page, color)
        else:
            render_facts.VIEWS[what](payload, page)
    chunks: list[str] = []
    page.print(chunks)
    return chunks


# Progress ------------------------------------------------------------------------------


class ProgressBar:
    """Long work on stderr: what, a bar, done of total, time left; cleared when done."""

    def __init__(self, what: str, total: int, color: bool) -> None:
        import sys

        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        out = Console(file=sys.stderr, no_color=not color, highlight=False)
        self.bar = Progress(
            TextColumn("{task.description}", markup=False),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=out,
            transient=True,
        )
        self.task = self.bar.add_task(what, total=total)
        self.bar.start()

    def update(self, done: int, total: int) -> None:
        self.bar.update(self.task, completed=done, total=total)

    def close(self) -> None:
        self.bar.stop()
