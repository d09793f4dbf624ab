"""The one output sink: every command hands its payload here, whatever the format.

JSON goes straight to stdout with the standard library (Rich is never imported on that
path); anything for people is passed to :mod:`render`. Messages go to stderr.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from typing import Any

from .errors import UsageError

_REF = ("id", "kind", "name", "name_zh")
FIELDS: dict[str, tuple[str, ...]] = {
    "entity": (*_REF, "pinyin", "aliases", "summary", "located_in", "facts", "related",
               "sources", "match"),
    "list": (*_REF, "summary"),
    "search": (*_REF, "score", "field", "context"),
    "sources": ("id", "title", "publisher", "byline", "date", "as_of", "url", "language",
                "note", "file", "facts", "entities"),
}


@dataclass(frozen=True)
class OutputOptions:
    json: bool = False
    color: str = "auto"
    fields: str = ""


def use_color(choice: str, stream: Any = None, env: Any = None) -> bool:
    """Colour only on a terminal, unless forced; NO_COLOR and TERM=dumb switch it off."""
    environ = os.environ if env is None else env
    if choice == "always":
        return True
    if choice == "never" or "NO_COLOR" in environ or environ.get("TERM") == "dumb":
        return False
    stream = stream or sys.stdout
    return bool(getattr(stream, "isatty", lambda: False)())


def parse_fields(raw: str, what: str) -> tuple[str, ...]:
    """``--fields id,name`` -> a checked tuple; an unknown name lists the valid ones."""
    wanted = tuple(f.strip() for f in raw.split(",") if f.strip())
    valid = FIELDS.get(what, ())
    unknown = [f for f in wanted if f not in valid]
    if unknown:
        raise UsageError(f"unknown field '{unknown[0]}' for --fields "
                         f"(valid here: {', '.join(valid) or 'none'})")
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
        sys.stdout.write(json.dumps(select(payload, fields), ensure_ascii=False,
                                    indent=2) + "\n")
        return
    if fields:
        raise UsageError("--fields needs --json")
    from . import render

    render.render(what, payload, use_color(opts.color))


def message(text: str) -> None:
    """One line for a person on stderr, with control characters made visible."""
    clean = "".join(c if c.isprintable() or c == "\n" else "?" for c in text)
    sys.stderr.write(f"cspace: {clean}\n")
