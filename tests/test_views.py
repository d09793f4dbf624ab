"""The views people read: entity cards, conflicts, related, sources, lists, the overview.

Golden files in ``tests/golden/`` pin whole views at 40, 80 and 120 columns, with and
without colour, rendered from the fixture base below (never from the shipped facts, so the
goldens change only when a view does). After an intended change of a view, rewrite them:

    UPDATE_GOLDEN=1 python -m pytest tests/test_views.py

and read ``git diff tests/golden`` before committing. The other tests check properties
every view must keep whatever its layout: widths, citations, colour, literal data.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
import typer
from rich.cells import cell_len

from conftest import ENTITIES, SOURCES, alone, flat, run, shown, write_base
from cspace_cli.cli.app import app
from cspace_cli.present.humanize import amount, fact_value, period, when
from cspace_cli.present.render import safe

GOLDEN = Path(__file__).parent / "golden"
UPDATE_GOLDEN = os.environ.get("UPDATE_GOLDEN") == "1"
SGR = re.compile(r"\x1b\[[0-9;]*m")
WIDTHS = (40, 80, 120)

VIEW_SOURCES = (
    SOURCES
    + """
[[sources]]
id = "doc-c"
title = "Doc C: a market report whose long title has to wrap at forty columns"
publisher = "Example Press"
byline = "A. Writer"
date = "2025-11-03"
as_of = "2025-Q3"
url = "https://example.org/report"
"""
)

VIEW_ENTITIES = {
    **ENTITIES,
    "province/shandong.toml": """
        name = "Shandong"
        name_zh = "山东"
        pinyin = "Shandong"
        summary = "Coastal province pairing a sea-launch port with rocket and satellite \
manufacturing in its cities."
        sources = ["doc-a"]

        [[facts]]
        attribute = "commercial space industry size"
        low = 2500000000000
        high = 2800000000000
        unit = "CNY"
        converted = { unit = "USD", low = 345500000000, high = 387000000000 }
        status = "projection"
        date = "2025"
        date_kind = "by"
        sources = ["doc-c"]
        text = "The report expects the industry to reach 2.5 to 2.8 trillion yuan by 2025."

        [[facts]]
        attribute = "commercial space enterprises"
        value = 210
        qualifier = "over"
        unit = "enterprises"
        status = "actual"
        date = "2026-02-01"
        date_inferred = true
        date_text = "As of February 1"
        sources = ["doc-a"]
        text = "Over 210 enterprises work in the sector, as of February 1 (year inferred)."

        [[facts]]
        attribute = "share of national launches"
        value = 20
        unit = "percent"
        status = "target"
        date = "2025-H1"
        date_kind = "during"
        sources = ["doc-b"]
        text = "The province aims at a fifth of national launches."

        [[facts]]
        attribute = "development strategy"
        value = "industrial clusters around the sea-launch port and the Jinan bases"
        status = "plan"
        sources = ["doc-a", "doc-c"]
        text = "The province files its space industry under a cluster approach, with the \
sea-launch port at Haiyang and the manufacturing bases of Jinan as the two poles."
        """,
    "city/jinan.toml": """
        name = "Jinan"
        name_zh = "济南"
        summary = "Provincial capital with rocket and satellite bases."
        located_in = "province/shandong"

        [[relations]]
        relation = "ships_to"
        object = "site/sea-port"
        sources = ["doc-b"]
        """,
    "company/jigang.toml": """
        name = "Jinan Iron and Steel Group"
        aliases = ["Jigang"]
        summary = "Steel group building a heavy-lift rocket base."
        located_in = "city/jinan"

        [[facts]]
        attribute = "site area"
        value = 50000
        qualifier = "more than"
        unit = "m²"
        status = "plan"
        sources = ["doc-b"]
        text = "The rocket base is to cover more than 50,000 square metres."

        [[relations]]
        relation = "partner_of"
        object = "company/space-pioneer"
        sources = ["doc-b"]
        """,
    "company/tianbing-holdings.toml": """
        name = "Tianbing Holdings"
        summary = "A look-alike name for the ambiguity line."

        [[facts]]
        attribute = "planned output"
        value = 10
        unit = "rockets/year"
        status = "plan"
        sources = ["doc-a"]
        text = "A smaller line, for the comparison."
        """,
    "company/space-pioneer.toml": """
        name = "Space Pioneer"
        name_zh = "天兵科技"
        pinyin = "Tianbing Keji"
        aliases = ["Tianbing Technology"]
        summary = "Private rocket maker."
        sources = ["doc-a", "doc-b"]

        [[facts]]
        attribute = "planned output"
        value = 25
        qualifier = "up to"
        unit = "rockets/year"
        status = "plan"
        sources = ["doc-b"]
        text = "Capacity of the new base."

        [[facts]]
        attribute = "founding year"
        value = 2019
        status = "actual"
        date = "2019"
        date_kind = "on"
        sources = ["doc-b", "doc-a"]
        text = "The company was set up in 2019."

        [[facts]]
        attribute = "world first"
        value = "first private firm worldwide whose liquid-fuelled rocket succeeded on its \
first flight"
        status = "actual"
        date = "2023-04"
        date_kind = "on"
        sources = ["doc-b"]
        text = "With its April 2023 flight it became the first private firm anywhere whose \
liquid rocket succeeded on its debut."

        [[relations]]
        relation = "launches_from"
        object = "site/sea-port"
        sources = ["doc-b"]
        """,
    "site/sea-port.toml": ENTITIES["site/sea-port.toml"]
    + """
        [[facts]]
        attribute = "offshore launch missions"
        value = 16
        unit = "launches"
        status = "actual"
        date = "2025-Q3"
        sources = ["doc-c"]
        text = "Sixteen missions by the third quarter."

        [[facts]]
        attribute = "offshore launch missions"
        value = 15
        unit = "launches"
        status = "actual"
        date = "2025-H2"
        date_inferred = true
        sources = ["doc-b"]
        text = "Fifteen missions so far (date inferred from the article)."
        """,
}

# Rich markup, ANSI colour and screen codes, an OSC 8 link, a C1 CSI, bidi overrides and
# isolates, and a stray closing tag, in every kind of field a view prints.
HOSTILE = (
    r"[bold]B[/] [/red] [link=http://x]L[/link] \u001b[31mR\u001b[0m \u001b[2J "
    r"\u001b]8;;http://x\u001b\\O\u001b]8;;\u001b\\ \u009b1m \u202eE\u202c \u2066I\u2069"
)
HOSTILE_SOURCES = (
    SOURCES
    + f"""
[[sources]]
id = "evil"
file = "evil.txt"
title = "Title {HOSTILE}"
publisher = "[red]Press"
byline = "{HOSTILE}"
"""
)
HOSTILE_ENTITIES = {
    **ENTITIES,
    "company/evil.toml": f"""
        name = "Evil {HOSTILE}"
        name_zh = "邪\\u202e恶"
        aliases = ["Alias {HOSTILE}"]
        summary = "Summary {HOSTILE}"
        sources = ["evil"]

        [[facts]]
        attribute = "attr {HOSTILE}"
        value = "value {HOSTILE}"
        status = "actual"
        sources = ["evil"]
        text = "Text {HOSTILE}"

        [[facts]]
        attribute = "attr {HOSTILE}"
        value = 1
        unit = "[/] {HOSTILE}"
        status = "plan"
        sources = ["doc-a"]
        text = "Second claim."

        [[relations]]
        relation = "partner_of"
        object = "company/space-pioneer"
        sources = ["evil"]
        """,
}
# What the hostile strings must come out as: markup as text, escapes visibly replaced.
LITERAL = (
    "[bold]B[/]",
    "[/red]",
    "[link=http://x]L[/link]",
    "\ufffd[31mR\ufffd[0m",
    "\ufffd[2J",
    "\ufffd]8;;http://x\ufffd\\O",
    "\ufffd1m",
    "\ufffdE\ufffd",
)
ACTIVE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


@pytest.fixture
def views_base(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return alone(write_base(tmp_path / "facts", VIEW_ENTITIES, VIEW_SOURCES), monkeypatch)


@pytest.fixture
def hostile_base(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return alone(write_base(tmp_path / "hostile", HOSTILE_ENTITIES, HOSTILE_SOURCES), monkeypatch)


def check_layout(text: str, width: int) -> None:
    """Within the width, no trailing spaces, and every citation marker whole on one line."""
    for line in SGR.sub("", text).splitlines():
        assert cell_len(line) <= width, line
        assert line == line.rstrip(), repr(line)
        assert not re.search(r"\[\d*$|^\s*\d*\]", line), line


# --- golden files ----------------------------------------------------------------------

VIEWS = {
    "province": (("province", "shandong"), 0),
    "company": (("company", "tianbing"), 0),
    "spaceport": (("site", "oriental"), 0),
    "miss": (("company", "yantia"), 1),
}


@pytest.mark.parametrize("color", ["never", "always"])
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("view", list(VIEWS))
def test_golden(views_base: Path, view: str, width: int, color: str) -> None:
    args, code = VIEWS[view]
    res = run(*args, "--color", color, env={"COLUMNS": str(width)})
    assert res.exit_code == code, res.stderr
    text = res.stderr if code else res.stdout
    if code:
        assert res.stdout == ""
    else:
        check_layout(text, width)
        assert ("\x1b[" in text) == (color == "always")
    path = GOLDEN / f"{view}-{width}-{color}.txt"
    if UPDATE_GOLDEN:
        GOLDEN.mkdir(exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
        return
    assert path.is_file(), f"no golden file {path.name}; run UPDATE_GOLDEN=1 pytest {__file__}"
    assert text == path.read_bytes().decode("utf-8"), f"{path.name} differs from the view"


# The views across entities, at the widths people use.
LISTING_VIEWS = {
    "facts": ("facts",),
    "facts-targets": ("facts", "--status", "target", "--status", "projection"),
    "timeline": ("timeline", "shandong"),
    "compare": ("compare", "company", "space pioneer", "jigang", "tianbing holdings"),
    "source": ("sources", "doc-c"),
    "list-in": ("list", "--in", "shandong"),
}


@pytest.mark.parametrize("color", ["never", "always"])
@pytest.mark.parametrize("width", (80, 120))
@pytest.mark.parametrize("view", list(LISTING_VIEWS))
def test_golden_listings(views_base: Path, view: str, width: int, color: str) -> None:
    res = run(*LISTING_VIEWS[view], "--color", color, env={"COLUMNS": str(width)})
    assert res.exit_code == 0, res.stderr
    check_layout(res.stdout, width)
    assert ("\x1b[" in res.stdout) == (color == "always")
    path = GOLDEN / f"{view}-{width}-{color}.txt"
    if UPDATE_GOLDEN:
        path.write_bytes(res.stdout.encode("utf-8"))
        return
    assert path.is_file(), f"no golden file {path.name}; run UPDATE_GOLDEN=1 pytest {__file__}"
    assert res.stdout == path.read_bytes().decode("utf-8"), f"{path.name} differs from the view"


def test_colour_changes_only_styles(views_base: Path) -> None:
    for args, _ in (v for v in VIEWS.values() if v[1] == 0):
        plain = shown(*args, color="never")
        assert SGR.sub("", shown(*args, color="always")) == plain
    for args in LISTING_VIEWS.values():
        if args[0] != "compare":  # a comparison draws bars on a terminal
            assert SGR.sub("", shown(*args, color="always")) == shown(*args, color="never")


# --- the entity view -------------------------------------------------------------------


def test_header_names_kind_place_summary_and_match(views_base: Path) -> None:
    lines = shown("company", "tianbing").splitlines()
    assert lines[0] == "Space Pioneer  天兵科技  Tianbing Keji"
    assert lines[1] == "company"
    assert lines[2] == "also known as: Tianbing Technology"
    assert lines[3] == "Private rocket maker."
    assert lines[4] == "matched 'Tianbing Keji' for 'tianbing' (prefix)"
    site = shown("site", "oriental spaceport").splitlines()
    assert site[1] == "site in Yantai (city)"
    assert "matched" not in shown("site", "oriental aerospace port")


def test_a_place_match_says_so(views_base: Path) -> None:
    assert "matched 'yantai' by place: the site in Yantai" in shown("site", "yantai")


def test_fact_line_has_value_status_date_and_citations(views_base: Path) -> None:
    view = shown("province", "shandong", width=120)
    numbers = dict(re.findall(r"^\[(\d)\] (Doc \w)", view, re.M))
    doc = {title: f"[{n}]" for n, title in numbers.items()}
    assert (
        "commercial space industry size: ¥2.5–2.8 trillion ($345.5–387 billion) — "
        f"projection, by 2025 {doc['Doc C']}"
    ) in view
    assert (
        "commercial space enterprises: over 210 enterprises — actual, "
        f"as of 1 Feb 2026 (year inferred) {doc['Doc A']}"
    ) in view
    assert f"share of national launches: 20% — target, in H1 2025 {doc['Doc B']}" in view
    cited = "".join(sorted((doc["Doc A"], doc["Doc C"])))
    assert f"the Jinan bases — plan {cited}" in flat(view)
    company = shown("company", "space pioneer", width=120)
    assert "planned output: up to 25 rockets/year — plan [" in company
    assert "founding year: 2019 — actual, in 2019 [1][2]" in company


def test_fact_text_wraps_beneath_and_nothing_is_cut(views_base: Path) -> None:
    for width in (40, 80, 200):
        view = shown("province", "shandong", width=width)
        for text in (
            "The report expects the industry to reach 2.5 to 2.8 trillion yuan by 2025.",
            "The province files its space industry under a cluster approach, with the "
            "sea-launch port at Haiyang and the manufacturing bases of Jinan as the two "
            "poles.",
            "Coastal province pairing a sea-launch port with rocket and satellite "
            "manufacturing in its cities.",
        ):
            assert text in flat(view), (width, text)
    narrow = shown("province", "shandong", width=40).splitlines()
    start = next(i for i, ln in enumerate(narrow) if ln.startswith("    The province files"))
    assert narrow[start - 1].endswith("— plan [2][3]")
    assert all(ln.startswith("    ") for ln in narrow[start : start + 5])
    assert narrow[start + 5] == ""


def test_wide_terminals_keep_prose_readable(views_base: Path) -> None:
    wide = shown("province", "shandong", width=200)
    assert max(cell_len(line) for line in wide.splitlines()) <= 100
    assert wide == shown("province", "shandong", width=120)


def test_conflicting_sources_sit_together_flagged_newest_first(views_base: Path) -> None:
    view = shown("site", "oriental", width=80)
    lines = view.splitlines()
    head = lines.index("satellites launched — sources differ:")
    assert lines[head + 1].startswith("  137 satellites — actual, as of Feb 2026 [")
    newer = lines[head + 1]
    older = next(ln for ln in lines[head + 2 :] if ln.startswith("  89 satellites"))
    assert older == "  89 satellites — actual, as of 2025 (year inferred) " + older.split()[-1]
    assert newer.split()[-1] != older.split()[-1]
    missions = lines.index("offshore launch missions — sources differ:")
    assert lines[missions + 1].startswith("  16 launches — actual, as of Q3 2025 [")
    assert view[view.index("\nFacts\n") :].count("sources differ") == 2


def test_values_at_known_dates_read_as_a_series_not_a_dispute(tmp_path: Path) -> None:
    dated = ENTITIES["site/sea-port.toml"].replace("date_inferred = true\n", "")
    root = write_base(tmp_path / "f", {**ENTITIES, "site/sea-port.toml": dated})
    args = ("site", "oriental", "--facts", str(root))
    env = {"CSPACE_NO_SHIPPED": "1"}
    view = run(*args, "--color", "never", env=env).stdout
    assert "satellites launched — over time, newest first:" in view
    assert "sources differ" not in view
    assert view.index("  137 satellites") < view.index("  89 satellites")
    facts = json.loads(run(*args, "--json", env=env).stdout)["facts"]
    assert [(f["series"], f["disputed"]) for f in facts] == [(True, False), (True, False)]


def test_agreeing_claims_are_not_flagged(tmp_path: Path) -> None:
    same = ENTITIES["site/sea-port.toml"].replace("value = 89", "value = 137")
    root = write_base(tmp_path / "f", {**ENTITIES, "site/sea-port.toml": same})
    view = run(
        "site", "oriental", "--color", "never", "--facts", str(root), env={"CSPACE_NO_SHIPPED": "1"}
    ).stdout
    assert "satellites launched:" in view and "sources differ" not in view


def test_sources_are_numbered_in_citation_order_with_what_is_unknown(views_base: Path) -> None:
    view = shown("province", "shandong", width=120)
    sources = view[view.index("\nSources\n") :]
    assert re.findall(r"^\[(\d)\]", sources, re.M) == ["1", "2", "3"]
    first = view[view.index("\nKey figures\n") :].splitlines()[2]
    assert first == "share of national launches: 20% — target, in H1 2025 [1]"
    assert "[1] Doc B\n    by Test Lab · publisher not stated · H2 2025\n" in sources
    assert "[2] Doc C: a market report whose long title has to wrap at forty columns" in sources
    assert (
        "    by A. Writer · Example Press · 3 Nov 2025 · content as of Q3 2025\n"
        "    https://example.org/report"
    ) in sources
    assert "[3] Doc A\n    publisher not stated · date not stated\n" in sources


def test_related_both_directions_with_kinds_and_through_cities(views_base: Path) -> None:
    view = shown("province", "shandong", width=120)
    related = view[view.index("\nRelated\n") : view.index("\nSources\n")].splitlines()
    assert related[2] == "contains: Jinan (city); Yantai (city)"
    assert "via Jinan (city)" in related
    jinan = related.index("via Jinan (city)")
    assert related[jinan + 1].startswith("  contains: Jinan Iron and Steel Group (company)")
    assert "via Yantai (city)" in related
    yantai = related.index("via Yantai (city)")
    assert related[yantai + 1] == "  contains: Oriental Aerospace Port (site)"
    assert any(ln.startswith("  partner of: Space Pioneer (company)") for ln in related)
    assert [ln for ln in related if ln.startswith("via ")] == [
        "via Jinan (city)",
        "via Jinan Iron and Steel Group (company)",
        "via Yantai (city)",
    ]
    port = shown("site", "oriental")
    assert "launch site of: Space Pioneer (company) [" in port
    assert "receives from: Jinan (city) [" in port
    assert "located in: Yantai (city)" in port


def test_ambiguity_names_each_alternative_and_a_command_that_gets_it(views_base: Path) -> None:
    view = shown("company", "tianbing").splitlines()
    assert view[-2:] == ["", "Also close: Tianbing Holdings (cspace company tianbing-holdings)"]
    assert shown("company", "tianbing-holdings").splitlines()[0] == "Tianbing Holdings"
    assert "Also close" not in shown("company", "space pioneer")


# --- lists and the overview ------------------------------------------------------------


def test_search_is_a_table_with_kind_names_score_and_context(views_base: Path) -> None:
    lines = shown("search", "port", width=120).splitlines()
    assert lines[0].split() == ["kind", "name", "中文", "score", "match"]
    assert set(lines[1]) == {"─"}
    row = next(ln for ln in lines if "Oriental Aerospace Port" in ln)
    assert row.split()[0] == "site" and "东方航天港" in row
    scores = {r["name"]: r["score"] for r in json.loads(run("search", "port", "--json").stdout)}
    text_hit = next(ln for ln in lines if ln.startswith("city "))
    assert text_hit.split() == ["city", "Yantai", f"{scores['Yantai']:.1f}", "Port", "city."]


def test_sources_list_counts_the_facts_citing_each(views_base: Path) -> None:
    rows = {r["id"]: r for r in json.loads(run("sources", "--json").stdout)}
    lines = shown("sources", width=160).splitlines()
    assert lines[0].split() == [
        "id",
        "title",
        "publisher",
        "date",
        "as",
        "of",
        "facts",
        "entities",
        "url",
    ]
    for sid, row in rows.items():
        line = next(ln for ln in lines if ln.startswith(sid + " "))
        cells = line.split()[: -1 if row["url"] else None]
        assert cells[-2:] == [str(row["facts"]), str(row["entities"])]
        assert not row["url"] or line.endswith(row["url"])
    assert "not stated" in lines[2]


def test_narrow_lists_become_one_card_per_row(views_base: Path) -> None:
    for args in (("list",), ("search", "space"), ("sources",)):
        text = shown(*args, width=40)
        check_layout(text, 40)
    cards = shown("list", "company", width=40)
    assert (
        "Space Pioneer\n  kind: company\n  中文: 天兵科技\n  id: company/space-pioneer\n" in cards
    )
    assert cards.count("\n\n") == 3


def test_overview_counts_kinds_sources_dates_and_shows_commands(views_base: Path) -> None:
    res = run("--color", "never", env={"COLUMNS": "80"})
    assert res.exit_code == 0
    lines = res.stdout.splitlines()
    assert lines[1] == "8 entities, 13 facts, 3 sources; facts dated 2019 to 1 Feb 2026"
    assert lines[2] == "1 province · 2 cities · 4 companies · 1 site"
    assert "  cspace search 'sea launch'" in res.stdout
    check_layout(res.stdout, 80)
    check_layout(run("--color", "never", env={"COLUMNS": "40"}).stdout, 40)


# --- colour and terminals --------------------------------------------------------------


@pytest.mark.parametrize("env", [{}, {"NO_COLOR": "1"}, {"TERM": "dumb"}])
def test_no_escape_codes_in_pipes_or_when_colour_is_off(
    views_base: Path, env: dict[str, str]
) -> None:
    for args in (("province", "shandong"), ("search", "port"), ("sources",), ()):
        res = run(*args, env=env)
        assert res.exit_code == 0 and res.stdout
        assert "\x1b" not in res.stdout, args


def test_colour_when_forced_marks_statuses_and_conflicts(views_base: Path) -> None:
    view = shown("site", "oriental", color="always")
    assert "\x1b[32mactual\x1b[0m" in view
    assert "\x1b[1;31msources differ\x1b[0m" in view
    assert "\x1b[33mtarget\x1b[0m" in shown("province", "shandong", color="always")
    forced = run("site", "oriental", "--color", "always", env={"NO_COLOR": "1", "TERM": "dumb"})
    assert "\x1b[32mactual" in forced.stdout


# --- data is never markup or terminal control ------------------------------------------


@pytest.mark.parametrize("color", ["never", "always"])
@pytest.mark.parametrize(
    "args",
    [
        ("company", "evil"),
        ("show", "company/evil"),
        ("list",),
        ("search", "evil"),
        ("sources",),
        ("company", "space pioneer"),
        ("facts",),
        ("timeline",),
        ("sources", "evil"),
        ("compare", "company", "evil", "space pioneer"),
    ],
)
def test_hostile_data_is_shown_literally(
    hostile_base: Path, args: tuple[str, ...], color: str
) -> None:
    res = run(*args, "--color", color, env={"COLUMNS": "100"})
    assert res.exit_code == 0, res.stderr
    text = SGR.sub("", res.stdout)
    assert "\x1b" not in text
    assert not ACTIVE.search(text)
    if color == "never":
        assert "\x1b" not in res.stdout
    if args[-1] in ("evil", "company/evil", "sources", "facts"):
        for literal in LITERAL:
            assert literal in flat(text), literal


def test_hostile_query_is_shown_literally(hostile_base: Path) -> None:
    view = shown("company", "evil [bold]b[/]")
    assert "for 'evil [bold]b[/]' (prefix)" in view
    miss = run("company", "[/red] \x1b[31mqqqzz", "--color", "always")
    assert miss.exit_code == 1 and "\x1b" not in miss.stderr and "[/red]" in miss.stderr


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("[bold]x[/]", "[bold]x[/]"),
        ("a\x1b[31mb", "a\ufffd[31mb"),
        ("\x1b]8;;http://x\x1b\\l", "\ufffd]8;;http://x\ufffd\\l"),
        ("\x9b2J", "\ufffd2J"),
        ("\u202eabc\u202c \u2067d\u2069 \u200fe", "\ufffdabc\ufffd \ufffdd\ufffd \ufffde"),
        ("line\nbreak\r\n\ttab\u2028sep", "line break tab sep"),
        ("lone \ud800 surrogate", "lone \ufffd surrogate"),
        ("👩\u200d🚀 and 中文", "👩\u200d🚀 and 中文"),
    ],
)
def test_safe_makes_any_string_inert(raw: str, expected: str) -> None:
    assert safe(raw) == expected


# --- figures and dates -----------------------------------------------------------------


@pytest.mark.parametrize(
    "fact, expected",
    [
        (
            {
                "low": 2.5e12,
                "high": 2.8e12,
                "unit": "CNY",
                "converted": {"unit": "USD", "low": 345.5e9, "high": 387e9},
            },
            "¥2.5–2.8 trillion ($345.5–387 billion)",
        ),
        ({"value": 210, "qualifier": "over", "unit": "enterprises"}, "over 210 enterprises"),
        ({"value": 25, "qualifier": "up to", "unit": "rockets/year"}, "up to 25 rockets/year"),
        ({"value": 20, "unit": "percent"}, "20%"),
        ({"value": 50000, "unit": "m²", "qualifier": "more than"}, "more than 50,000 m²"),
        ({"value": 13380000000.0, "unit": "CNY"}, "¥13.38 billion"),
        ({"value": 1234567891, "unit": "CNY"}, "¥1.234567891 billion"),
        ({"value": -5e9, "unit": "CNY"}, "-¥5 billion"),
        ({"value": 0.000001, "unit": "kg"}, "0.000001 kg"),
        ({"value": 2019}, "2019"),
        ({"value": 12345.5, "unit": "t"}, "12,345.5 t"),
        ({"value": "half", "qualifier": "roughly"}, "roughly half"),
        ({"value": "about one launch a month", "qualifier": "about"}, "about one launch a month"),
    ],
)
def test_figures_read_as_people_write_them(fact: dict[str, object], expected: str) -> None:
    assert fact_value(fact) == expected


def test_amount_keeps_every_digit() -> None:
    assert amount(value=123456789.125, unit="t") == "123.456789125 million t"
    assert amount(low=500e6, high=2e9, unit="USD") == "$0.5–2 billion"
    assert amount(low=9000, high=12000, unit="t") == "9,000–12,000 t"


@pytest.mark.parametrize(
    "fact, expected",
    [
        ({"date": "2026-02-01"}, "as of 1 Feb 2026"),
        ({"date": "2026-02", "date_inferred": True}, "as of Feb 2026 (year inferred)"),
        ({"date": "2025-H1", "date_kind": "during"}, "in H1 2025"),
        ({"date": "2025", "date_kind": "by"}, "by 2025"),
        ({"date": "2023-04", "date_kind": "on"}, "in Apr 2023"),
        ({"date": "2023-04-12", "date_kind": "on"}, "on 12 Apr 2023"),
        ({"date": "", "date_text": "early this year"}, "early this year"),
    ],
)
def test_dates_and_periods(fact: dict[str, object], expected: str) -> None:
    assert period(fact) == expected


def test_unusual_dates_pass_through() -> None:
    assert when("2025-Q4") == "Q4 2025" and when("sometime") == "sometime"


# --- help -------------------------------------------------------------------------------


def test_every_command_and_option_has_help_and_commands_have_examples() -> None:
    group = typer.main.get_command(app)
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        assert "Example" in (command.help or ""), name
        for param in command.params:
            assert getattr(param, "help", None), (name, param.name)
        assert "Example" in run(name, "--help").stdout, name


def test_help_shows_brackets_literally() -> None:
    res = run("company", "--help", env={"COLUMNS": "100"})
    assert res.exit_code == 0
    assert res.stdout.startswith("Usage: cspace company [OPTIONS] ")
    assert "[default: auto]" in res.stdout and "[required]" in res.stdout
    assert "\x1b" not in res.stdout
    assert "[KIND]" in run("list", "--help").stdout


# --- the shipped fact base -------------------------------------------------------------


@pytest.mark.parametrize("query", ["haiyang", "oriental aerospace port"])
def test_shipped_spaceport_shows_its_satellite_counts_over_time(query: str) -> None:
    res = run("site", query, "--color", "never", env={"COLUMNS": "80"})
    assert res.exit_code == 0, res.stderr
    view = res.stdout
    assert "satellites launched — over time, newest first:" in view
    assert view.index("  137 satellites") < view.index("  89 satellites")


def test_shipped_province_reaches_cities_and_the_spaceport() -> None:
    res = run("province", "shandong", "--color", "never", env={"COLUMNS": "100"})
    assert res.exit_code == 0, res.stderr
    related = res.stdout[res.stdout.index("\nRelated\n") : res.stdout.index("\nSources\n")]
    for name in ("Jinan (city)", "Yantai (city)", "Oriental Aerospace Port (site)"):
        assert name in related, name
    assert "via Jinan (city)" in related
