"""The one rule by which names become lookup keys.

A name is NFKC-normalised, case-folded, and stripped of diacritics (so ``Tiānbīng`` is
``tianbing``); every run of characters that are not letters or digits becomes one space.
That *spaced* key keeps word edges; the *compact* key drops the spaces too, so
``Tianbing Keji``, ``tianbingkeji`` and ``tian-bing keji`` all meet. Chinese characters
pass through unchanged and are matched as substrings.
"""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def from_argv(text: str) -> str:
    """Undo Python's escaping of argument bytes it could not decode: under ``LANG=C`` the
    UTF-8 bytes of ``天兵`` arrive as lone surrogates; anything still broken becomes U+FFFD."""
    if not any("\udc80" <= c <= "\udcff" for c in text):
        return text
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def spaced(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).casefold()
    stripped = "".join(c for c in unicodedata.normalize("NFD", folded)
                       if not unicodedata.combining(c))
    return _NON_WORD.sub(" ", unicodedata.normalize("NFC", stripped)).strip()


def compact(text: str) -> str:
    return spaced(text).replace(" ", "")


def has_cjk(text: str) -> bool:
    return bool(_CJK.search(text))
