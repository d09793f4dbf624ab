"""The one output sink: every command hands its payload here, whatever the format.

JSON goes straight to stdout with the standard library (Rich is never imported on that
path); anything for people is passed to :mod:`render`. Messages go to stderr.
"""

from __future__ import annotations

import json
import sys
from typing import Any, NamedTuple

from cspace_cli.errors import UsageError
from cspace_cli.index.codec import SOURCE_FIELDS
from cspace_cli.settings import Settings
from cspace_cli.text import escape_active

_REF = ("id", "kind", "name", "name_zh")
FIELDS: dict[str, tuple[str, ...]] = {
    "entity": (
        *_REF,
        "pinyin",
        "aliases",
        "summary",
        "located_in",
        "facts",
        "related",
        "sources",
        "match",
    ),
    "list": (*_REF, "summary"),
    "search": (*_REF, "score", "field", "context"),
    "sources": (*SOURCE_FIELDS, "facts", "entities"),
    "cache": ("path", "bytes", "last_used", "format", "folders"),
}


class OutputOptions(NamedTuple):
    """How to print: JSON or text, which JSON keys, and the run's settings for colour."""

    json: bool
    fields: str
    settings: Settings


def parse_fields(raw: str, what: str) -> tuple[str, ...]:
    """``--fields id,name`` -> a checked tuple; an unknown name lists the valid ones."""
    wanted = tuple(f.strip() for f in raw.split(",") if f.strip())
    valid = FIELDS.get(what, ())
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
    fields = parse_fields(opts.fields, what) if opts.fields else ()
    if opts.json:
        sys.stdout.write(to_json(select(payload, fields), sys.stdout) + "\n")
        sys.stdout.flush()  # a reader gone is noticed here, not at exit (which says 120)
        return
    if fields:
        raise UsageError("--fields needs --json")
    from cspace_cli.present import render

    color = opts.settings.colour_on(is_terminal(sys.stdout))
    sys.stdout.write(render.render(what, payload, color, terminal_width()))
    sys.stdout.flush()


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


def to_json(payload: Any, stream: Any) -> str:
    """UTF-8 text as is, unless the stream cannot encode it (``LANG=C``): then \\u escapes,
    which decode to the same values."""
    text = escape_active(json.dumps(payload, ensure_ascii=False, indent=2))
    try:
        text.encode(getattr(stream, "encoding", None) or "utf-8")
    except (UnicodeEncodeError, LookupError):
        return json.dumps(payload, ensure_ascii=True, indent=2)
    return text
