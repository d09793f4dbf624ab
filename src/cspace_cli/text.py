"""The one rule by which names become lookup keys.

A name is NFKC-normalised, case-folded, and stripped of diacritics (the marks of the
Unicode combining blocks, so ``Tiānbīng`` is ``tianbing``); every run of characters that
are not letters or digits becomes one space.
That *spaced* key keeps word edges; the *compact* key drops the spaces too, so
``Tianbing Keji``, ``tianbingkeji`` and ``tian-bing keji`` all meet. Chinese characters
pass through unchanged and are matched as substrings.
"""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def from_argv(text: str) -> str:
    """Undo Python's escaping of argument bytes it could not decode: under ``LANG=C`` the
    UTF-8 bytes of ``天兵`` arrive as lone surrogates; anything still broken becomes U+FFFD."""
    if not any("\udc80" <= c <= "\udcff" for c in text):
        return text
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def spaced(text: str) -> str:
    if text.isascii():
        return _NON_WORD.sub(" ", text.lower()).strip()
    folded = unicodedata.normalize("NFKC", text).casefold()
    stripped = _COMBINING.sub("", unicodedata.normalize("NFD", folded))
    return _NON_WORD.sub(" ", unicodedata.normalize("NFC", stripped)).strip()


def compact(text: str) -> str:
    return spaced(text).replace(" ", "")


def has_cjk(text: str) -> bool:
    """A scan, not a regex: compiling the character class cost 4 ms of every start-up."""
    return any("\u3400" <= c <= "\u9fff" or "\uf900" <= c <= "\ufaff" for c in text)


JOINERS = {"\u200c", "\u200d"}
# Valid in JSON but able to act on a terminal (C1 controls, bidi overrides) or to stop an
# encoder (lone surrogates from undecodable arguments or file names).
_ACTIVE_CHARS = "\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff"
_ACTIVE = re.compile(f"[{_ACTIVE_CHARS}]")


def clean(value: object, limit: int = 0, mark: str = "?") -> str:
    """The one sanitiser for text from fact files, queries and paths: inert, one line.

    Whitespace runs (newlines, tabs, line separators) become one space; control and
    format characters (ESC, C1 codes, bidi overrides and isolates, zero-width marks other
    than the joiners, lone surrogates, private-use characters) become ``mark``. Cut to
    ``limit`` characters with an ellipsis (0: no limit).
    """
    text = " ".join(str(value).split())
    if not text.isprintable():
        text = "".join(
            c if c.isprintable() or c in JOINERS or unicodedata.category(c) == "Zs" else mark
            for c in text
        )
    return text if not limit or len(text) <= limit else text[: limit - 1] + "…"


def quoted(value: object, limit: int = 40) -> str:
    """A value quoted for a one-line message."""
    return f"'{clean(value, limit)}'"


def escape_active(json_text: str) -> str:
    """JSON text with the characters that could act on a terminal written as \\u escapes,
    which decode to the same values."""
    return _ACTIVE.sub(lambda m: f"\\u{ord(m[0]):04x}", json_text)


# The same characters, and the C0 controls but tab and line breaks (JSON escapes those
# itself), for text that has no escapes: a CSV cell.
_ACTIVE_OR_CONTROL = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f{_ACTIVE_CHARS}]")


def defuse(value: str) -> str:
    """Text with every character :func:`escape_active` would escape, and the control
    characters, as U+FFFD: what data without escapes can carry safely."""
    return _ACTIVE_OR_CONTROL.sub("\ufffd", value)
