"""The only module that knows Rich: payloads from :mod:`views` become terminal views.

Every string from a fact file or a query goes through ``safe`` into a ``Text`` object, so
markup is never parsed and escape sequences never reach the terminal. Lines are wrapped
here rather than by Rich, with hanging indents and no trailing spaces, so the same view
reads well on a terminal, in a pipe and pasted into a report.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

from rich.cells import cell_len
from rich.console import Console
from rich.text import Text

from cspace_cli.kinds import KINDS
from cspace_cli.present.humanize import count, date_or_unknown, fact_value, period, size, when
from cspace_cli.text import clean

Payload = dict[str, Any]

STATUS_STYLE = {"actual": "green", "target": "yellow", "projection": "magenta", "plan": "cyan"}
CITE = "blue"
MAX_VIEW = 100
MIN_ROOM = 12
GAP = 2
GLUE = "\ue000"


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
    """

    def __init__(self, out: Console, width: int) -> None:
        self.out = out
        self.width = max(width, MIN_ROOM * 2)
        self.lines: list[Text] = []

    def add(self, text: Text, indent: int = 0, hang: int | None = None) -> None:
        """Wrap ``text`` from column ``indent``; later lines start at ``hang``."""
        hang = indent if hang is None else hang
        for i, line in enumerate(self.wrap(text, self.width - indent, self.width - hang)):
            self.lines.append(Text(" " * (hang if i else indent)) + line)

    def wrap(self, text: Text, first: int, rest: int) -> list[Text]:
        lines = list(text.wrap(self.out, max(first, MIN_ROOM), overflow="fold"))
        if len(lines) > 1 and rest != first:
            head = lines[0]
            tail = text[len(head.plain) :]
            tail = tail[len(tail.plain) - len(tail.plain.lstrip(" ")) :]
            lines = [head, *tail.wrap(self.out, max(rest, MIN_ROOM), overflow="fold")]
        for line in lines:
            line.rstrip()
            line.plain = line.plain.replace(GLUE, " ")
        return [line for line in lines if line.plain] or [Text()]

    def blank(self) -> None:
        if self.lines and self.lines[-1].plain:
            self.lines.append(Text())

    def print(self) -> None:
        while self.lines and not self.lines[-1].plain:
            self.lines.pop()
        if self.lines:
            self.out.print(Text("\n").join(self.lines), soft_wrap=True)


def heading(page: Page, title: str) -> None:
    page.blank()
    page.add(Text(title, "bold underline"))


# Entity view ---------------------------------------------------------------------------


def entity(payload: Payload, page: Page) -> None:
    numbers = numbering(payload)
    header(payload, page)
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
        *(s for f in payload["facts"] for s in f["sources"]),
        *(s for r in payload["related"] for s in r["sources"]),
        *(s["id"] for s in payload["sources"]),
    ]
    return {sid: n for n, sid in enumerate((s for s in dict.fromkeys(cited) if s in known), 1)}


def markers(ids: Iterable[str], numbers: dict[str, int]) -> Text:
    """``[1][2]``: one word, so a line break never falls inside a citation."""
    known = sorted({numbers[s] for s in ids if s in numbers})
    unknown = [safe(s) for s in dict.fromkeys(ids) if s not in numbers]
    return Text("".join(f"[{m}]" for m in [*known, *unknown]), CITE)


def attribute_groups(facts: list[Payload]) -> list[list[Payload]]:
    """Facts on one attribute side by side (views orders them newest first)."""
    groups: dict[str, list[Payload]] = {}
    for f in facts:
        groups.setdefault(f["attribute"], []).append(f)
    return list(groups.values())


def fact_group(group: list[Payload], numbers: dict[str, int], page: Page) -> None:
    if len(group) == 1:
        fact_block(group[0], numbers, page, 0, with_attribute=True)
        return
    head = Text().append(safe(group[0]["attribute"]), "bold")
    if any(f["disputed"] for f in group):
        head.append(" — ").append(f"sources{GLUE}differ", "bold red")
    elif any(f["series"] for f in group):
        head.append(" — ").append(f"over{GLUE}time, newest{GLUE}first", "bold")
    page.add(head.append(":"), hang=4)
    for f in group:
        fact_block(f, numbers, page, 2, with_attribute=False)


def fact_block(
    f: Payload, numbers: dict[str, int], page: Page, indent: int, with_attribute: bool
) -> None:
    """One claim: attribute, value, status, date and citations, then its text beneath."""
    line = Text()
    if with_attribute:
        line.append(safe(f["attribute"]), "bold").append(": ")
    line.append(safe(fact_value(f)))
    line.append(" — ").append(f["status"], STATUS_STYLE.get(f["status"], ""))
    date = period(f)
    if date:
        line.append(", " + safe(date), "dim")
    page.add(line.append(GLUE).append_text(markers(f["sources"], numbers)), indent, indent + 2)
    value = f.get("value")
    if f["text"] and safe(f["text"]).rstrip(".") != safe(value if value is not None else ""):
        page.add(t(f["text"]), indent + 4)


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
    parts = [f"by {safe(s['byline'])}"] if s.get("byline") else []
    parts += [
        safe(s["publisher"] or "publisher not stated"),
        safe(date_or_unknown(s["date"], "date")),
    ]
    if s.get("as_of"):
        parts.append(f"content as of {safe(when(s['as_of']))}")
    page.add(Text(" · ".join(parts), "dim"), len(mark))
    if s.get("url"):
        page.add(t(s["url"]), len(mark))


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


def field(key: str, style: str = "") -> Callable[[Payload], Text]:
    return lambda row: t(row.get(key) or "", style)


def stated(key: str, shown: Callable[[str], str] = str) -> Callable[[Payload], Text]:
    """The value, or a dim "not stated" where the document does not give it."""
    return lambda row: t(row[key]) if row.get(key) else Text("not stated", "dim")


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
    Column("id", field("id", "dim"), True),
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
]
CACHE_COLUMNS = [  # the file second: narrow terminals show it as each card's title
    Column("last used", lambda row: Text(row["last_used"][:10])),
    Column("file", lambda row: t(os.path.basename(row["path"]), "bold"), True),
    Column("size", lambda row: Text(size(row["bytes"])), right=True),
    Column("format", lambda row: Text(row["format"], "" if row["format"] == "current" else "dim")),
    Column("fact folders", lambda row: t("; ".join(row["folders"]) or "not known"), True),
]
CARD_TITLE = 1


def table(rows: list[Payload], columns: list[Column], page: Page) -> None:
    """A table without trailing spaces; as one card per row when the width is too small."""
    cells = [[c.cell(r) for c in columns] for r in rows]
    used = [i for i, c in enumerate(columns) if any(row[i].plain for row in cells)]
    columns = [columns[i] for i in used]
    cells = [[row[i] for i in used] for row in cells]
    widths = column_widths(columns, cells, page.width)
    if widths is None:
        cards(columns, cells, page, used.index(CARD_TITLE) if CARD_TITLE in used else 0)
        return
    page.add(table_line([Text(c.title, "bold") for c in columns], columns, widths))
    page.add(Text("─" * (sum(widths) + GAP * (len(widths) - 1)), "dim"))
    for row in cells:
        wrapped = [page.wrap(cell, w, w) for cell, w in zip(row, widths, strict=True)]
        for k in range(max(len(w) for w in wrapped)):
            parts = [w[k] if k < len(w) else Text() for w in wrapped]
            page.add(table_line(parts, columns, widths))


def column_widths(columns: list[Column], cells: list[list[Text]], width: int) -> list[int] | None:
    """Natural widths if they fit; otherwise the flexible columns share what is left."""
    natural = [
        max(cell_len(c.title), *(row[i].cell_len for row in cells)) for i, c in enumerate(columns)
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
    line = Text()
    for i, (part, column, w) in enumerate(zip(parts, columns, widths, strict=True)):
        pad = " " * (w - part.cell_len)
        line.append_text(cat(Text(pad), part) if column.right else cat(part, Text(pad)))
        if i < len(parts) - 1:
            line.append(" " * GAP)
    line.rstrip()
    return line


def cards(columns: list[Column], cells: list[list[Text]], page: Page, title: int) -> None:
    """One block per row: the title column, the short columns on one line, then the rest."""
    for k, row in enumerate(cells):
        if k:
            page.blank()
        page.add(row[title].copy(), hang=4)
        fields = [
            (c, cell)
            for i, (c, cell) in enumerate(zip(columns, row, strict=True))
            if i != title and cell.plain
        ]
        short = [cat(Text(f"{c.title}:{GLUE}", "dim"), cell) for c, cell in fields if not c.flex]
        if short:
            page.add(Text(" · ").join(short), 2, 6)
        for c, cell in fields:
            if c.flex:
                page.add(cat(Text(f"{c.title}:{GLUE}", "dim"), cell), 2, 6)


# Overview and problems -----------------------------------------------------------------

COMMANDS = (
    ("cspace province shandong", "one entity: facts, related, numbered sources"),
    ("cspace company 'tian bing'", "names, pinyin, 中文 and aliases all work"),
    ("cspace search 'sea launch'", "every kind, names and fact text"),
    ("cspace list company", "everything of one kind"),
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


def render(what: str, payload: Any, color: bool, width: int) -> str:
    """The view as text for a terminal ``width`` wide, with colour codes if ``color``."""
    out = console(color, width)
    if what == "problems":
        problems(payload, out)
        return out.file.getvalue()  # type: ignore[attr-defined,no-any-return]
    page = Page(out, min(out.width, MAX_VIEW) if what in ("entity", "overview") else out.width)
    if what == "entity":
        entity(payload, page)
    elif what == "overview":
        overview(payload, page)
    else:
        table(payload, LIST_VIEWS[what], page)
    page.print()
    return out.file.getvalue()  # type: ignore[attr-defined,no-any-return]


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
