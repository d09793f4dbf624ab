"""The one output sink: every command hands its payload here, whatever the format.

JSON goes straight to stdout with the standard library (Rich is never imported on that
path); anything for people is passed to :mod:`render`. Messages go to stderr.
"""

from __future__ import annotations

import errno
import json
import os
import re
import sys
from typing import Any, NamedTuple

from .codec import SOURCE_FIELDS
from .errors import UsageError

# Valid in JSON but able to act on a terminal (C1 controls, bidi overrides) or to stop an
# encoder (lone surrogates from undecodable arguments or file names): written as \u escapes.
_UNSAFE = re.compile("[\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
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
}


class OutputOptions(NamedTuple):
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
        return
    if fields:
        raise UsageError("--fields needs --json")
    from . import render

    try:
        render.render(what, payload, use_color(opts.color))
    except SystemExit as exc:
        # Rich ends the process with 1 (our "no match") when the reader closes the pipe;
        # hand it on as the broken pipe it is, which the CLI ends quietly.
        raise BrokenPipeError(errno.EPIPE, "output closed") from exc


def to_json(payload: Any, stream: Any) -> str:
    """UTF-8 text as is, unless the stream cannot encode it (``LANG=C``): then \\u escapes,
    which decode to the same values."""
    text = _UNSAFE.sub(
        lambda m: f"\\u{ord(m[0]):04x}", json.dumps(payload, ensure_ascii=False, indent=2)
    )
    try:
        text.encode(getattr(stream, "encoding", None) or "utf-8")
    except (UnicodeEncodeError, LookupError):
        return json.dumps(payload, ensure_ascii=True, indent=2)
    return text


def message(text: str) -> None:
    """One line for a person on stderr: line breaks become spaces, other control
    characters (escapes, bidi overrides, undecodable bytes) a visible '?'."""
    flat = " ".join(text.splitlines())
    clean = "".join(c if c.isprintable() else "?" for c in flat)
    sys.stderr.write(f"cspace: {clean}\n")
