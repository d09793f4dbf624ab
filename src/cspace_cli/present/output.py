"""The one output sink: every command hands its payload here, whatever the format.

JSON goes straight to stdout with the standard library (Rich is never imported on that
path); a fact listing's rows are written one at a time, as JSON or CSV, so a listing of a
whole large base never sits in memory as text. Anything for people is passed to
:mod:`render`, and through the pager when it is longer than the terminal. Messages go to
stderr.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from typing import Any, NamedTuple

from cspace_cli.errors import UsageError
from cspace_cli.index.codec import SOURCE_FIELDS
from cspace_cli.model import Fact
from cspace_cli.settings import Settings
from cspace_cli.text import escape_active

_REF = ("id", "kind", "name", "name_zh")
_FACT_ROW = (*Fact._fields, "disputed", "series", "entity")
FIELDS: dict[str, tuple[str, ...]] = {
    "entity": (
        *_REF,
        "pinyin",
        "aliases",
        "summary",
        "located_in",
        "key_figures",
        "more_figures",
        "facts",
        "related",
        "sources",
        "match",
    ),
    "list": (*_REF, "summary"),
    "search": (
        *_REF,
        "score",
        "field",
        "context",
        "why",
        "matched_words",
        "partial",
        "fact",
        "sources",
    ),
    "sources": (*SOURCE_FIELDS, "facts", "entities"),
    "source": (*SOURCE_FIELDS, "entities", "facts"),
    "facts": _FACT_ROW,
    "timeline": _FACT_ROW,
    "compare": ("kind", "entities", "rows", "sources"),
    "cache": ("path", "bytes", "last_used", "format", "folders"),
}
LISTINGS = ("facts", "timeline")  # payloads whose JSON is the array of their rows


class OutputOptions(NamedTuple):
    """How to print: JSON, CSV or text, which keys or columns, whether a long text view
    may go through the pager, and the run's settings for colour and the pager."""

    json: bool
    fields: str
    settings: Settings
    csv: bool = False
    pager: bool = True


def parse_fields(raw: str, valid: tuple[str, ...]) -> tuple[str, ...]:
    """``--fields id,name`` -> a checked tuple; an unknown name lists the valid ones."""
    wanted = tuple(f.strip() for f in raw.split(",") if f.strip())
    unknown = [f for f in wanted if f not in valid]
    if unknown:
        raise UsageError(
            f"unknown field '{unknown[0]}' for --fields (valid here: {', '.join(valid) or 'none'})"
        )
    if raw and not wanted:
        raise UsageError("--fields is empty; give names such as id,name")
    return wanted


def select(payload: Any, fields: tuple[str, ...]) -> Any:
    if not fields:
        return payload
    if isinstance(payload, list):
        return [select(p, fields) for p in payload]
    return {k: payload[k] for k in ("schema_version", *fields) if k in payload}


def emit(what: str, payload: Any, opts: OutputOptions) -> None:
    if opts.csv:
        write_csv(payload, opts.fields)
        sys.stdout.flush()  # as for JSON below
        return
    fields = parse_fields(opts.fields, FIELDS.get(what, ())) if opts.fields else ()
    if opts.json:
        if what in LISTINGS and not fields and _utf8(sys.stdout):
            write_items(payload["json_rows"], sys.stdout)
        elif what in LISTINGS:
            rows = (select(row, fields) for row in payload["rows"])
            write_array(rows, sys.stdout, compact=True)
        else:
            sys.stdout.write(to_json(select(payload, fields), sys.stdout) + "\n")
        sys.stdout.flush()  # a reader gone is noticed here, not at exit (which says 120)
        return
    if fields:
        raise UsageError(
            "--fields needs --json or --csv" if what in LISTINGS else "--fields needs --json"
        )
    from cspace_cli.present import render

    terminal = is_terminal(sys.stdout)
    color = opts.settings.colour_on(terminal)
    chunks = render.render(what, payload, color, terminal_width())
    if terminal and opts.pager and opts.settings.pager and _longer_than_screen(chunks):
        from cspace_cli.present.pager import page

        sys.stdout.flush()
        if page("".join(chunks), opts.settings.pager):
            return
    for chunk in chunks:
        sys.stdout.write(chunk)
    sys.stdout.flush()


def write_array(items: Iterable[Any], stream: Any, compact: bool = False) -> None:
    """The text ``json.dumps(list(items), indent=2)`` gives, written one item at a time;
    ``compact`` puts each item on one line instead (the standard library encodes that in
    C, about ten times faster: 10,000 fact rows in 40 ms instead of 450)."""
    indent = None if compact else 2
    write_items((to_json(item, stream, indent) for item in items), stream)


def write_items(texts: Iterable[str], stream: Any, chunk: int = 1 << 18) -> None:
    """A JSON array of items already encoded, indented by two spaces, written about
    ``chunk`` characters at a time."""
    stream.write("[")
    empty = True
    batch: list[str] = []
    size = 0
    for text in texts:
        batch.append(text.replace("\n", "\n  "))
        size += len(text)
        if size >= chunk:
            stream.write(("\n  " if empty else ",\n  ") + ",\n  ".join(batch))
            empty, batch, size = False, [], 0
    if batch:
        stream.write(("\n  " if empty else ",\n  ") + ",\n  ".join(batch))
        empty = False
    stream.write("]\n" if empty else "\n]\n")


def write_csv(payload: Any, raw_fields: str) -> None:
    """A fact listing as CSV, the columns of ``cspace export --format csv`` (or those
    ``--fields`` names), one row at a time."""
    import csv

    from cspace_cli.present.export import CSV_COLUMNS, Defused, csv_row

    fields = parse_fields(raw_fields, CSV_COLUMNS) if raw_fields else CSV_COLUMNS
    keep = [CSV_COLUMNS.index(f) for f in fields]
    titles = {sid: s["title"] for sid, s in payload["sources"].items()}
    sink = Defused(sys.stdout)
    writer = csv.writer(sink, lineterminator="\n")
    writer.writerow(fields)
    for row in payload["rows"]:
        cells = csv_row(row["entity"], row, titles)
        writer.writerow([cells[i] for i in keep])
    sink.flush()


def _utf8(stream: Any) -> bool:
    encoding = getattr(stream, "encoding", None) or "utf-8"
    return bool(encoding.lower().replace("-", "").replace("_", "") == "utf8")


def _longer_than_screen(chunks: list[str]) -> bool:
    import shutil

    return sum(c.count("\n") for c in chunks) > shutil.get_terminal_size((80, 24)).lines


def is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def terminal_width() -> int:
    """The terminal's width: ``COLUMNS`` if it is a positive number, else the terminal's
    own, else 80 (``COLUMNS=0`` must not hide the data)."""
    import shutil

    width = shutil.get_terminal_size((80, 24)).columns
    return width if width > 0 else 80


def to_json(payload: Any, stream: Any, indent: int | None = 2) -> str:
    """UTF-8 text as is, unless the stream cannot encode it (``LANG=C``): then \\u escapes,
    which decode to the same values."""
    text = escape_active(json.dumps(payload, ensure_ascii=False, indent=indent))
    if _utf8(stream):
        return text  # escape_active took out the lone surrogates, all UTF-8 cannot hold
    try:
        text.encode(getattr(stream, "encoding", None) or "utf-8")
    except (UnicodeEncodeError, LookupError):
        return json.dumps(payload, ensure_ascii=True, indent=indent)
    return text
