"""Property-based tests of the matcher and the loader.

Matcher: any text in gives a ranked result or a clean ``NotFound``/``UsageError``, never
another exception; a query equal to a known name finds that entity first (or in an exact
tie with another entity whose name has the same key). Loader: generated valid records
written to files load back to the same values; a record broken in one place is rejected
with a message that names that field. Example counts stay small enough for CI.
"""

from __future__ import annotations

import datetime as dt
import string
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import SHIPPED, write_base
from cspace_cli import Settings, open_index
from cspace_cli.errors import NotFound, UsageError
from cspace_cli.index.reader import Index
from cspace_cli.kinds import DATE_KINDS, KINDS, QUALIFIERS, STATUSES
from cspace_cli.load.records import FACT_KEYS
from cspace_cli.load.scan import check_folders
from cspace_cli.model import Conversion, Entity, Fact
from cspace_cli.query.match import MAX_QUERY, lookup, ranked
from cspace_cli.query.search import search
from cspace_cli.text import from_argv, spaced

FUZZ = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
SLOW_FUZZ = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
SOURCES = (
    '[[sources]]\nid = "doc-a"\ntitle = "A"\nfile = "a.txt"\n\n'
    '[[sources]]\nid = "doc-b"\ntitle = "B"\nfile = "b.txt"\n'
)


def index_of(root: Path) -> Index:
    return open_index(Settings(extra_facts=(root,), shipped=False, use_cache=False))


@pytest.fixture(scope="module")
def fixture_index(tmp_path_factory: pytest.TempPathFactory) -> Index:
    return index_of(write_base(tmp_path_factory.mktemp("fuzz") / "facts"))


def names_of(index: Index) -> list[tuple[str, str, str]]:
    """(entity id, kind, name) for every name a user could type."""
    return [
        (eid, index.get(eid).kind, name)
        for eid in index.summaries
        for name in index.get(eid).names()
    ]


# --- matcher ---------------------------------------------------------------------------

any_char = st.characters(exclude_categories=[])
queries = st.one_of(
    st.text(any_char, max_size=MAX_QUERY + 20),
    st.text(st.sampled_from("tianbing 天兵科技 space pioneer-/.'\x1b[]"), max_size=40),
    st.text(st.characters(categories=["L", "N", "Zs"]), max_size=30),
)
kinds = st.sampled_from([None, *KINDS])


@FUZZ
@given(query=queries, kind=kinds)
def test_any_query_ranks_or_misses_cleanly(
    fixture_index: Index, query: str, kind: str | None
) -> None:
    try:
        match = lookup(fixture_index, query, kind)
    except NotFound as exc:
        assert "\n" not in str(exc) and str(exc).isprintable()
        assert len(exc.suggestions) <= 3
        assert all(s.isprintable() for s in exc.suggestions)
        return
    except UsageError as exc:
        assert str(exc).isprintable()
        assert len(from_argv(query)) > MAX_QUERY or not spaced(from_argv(query))
        return
    best = match.best
    assert best.id in fixture_index
    assert kind is None or fixture_index.summaries[best.id].kind == kind
    assert len(match.alternatives) <= 3
    for a in match.alternatives:
        assert a.method == best.method or (best.method == "exact" and a.method == "prefix")
        assert a.rank <= best.rank
    assert best.id not in {a.id for a in match.alternatives}


@FUZZ
@given(query=queries, kind=kinds)
def test_any_query_searches_or_misses_cleanly(
    fixture_index: Index, query: str, kind: str | None
) -> None:
    """However hostile the query: a list of hits, each with a reason, or a clean miss."""
    try:
        hits = search(fixture_index, query, kind)
    except (UsageError, NotFound) as exc:
        assert "\n" not in str(exc) and str(exc).isprintable()
        return
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert len({(h.id, h.field, h.part, h.pos) for h in hits}) == len(hits)
    for h in hits:
        assert h.id in fixture_index
        assert kind is None or fixture_index.summaries[h.id].kind == kind
        assert h.why, h
        assert h.field == "name" or h.part in ("summary", "fact", "relation")
        if h.part == "fact":
            assert 0 <= h.pos < len(fixture_index.get(h.id).facts)
    texts = [h.id for h in hits if h.field == "text"]
    assert all(texts.count(eid) <= 3 for eid in texts)


def found_first(index: Index, name: str, eid: str, kind: str) -> bool:
    """The entity ranks first, or shares the top (exact) tier with another whose name has
    the same key."""
    cands = ranked(index, name, kind)
    if cands[0].id == eid:
        return True
    return cands[0].method == "exact" and any(c.id == eid and c.method == "exact" for c in cands)


def test_every_known_name_finds_its_entity(fixture_index: Index) -> None:
    rows = names_of(fixture_index)
    assert len(rows) >= 12
    for eid, kind, name in rows:
        assert found_first(fixture_index, name, eid, kind), (eid, name)
        assert lookup(fixture_index, name, kind).best.method == "exact"


def test_every_shipped_name_finds_its_entity() -> None:
    index = index_of(SHIPPED)
    rows = names_of(index)
    assert len(rows) > 100
    misses = [(eid, name) for eid, kind, name in rows if not found_first(index, name, eid, kind)]
    assert misses == []


name_text = st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=40).filter(
    lambda s: bool(spaced(s))
)


@SLOW_FUZZ
@given(
    names=st.lists(name_text, min_size=1, max_size=6),
    kind=st.sampled_from(list(KINDS)),
    data=st.data(),
)
def test_generated_names_find_their_entities(
    tmp_path_factory: pytest.TempPathFactory, names: list[str], kind: str, data: st.DataObject
) -> None:
    root = tmp_path_factory.mktemp("names")
    (root / "sources.toml").write_text(SOURCES, encoding="utf-8")
    (root / kind).mkdir()
    aliases = data.draw(st.lists(name_text, max_size=2))
    for i, name in enumerate(names):
        extra = f"aliases = {toml(aliases)}\n" if i == 0 else ""
        (root / kind / f"e{i}.toml").write_text(
            f'name = {toml(name)}\nsummary = "s"\n{extra}', encoding="utf-8"
        )
    index = index_of(root)
    for i, name in enumerate(names):
        assert found_first(index, name.strip(), f"{kind}/e{i}", kind), name
    for alias in aliases:
        assert found_first(index, alias.strip(), f"{kind}/e0", kind), alias


# --- loader: TOML out, records back -----------------------------------------------------


def toml(value: Any) -> str:
    """A TOML value, escaping everything TOML or a reader could trip on."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return '"' + "".join(toml_char(c) for c in value) + '"'
    if isinstance(value, list):
        return "[" + ", ".join(toml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {toml(v)}" for k, v in value.items()) + " }"
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(type(value))


def toml_char(c: str) -> str:
    if c in '"\\':
        return "\\" + c
    if c.isprintable() or c == " ":
        return c
    return f"\\u{ord(c):04x}" if ord(c) < 0x10000 else f"\\U{ord(c):08x}"


def toml_file(record: dict[str, Any]) -> str:
    lines = [f"{k} = {toml(v)}" for k, v in record.items() if k not in ("facts", "relations")]
    for table in ("facts", "relations"):
        for item in record.get(table, []):
            lines += ["", f"[[{table}]]", *(f"{k} = {toml(v)}" for k, v in item.items())]
    return "\n".join(lines) + "\n"


text = st.text(st.characters(exclude_categories=["Cs"]), max_size=30)
filled = text.filter(lambda s: bool(s.strip()))
ints = st.integers(-(2**63), 2**63 - 1)
floats = st.floats(allow_nan=False, allow_infinity=False)
numbers = st.one_of(ints, floats)


@st.composite
def partial_dates(draw: st.DrawFn) -> str:
    day = draw(st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31)))
    form = draw(st.sampled_from(["Y", "YM", "YMD", "H", "Q"]))
    if form == "H":
        return f"{day.year:04d}-H{draw(st.integers(1, 2))}"
    if form == "Q":
        return f"{day.year:04d}-Q{draw(st.integers(1, 4))}"
    return day.isoformat()[: {"Y": 4, "YM": 7, "YMD": 10}[form]]


@st.composite
def facts(draw: st.DrawFn) -> dict[str, Any]:
    fact: dict[str, Any] = {"attribute": draw(filled), "status": draw(st.sampled_from(STATUSES))}
    if draw(st.booleans()):
        fact["value"] = draw(st.one_of(numbers, filled))
    else:
        fact["low"], fact["high"] = sorted(draw(st.tuples(numbers, numbers)))
    for key, strategy in (
        ("unit", text),
        ("qualifier", st.sampled_from(QUALIFIERS)),
        ("date", partial_dates()),
        ("date_kind", st.sampled_from(DATE_KINDS)),
        ("date_text", text),
        ("date_inferred", st.booleans()),
        ("section", text),
    ):
        if draw(st.booleans()):
            fact[key] = draw(strategy)
    if draw(st.booleans()):
        conv: dict[str, Any] = {"unit": draw(filled)}
        if draw(st.booleans()):
            conv["value"] = draw(numbers)
        else:
            conv["low"], conv["high"] = sorted(draw(st.tuples(numbers, numbers)))
        fact["converted"] = conv
    fact["sources"] = draw(st.lists(st.sampled_from(["doc-a", "doc-b"]), min_size=1, max_size=2))
    fact["text"] = draw(filled)
    return fact


@st.composite
def records(draw: st.DrawFn, min_facts: int = 0) -> dict[str, Any]:
    record: dict[str, Any] = {"name": draw(filled), "summary": draw(filled)}
    for key, strategy in (
        ("name_zh", text),
        ("pinyin", text),
        ("aliases", st.lists(text, max_size=3)),
        ("sources", st.lists(st.sampled_from(["doc-a", "doc-b"]), max_size=2)),
    ):
        if draw(st.booleans()):
            record[key] = draw(strategy)
    record["facts"] = draw(st.lists(facts(), min_size=min_facts, max_size=3))
    return record


def expected_fact(raw: dict[str, Any]) -> Fact:
    conv = raw.get("converted")
    value = raw.get("value")
    return Fact(
        attribute=raw["attribute"].strip(),
        status=raw["status"],
        sources=tuple(raw["sources"]),
        text=raw["text"].strip(),
        value=value.strip() if isinstance(value, str) else value,
        low=raw.get("low"),
        high=raw.get("high"),
        unit=raw.get("unit", "").strip(),
        qualifier=raw.get("qualifier", ""),
        date=raw.get("date", ""),
        date_kind=raw.get("date_kind", "as_of"),
        date_text=raw.get("date_text", "").strip(),
        date_inferred=raw.get("date_inferred", False),
        converted=Conversion(
            unit=conv["unit"].strip(),
            value=conv.get("value"),
            low=conv.get("low"),
            high=conv.get("high"),
        )
        if conv
        else None,
        section=raw.get("section", "").strip(),
    )


def load_one(root: Path, record: dict[str, Any] | str) -> tuple[Entity | None, list[str], Path]:
    (root / "sources.toml").write_text(SOURCES, encoding="utf-8")
    (root / "company").mkdir(exist_ok=True)
    path = root / "company" / "rec.toml"
    path.write_text(record if isinstance(record, str) else toml_file(record), encoding="utf-8")
    base, problems = check_folders([root])
    mine = [p.message for p in problems if p.path == str(path)]
    assert len(mine) == len(problems), problems
    return base.entities.get("company/rec"), mine, path


@SLOW_FUZZ
@given(record=records())
def test_valid_records_round_trip(
    tmp_path_factory: pytest.TempPathFactory, record: dict[str, Any]
) -> None:
    entity, problems, path = load_one(tmp_path_factory.mktemp("rec"), record)
    assert problems == []
    assert entity is not None
    assert entity.name == record["name"].strip()
    assert entity.summary == record["summary"].strip()
    assert entity.name_zh == record.get("name_zh", "").strip()
    assert entity.pinyin == record.get("pinyin", "").strip()
    assert entity.aliases == tuple(a.strip() for a in record.get("aliases", []) if a.strip())
    assert entity.sources == tuple(record.get("sources", []))
    assert entity.facts == tuple(expected_fact(f) for f in record["facts"])
    assert entity.path == str(path)


def set_top(key: str, value: Any) -> Callable[[dict[str, Any]], str]:
    def apply(record: dict[str, Any]) -> str:
        record[key] = value
        return key

    return apply


def set_fact(key: str, new: Any, /, **others: Any) -> Callable[[dict[str, Any]], str]:
    """Set one key of the first fact; ``others`` (None: remove) keep the rest consistent."""

    def apply(record: dict[str, Any]) -> str:
        fact = record["facts"][0]
        for other, v in others.items():
            fact.pop(other, None)
            if v is not None:
                fact[other] = v
        fact[key] = new
        return f"facts[0].{key}"

    return apply


wrong_for_text = st.one_of(
    ints, floats, st.booleans(), st.lists(ints, max_size=2), st.builds(dict, a=ints), st.dates()
)
wrong_for_number = st.one_of(filled, st.booleans(), st.lists(ints, max_size=2), st.dates())
# Dates that look right at a glance: months and days out of range, Arabic-Indic and
# full-width digits (which a plain \d accepts), other separators.
BAD_DATES = [
    "2025-13",
    "2025-00",
    "2025-02-30",
    "2023-02-29",
    "2025-Q5",
    "2025-H3",
    "25",
    "2025/03",
    "2025-3",
    "March 2025",
    "2025-03-01T00:00",
    "0000",
    "\u0662\u0660\u0662\u0665",
    "\uff12\uff10\uff12\uff15-\uff10\uff13",
]
bad_dates = st.one_of(
    st.sampled_from(BAD_DATES),
    filled.filter(lambda s: not s.strip()[:4].isdigit()),
)


@pytest.mark.parametrize("date", BAD_DATES)
def test_dates_that_only_look_like_dates_are_rejected(tmp_path: Path, date: str) -> None:
    fact = {
        "attribute": "a",
        "value": 1,
        "status": "actual",
        "date": date,
        "sources": ["doc-a"],
        "text": "t",
    }
    entity, [message], _ = load_one(tmp_path, {"name": "X", "summary": "Y", "facts": [fact]})
    assert entity is None
    assert message.startswith(f"facts[0].date: '{date}' is not a ")


unknown_key = st.text(string.ascii_lowercase + "_", min_size=1, max_size=12)


@st.composite
def breakages(draw: st.DrawFn) -> Callable[[dict[str, Any]], str]:
    """One way to break a valid record; applying it returns the field it broke."""
    low, high = draw(st.tuples(numbers, numbers).filter(lambda p: p[0] > p[1]))
    top_unknown = draw(
        unknown_key.filter(
            lambda k: (
                k
                not in {
                    "name",
                    "name_zh",
                    "pinyin",
                    "aliases",
                    "summary",
                    "located_in",
                    "sources",
                    "facts",
                    "relations",
                }
            )
        )
    )
    fact_unknown = draw(unknown_key.filter(lambda k: k not in FACT_KEYS))
    breakage: Callable[[dict[str, Any]], str] = draw(
        st.sampled_from(
            [
                set_top("name", draw(wrong_for_text)),
                set_top("summary", draw(wrong_for_text)),
                set_top("aliases", draw(filled)),
                set_top(top_unknown, draw(ints)),
                set_fact(fact_unknown, draw(ints)),
                set_fact("value", draw(st.one_of(st.booleans(), st.lists(ints, max_size=2)))),
                set_fact("low", draw(wrong_for_number), value=None, high=1),
                set_fact("date", draw(bad_dates)),
                set_fact("low", low, value=None, high=high),
                set_fact("status", draw(filled.filter(lambda s: s.strip() not in STATUSES))),
                set_fact("date_inferred", draw(st.one_of(filled, ints))),
                set_fact("attribute", draw(wrong_for_text)),
            ]
        )
    )
    return breakage


@SLOW_FUZZ
@given(record=records(min_facts=1), breakage=breakages())
def test_broken_records_are_rejected_naming_the_field(
    tmp_path_factory: pytest.TempPathFactory,
    record: dict[str, Any],
    breakage: Callable[[dict[str, Any]], str],
) -> None:
    key = breakage(record)
    entity, problems, _ = load_one(tmp_path_factory.mktemp("bad"), record)
    assert entity is None
    [message] = problems
    assert message.startswith(f"{key}: "), (key, message)
    assert "\n" not in message and message.isprintable()
