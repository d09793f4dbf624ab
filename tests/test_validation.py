"""Every kind of broken fact folder is reported with file, line and a useful message;
``validate`` lists them all in one run and lookups refuse to run with exit 3."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import ENTITIES, run, write_base
from cspace_cli.errors import ExitStatus

GOOD = 'name = "X"\nsummary = "Y."\n'

FACT = """
[[facts]]
attribute = "a"
value = 1
status = "actual"
sources = ["doc-a"]
text = "t"
"""

CASES = {
    "bad toml": ("company/bad.toml", 'name = "X"\nsummary = "Y\n', "invalid TOML", 2),
    "missing name": ("company/noname.toml", 'summary = "Y."\n', "name: is required", None),
    "unknown field": ("company/extra.toml", GOOD + "founded = 2019\n", "founded: unknown field", 3),
    "wrong type": (
        "company/wrongtype.toml",
        'name = 5\nsummary = "Y."\n',
        "name: expected text, got a number",
        1,
    ),
    "string for number": (
        "company/strnum.toml",
        GOOD + FACT.replace("value = 1", 'low = "1"\nhigh = 2'),
        "facts[0].low: expected a number, got text",
        6,
    ),
    "list for table": (
        "company/listtable.toml",
        GOOD + "facts = [1, 2]\n",
        "facts[0]: expected a table, got a number",
        None,
    ),
    "unknown source": (
        "company/unknownsrc.toml",
        GOOD + FACT.replace('"doc-a"', '"doc-z"'),
        "cites unknown source 'doc-z'",
        None,
    ),
    "empty source list": (
        "company/nosrc.toml",
        GOOD + FACT.replace('["doc-a"]', "[]"),
        "facts[0].sources: must list at least one source id",
        8,
    ),
    "unknown entity": (
        "company/rel.toml",
        GOOD + '[[relations]]\nrelation = "supports"\n'
        'object = "company/nowhere"\nsources = ["doc-a"]\n',
        "points to unknown entity 'company/nowhere'",
        None,
    ),
    "unknown relation": (
        "company/relname.toml",
        GOOD + '[[relations]]\nrelation = "likes"\nobject = "city/yantai"\nsources = ["doc-a"]\n',
        "relations[0].relation: 'likes' is not one of",
        4,
    ),
    "low above high": (
        "company/range.toml",
        GOOD + FACT.replace("value = 1", "low = 9\nhigh = 3"),
        "range low (9) is greater than high (3)",
        6,
    ),
    "impossible date": (
        "company/date.toml",
        GOOD + FACT.replace("value = 1", 'value = 1\ndate = "2025-13"'),
        "'2025-13' is not a real date",
        7,
    ),
    "bad status": (
        "company/status.toml",
        GOOD + FACT.replace('"actual"', '"rumour"'),
        "facts[0].status: 'rumour' is not one of",
        7,
    ),
    "unknown kind": ("spaceship/x.toml", GOOD, "unknown kind folder 'spaceship'", None),
    "file name": ("company/Bad Name.toml", GOOD, "is not a valid id", None),
    "non-ascii file name": ("company/天兵.toml", GOOD, "is not a valid id", None),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_each_problem_is_named_with_file_and_line(tmp_path: Path, case: str) -> None:
    rel, text, message, line = CASES[case]
    root = write_base(tmp_path / "f", {**ENTITIES, rel: text})
    before = snapshot(root)
    res = run("validate", str(root), "--json", env={"CSPACE_NO_SHIPPED": "1"})
    assert res.exit_code == ExitStatus.INVALID_FACTS
    problems = json.loads(res.stdout)
    hit = [p for p in problems if message in p["message"]]
    assert hit, problems
    assert hit[0]["path"].endswith(rel.split("/")[0]) or rel in hit[0]["path"]
    if line is not None:
        assert hit[0]["line"] == line
    lookup = run("company", "tianbing", env={"CSPACE_NO_SHIPPED": "1", "CSPACE_FACTS": str(root)})
    assert lookup.exit_code == ExitStatus.INVALID_FACTS
    assert lookup.stdout == ""
    assert message in lookup.stderr.splitlines()[0]
    assert snapshot(root) == before


def test_all_problems_reported_in_one_run(tmp_path: Path) -> None:
    broken = {rel: text for rel, text, _, _ in CASES.values()}
    root = write_base(tmp_path / "f", {**ENTITIES, **broken})
    res = run("validate", str(root), "--json", env={"CSPACE_NO_SHIPPED": "1"})
    messages = " | ".join(p["message"] for p in json.loads(res.stdout))
    for _, _, message, _ in CASES.values():
        assert message in messages


def test_human_report_is_one_line_per_problem(tmp_path: Path) -> None:
    root = write_base(
        tmp_path / "f", {**ENTITIES, "company/bad.toml": 'name = "X"\nsummary = "Y\n'}
    )
    res = run("validate", str(root), "--color", "never", env={"CSPACE_NO_SHIPPED": "1"})
    assert res.exit_code == ExitStatus.INVALID_FACTS
    assert res.stdout.strip().startswith(f"{root}/company/bad.toml:2: error: invalid TOML")
    assert "cspace: " in res.stderr


def test_duplicate_ids_in_one_folder(tmp_path: Path) -> None:
    root = write_base(tmp_path / "f", {**ENTITIES, "city/yantai.TOML": GOOD})
    res = run("validate", str(root), "--json", env={"CSPACE_NO_SHIPPED": "1"})
    assert any("duplicate id 'city/yantai'" in p["message"] for p in json.loads(res.stdout))


def test_duplicate_source_ids(tmp_path: Path) -> None:
    from conftest import SOURCES

    root = write_base(
        tmp_path / "f", sources=SOURCES + SOURCES.split("[[sources]]")[1].join(["[[sources]]", ""])
    )
    res = run("validate", str(root), "--json", env={"CSPACE_NO_SHIPPED": "1"})
    assert any("duplicate source id 'doc-a'" in p["message"] for p in json.loads(res.stdout))


def test_clean_base_validates(base: Path) -> None:
    res = run("validate")
    assert res.exit_code == 0
    assert res.stdout == ""
    assert res.stderr.startswith("cspace: ok: 5 entities, 3 facts, 2 sources")


def test_override_is_a_notice_not_an_error(base: Path, tmp_path: Path) -> None:
    extra = write_base(
        tmp_path / "mine",
        {"city/yantai.toml": 'name = "Yantai (mine)"\nsummary = "Mine."\n'},
        sources=None,
    )
    res = run("validate", str(extra), "--json")
    assert res.exit_code == 0
    [notice] = json.loads(res.stdout)
    assert notice["severity"] == "notice"
    assert "'city/yantai' replaces the one in" in notice["message"]
    shown = json.loads(run("city", "yantai", "--json", "--facts", str(extra)).stdout)
    assert shown["name"] == "Yantai (mine)"


def test_missing_folder_is_reported(base: Path, tmp_path: Path) -> None:
    res = run("company", "tianbing", "--facts", str(tmp_path / "nope"))
    assert res.exit_code == ExitStatus.USAGE
    assert "does not exist" in res.stderr and "nope" in res.stderr


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_a_source_needs_a_file_or_a_url(tmp_path: Path) -> None:
    root = write_base(
        tmp_path / "f",
        {},
        sources='[[sources]]\nid = "web-page"\ntitle = "A page"\npublisher = "Outlet"\n',
    )
    res = run("validate", str(root), env={"CSPACE_NO_SHIPPED": "1"})
    assert res.exit_code == ExitStatus.INVALID_FACTS
    assert "sources.toml:1" in res.stdout and "needs a url" in res.stdout
