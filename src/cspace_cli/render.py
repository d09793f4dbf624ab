"""The only module that knows Rich: payloads from :mod:`views` become terminal views.

Every string from a fact file or a query goes through ``safe`` into a ``Text`` object:
control characters and escape sequences are replaced and markup is never parsed.
"""

from __future__ import annotations

import re
import sys
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from .humanize import date_or_unknown, fact_value, period
from .kinds import KINDS

STATUS_STYLE = {"actual": "green", "target": "yellow", "projection": "magenta",
                "plan": "cyan"}
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")

Payload = dict[str, Any]


def safe(value: Any) -> str:
    """Data as inert text: no escapes, no bidi overrides, no control characters."""
    return _CONTROL.sub("\ufffd", str(value))


def t(value: Any, style: str = "") -> Text:
    return Text(safe(value), style=style)


def console(color: bool, stderr: bool = False) -> Console:
    return Console(file=sys.stderr if stderr else sys.stdout, force_terminal=color,
                   no_color=not color, markup=False, highlight=False, emoji=False)


def entity(payload: Payload, out: Console) -> None:
    head = Text()
    head.append(safe(payload["name"]), "bold")
    for extra in (payload["name_zh"], payload["pinyin"]):
        if extra:
            head.append("  " + safe(extra))
    out.print(head)
    where = Text(payload["kind"], "dim")
    if payload["located_in"]:
        where.append(" · in ", "dim").append(safe(payload["located_in"]["name"]))
    out.print(where)
    others = [a for a in payload["aliases"] if a not in (payload["name_zh"], payload["pinyin"])]
    if others:
        out.print(Text("also known as: ", "dim") + t(", ".join(others)))
    out.print(t(payload["summary"]))
    match = payload.get("match")
    if match and match["method"] != "exact":
        out.print(Text(f"matched '{safe(match['matched'])}' for '{safe(match['query'])}' "
                       f"({match['method']})", "dim italic"))
    numbers = {s["id"]: i for i, s in enumerate(payload["sources"], 1)}
    if payload["facts"]:
        out.print()
        out.print(facts_table(payload["facts"], numbers))
    if payload["related"]:
        out.print()
        out.print(Text("Related", "bold"))
        related(payload["related"], out)
    if payload["sources"]:
        out.print()
        out.print(Text("Sources", "bold"))
        for s in payload["sources"]:
            out.print(source_line(numbers[s["id"]], s))
    alts = (match or {}).get("alternatives") or []
    if alts:
        out.print()
        out.print(Text("Also close: ", "dim") + Text("; ".join(
            f"{safe(a['name'])} (cspace {a['kind']} {shell(a['name'])})" for a in alts)))


def shell(name: str) -> str:
    return safe(name) if re.fullmatch(r"[\w.-]+", name) else "'" + safe(name) + "'"


def facts_table(facts: list[Payload], numbers: dict[str, int]) -> Table:
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, expand=False)
    table.add_column("attribute", style="bold", ratio=2, overflow="fold")
    table.add_column("value", ratio=4, overflow="fold")
    table.add_column("status", no_wrap=True)
    table.add_column("date", ratio=1, overflow="fold")
    table.add_column("src", no_wrap=True)
    for f in facts:
        value = t(fact_value(f))
        if f["disputed"]:
            value.append("\n⚠ sources differ", "bold red")
        if f["text"] and f["text"] != f.get("value"):
            value.append("\n" + safe(f["text"]), "dim")
        cites = " ".join(f"[{numbers[s]}]" for s in f["sources"] if s in numbers)
        table.add_row(t(f["attribute"]), value, t(f["status"], STATUS_STYLE.get(f["status"], "")),
                      t(period(f)), Text(cites))
    return table


def related(rows: list[Payload], out: Console) -> None:
    groups: dict[str, list[Payload]] = {}
    for r in rows:
        groups.setdefault(r["label"], []).append(r)
    for label, items in groups.items():
        line = Text(f"  {label}: ", "bold")
        for i, r in enumerate(items):
            if i:
                line.append("; ")
            line.append(safe(r["name"]))
            tail = r["kind"] + (f", via {safe(r['via']['name'])}" if r["via"] else "")
            line.append(f" ({tail})", "dim")
        out.print(line)


def source_line(n: int, s: Payload) -> Text:
    line = Text(f"  [{n}] ")
    line.append(safe(s["title"]), "italic")
    line.append(" — " + safe(date_or_unknown(s["publisher"], "publisher")))
    if s.get("byline"):
        line.append(", " + safe(s["byline"]))
    line.append(", " + safe(date_or_unknown(s["date"], "date")))
    if s.get("as_of"):
        line.append(f" (content as of {safe(s['as_of'])})")
    if s.get("url"):
        line.append(" " + safe(s["url"]))
    return line


def rows_table(rows: list[Payload], columns: list[tuple[str, str]]) -> Table:
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    for key, title in columns:
        table.add_column(title, overflow="fold", no_wrap=key in ("kind", "score"))
    for r in rows:
        table.add_row(*(t(cell(r, key)) for key, _ in columns))
    return table


def cell(row: Payload, key: str) -> str:
    value = row.get(key, "")
    return "" if value is None else str(value)


LIST_COLUMNS = [("kind", "kind"), ("name", "name"), ("name_zh", "中文"), ("id", "id")]
SEARCH_COLUMNS = [("kind", "kind"), ("name", "name"), ("name_zh", "中文"), ("score", "score"),
                  ("context", "match")]
SOURCE_COLUMNS = [("id", "id"), ("title", "title"), ("publisher", "publisher"),
                  ("date", "date"), ("facts", "facts"), ("entities", "entities")]


def overview(payload: Payload, out: Console) -> None:
    out.print(Text("cspace: China commercial space facts, offline", "bold"))
    out.print(Text(f"{payload['entities']} entities, {payload['facts']} facts, "
                   f"{payload['sources']} sources; facts dated {payload['dates']['earliest']} "
                   f"to {payload['dates']['latest']}"))
    counts = ", ".join(f"{n} {KINDS[k].plural if n != 1 else k}"
                       for k, n in payload["kinds"].items() if n)
    out.print(Text(counts, "dim"))
    out.print()
    for cmd, what in (("cspace province shandong", "one entity, with facts and citations"),
                      ("cspace search 'sea launch'", "search names and facts"),
                      ("cspace list company", "everything of one kind"),
                      ("cspace sources", "the documents behind the facts"),
                      ("cspace --help", "all commands and options")):
        out.print(Text(f"  {cmd:<30}", "bold") + Text(what))


def problems(rows: list[Payload], out: Console) -> None:
    for p in rows:
        where = p["path"] + (f":{p['line']}" if p.get("line") else "")
        style = "red" if p["severity"] == "error" else "yellow"
        out.print(Text(safe(where), "bold") + Text(": ") + Text(p["severity"], style)
                  + Text(": " + safe(p["message"])), soft_wrap=True)


def render(what: str, payload: Any, color: bool) -> None:
    out = console(color)
    if what == "entity":
        entity(payload, out)
    elif what == "overview":
        overview(payload, out)
    elif what == "problems":
        problems(payload, out)
    else:
        columns = {"list": LIST_COLUMNS, "search": SEARCH_COLUMNS, "sources": SOURCE_COLUMNS}
        out.print(rows_table(payload, columns[what]))
