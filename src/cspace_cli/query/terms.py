"""A search query as terms: what is searched for, and what is left out.

Quoted text ("sea launch", also in curly quotes) is one phrase, kept whole. Outside quotes
the query splits at spaces; a piece that is one word is dropped when it is a stop word
("the", "of", "who" …) or a single Latin letter or digit, so these never match every
row. A piece joined by punctuation is a phrase: ``Tianlong-3``, ``co-founded``, and a
number with a decimal point or thousands separator (``13.38``, ``2.5``, ``50,000``),
which is how the index splits printed numbers; ``35%`` is the phrase "35 percent". A run
of Chinese characters is one term, matched as a substring. A possessive ``'s`` goes.
"""

from __future__ import annotations

import re

from cspace_cli.index.fulltext import Term
from cspace_cli.text import has_cjk, spaced

STOP_WORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "all",
        "also",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "been",
        "being",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "for",
        "from",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "him",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "just",
        "many",
        "me",
        "more",
        "most",
        "much",
        "my",
        "no",
        "nor",
        "not",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "out",
        "over",
        "own",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "whose",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
    ]
)
# Patterns as text: the ``re`` module compiles each on first use, so a lookup (which
# imports this module with the command table) never pays for them.
QUOTED = r"\"([^\"]*)\"?|“([^”]*)”?"
POSSESSIVE = r"(?<=\w)['\u2019][sS]\b"  # Space Pioneer's, with either apostrophe
NUMBER = r"\d+(?:[.,]\d+)+"
TOKEN = NUMBER + r"|[^\W_]+"
CJK_RUN = "([\u3400-\u9fff\uf900-\ufaff]+)"


def terms(query: str) -> list[Term]:
    """The terms of ``query``, in order, each once; empty when nothing is left."""
    out: list[Term] = []
    rest = []
    at = 0
    for m in re.finditer(QUOTED, query):
        rest.append(query[at : m.start()])
        at = m.end()
        phrase = m[1] if m[1] is not None else m[2]
        out += _phrase(spaced(phrase.replace("%", " percent")).split())
    rest.append(query[at:])
    for chunk in " ".join(rest).split():
        out += _chunk(re.sub(POSSESSIVE, "", chunk))
    return list(dict.fromkeys(out))


def _chunk(chunk: str) -> list[Term]:
    tokens = re.findall(TOKEN, chunk.replace("%", " percent"))
    words = [w for t in tokens for w in spaced(t).split()]
    if all(_droppable(w) for w in words) and not any(re.fullmatch(NUMBER, t) for t in tokens):
        return []
    return _phrase(words)


def _droppable(word: str) -> bool:
    return word in STOP_WORDS or (len(word) == 1 and not has_cjk(word))


def _phrase(words: list[str]) -> list[Term]:
    """Latin words as one term; each run of Chinese characters as a term of its own."""
    out: list[Term] = []
    latin: list[str] = []
    for word in words:
        for part in re.split(CJK_RUN, word) if has_cjk(word) else [word]:
            if not part:
                continue
            if has_cjk(part):
                out.append(Term((part,), cjk=True))
            else:
                latin.append(part)
    if latin:
        out.insert(0, Term(tuple(latin)))
    return out


def name_words(query: str) -> str:
    """The query as names are matched: without stop words, but with its single letters and
    digits (``tianlong 3`` is a name); empty when only stop words are left."""
    kept = [w for w in spaced(query.replace("%", " percent")).split() if w not in STOP_WORDS]
    return " ".join(kept)
