"""Full-text search over the index's search rows: an entity's summary, each fact and each
relation note, with the entity's names as context.

With FTS5 the rows are matched and ranked by SQLite (bm25, porter stemming, trigrams for
Chinese); without it (an SQLite built without FTS5, or ``CSPACE_NO_FTS=1``) the same
questions are answered by a scan in Python, slower and without stemming or bm25.

A row matches a term when the term is in any of its columns, names included, but at
least one term must be in the row itself: "alliance members" finds the alliance's member
count, while "space pioneer" does not list every fact of Space Pioneer.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator, Sequence
from typing import Any, NamedTuple

from cspace_cli.text import spaced

COLUMNS = ("names", "attribute", "value", "status", "date", "body")
OWN = "{attribute value status date body}"
WEIGHTS = (0.5, 4.0, 3.0, 2.0, 2.0, 1.0)  # bm25 weight of each column, in COLUMNS order
BM25 = f"bm25(rows_fts, {', '.join(map(str, WEIGHTS))})"
TRIGRAM = 3  # shorter Chinese terms are found with instr() on the small Chinese table
MARK = ("\x02", "\x03")  # around a matched word in highlighted text; never in fact text


class Term(NamedTuple):
    """One thing the query asks for: a word, a phrase (several words in order) or a run
    of Chinese characters. Words are normalised as name keys are."""

    words: tuple[str, ...]
    cjk: bool = False

    @property
    def text(self) -> str:
        return " ".join(self.words)


class TextRow(NamedTuple):
    """A search row that matched: its entity, what it is (``summary``, ``fact`` or
    ``relation``, with its position), how many terms it holds and its bm25 (lower is
    better)."""

    rowid: int
    id: str
    part: str
    pos: int
    hits: int
    rank: float


class Marked(NamedTuple):
    """A matched row's columns with every matched word between ``MARK`` characters."""

    columns: dict[str, str]

    def matched(self) -> list[str]:
        """The columns that hold a match, in ``COLUMNS`` order."""
        return [c for c in COLUMNS if MARK[0] in self.columns.get(c, "")]


def fts_phrase(term: Term, prefix: bool) -> str:
    """An FTS5 string for a term (quoted, so nothing in it is query syntax)."""
    return '"' + term.text.replace('"', '""') + '"' + (" *" if prefix else "")


def _cjk_own(term: Term) -> tuple[str, str]:
    if len(term.text) >= TRIGRAM:
        return "r.rowid IN (SELECT rowid FROM cjk_fts WHERE cjk_fts MATCH ?)", fts_phrase(
            term, False
        )
    return "r.rowid IN (SELECT rowid FROM cjk WHERE instr(text, ?) > 0)", term.text


def matches(
    conn: sqlite3.Connection, terms: Sequence[Term], kind: str | None, mode: str
) -> Iterator[TextRow]:
    """Rows for ``terms``, best first. ``mode``: ``all`` (every term, as a whole stemmed
    word), ``prefix`` (every term, as the start of a word: "chairs" finds "chairman") or
    ``any`` (at least one, the rows with most terms first). In the first two, a row that
    holds the query's words side by side, in order, counts one more and comes first."""
    latin = [t for t in terms if not t.cjk]
    chinese = [t for t in terms if t.cjk]
    prefix = mode == "prefix"
    phrases = [fts_phrase(t, prefix) for t in latin]
    own_latin = f"{OWN} : ({' OR '.join(phrases)})" if phrases else ""
    in_fts = "r.rowid IN (SELECT rowid FROM rows_fts WHERE rows_fts MATCH ?)"
    # Per Chinese term: (in the row itself, anywhere with the entity's names, arguments).
    cjk = [(*_cjk_own(t), t.text) for t in chinese]
    own = [(sql, [arg]) for sql, arg, _ in cjk]
    anywhere = [(f"({sql} OR instr(e.names, ?) > 0)", [arg, text]) for sql, arg, text in cjk]
    where: list[tuple[str, list[Any]]] = []
    if latin and (mode != "any" or not chinese):
        source, rank = "rows_fts f JOIN rows r ON r.rowid = f.rowid", BM25
        if mode == "any":
            where.append(("rows_fts MATCH ?", [own_latin]))
        elif chinese:
            where.append(("rows_fts MATCH ?", [" AND ".join(phrases)]))
            own.append((in_fts, [own_latin]))
        else:
            where.append(("rows_fts MATCH ?", [f"{' AND '.join(phrases)} AND {own_latin}"]))
    else:
        source, rank = "rows r", "-1.0"  # no bm25 without a MATCH: every row alike
        if latin:
            own.append((in_fts, [own_latin]))
    if chinese:
        source += " JOIN entities e ON e.id = r.id"
    if own:
        where.append(
            ("(" + " OR ".join(sql for sql, _ in own) + ")", [a for _, x in own for a in x])
        )
    if mode == "any":
        count = anywhere + [(in_fts, [p]) for p in phrases]
    else:
        where += anywhere
        count = [(str(len(terms)), [])]
        words = [w for t in latin for w in t.words]
        if len(words) > 1:
            count.append((in_fts, [fts_phrase(Term(tuple(words)), prefix)]))
    if kind:
        where.append(("r.kind = ?", [kind]))
    hits = " + ".join("(" + c + ")" for c, _ in count)
    sql = (
        f"SELECT r.rowid, r.id, r.part, r.pos, {hits} AS hits, "
        f"{rank} AS rank FROM {source} WHERE {' AND '.join(w for w, _ in where)} "
        "ORDER BY hits DESC, rank, r.rowid"
    )
    args = [a for _, x in count for a in x] + [a for _, x in where for a in x]
    return (TextRow(*row) for row in conn.execute(sql, args))


def marked(
    conn: sqlite3.Connection, terms: Sequence[Term], rowids: Sequence[int], prefix: bool
) -> dict[int, Marked]:
    """The columns of the given rows with matched words marked by SQLite's ``highlight``
    (so stemmed matches are marked too), and Chinese terms marked where they occur."""
    out: dict[int, Marked] = {}
    holes = ", ".join("?" * len(rowids))
    rows = conn.execute(
        f"SELECT rowid, {', '.join(COLUMNS)} FROM rows_in_context WHERE rowid IN ({holes})",
        list(rowids),
    ).fetchall()
    for rowid, *texts in rows:
        out[rowid] = Marked(dict(zip(COLUMNS, texts, strict=True)))
    latin = [t for t in terms if not t.cjk]
    if latin:
        lit = ", ".join(
            f"highlight(rows_fts, {i}, '{MARK[0]}', '{MARK[1]}')" for i in range(len(COLUMNS))
        )
        expr = " OR ".join(fts_phrase(t, prefix) for t in latin)
        for rowid, *texts in conn.execute(
            f"SELECT rowid, {lit} FROM rows_fts WHERE rows_fts MATCH ? AND rowid IN ({holes})",
            [expr, *rowids],
        ):
            out[rowid] = Marked(dict(zip(COLUMNS, texts, strict=True)))
    chinese = [t.text for t in terms if t.cjk]
    if chinese:
        for rowid, m in out.items():
            out[rowid] = Marked({c: mark_all(text, chinese) for c, text in m.columns.items()})
    return out


def mark_all(text: str, needles: Sequence[str]) -> str:
    """``text`` with every occurrence of each needle marked (literal, case-sensitive: for
    Chinese, which has no case)."""
    pattern = "|".join(re.escape(n) for n in sorted(needles, key=len, reverse=True) if n)
    if not pattern:
        return text
    return re.sub(pattern, lambda m: MARK[0] + m[0] + MARK[1], text)


# The scan, where SQLite has no FTS5 ---------------------------------------------------


def _stem(word: str) -> str:
    """A plural's singular, roughly: the scan has no porter stemmer."""
    if len(word) > 4 and word.endswith(("ches", "shes", "sses", "xes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def _pattern(term: Term, raw: bool) -> re.Pattern[str]:
    """A term as a regular expression: each word starts a word, the words in order.
    ``raw`` matches unnormalised text (any separators, any case) for marking."""
    if term.cjk:
        return re.compile(re.escape(term.text))
    words = [re.escape(_stem(w)) for w in term.words]
    gap = r"[\W_]+" if raw else " "
    return re.compile(r"(?<![^\W_])" + gap.join(words) + r"\w*", re.IGNORECASE if raw else 0)


def scan(
    conn: sqlite3.Connection, terms: Sequence[Term], kind: str | None, mode: str
) -> list[TextRow]:
    """What :func:`matches` finds, by reading every row (every term as the start of a
    word in either mode); ranked by where the terms are, weighted as bm25's columns are."""
    patterns = [_pattern(t, raw=False) for t in terms]
    sql = (
        "SELECT r.rowid, r.id, r.part, r.pos, e.names, r.attribute, r.value, r.status, r.date, "
        "r.body FROM rows r JOIN entities e ON e.id = r.id"
    )
    rows = conn.execute(sql + " WHERE r.kind = ?", (kind,)) if kind else conn.execute(sql)
    found: list[TextRow] = []
    for rowid, eid, part, pos, *texts in rows:
        keyed = [spaced(t) if t else "" for t in texts]
        score = 0.0
        held = 0
        own = False
        for p in patterns:
            where = [i for i, t in enumerate(keyed) if t and p.search(t)]
            if where:
                held += 1
                own = own or any(i > 0 for i in where)
                score += sum(WEIGHTS[i] for i in where)
        if own and (held == len(terms) or mode == "any"):
            length = sum(len(t) for t in keyed[1:])
            found.append(TextRow(rowid, eid, part, pos, held, -score / (1 + length / 200)))
    found.sort(key=lambda r: (-r.hits, r.rank, r.rowid))
    return found


def scan_marked(
    conn: sqlite3.Connection, terms: Sequence[Term], rowids: Sequence[int]
) -> dict[int, Marked]:
    """:func:`marked` for the scan: terms marked where they start a word."""
    either = re.compile(
        "|".join(f"(?:{_pattern(t, raw=True).pattern})" for t in terms), re.IGNORECASE
    )
    holes = ", ".join("?" * len(rowids))
    out: dict[int, Marked] = {}
    for rowid, *texts in conn.execute(
        f"SELECT rowid, {', '.join(COLUMNS)} FROM rows_in_context WHERE rowid IN ({holes})",
        list(rowids),
    ):
        out[rowid] = Marked(
            {
                column: either.sub(lambda m: MARK[0] + m[0] + MARK[1], text)
                for column, text in zip(COLUMNS, texts, strict=True)
            }
        )
    return out
