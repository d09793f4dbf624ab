"""The relevance set: questions a reader of the two source documents (and of the shipped
facts) asks, each with the entity, or the fact, that must come first in ``cspace search``.

Every case runs the real command on the shipped base. A case names the entity of the first
row and, for a fact, the value (or the low end of a range) that row must carry; ``None``
means the first row is the entity itself (its name or its summary). Grouped by what they
exercise: stemming, stop words, numbers, Chinese, phrases and the near-name traps.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import run

Case = tuple[str, str, Any]

PLURALS: list[Case] = [
    ("alliance members", "organization/national-aerospace-information-industry-alliance", 159),
    ("member institution", "organization/national-aerospace-information-industry-alliance", 159),
    ("enterprise", "city/jinan", 148),
    ("rockets annually", "province/shanghai", 100),
    (
        "test stands",
        "site/changqing-testing-base",
        "rocket engine test stands among China's most advanced",
    ),
    (
        "rocket engine tests",
        "site/changqing-testing-base",
        "rocket engine test stands among China's most advanced",
    ),
    ("who chairs space pioneer", "person/kang-yonglai", None),
]
STOP_WORDS: list[Case] = [
    (
        "how many member institutions",
        "organization/national-aerospace-information-industry-alliance",
        159,
    ),
    ("what is the jinan revenue", "city/jinan", 13.38e9),
    ("the oriental aerospace port", "site/oriental-aerospace-port", None),
    ("which is the pillar industry", "country/china", "aerospace as a new pillar industry in 2026"),
]
NUMBERS: list[Case] = [
    ("600", "site/changqing-600-ton-thrust-test-platform", None),
    ("600 enterprises", "country/china", 600),
    ("13.38", "city/jinan", 13.38e9),
    ("13.38 billion", "city/jinan", 13.38e9),
    ("2.5", "country/china", 2.5e12),
    ("2.5 trillion", "country/china", 2.5e12),
    ("300 billion", "policy/guangdong-commercial-space-action-plan", 300e9),
    ("159", "organization/national-aerospace-information-industry-alliance", 159),
    ("368 satellites", "city/jinan", 368),
    ("26 launched", "city/jinan", 26),
    ("30.8 billion", "policy/2-plus-n-industry-fund", 30.8e9),
    ("210 enterprises", "site/beijing-economic-technological-development-area", 210),
    ("24 launches", "site/beijing-economic-technological-development-area", 24),
    ("35%", "province/zhejiang", 35),
    ("70%", "province/shandong", 70),
    ("90%", "site/beijing-economic-technological-development-area", 90),
    ("20% growth", "country/china", 20),
    ("50,000 square meters", "site/jinan-heavy-lift-rocket-base", 50000),
    ("15 offshore launch missions", "site/oriental-aerospace-port", 15),
]
CHINESE: list[Case] = [
    ("亦庄箭", "site/beijing-economic-technological-development-area", 24),
    ("亦庄", "site/beijing-economic-technological-development-area", 24),
    ("亦庄箭 发射", "site/beijing-economic-technological-development-area", 24),
    ("天兵科技", "company/space-pioneer", None),
    ("天兵", "company/space-pioneer", None),
    ("赛迪智库", "organization/ccid-consulting", None),
    ("东方航天港", "site/oriental-aerospace-port", None),
    ("山东", "province/shandong", None),
]
PHRASES: list[Case] = [
    ('"member institutions"', "organization/national-aerospace-information-industry-alliance", 159),
    ('"Yizhuang Rockets"', "site/beijing-economic-technological-development-area", 24),
    (
        '"sea launch"',
        "site/oriental-aerospace-port",
        "sole commercial sea-launch home port in China",
    ),
    (
        "satellite-to-mobile",
        "company/galaxyspace",
        "satellite-to-mobile direct connection technology",
    ),
    ("four-port advantage", "city/jinan", "“four-port” connectivity: rail, air, water and road"),
    ("Xiaoqing River", "city/jinan", "Xiaoqing River, now navigable"),
    (
        "funding gaps",
        "report/ccid-commercial-space-outlook-2026",
        "funding gaps; business models needing innovation",
    ),
    (
        "entry barriers",
        "report/ccid-commercial-space-outlook-2026",
        "policy system still to be improved; entry barriers still high",
    ),
    ("compound growth rate", "country/china", 20),
    ("launch cluster", "province/shandong", 70),
    ("jinan revenue", "city/jinan", 13.38e9),
]
NEAR_NAMES: list[Case] = [
    ("tianlong-3", "rocket/tianlong-3", None),
    ("tianlong 3", "rocket/tianlong-3", None),
    ("tianlong-2", "rocket/tianlong-2", None),
    ("long march 8a", "rocket/long-march-8a", None),
    ("long march 8", "rocket/long-march-8", None),
    ("ceres-2", "rocket/ceres-2", None),
    ("ceres 1", "rocket/ceres-1", None),
    ("zhuque-2e", "rocket/zhuque-2e", None),
    ("casic", "company/casic", None),
    ("casc", "company/casc", None),
    ("ccid consulting", "organization/ccid-consulting", None),
    ("ccid report", "report/ccid-commercial-space-outlook-2026", None),
    ("jinan rocket base", "site/jinan-heavy-lift-rocket-base", None),
    ("heavy-lift rocket", "site/jinan-heavy-lift-rocket-base", None),
]
GROUPS = {
    "plural": PLURALS,
    "stop-words": STOP_WORDS,
    "number": NUMBERS,
    "chinese": CHINESE,
    "phrase": PHRASES,
    "near-name": NEAR_NAMES,
}
CASES = [(group, *case) for group, cases in GROUPS.items() for case in cases]


@pytest.fixture(scope="module")
def shared_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("relevance-cache")


@pytest.fixture(autouse=True)
def one_cache(
    isolated_env: None, shared_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """One index of the shipped base for the whole set: the answers do not depend on it."""
    monkeypatch.setenv("CSPACE_CACHE_DIR", str(shared_cache))
    yield


def rows(*args: str) -> list[dict[str, Any]]:
    res = run("search", *args, "--json")
    assert res.exit_code == 0, res.stderr
    return json.loads(res.stdout)


def value_of(fact: dict[str, Any]) -> Any:
    return fact["value"] if fact["value"] is not None else fact["low"]


def test_the_set_is_large_and_covers_every_group() -> None:
    assert len(CASES) >= 40
    assert all(len(cases) >= 4 for cases in GROUPS.values())


@pytest.mark.parametrize(
    ("group", "query", "entity", "value"), CASES, ids=[f"{c[0]}: {c[1]}" for c in CASES]
)
def test_first_row(group: str, query: str, entity: str, value: Any) -> None:
    first = rows(query)[0]
    assert first["id"] == entity, (query, first)
    if value is None:
        assert first["fact"] is None, (query, first)
    else:
        assert first["fact"] is not None, (query, first)
        assert value_of(first["fact"]) == value, (query, first["fact"])


def test_a_target_for_2026_is_a_target_dated_2026_not_an_inferred_year() -> None:
    """Shandong and Zhejiang mention 2026 only in a note on an inferred year."""
    found = rows("target 2026")
    for row in found[:3]:
        fact = row["fact"]
        assert fact["status"] == "target" or "target" in fact["attribute"], row
        assert fact["date"].startswith("2026"), row
    assert not any(
        r["fact"] and r["fact"]["attribute"] == "aerospace in development plans" for r in found
    )


def test_production_capacity_shows_the_figures() -> None:
    """The rows carry the numbers themselves: 100 satellites and 25 rockets a year."""
    found = rows("production capacity", "--limit", "0")
    values = {(r["id"], value_of(r["fact"])) for r in found if r["fact"]}
    assert ("site/jinan-satellite-assembly-base", 100) in values
    assert ("site/jinan-heavy-lift-rocket-base", 25) in values
    heavy = next(r for r in found if r["id"] == "site/jinan-heavy-lift-rocket-base" and r["fact"])
    assert heavy["fact"]["qualifier"] == "up to"


def test_a_partial_match_lists_the_provinces_that_name_aerospace() -> None:
    res = run("search", "explicitly", "mention", "aerospace", "--json")
    assert res.exit_code == 0
    assert res.stderr == "cspace: no row has every word; showing rows with most of them\n"
    found = json.loads(res.stdout)
    provinces = {r["id"] for r in found}
    assert provinces >= {
        f"province/{p}"
        for p in ("guangdong", "shandong", "zhejiang", "henan", "beijing", "liaoning", "tianjin")
    }
    assert all(r["partial"] for r in found)
