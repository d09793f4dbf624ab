"""``cspace search`` through the real CLI: what is searched for, the fact rows it prints,
the limits, the scan without FTS5, and an index that grows with its text."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from conftest import run, write_base
from cspace_cli.errors import ExitStatus

SCHEMA = json.loads(run("schema").stdout)
NOTE = "cspace: no row has every word; showing rows with most of them\n"
SCAN_WARNING = (
    "cspace: warning: no SQLite full-text search (FTS5) here; searching by a slower scan\n"
)


def validate_rows(rows: object) -> None:
    schema = {**SCHEMA, "$ref": "#/$defs/search_row"}
    schema.pop("oneOf")
    assert isinstance(rows, list)
    for row in rows:
        jsonschema.validate(row, schema)


def rows(*args: str, env: dict[str, str] | None = None) -> list[dict[str, Any]]:
    res = run("search", *args, "--json", env=env)
    assert res.exit_code == 0, res.stderr
    found = json.loads(res.stdout)
    validate_rows(found)
    return found


@pytest.fixture
def shipped_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The shipped base's index, built once for the tests that use it."""
    folder = tmp_path_factory.getbasetemp() / "search-shipped-cache"
    monkeypatch.setenv("CSPACE_CACHE_DIR", str(folder))


# --- what is searched for ------------------------------------------------------------


@pytest.mark.parametrize("query", ["the of and", "' OR '1'='1", "a", "who is it", "- 1 -"])
def test_stop_words_and_lone_letters_leave_nothing_a_miss(base: Path, query: str) -> None:
    res = run("search", "--", query)
    assert res.exit_code == ExitStatus.NO_MATCH
    assert res.stdout == ""
    assert res.stderr.count("\n") == 1
    assert res.stderr.startswith("cspace: nothing to search for in ")
    as_json = run("search", "--json", "--", query)
    assert (as_json.exit_code, json.loads(as_json.stdout)) == (ExitStatus.NO_MATCH, [])


def test_a_quoted_stop_word_is_searched(base: Path) -> None:
    assert run("search", "the").exit_code == ExitStatus.NO_MATCH
    found = rows('"the"')
    assert [r["id"] for r in found] == ["company/space-pioneer"]
    assert found[0]["matched_words"] == ["the"]


PHRASES = {
    "site/together.toml": 'name = "Alpha"\nsummary = "A sea launch pad."\n',
    "site/apart.toml": 'name = "Bravo"\nsummary = "A launch pad by the sea."\n',
}


def test_a_quoted_phrase_matches_as_a_phrase(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CSPACE_NO_SHIPPED", "1")
    monkeypatch.setenv("CSPACE_FACTS", str(write_base(tmp_path / "p", PHRASES)))
    assert [r["id"] for r in rows("sea launch")] == ["site/together", "site/apart"]
    assert [r["id"] for r in rows('"sea launch"')] == ["site/together"]
    assert [r["id"] for r in rows("“sea launch”")] == ["site/together"]


def test_words_are_stemmed_and_folded(shipped_cache: None) -> None:
    first = rows("ALLIANCE", "Membérs")[0]
    assert first["id"] == "organization/national-aerospace-information-industry-alliance"
    assert first["fact"]["attribute"] == "member institutions"
    assert {"name", "attribute"} <= set(first["why"])


def test_numbers_as_stored_and_as_printed(shipped_cache: None) -> None:
    for query in ("13.38", "13380000000"):
        first = rows(query)[0]
        assert (first["id"], first["fact"]["value"]) == ("city/jinan", 13380000000), query
        assert "value" in first["why"]
    china = rows("600", "--kind", "country")[0]
    assert (china["fact"]["value"], china["fact"]["qualifier"]) == (600, "more than")


def test_only_the_best_partial_rows_and_a_note(shipped_cache: None) -> None:
    res = run("search", "亦庄箭", "发射", "--json")
    assert res.exit_code == 0 and res.stderr == NOTE
    found = json.loads(res.stdout)
    validate_rows(found)
    assert [r["id"] for r in found] == ["site/beijing-economic-technological-development-area"]
    assert found[0]["partial"] and found[0]["matched_words"] == ["亦庄箭"]
    assert run("search", "sea", "launch").stderr == ""


def test_nothing_found_is_a_miss(base: Path) -> None:
    res = run("search", "zzqx", "wwvy")
    assert (res.exit_code, res.stdout) == (ExitStatus.NO_MATCH, "")
    assert res.stderr == "cspace: nothing matches 'zzqx wwvy'\n"


# --- fact rows -----------------------------------------------------------------------


def test_a_fact_row_answers_on_its_own(
    shipped_cache: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "160")
    text = run("search", "jinan", "revenue").stdout
    assert (
        "city  Jinan  " in text
        and "aerospace information industry revenue: ¥13.38 billion — actual, in H1 2025 [1]"
        in text
    )
    assert "\nSources\n[1] Jinan Accelerates Its “Path to the Stars”" in text
    (row,) = rows("jinan", "revenue")
    assert row["fact"]["date"] == "2025-H1" and row["fact"]["sources"] == ["jinan-path-to-stars"]
    assert [s["id"] for s in row["sources"]] == ["jinan-path-to-stars"]
    assert row["why"] == ["name", "attribute"]


def test_matched_words_are_bold_on_a_terminal_only(shipped_cache: None) -> None:
    coloured = run("search", "jinan", "revenue", "--color", "always").stdout
    assert "\x1b[1mrevenue\x1b[0m" in coloured
    assert "\x1b[" not in run("search", "jinan", "revenue", "--color", "never").stdout


def test_snippets_are_cut_at_word_boundaries(shipped_cache: None) -> None:
    found = [r for r in rows("launch", "--limit", "0", "--all") if r["fact"]]
    assert len(found) > 50
    for r in found:
        whole = " " + " ".join(r["fact"]["text"].split()) + " "
        cut = r["context"].removeprefix("…").removesuffix("…")
        assert cut and f" {cut} " in whole, (r["id"], r["context"])


def test_at_most_three_facts_of_an_entity_unless_all(shipped_cache: None) -> None:
    def per_entity(found: list[dict[str, Any]]) -> int:
        texts = [r["id"] for r in found if r["field"] == "text"]
        return max(texts.count(i) for i in texts)

    assert per_entity(rows("launch", "--limit", "0")) == 3
    assert per_entity(rows("launch", "--limit", "0", "--all")) > 3
    assert len(rows("launch", "--limit", "5")) == 5


@pytest.mark.parametrize(
    "query", ["sea launch", "600", "天兵", "亦庄", "tianlong-3", "who chairs space pioneer"]
)
def test_every_row_is_valid_json_with_a_reason(shipped_cache: None, query: str) -> None:
    fact_parts = {"attribute", "value", "status", "date", "fact_text"}
    for row in rows(query, "--limit", "0"):
        assert row["why"]
        if row["field"] == "name":
            assert row["fact"] is None and row["context"]
        elif row["fact"] is not None:
            assert fact_parts & set(row["why"]), row


# --- without FTS5 --------------------------------------------------------------------


def test_the_scan_without_fts5_finds_the_same_first_rows(
    shipped_cache: None, tmp_path: Path
) -> None:
    """CSPACE_NO_FTS=1 builds an index without full-text tables (as where SQLite lacks
    FTS5) and searches it by a scan, with one warning line."""
    scan = {"CSPACE_NO_FTS": "1", "CSPACE_CACHE_DIR": str(tmp_path / "scan-cache")}
    for query in ("alliance members", "13.38", "亦庄", "天兵", "tianlong 3", "jinan revenue"):
        res = run("search", query, "--json", env=scan)
        assert res.exit_code == 0 and res.stderr == SCAN_WARNING, query
        found = json.loads(res.stdout)
        validate_rows(found)
        assert found[0]["id"] == rows(query)[0]["id"], query
        assert all(r["why"] for r in found)
    assert [p.name.endswith("-scan.sqlite") for p in (tmp_path / "scan-cache").iterdir()] == [True]
    lookup = run("company", "tianbing", env=scan)
    assert lookup.exit_code == 0 and lookup.stderr == ""


EDITED = """
name = "Space Pioneer"
summary = "Private rocket maker."
[[facts]]
attribute = "planned output"
value = 25
unit = "rockets/year"
status = "plan"
sources = ["doc-b"]
text = "Throughput of the new base."
"""


@pytest.mark.parametrize("fts", ["", "1"], ids=["fts5", "scan"])
def test_search_follows_edits_to_a_cached_index(
    base: Path, monkeypatch: pytest.MonkeyPatch, fts: str
) -> None:
    """Also when the new rows take the numbers of the rows they replace (the last file)."""
    monkeypatch.setenv("CSPACE_NO_FTS", fts)
    assert [r["id"] for r in rows("capacity")] == ["company/space-pioneer"]
    assert {r["id"] for r in rows("count")} == {"site/sea-port"}
    (base / "company" / "space-pioneer.toml").write_text(EDITED, encoding="utf-8")
    (base / "company" / "space-pilot.toml").unlink()
    port = base / "site" / "sea-port.toml"
    port.write_text(port.read_text().replace("Count from", "Tally from"), encoding="utf-8")
    assert run("search", "capacity").exit_code == ExitStatus.NO_MATCH
    assert run("search", "count").exit_code == ExitStatus.NO_MATCH
    assert [r["id"] for r in rows("throughput")] == ["company/space-pioneer"]
    assert [r["id"] for r in rows("tally")] == ["site/sea-port", "site/sea-port"]
    assert run("search", "look-alike").exit_code == ExitStatus.NO_MATCH


# --- size ----------------------------------------------------------------------------


def huge_summary(root: Path, words: int) -> Path:
    """One company whose summary is ``words`` one-letter words: 2 bytes a word. (A name or
    alias that long is refused: see test_bad_facts.py.)"""
    summary = " ".join("abcdefghij"[i % 10] for i in range(words))
    write_base(
        root,
        {"company/huge.toml": f'name = "Huge Alias Works"\nsummary = "{summary}"\n'},
    )
    return root


def first_run(facts: Path, cache: Path) -> tuple[int, int]:
    """(exit code, peak RSS in KiB) of a cold lookup in a fresh process."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CSPACE_")}
    env.update(CSPACE_NO_SHIPPED="1", CSPACE_FACTS=str(facts), CSPACE_CACHE_DIR=str(cache))
    proc = subprocess.Popen(
        [sys.executable, "-m", "cspace_cli", "company", "huge", "--json"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    return os.waitstatus_to_exitcode(status), usage.ru_maxrss // (
        1024 if sys.platform == "darwin" else 1
    )


def test_a_huge_text_indexes_in_proportion_to_its_size(tmp_path: Path) -> None:
    """A 120 KB file of 60,000 alias words once cost a minute, 1.8 GB of memory and an
    11 GB cache (a row per word suffix); names are now capped, and the text that is not
    a name grows the index in proportion to its size."""
    sizes = {}
    for words in (30_000, 60_000):
        facts = huge_summary(tmp_path / f"facts-{words}", words)
        cache = tmp_path / f"cache-{words}"
        code, peak_kib = first_run(facts, cache)
        assert code == 0
        assert peak_kib < 300 * 1024
        (index,) = cache.glob("index-*.sqlite")
        source = (facts / "company" / "huge.toml").stat().st_size
        assert source >= 2 * words
        sizes[words] = index.stat().st_size
        assert sizes[words] < 30 * source
    assert sizes[60_000] < 2.5 * sizes[30_000]
