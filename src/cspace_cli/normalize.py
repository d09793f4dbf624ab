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
