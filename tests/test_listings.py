"""Facts across entities: key figures in the entity view, ``cspace facts`` and its filters,
the timeline, ``compare``, one source with what cites it, ``list --in``, the pager, and the
one date type that orders and filters them all.

Each test runs the real CLI against a small fact base written here, whose dates cover every
period form and whose graph has containment at three levels, a published plan, a built
site, a dated series and a dispute.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import os
import pty
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from conftest import REPO, SOURCES, alone, flat, read_terminal, run, shown, write_base

SCHEMA = json.loads((REPO / "src" / "cspace_cli" / "schema.json").read_text(encoding="utf-8"))
SGR = re.compile(r"\x1b\[[0-9;]*m")

LISTING_SOURCES = (
    SOURCES
    + """
[[sources]]
id = "doc-web"
title = "Port hits a record"
publisher = "Harbour News"
byline = "A. Reporter"
date = "2025-10-08"
as_of = "2025-10"
url = "https://example.org/port"
language = "en"
note = "A web page; the count is the article's own."
"""
)


def fact(
    attribute: str,
    value: object,
    status: str = "actual",
    date: str = "",
    sources: str = '"doc-a"',
    extra: str = "",
) -> str:
    shown = json.dumps(value)
    dated = f'date = "{date}"\n' if date else ""
    return (
        f'\n[[facts]]\nattribute = "{attribute}"\nvalue = {shown}\nstatus = "{status}"\n'
        f'{dated}sources = [{sources}]\ntext = "{attribute} is {value}."\n{extra}'
    )


LISTING_ENTITIES = {
    "province/shandong.toml": 'name = "Shandong"\nsummary = "Province."\nsources = ["doc-a"]\n'
    + fact("emerging industry value", 100e9, "projection", extra='unit = "CNY"\n')
    + fact("enterprises", 210, "actual", "2026-02-01", extra='unit = "firms"\nqualifier = "over"\n')
    + fact("strategy", "industrial clusters", "plan"),
    "province/guangdong.toml": 'name = "Guangdong"\nsummary = "Province."\n'
    + fact("planning", "half", extra='qualifier = "roughly"\n'),
    "province/zhejiang.toml": 'name = "Zhejiang"\nsummary = "Province."\n'
    + fact("industry scale", 50e9, "target", "2026", extra='unit = "CNY"\ndate_kind = "by"\n')
    + fact("industry share", 35, "target", extra='unit = "percent"\n'),
    "policy/guangdong-plan.toml": 'name = "Guangdong Action Plan"\nsummary = "A plan."\n'
    + fact("industry scale", 300e9, "target", "2026", extra='unit = "CNY"\ndate_kind = "by"\n')
    + '\n[[relations]]\nrelation = "published_by"\nobject = "province/guangdong"\n'
    'sources = ["doc-a"]\n',
    "city/yantai.toml": 'name = "Yantai"\nsummary = "City."\nlocated_in = "province/shandong"\n',
    "city/haiyang.toml": 'name = "Haiyang"\nsummary = "Town."\nlocated_in = "city/yantai"\n',
    "site/sea-port.toml": 'name = "Oriental Aerospace Port"\nsummary = "Port."\n'
    'located_in = "city/haiyang"\n'
    + fact("satellites launched", 61, date="2024-06-30", extra='unit = "satellites"\n')
    + fact("satellites launched", 89, date="2025-01-13", extra='unit = "satellites"\n')
    + fact(
        "satellites launched",
        137,
        date="2025-H2",
        sources='"doc-web"',
        extra='unit = "satellites"\n',
    )
    + fact("offshore launch missions", 16, date="2025-Q3", extra='unit = "launches"\n')
    + fact(
        "offshore launch missions",
        15,
        date="2025",
        sources='"doc-b"',
        extra='unit = "launches"\ndate_inferred = true\n',
    ),
    "company/pioneer.toml": 'name = "Space Pioneer"\nsummary = "Rocket maker."\n'
    + fact("funding", 3e9, date="2023-02", extra='unit = "CNY"\nqualifier = "nearly"\n')
    + '\n[[relations]]\nrelation = "builds"\nobject = "site/base"\nsources = ["doc-b"]\n',
    "company/clock.toml": 'name = "Clockwork Launch"\nsummary = "A company of many dates."\n'
    + "".join(
        fact("orders", n, date=d, sources='"doc-b"', extra='unit = "orders"\n')
        for n, d in (
            (1, "2025-12"),
            (2, "2025-H1"),
            (3, "2025"),
            (4, "2025-07"),
            (5, "2025-Q3"),
            (6, "2025-01"),
            (7, "2025-01-15"),
            (8, "2024-H2"),
            (9, "2025-03"),
        )
    )
    + fact("motto", "faster", "plan"),
    "site/base.toml": 'name = "Heavy-lift base"\nsummary = "A base."\nlocated_in = "city/jinan"\n'
    + fact("capacity", 25, "projection", extra='unit = "rockets/year"\nqualifier = "up to"\n')
    + fact(
        "area", 50000, "plan", sources='"doc-b"', extra='unit = "m²"\nqualifier = "more than"\n'
    ),
    "site/assembly-plant-with-a-very-long-identifier-for-copying.toml": 'name = "Plant"\n'
    'summary = "Inside the base."\nlocated_in = "site/base"\n'
    + fact("floor space", 12000, "plan", extra='unit = "m²"\n'),
    "city/jinan.toml": 'name = "Jinan"\nsummary = "Capital."\nlocated_in = "province/shandong"\n',
    "organization/press.toml": 'name = "Harbour Press"\nsummary = "A publisher."\n'
    + fact("motto", "news first"),
}


@pytest.fixture
def facts_base(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return alone(write_base(tmp_path / "facts", LISTING_ENTITIES, LISTING_SOURCES), monkeypatch)


def validate(data: object, definition: str) -> None:
    schema = {**SCHEMA, "$ref": f"#/$defs/{definition}"}
    schema.pop("oneOf")
    jsonschema.validate(data, schema)


def rows(*args: str) -> list[dict[str, Any]]:
    res = run(*args, "--json")
    assert res.exit_code == 0, res.stderr
    data: list[dict[str, Any]] = json.loads(res.stdout)
    for row in data:
        validate(row, "fact_row")
    return data


text = functools.partial(shown, width=100)


# --- key figures -----------------------------------------------------------------------


def test_key_figures_come_first_and_reach_across_the_graph(facts_base: Path) -> None:
    view = text("province", "shandong")
    assert view.index("\nKey figures\n") < view.index("\nFacts\n")
    block = view[view.index("\nKey figures\n") : view.index("\nFacts\n")]
    assert "emerging industry value: ¥100 billion — projection [" in block
    assert "strategy" not in block  # a text fact that is neither target nor projection
    assert "Oriental Aerospace Port (site)\n" in block  # two levels down
    assert "  satellites launched: 137 satellites — actual, as of H2 2025, newest of 3 [" in block
    assert "Heavy-lift base (site)\n  capacity: up to 25 rockets/year — projection [" in block


def test_key_figures_json_names_the_entity_and_the_path(facts_base: Path) -> None:
    data = json.loads(run("province", "shandong", "--json").stdout)
    validate(data, "entity")
    own = next(f for f in data["key_figures"] if f["attribute"] == "emerging industry value")
    assert own["entity"]["id"] == "province/shandong" and own["via"] == []
    port = next(f for f in data["key_figures"] if f["attribute"] == "satellites launched")
    assert [s["id"] for s in port["via"]] == ["city/yantai", "city/haiyang", "site/sea-port"]
    assert {s["label"] for s in port["via"]} == {"contains"}
    assert port["entity"] == {
        "id": "site/sea-port",
        "kind": "site",
        "name": "Oriental Aerospace Port",
        "name_zh": None,
    }
    assert port["value"] == 137 and port["series"] and port["earlier"] == 2
    missions = [f for f in data["key_figures"] if f["attribute"] == "offshore launch missions"]
    assert [f["value"] for f in missions] == [16, 15]  # a dispute keeps both, side by side
    assert all(f["disputed"] for f in missions)


def test_key_figures_follow_what_an_entity_publishes_and_builds(facts_base: Path) -> None:
    guangdong = text("province", "guangdong")
    assert "Guangdong Action Plan (policy)\n  industry scale: ¥300 billion — target, by 2026 [" in (
        guangdong
    )
    data = json.loads(run("province", "guangdong", "--json").stdout)
    (plan,) = data["key_figures"]
    assert plan["via"][0]["label"] == "publisher of"
    pioneer = json.loads(run("company", "pioneer", "--json").stdout)["key_figures"]
    assert [(f["entity"]["id"], f["attribute"]) for f in pioneer] == [
        ("company/pioneer", "funding"),
        ("site/base", "capacity"),
        ("site/base", "area"),
        ("site/assembly-plant-with-a-very-long-identifier-for-copying", "floor space"),
    ]
    assert [s["label"] for s in pioneer[-1]["via"]] == ["builds", "contains"]


def test_key_figures_are_capped_with_a_command_for_the_rest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    many = 'name = "Busy"\nsummary = "Many figures."\n' + "".join(
        fact(f"figure {i}", i, date=f"20{10 + i}") for i in range(20)
    )
    alone(write_base(tmp_path / "f", {"company/busy.toml": many}), monkeypatch)
    data = json.loads(run("company", "busy", "--json").stdout)
    assert len(data["key_figures"]) == 12 and data["more_figures"] == 8
    assert [f["value"] for f in data["key_figures"]][:2] == [19, 18]  # the newest first
    assert "8 more: cspace facts --about company/busy" in text("company", "busy")
    assert len(rows("facts", "--about", "company/busy")) == 20


def test_an_entity_without_figures_has_no_key_figures_block(facts_base: Path) -> None:
    assert "Key figures" not in text("organization", "harbour press")
    assert json.loads(run("organization", "harbour", "--json").stdout)["key_figures"] == []
    data = json.loads(run("site", "plant", "--json").stdout)
    assert data["key_figures"] and data["more_figures"] == 0


def test_text_values_keep_their_qualifier(facts_base: Path) -> None:
    assert "planning: roughly half — actual [" in text("province", "guangdong")


# --- cspace facts ----------------------------------------------------------------------


def test_facts_lists_every_fact_as_a_table_with_numbered_sources(facts_base: Path) -> None:
    view = text("facts", width=120)
    header = view.splitlines()[0].split()
    assert header == ["entity", "attribute", "value", "status", "date", "src"]
    assert set(view.splitlines()[1]) == {"─"}
    line = next(ln for ln in view.splitlines() if ln.startswith("Space Pioneer"))
    assert flat(line).startswith("Space Pioneer funding nearly ¥3 billion actual as of Feb 2023 [")
    sources = view[view.index("\nSources\n") :]
    assert re.findall(r"^\[(\d)\]", sources, re.M) == ["1", "2", "3"]
    assert "Harbour News · 8 Oct 2025 · content as of Oct 2025" in sources
    assert "https://example.org/port" in sources
    assert len(rows("facts")) == sum(t.count("[[facts]]") for t in LISTING_ENTITIES.values())


@pytest.mark.parametrize(
    "args, expected",
    [
        (
            ("--status", "target"),
            {("Guangdong Action Plan", 300e9), ("Zhejiang", 50e9), ("Zhejiang", 35)},
        ),
        (
            ("--status", "target", "--year", "2026"),
            {("Guangdong Action Plan", 300e9), ("Zhejiang", 50e9)},
        ),
        (
            ("--status", "projection", "-s", "target", "--kind", "province"),
            {("Shandong", 100e9), ("Zhejiang", 50e9), ("Zhejiang", 35)},
        ),
        (
            ("--in", "shandong", "--numeric", "--status", "projection"),
            {("Shandong", 100e9), ("Heavy-lift base", 25)},
        ),
        (("--in", "yantai", "--status", "projection"), set()),
        (
            ("--in", "yantai", "--disputed"),
            {("Oriental Aerospace Port", 16), ("Oriental Aerospace Port", 15)},
        ),
        (
            ("--about", "space pioneer", "--status", "plan"),
            {("Heavy-lift base", 50000), ("Plant", 12000)},
        ),
        (("--attribute", "satellite", "--source", "doc-web"), {("Oriental Aerospace Port", 137)}),
        (("--attribute", "launch miss", "--to", "2025-06"), {("Oriental Aerospace Port", 15)}),
        (("--in", "province/guangdong"), {("Guangdong", "half")}),
        (("--about", "site/pioneer", "--kind", "company"), {("Space Pioneer", 3e9)}),
    ],
)
def test_facts_filters_combine(
    facts_base: Path, args: tuple[str, ...], expected: set[tuple[str, object]]
) -> None:
    found = rows("facts", *args) if expected else json.loads(run("facts", *args, "--json").stdout)
    assert {(r["entity"]["name"], r["value"]) for r in found} == expected


def test_facts_sort_by_date_value_or_entity(facts_base: Path) -> None:
    by_value = [r["value"] for r in rows("facts", "--numeric", "--sort", "value")]
    assert by_value[:3] == [300e9, 100e9, 50e9] and by_value[-1] == 1
    names = [r["entity"]["name"] for r in rows("facts")]
    assert names == sorted(names, key=str.casefold)
    dated = [r["date"] for r in rows("facts", "--sort", "date")]
    assert dated[0] == "2023-02" and dated[-1] is None  # undated last


def test_the_json_rows_are_the_fields_json_gives(facts_base: Path) -> None:
    """The fast path (stored rows) and the one that builds each row agree."""
    every = ",".join(SCHEMA["$defs"]["fact"]["required"] + ["entity"])
    assert rows("facts") == rows("facts", "--fields", every)
    picked = json.loads(run("facts", "--json", "--fields", "attribute,entity").stdout)
    assert {tuple(r) for r in picked} == {("attribute", "entity")}


def empty_strings(data: object, at: str = "") -> list[str]:
    """Where ``data`` holds ``""``: schema version 2 writes a missing value as null."""
    if isinstance(data, dict):
        return [p for k, v in data.items() for p in empty_strings(v, f"{at}.{k}")]
    if isinstance(data, list):
        return [p for i, v in enumerate(data) for p in empty_strings(v, f"{at}[{i}]")]
    return [at] if data == "" else []


def test_missing_values_are_null_in_every_new_shape(facts_base: Path) -> None:
    """Fact rows, the timeline, key figures, compare cells and one source follow schema
    version 2 as lookups do: null for a value the fact files leave out, never ""."""
    [strategy] = [r for r in rows("facts") if r["attribute"] == "strategy"]
    assert [strategy[k] for k in ("unit", "qualifier", "date", "date_text", "section")] == [
        None
    ] * 5
    assert strategy["entity"]["name_zh"] is None
    outputs = {
        "facts": rows("facts"),
        "timeline": rows("timeline"),
        "view": json.loads(run("province", "shandong", "--json").stdout),
        "compare": json.loads(
            run("compare", "province", "guangdong", "shandong", "zhejiang", "--json").stdout
        ),
        "source": json.loads(run("sources", "doc-a", "--json").stdout),
    }
    for name, data in outputs.items():
        assert empty_strings(data) == [], name
    view = outputs["view"]
    own = next(f for f in view["key_figures"] if f["attribute"] == "emerging industry value")
    assert own["date"] is None and own["qualifier"] is None and own["unit"] == "CNY"
    port = next(f for f in view["key_figures"] if f["attribute"] == "satellites launched")
    assert [step["name_zh"] for step in port["via"]] == [None, None, None]
    cells = next(r for r in outputs["compare"]["rows"] if r["attribute"] == "industry share")
    assert cells["values"]["province/zhejiang"]["date"] is None
    source = outputs["source"]
    assert (source["publisher"], source["date"], source["url"]) == (None, None, None)
    assert source["facts"] and all(f["section"] is None for f in source["facts"])


def test_facts_as_csv(facts_base: Path) -> None:
    res = run("facts", "--csv", "--status", "target")
    assert res.exit_code == 0
    table = list(csv.DictReader(io.StringIO(res.stdout)))
    assert {(r["entity_name"], r["value"], r["unit"]) for r in table} == {
        ("Guangdong Action Plan", "300000000000.0", "CNY"),
        ("Zhejiang", "50000000000.0", "CNY"),
        ("Zhejiang", "35", "percent"),
    }
    export = run("export", "--format", "csv").stdout.splitlines()[0]
    assert res.stdout.splitlines()[0] == export
    picked = run("facts", "--csv", "--fields", "entity_id,value", "--numeric", "--sort", "value")
    assert picked.stdout.splitlines()[:2] == [
        "entity_id,value",
        "policy/guangdong-plan,300000000000.0",
    ]


def test_nothing_to_show_is_a_note_and_exit_0(facts_base: Path) -> None:
    for args, stdout in (
        ((), ""),
        (("--json",), "[]\n"),
        (("--json", "--fields", "attribute"), "[]\n"),
    ):
        res = run("facts", "--year", "1990", *args)
        assert (res.exit_code, res.stdout) == (0, stdout)
        assert res.stderr == "cspace: no facts match\n"
    empty_csv = run("facts", "--status", "proposal", "--csv")
    assert empty_csv.exit_code == 0 and empty_csv.stdout.startswith("entity_id,entity_kind,")
    assert len(empty_csv.stdout.splitlines()) == 1


@pytest.mark.parametrize(
    "args, code, message",
    [
        (("--status", "wished"), 2, "--status: 'wished' is not one of: actual, target"),
        (("--year", "26"), 2, "--year: '26' is not a year (use YYYY, e.g. 2026)"),
        (("--from", "2025-13"), 2, "--from: '2025-13' is not a real date"),
        (("--to", "2025-H3"), 2, "--to: '2025-H3' is not a date (use YYYY, YYYY-MM"),
        (("--from", "2026", "--to", "2025"), 2, "the dates leave no time between them"),
        (("--kind", "planet"), 2, "unknown kind 'planet'"),
        (("--attribute", "--- "), 2, "--attribute has no letters or digits"),
        (("--in", "atlantis"), 1, "--in: no entity matches 'atlantis'"),
        (("--about", "atlantis"), 1, "--about: no entity matches 'atlantis'"),
        (("--source", "doc-z"), 1, "no source with id 'doc-z'"),
        (("--fields", "attribute"), 2, "--fields needs --json or --csv"),
    ],
)
def test_bad_filters_are_one_line_errors(
    facts_base: Path, args: tuple[str, ...], code: int, message: str
) -> None:
    res = run("facts", *args)
    assert res.exit_code == code and res.stdout == ""
    assert message in res.stderr.splitlines()[0]
    assert "Traceback" not in res.stderr


def test_a_near_source_id_is_suggested(facts_base: Path) -> None:
    res = run("facts", "--source", "doc-wbe")
    assert res.exit_code == 1 and "did you mean: cspace sources doc-web" in res.stderr


# --- the date type ---------------------------------------------------------------------

IN_TIME_ORDER = [
    "2024-H2",
    "2025",
    "2025-H1",
    "2025-01",
    "2025-01-15",
    "2025-03",
    "2025-Q3",
    "2025-07",
    "2025-12",
]


def test_periods_order_by_start_then_the_longer_first(facts_base: Path) -> None:
    dates = [r["date"] for r in rows("timeline", "clockwork")]
    assert dates == IN_TIME_ORDER
    sorted_dates = [r["date"] for r in rows("facts", "--about", "clockwork", "--sort", "date")]
    assert sorted_dates == [*IN_TIME_ORDER, None]


def test_newest_first_is_by_period_not_by_spelling(facts_base: Path) -> None:
    """2025-H2 is newer than 2025-03 (its text sorts before it), 2025-12 than 2025-H1."""
    data = json.loads(run("company", "clockwork", "--json").stdout)
    dates = [f["date"] for f in data["facts"] if f["attribute"] == "orders"]
    assert dates == list(reversed(IN_TIME_ORDER))


@pytest.mark.parametrize(
    "args, expected",
    [
        (("--year", "2025"), IN_TIME_ORDER[1:]),
        (("--from", "2025-07"), ["2025", "2025-Q3", "2025-07", "2025-12"]),
        (("--to", "2025-01"), ["2024-H2", "2025", "2025-H1", "2025-01", "2025-01-15"]),
        (("--from", "2025-02", "--to", "2025-Q2"), ["2025", "2025-H1", "2025-03"]),
        (("--from", "2024-12-31", "--to", "2024-12-31"), ["2024-H2"]),
    ],
)
def test_year_from_and_to_take_any_period_that_overlaps(
    facts_base: Path, args: tuple[str, ...], expected: list[str]
) -> None:
    found = rows("facts", "--about", "clockwork", "--sort", "date", *args)
    assert [r["date"] for r in found] == expected


# --- the timeline ----------------------------------------------------------------------


def test_timeline_groups_by_year_and_counts_the_undated(facts_base: Path) -> None:
    view = text("timeline", "clockwork")
    assert view.splitlines()[0].startswith("Timeline of Clockwork Launch (company)")
    years = [ln for ln in view.splitlines() if re.fullmatch(r"\d{4}", ln)]
    assert years == ["2024", "2025"]
    after = view[view.index("\n2025\n") + 1 :].splitlines()
    assert after[:3] == [
        "2025",
        "  as of 2025  orders: 3 orders — actual [1]",
        "  as of H1 2025  orders: 2 orders — actual [1]",
    ]
    assert "\n1 undated fact left out\n" in view


def test_timeline_narrows_to_what_an_entity_contains(facts_base: Path) -> None:
    found = rows("timeline", "shandong")
    assert {r["entity"]["name"] for r in found} == {"Shandong", "Oriental Aerospace Port"}
    view = text("timeline", "shandong", "--from", "2025")
    assert "  as of H2 2025  Oriental Aerospace Port (site) · satellites launched: 137" in view
    assert "2024" not in view.split("\nSources\n")[0]


def test_timeline_of_everything_and_of_nothing(facts_base: Path) -> None:
    everything = rows("timeline")
    assert len(everything) == sum(
        1 for t in LISTING_ENTITIES.values() for _ in re.finditer("date = ", t)
    )
    res = run("timeline", "--from", "2100", "--json")
    assert (res.exit_code, res.stdout) == (0, "[]\n")
    assert "no dated facts match" in res.stderr
    miss = run("timeline", "atlantis")
    assert miss.exit_code == 1 and miss.stdout == "" and "no entity matches" in miss.stderr


# --- compare ---------------------------------------------------------------------------


def test_compare_puts_entities_side_by_side(facts_base: Path) -> None:
    res = run("compare", "province", "guangdong", "shandong", "zhejiang", "--json")
    assert res.exit_code == 0, res.stderr
    data = json.loads(res.stdout)
    validate(data, "compare")
    assert [e["id"] for e in data["entities"]] == [
        "province/guangdong",
        "province/shandong",
        "province/zhejiang",
    ]
    scale = [r for r in data["rows"] if r["attribute"] == "industry scale"]
    assert len(scale) == 1
    values = scale[0]["values"]
    assert values["province/guangdong"]["entity"]["id"] == "policy/guangdong-plan"
    assert values["province/zhejiang"]["value"] == 50e9
    assert values["province/shandong"] is None
    view = text("compare", "province", "guangdong", "shandong", "zhejiang", width=120)
    assert view.splitlines()[0].split() == ["Guangdong", "Shandong", "Zhejiang"]
    assert "(Guangdong Action Plan)" in view


def test_compare_bars_share_a_scale_only_within_a_unit_and_status(facts_base: Path) -> None:
    plain = text("compare", "province", "guangdong", "zhejiang", width=120)
    assert "█" not in plain
    coloured = SGR.sub("", text("compare", "province", "guangdong", "zhejiang", color="always"))
    lines = coloured.splitlines()
    row = next(i for i, ln in enumerate(lines) if ln.startswith("industry scale"))
    bars = re.findall(r"[█▏▎▍▌▋▊▉]+", lines[row])
    assert [len(b) for b in bars] == [12, 2]  # 300 and 50 billion, both CNY targets
    share = next(ln for ln in lines if ln.startswith("industry share"))
    assert "█" not in share  # a percent has nothing on its scale


def test_compare_misses_and_misuse(facts_base: Path) -> None:
    miss = run("compare", "province", "guangdong", "shandong", "atlantis")
    assert miss.exit_code == 1 and miss.stdout == ""
    assert "no province matches 'atlantis'" in miss.stderr
    for args, message in (
        (("province", "guangdong"), "compare needs at least two names"),
        (("province", "guangdong", "Guangdong"), "the names all match one entity"),
        (("planet", "a", "b"), "unknown kind 'planet'"),
    ):
        res = run("compare", *args)
        assert res.exit_code == 2 and message in res.stderr


def test_compare_spells_suggestions(facts_base: Path) -> None:
    res = run("compare", "province", "shandong", "quangtung")
    assert res.exit_code == 1
    assert "did you mean: cspace province Guangdong" in res.stderr


# --- sources and lists -----------------------------------------------------------------


def test_one_source_in_full_with_what_cites_it(facts_base: Path) -> None:
    view = text("sources", "doc-web")
    lines = view.splitlines()
    assert lines[0] == "Port hits a record"
    assert lines[1] == "by A. Reporter · Harbour News · 8 Oct 2025 · content as of Oct 2025"
    assert lines[2] == "https://example.org/port"
    assert lines[3] == "note: A web page; the count is the article's own."
    assert lines[4] == "id: doc-web · cited by 1 fact and 1 entity"
    assert "Cited by\nOriental Aerospace Port (site)" in view
    assert "satellites launched" in view[view.index("\nFacts\n") :]
    data = json.loads(run("sources", "doc-web", "--json").stdout)
    validate(data, "source_detail")
    assert data["byline"] == "A. Reporter" and [e["id"] for e in data["entities"]] == [
        "site/sea-port"
    ]
    assert [f["value"] for f in data["facts"]] == [137]


def test_a_source_cited_only_by_an_entity_and_a_relation(facts_base: Path) -> None:
    data = json.loads(run("sources", "doc-b", "--json").stdout)
    assert "company/pioneer" in [e["id"] for e in data["entities"]]  # its builds relation
    miss = run("sources", "docweb")
    assert miss.exit_code == 1 and miss.stdout == ""
    assert "did you mean: cspace sources doc-web" in miss.stderr
    assert "did you mean" not in run("sources", "zzz").stderr


def test_source_lists_show_outlet_date_and_url(facts_base: Path) -> None:
    line = next(ln for ln in text("sources", width=200).splitlines() if ln.startswith("doc-web"))
    for part in ("Harbour News", "8 Oct 2025", "https://example.org/port"):
        assert part in line


def test_list_in_a_place_at_any_depth(facts_base: Path) -> None:
    found = [r["id"] for r in json.loads(run("list", "site", "--in", "shandong", "--json").stdout)]
    assert found == [
        "site/base",
        "site/sea-port",
        "site/assembly-plant-with-a-very-long-identifier-for-copying",
    ] or set(found) == {
        "site/base",
        "site/sea-port",
        "site/assembly-plant-with-a-very-long-identifier-for-copying",
    }
    assert [r["id"] for r in json.loads(run("list", "--in", "yantai", "--json").stdout)] == [
        "city/haiyang",
        "site/sea-port",
    ]
    none = run("list", "company", "--in", "yantai")
    assert none.exit_code == 0 and none.stderr == "cspace: no companies in yantai\n"


@pytest.mark.parametrize("width", [40, 80, 120])
def test_list_never_breaks_an_id(facts_base: Path, width: int) -> None:
    view = text("list", width=width)
    for path in LISTING_ENTITIES:
        eid = path.removesuffix(".toml")
        assert eid in view.splitlines() or any(eid in ln for ln in view.splitlines()), eid


# --- the pager -------------------------------------------------------------------------


def on_terminal(args: list[str], env: dict[str, str]) -> str:
    """Run cspace with stdout on a pseudo-terminal; what the terminal got."""
    main, other = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "cspace_cli", *args],
        stdin=subprocess.DEVNULL,
        stdout=other,
        stderr=subprocess.PIPE,
        env=env,
    )
    os.close(other)
    screen = read_terminal(main)
    proc.wait(timeout=60)
    assert proc.returncode == 0, proc.stderr.read() if proc.stderr else ""
    return screen


@pytest.fixture
def terminal_env(facts_base: Path, tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PAGER", "CSPACE_PAGER")}
    paged = tmp_path / "paged.txt"
    env.update(
        LINES="10",
        COLUMNS="80",
        NO_COLOR="1",
        CSPACE_PAGER=f"{sys.executable} -c \"import sys; open(sys.argv[1], 'w').write("
        f'sys.stdin.read())" {paged}',
    )
    return env


def test_long_views_on_a_terminal_go_through_the_pager(
    terminal_env: dict[str, str], tmp_path: Path
) -> None:
    paged = tmp_path / "paged.txt"
    shown = on_terminal(["facts"], terminal_env)
    assert paged.read_text(encoding="utf-8").startswith("entity")
    assert "entity" not in shown


@pytest.mark.parametrize(
    "args, env",
    [
        (["facts", "--no-pager"], {}),
        (["--no-pager", "facts"], {}),
        (["facts"], {"CSPACE_PAGER": ""}),
        (["facts", "--kind", "policy"], {}),  # shorter than the terminal
    ],
)
def test_the_pager_stays_out_when_asked_or_not_needed(
    terminal_env: dict[str, str], tmp_path: Path, args: list[str], env: dict[str, str]
) -> None:
    shown = on_terminal(args, {**terminal_env, **env})
    assert not (tmp_path / "paged.txt").exists()
    assert shown.strip()


def test_pipes_are_never_paged(terminal_env: dict[str, str], tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "cspace_cli", "facts"],
        env=terminal_env,
        capture_output=True,
        check=True,
    )
    assert out.stdout.startswith(b"entity")
    assert not (tmp_path / "paged.txt").exists()


def test_a_pager_that_cannot_start_leaves_the_output_as_it_is(
    terminal_env: dict[str, str],
) -> None:
    shown = on_terminal(["facts"], {**terminal_env, "CSPACE_PAGER": "/nonexistent/pager"})
    assert "entity" in shown
