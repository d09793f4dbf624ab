"""Matching through the real CLI: exact, alias, pinyin, Chinese, prefix, typo, miss."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import run, write_base
from cspace_cli.errors import ExitStatus


def found(*args: str) -> dict:
    res = run(*args, "--json")
    assert res.exit_code == 0, res.stderr
    return json.loads(res.stdout)


@pytest.mark.parametrize(
    "query",
    [
        "Space Pioneer",
        "space pioneer",
        "Tianbing Technology",
        "tianbing",
        "Tianbing Keji",
        "tianbingkeji",
        "tian bing",
        "Tiānbīng",
        "天兵",
        "天兵科技",
        "TIANBING-KEJI",
        "space-pioneer",
    ],
)
def test_every_name_form_finds_space_pioneer(base: Path, query: str) -> None:
    assert found("company", query)["id"] == "company/space-pioneer"


def test_words_are_joined_without_quotes(base: Path) -> None:
    assert found("company", "tianbing", "keji")["match"]["method"] == "exact"


def test_exact_match_reports_the_key_that_matched(base: Path) -> None:
    match = found("site", "oriental spaceport")["match"]
    assert match["matched"] == "Oriental Spaceport"
    assert match["method"] == "exact" and match["score"] == 100


@pytest.mark.parametrize("typo", ["tianbnig", "spce pioner", "Tianbig Keji"])
def test_typos_fall_through_to_fuzzy(base: Path, typo: str) -> None:
    data = found("company", typo)
    assert data["id"] == "company/space-pioneer"
    assert data["match"]["method"] == "fuzzy"


def test_lookup_is_filtered_by_kind(base: Path) -> None:
    res = run("city", "tianbing")
    assert res.exit_code == ExitStatus.NO_MATCH
    assert "cspace company 'Space Pioneer'" in res.stderr


def test_miss_prints_nothing_on_stdout_and_suggests_on_stderr(base: Path) -> None:
    res = run("company", "Space Pionear Group Ltd")
    assert res.exit_code == ExitStatus.NO_MATCH
    assert res.stdout == ""
    lines = res.stderr.strip().splitlines()
    assert lines[0] == "cspace: no company matches 'Space Pionear Group Ltd'"
    assert 1 <= len(lines) - 1 <= 3
    assert "did you mean: cspace company 'Space Pioneer'" in res.stderr


def test_total_miss_has_no_suggestions(base: Path) -> None:
    res = run("site", "qqqqzzzz")
    assert res.exit_code == ExitStatus.NO_MATCH
    assert res.stderr.strip() == "cspace: no site matches 'qqqqzzzz'"


def test_close_candidates_are_reported_not_hidden(base: Path) -> None:
    data = found("company", "space")
    alternatives = [a["id"] for a in data["match"]["alternatives"]]
    assert data["match"]["method"] == "prefix"
    assert sorted([data["id"], *alternatives]) == ["company/space-pilot", "company/space-pioneer"]
    view = run("company", "space", "--color", "never")
    assert "Also close: " in view.stdout and "(cspace company " in view.stdout


@pytest.mark.parametrize("query", ["", "   ", "!!!", "--- ..."])
def test_blank_or_punctuation_query_is_a_usage_error(base: Path, query: str) -> None:
    res = run("company", "--", query)
    assert res.exit_code == ExitStatus.USAGE
    assert res.stdout == ""
    assert "query is empty" in res.stderr


def test_show_by_exact_id(base: Path) -> None:
    assert found("show", "site/sea-port")["name"] == "Oriental Aerospace Port"
    res = run("show", "site/sea-prot")
    assert res.exit_code == ExitStatus.NO_MATCH
    assert "no entity with id 'site/sea-prot'" in res.stderr


def test_search_spans_kinds_names_and_fact_text(base: Path) -> None:
    res = run("search", "capacity", "--json")
    assert res.exit_code == 0
    rows = json.loads(res.stdout)
    assert [r["id"] for r in rows] == ["company/space-pioneer"]
    assert rows[0]["field"] == "text" and "Capacity" in rows[0]["context"]
    names = [r["id"] for r in json.loads(run("search", "space", "--json").stdout)]
    assert sorted(names[:2]) == ["company/space-pilot", "company/space-pioneer"]


def test_search_miss_is_empty_array_and_exit_1(base: Path) -> None:
    res = run("search", "zzzzqqq", "--json")
    assert res.exit_code == ExitStatus.NO_MATCH
    assert json.loads(res.stdout) == []
    assert "nothing matches" in res.stderr


def test_a_short_different_name_is_a_miss_not_a_fuzzy_hit(base: Path) -> None:
    res = run("company", "spacex")
    assert res.exit_code == ExitStatus.NO_MATCH
    assert res.stdout == ""
    assert "did you mean: cspace company 'Space Pioneer'" in res.stderr


RANKED = {
    "company/works.toml": 'name = "Sea Launch Works"\nsummary = "Builds things."\n',
    "site/in-summary.toml": 'name = "Alpha"\nsummary = "A sea launch pad."\n',
    "site/in-facts.toml": """
        name = "Bravo"
        summary = "A pad."
        [[facts]]
        attribute = "plan"
        value = "sea launch"
        status = "plan"
        sources = ["doc-a"]
        text = "Plans a sea launch."
        """,
    "site/words-in-summary.toml": 'name = "Charlie"\nsummary = "Launch pad by the sea."\n',
    "site/words-apart.toml": """
        name = "Delta"
        summary = "A pad."
        [[facts]]
        attribute = "plan"
        value = "launch"
        status = "plan"
        sources = ["doc-a"]
        text = "Near the sea."
        """,
}


@pytest.mark.parametrize("how", ["cached", "in memory"])
def test_search_ranks_names_then_the_phrase_then_the_words_and_limits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    """The same ranking from a cached index and from one held in memory."""
    root = write_base(tmp_path / "ranked", RANKED)
    monkeypatch.setenv("CSPACE_NO_SHIPPED", "1")
    monkeypatch.setenv("CSPACE_FACTS", str(root))
    before = ["--no-cache"] if how == "in memory" else []

    def ids(*args: str) -> list[str]:
        res = run(*before, "search", "sea launch", "--json", *args)
        return [r["id"] for r in json.loads(res.stdout)]

    rows = json.loads(run(*before, "search", "sea launch", "--json").stdout)
    phrase = {"site/in-summary", "site/in-facts"}
    apart = {"site/words-in-summary", "site/words-apart"}
    order = [r["id"] for r in rows]
    assert order[0] == "company/works"
    assert set(order[1:3]) == phrase and set(order[3:]) == apart
    assert [r["field"] for r in rows] == ["name", "text", "text", "text", "text"]
    scores = [r["score"] for r in rows]
    assert scores[0] > scores[1] >= scores[2] > scores[3] >= scores[4]
    assert ids("--limit", "1") == ["company/works"]
    assert ids("--limit", "3") == order[:3]
    assert ids("--limit", "0") == order
    assert set(ids("--kind", "site", "--limit", "2")) == phrase


# --- near names never answer for a different thing -------------------------------------


@pytest.fixture
def shipped_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CSPACE_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "match-cache"))


@pytest.mark.parametrize(
    ("kind", "query", "entity"),
    [
        ("rocket", "tianlong-3", "rocket/tianlong-3"),
        ("rocket", "Tianlong 3", "rocket/tianlong-3"),
        ("rocket", "tianlong-2", "rocket/tianlong-2"),
        ("rocket", "long march 8a", "rocket/long-march-8a"),
        ("rocket", "long march 8", "rocket/long-march-8"),
        ("rocket", "ceres-2", "rocket/ceres-2"),
        ("rocket", "zhuque-2e", "rocket/zhuque-2e"),
        ("company", "casic", "company/casic"),
        ("company", "CASC", "company/casc"),
        ("site", "jinan rocket base", "site/jinan-heavy-lift-rocket-base"),
        ("site", "jinan-heavy-lift-rocket-base", "site/jinan-heavy-lift-rocket-base"),
    ],
)
def test_shipped_near_names_answer_for_themselves(
    shipped_cache: None, kind: str, query: str, entity: str
) -> None:
    data = found(kind, query)
    assert data["id"] == entity
    designation = entity.rsplit("-", 1)[-1]
    for alt in data["match"]["alternatives"]:
        if kind == "rocket":
            assert not alt["id"].endswith("-" + designation), alt


@pytest.mark.parametrize(
    ("kind", "query"),
    [
        ("rocket", "tianlong-9"),
        ("rocket", "long march 9"),
        ("rocket", "ceres-5"),
        ("rocket", "kuaizhou 1"),
        ("company", "CASX"),
    ],
)
def test_a_model_that_does_not_exist_is_a_miss(shipped_cache: None, kind: str, query: str) -> None:
    res = run(kind, query)
    assert res.exit_code == ExitStatus.NO_MATCH
    assert res.stdout == ""
    first, *suggestions = res.stderr.splitlines()
    assert first == f"cspace: no {kind} matches '{query}'"
    assert len(suggestions) <= 3


NEAR = {
    "rocket/tianlong-2.toml": 'name = "Tianlong-2"\nsummary = "A rocket."\n',
    "rocket/long-march-8.toml": 'name = "Long March 8"\nsummary = "A rocket."\n',
    "rocket/ceres-1.toml": 'name = "Ceres-1"\nsummary = "A rocket."\n',
    "company/casc.toml": 'name = "CASC"\naliases = ["China Aerospace Science and '
    'Technology Corporation"]\nsummary = "A group."\n',
    "company/cas-space.toml": 'name = "CAS Space"\nsummary = "A launch company."\n',
    "site/heavy-base.toml": 'name = "Jinan heavy-lift rocket headquarters and assembly '
    'base"\nsummary = "A base."\n',
    "site/jinan-rocket-base-power-station.toml": 'name = "Power station (Jinan heavy-lift '
    'rocket base)"\nsummary = "A power station."\n',
}


@pytest.fixture
def near(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = write_base(tmp_path / "near", NEAR)
    monkeypatch.setenv("CSPACE_NO_SHIPPED", "1")
    monkeypatch.setenv("CSPACE_FACTS", str(root))
    return root


@pytest.mark.parametrize(
    ("kind", "query", "suggested"),
    [
        ("rocket", "tianlong-3", "Tianlong-2"),
        ("rocket", "Long March 8A", "'Long March 8'"),
        ("rocket", "ceres-2", "Ceres-1"),
        ("company", "casic", "CASC"),
        ("company", "CASIC", "CASC"),
    ],
)
def test_a_near_name_of_a_different_thing_is_a_miss(
    near: Path, kind: str, query: str, suggested: str
) -> None:
    """Tianlong-3 is not Tianlong-2 and CASIC is not CASC: a miss that suggests them."""
    res = run(kind, query)
    assert res.exit_code == ExitStatus.NO_MATCH, res.stdout
    assert res.stdout == ""
    assert f"did you mean: cspace {kind} {suggested}" in res.stderr


def test_a_name_without_a_designation_may_still_start_one(near: Path) -> None:
    assert found("rocket", "tianlong")["id"] == "rocket/tianlong-2"


def test_an_acronym_is_matched_only_whole(near: Path) -> None:
    assert found("company", "cas")["id"] == "company/cas-space"
    assert found("company", "CAS")["id"] == "company/cas-space"
    assert found("company", "casc")["id"] == "company/casc"


def test_a_slug_prefix_never_outranks_a_name_with_every_word(near: Path) -> None:
    data = found("site", "jinan rocket base")
    assert (data["id"], data["match"]["method"]) == ("site/heavy-base", "words")
    alternatives = [a["id"] for a in data["match"]["alternatives"]]
    assert alternatives == ["site/jinan-rocket-base-power-station"]
    view = " ".join(run("site", "jinan", "rocket", "base", "--color", "never").stdout.split())
    assert view.endswith(
        "Also close: Power station (Jinan heavy-lift rocket base) "
        "(cspace site jinan-rocket-base-power-station)"
    )


def test_ccid_points_to_ccid_consulting_and_its_report(shipped_cache: None) -> None:
    data = found("organization", "ccid")
    alternatives = [a["id"] for a in data["match"]["alternatives"]]
    assert alternatives[:2] == [
        "organization/ccid-consulting",
        "report/ccid-commercial-space-outlook-2026",
    ]
    view = " ".join(run("organization", "ccid", "--color", "never").stdout.split())
    assert "Also close: CCID Consulting (cspace organization ccid-consulting)" in view
    assert "(cspace report ccid-commercial-space-outlook-2026)" in view
