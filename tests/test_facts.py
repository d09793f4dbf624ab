"""The shipped fact base keeps what the two source documents say, as precisely as they say it.

Every test goes through the real CLI (``--json``) against the real shipped base, so a fact that
loses its bound, range, status, source or link fails here, whatever file it lives in.
"""

from __future__ import annotations

import functools
import json
import re
import subprocess
import sys
from typing import Any

import pytest
import tomli

from conftest import REPO, SHIPPED, run

SHARED = REPO.parent / "shared"
CHECK_FIGURES = SHARED / "tools" / "check-figures"
SOURCE_DOCS = SHARED / "sources"

PROVINCES = "provinces-race-2026"
JINAN = "jinan-path-to-stars"

Payload = dict[str, Any]


def cli_json(*args: str) -> Any:
    res = run(*args, "--json")
    assert res.exit_code == 0, res.stderr
    return json.loads(res.stdout)


def lookup(*args: str) -> Payload:
    """One object: an entity lookup or ``show``."""
    data: Payload = cli_json(*args)
    return data


def rows(*args: str) -> list[Payload]:
    """An array: ``list``, ``search`` or ``sources``."""
    data: list[Payload] = cli_json(*args)
    return data


def facts_about(entity: Payload, attribute: str) -> list[Payload]:
    found = [f for f in entity["facts"] if f["attribute"] == attribute]
    assert found, f"{entity['id']} has no fact '{attribute}'"
    return found


def only_fact(entity: Payload, attribute: str, source: str | None = None) -> Payload:
    """The one fact on ``attribute`` (citing ``source``, when web pages add claims)."""
    found = [f for f in facts_about(entity, attribute) if source is None or source in f["sources"]]
    assert len(found) == 1, found
    return found[0]


def related_ids(entity: Payload) -> dict[str, Payload]:
    return {r["id"]: r for r in entity["related"]}


@functools.cache
def shipped_entities() -> tuple[Payload, ...]:
    """Every entity of the shipped base as ``show`` prints it (walked once: ~80 CLI calls)."""
    return tuple(lookup("show", row["id"]) for row in rows("list"))


@pytest.mark.parametrize(
    "query",
    [
        "haiyang",
        "Oriental Aerospace Port",
        "Oriental Spaceport",
        "东方航天港",
        "dongfang hangtiangang",
    ],
)
def test_haiyang_spaceport_counts_are_a_dated_series_not_a_dispute(query: str) -> None:
    port = lookup("site", query)
    assert port["id"] == "site/oriental-aerospace-port"
    counts = facts_about(port, "satellites launched")
    claims = {(f["value"], f["date"], tuple(f["sources"])) for f in counts}
    assert {(89, "2025-H2", (JINAN,)), (137, "2026-02", (PROVINCES,))} <= claims
    assert (89, "2025-01-13", ("people-2025-01-13-smart-dragon-3-haiyang",)) in claims
    assert any(value == 137 and date == "2026-01-21" for value, date, _ in claims)
    assert all(f["series"] is True and f["disputed"] is False for f in counts)
    dated = [f["date"] for f in counts if not f["date_inferred"]]
    assert dated == sorted(dated, reverse=True), "a series reads newest first"
    assert {s["id"] for s in port["sources"]} >= {PROVINCES, JINAN}
    launches = facts_about(port, "offshore launch missions")
    assert {(f["value"], f["date"]) for f in launches} >= {(15, "2025-01-13"), (22, "2026-01-21")}
    assert all(f["series"] for f in launches)


@pytest.mark.parametrize("query", ["Space Pioneer", "Tianbing Technology", "天兵", "tianbing keji"])
def test_space_pioneer_is_one_company_under_both_names(query: str) -> None:
    company = lookup("company", query)
    assert company["id"] == "company/space-pioneer"
    assert company["name_zh"] == "天兵科技"
    assert "Tianbing Technology" in company["aliases"]
    cited_by_facts = {s for f in company["facts"] for s in f["sources"]}
    assert cited_by_facts >= {PROVINCES, JINAN}
    assert only_fact(company, "founding year", JINAN)["value"] == "2019"


def test_space_pioneer_founding_years_are_kept_and_flagged_as_a_dispute() -> None:
    founded = facts_about(lookup("company", "space pioneer"), "founding year")
    assert {f["value"] for f in founded} >= {"2019", "2018", "2015"}
    assert all(f["disputed"] and not f["series"] for f in founded)
    assert all(len(f["sources"]) >= 1 for f in founded)


def test_look_alike_galaxy_companies_stay_apart() -> None:
    space = lookup("company", "GalaxySpace")
    power = lookup("company", "Galaxy Power Aerospace")
    assert (space["id"], power["id"]) == ("company/galaxyspace", "company/galaxy-power-aerospace")
    assert space["name_zh"] == "银河航天" and power["name_zh"] is None


def test_shandong_reaches_its_cities_spaceport_and_jinan_bases() -> None:
    related = related_ids(lookup("province", "shandong"))
    for place in (
        "city/jinan",
        "city/yantai",
        "city/haiyang",
        "city/qingdao",
        "city/taian",
        "city/rizhao",
        "city/weihai",
        "site/oriental-aerospace-port",
        "site/jinan-heavy-lift-rocket-base",
        "company/space-pioneer",
    ):
        assert place in related, place
    for base in (
        "site/jinan-satellite-assembly-base",
        "site/changqing-testing-base",
        "site/jinan-lingang-economic-development-zone",
    ):
        assert (related[base]["via"] or {}).get("id") == "city/jinan", related[base]
    assert (related["city/haiyang"]["via"] or {}).get("id") == "city/yantai"
    assert related["city/jinan"]["direction"] == "in"
    assert related["city/jinan"]["relation"] == "located_in"


def test_market_projection_keeps_its_range_currency_and_status() -> None:
    size = only_fact(lookup("country", "china"), "commercial space industry size")
    assert size["value"] is None
    assert (size["low"], size["high"], size["unit"]) == (2.5e12, 2.8e12, "CNY")
    assert size["status"] == "projection"
    assert (size["date"], size["date_kind"]) == ("2025", "by")
    converted = size["converted"]
    assert (converted["low"], converted["high"], converted["unit"]) == (345.5e9, 387e9, "USD")
    assert size["sources"] == [PROVINCES]


@pytest.mark.parametrize(
    ("kind", "query", "attribute", "value", "qualifier"),
    [
        (
            "site",
            "Beijing Economic-Technological Development Area",
            "commercial space-related enterprises",
            210,
            "over",
        ),
        ("site", "北京经济技术开发区", "commercial space-related enterprises", 210, "over"),
        ("country", "china", "commercial space enterprises", 600, "more than"),
        ("country", "china", "average annual compound growth rate", 20, "exceeding"),
        (
            "site",
            "yizhuang",
            "“Yizhuang Rockets” share of national commercial rocket launches",
            90,
            "over",
        ),
        ("site", "heavy-lift rocket", "production capacity", 25, "up to"),
    ],
)
def test_counts_keep_their_bounds(
    kind: str, query: str, attribute: str, value: int, qualifier: str
) -> None:
    claims = [f for f in facts_about(lookup(kind, query), attribute) if f["value"] == value]
    assert [(f["value"], f["qualifier"]) for f in claims] == [(value, qualifier)]


def test_guangdong_target_is_a_target_by_2026_on_its_action_plan() -> None:
    guangdong = related_ids(lookup("province", "guangdong"))
    plan_id = "policy/guangdong-commercial-space-action-plan"
    assert guangdong[plan_id]["label"] == "publisher of"
    target = only_fact(
        lookup("show", plan_id), "commercial space and related industries scale", PROVINCES
    )
    assert (target["value"], target["unit"], target["status"]) == (300e9, "CNY", "target")
    assert (target["date"], target["date_kind"]) == ("2026", "by")
    assert (target["converted"]["value"], target["converted"]["unit"]) == (41.5e9, "USD")


def test_shandong_hundred_billion_is_per_industry_not_a_total() -> None:
    shandong = lookup("province", "shandong")
    money = [f for f in shandong["facts"] if f["unit"] == "CNY"]
    assert len(money) == 1, money
    target = money[0]
    assert (target["value"], target["status"]) == (100e9, "projection"), "a potential value"
    assert (target["converted"]["value"], target["converted"]["unit"]) == (13.8e9, "USD")
    assert re.search(r"\b(each|per)\b", target["attribute"])


def test_search_china_finds_the_country_first() -> None:
    assert rows("search", "china")[0]["id"] == "country/china"


def test_shipped_base_validates_without_problems_or_notices() -> None:
    res = run("validate", "--json")
    assert res.exit_code == 0, res.stderr
    assert json.loads(res.stdout) == []
    plain = run("validate")
    assert plain.exit_code == 0
    assert plain.stdout == ""
    assert plain.stderr.strip().splitlines() == [plain.stderr.strip()]
    assert "ok:" in plain.stderr


def test_every_fact_and_link_cites_a_source_in_sources_toml() -> None:
    declared = {
        s["id"]
        for s in tomli.loads((SHIPPED / "sources.toml").read_text(encoding="utf-8"))["sources"]
    }
    assert {s["id"] for s in rows("sources")} == declared >= {PROVINCES, JINAN}
    for source in rows("sources"):
        assert source["file"] or source["url"].startswith(("http://", "https://")), source
    entities = shipped_entities()
    assert len(entities) == len(list(SHIPPED.glob("*/*.toml")))
    for entity in entities:
        for fact in entity["facts"]:
            assert fact["sources"] and set(fact["sources"]) <= declared, (entity["id"], fact)
        for link in entity["related"]:
            if link["relation"] != "located_in":
                assert link["sources"] and set(link["sources"]) <= declared, (entity["id"], link)


@pytest.mark.skipif(not SOURCE_DOCS.is_dir(), reason="source documents not beside the clone")
def test_chinese_names_and_pinyin_are_printed_in_a_source_document() -> None:
    """Names from the two documents are checked here; a web page's text is not stored, so
    an entity that cites a web page is checked by reading that page again."""
    printed = "\n".join(p.read_text(encoding="utf-8") for p in SOURCE_DOCS.glob("*.txt"))
    local = {s["id"] for s in rows("sources") if s["file"]}
    checked = 0
    for entity in shipped_entities():
        cited = {s["id"] for s in entity["sources"]}
        if not cited <= local:
            continue
        checked += 1
        for name in (entity["name_zh"], entity["pinyin"]):
            assert not name or name in printed, (entity["id"], name)
    assert checked >= 40


@pytest.mark.skipif(not CHECK_FIGURES.is_file(), reason="shared/tools/check-figures not present")
@pytest.mark.skipif(sys.version_info < (3, 11), reason="check-figures needs tomllib")
def test_every_number_in_the_base_is_printed_in_a_source() -> None:
    res = subprocess.run(
        [sys.executable, str(CHECK_FIGURES), str(SHIPPED)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    lines = res.stdout.strip().splitlines()
    assert lines and "; 0 not" in lines[-1], res.stdout + res.stderr
    assert res.returncode == 0


def test_a_constellation_keeps_its_dated_launches_and_disputed_sizes() -> None:
    qianfan = lookup("constellation", "qianfan")
    assert qianfan["id"] == "constellation/qianfan"
    launches = facts_about(qianfan, "launch")
    assert len(launches) >= 3 and all(f["series"] for f in launches)
    sizes = facts_about(qianfan, "planned constellation size")
    assert {f["value"] for f in sizes} >= {14000, 15000}
    assert all(f["disputed"] for f in sizes)
    assert related_ids(lookup("company", "spacesail"))["constellation/qianfan"]["label"] == (
        "operates"
    )


def test_a_report_and_an_event_keep_their_document_facts() -> None:
    outlook = lookup("report", "ccid")
    assert outlook["id"] == "report/ccid-commercial-space-outlook-2026"
    assert all(PROVINCES in f["sources"] for f in outlook["facts"])
    forum = lookup("event", "belt and road")
    assert forum["id"] == "event/belt-and-road-innovation-forum"
    assert "Yang Xingcai" in only_fact(forum, "speaker")["value"]


def test_a_regional_role_suggestion_is_a_proposal_not_a_plan() -> None:
    roles = [f for f in lookup("province", "hainan")["facts"] if f["status"] == "proposal"]
    assert roles and all("suggest" in f["text"].casefold() for f in roles)


def test_new_companies_rockets_and_sites_answer_with_web_citations() -> None:
    web = {s["id"] for s in rows("sources") if s["url"]}
    for kind, query, expected in (
        ("company", "landspace", "company/landspace"),
        ("rocket", "zhuque-2", "rocket/zhuque-2"),
        ("site", "wenchang space launch site", "site/wenchang-space-launch-site"),
        ("organization", "cnsa", "organization/cnsa"),
        ("policy", "document 60", "policy/document-60"),
    ):
        entity = lookup(kind, query)
        assert entity["id"] == expected
        assert {s for f in entity["facts"] for s in f["sources"]} & web, expected


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("policy/two-sessions", "event/two-sessions"),
        ("policy/ccid-commercial-space-outlook-2026", "report/ccid-commercial-space-outlook-2026"),
    ],
)
def test_moved_records_are_found_by_their_old_ids(old: str, new: str) -> None:
    res = run("show", old, "--json")
    assert res.exit_code == 0, res.stderr
    assert json.loads(res.stdout)["id"] == new
    assert new in res.stderr
