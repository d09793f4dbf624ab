"""The JSON contract: every --json output validates against the shipped schema."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from conftest import run, write_base
from cspace_cli.errors import ExitStatus

SCHEMA = json.loads(run("schema").stdout)


def validate(data: object, definition: str) -> None:
    schema = {**SCHEMA, "$ref": f"#/$defs/{definition}"}
    schema.pop("oneOf")
    jsonschema.validate(data, schema)


def test_schema_command_prints_the_packaged_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert set(SCHEMA["$defs"]["kind"]["enum"]) == set(__import__("cspace_cli.kinds").kinds.KINDS)


def test_lookup_is_one_entity_object(base: Path) -> None:
    data = json.loads(
        run("site", "haiyang port", "--json").stdout or run("site", "oriental", "--json").stdout
    )
    validate(data, "entity")
    assert data["schema_version"] == 2
    assert data["aliases"] == ["东方航天港", "Dongfang Hangtiangang", "Oriental Spaceport"]
    assert data["located_in"]["id"] == "city/yantai"
    assert [f["value"] for f in data["facts"]] == [137, 89]
    assert all(f["disputed"] for f in data["facts"])
    assert {s["id"] for s in data["sources"]} == {"doc-a", "doc-b"}
    related = {(r["id"], r["relation"], r["direction"]) for r in data["related"]}
    assert ("company/space-pioneer", "launches_from", "in") in related


def test_reverse_and_transitive_relations_are_derived(base: Path) -> None:
    data = json.loads(run("province", "shandong", "--json").stdout)
    validate(data, "entity")
    by_id = {r["id"]: r for r in data["related"]}
    assert by_id["city/yantai"]["label"] == "contains"
    assert by_id["city/yantai"]["via"] is None
    assert by_id["site/sea-port"]["via"]["id"] == "city/yantai"


def test_lists_are_arrays(base: Path) -> None:
    for args, definition in (
        (("list",), "list_row"),
        (("list", "city"), "list_row"),
        (("search", "port"), "search_row"),
        (("sources",), "source_row"),
    ):
        res = run(*args, "--json")
        assert res.exit_code == 0, args
        rows = json.loads(res.stdout)
        assert isinstance(rows, list) and rows
        for row in rows:
            validate(row, definition)


def test_source_rows_count_citing_facts(base: Path) -> None:
    rows = {r["id"]: r for r in json.loads(run("sources", "--json").stdout)}
    assert rows["doc-a"]["facts"] == 1 and rows["doc-b"]["facts"] == 2
    assert rows["doc-a"]["publisher"] is None and rows["doc-b"]["date"] == "2025-H2"


def test_empty_list_is_empty_array_exit_0(base: Path) -> None:
    res = run("list", "rocket", "--json")
    assert res.exit_code == 0
    assert json.loads(res.stdout) == []
    assert "no rockets" in res.stderr


def test_non_ascii_stays_as_is(base: Path) -> None:
    res = run("company", "天兵", "--json")
    assert '"name_zh": "天兵科技"' in res.stdout


def test_fields_selects_keys_and_rejects_unknown(base: Path) -> None:
    data = json.loads(run("company", "tianbing", "--json", "--fields", "id,name").stdout)
    assert data == {"schema_version": 2, "id": "company/space-pioneer", "name": "Space Pioneer"}
    bad = run("company", "tianbing", "--json", "--fields", "id,colour")
    assert bad.exit_code == ExitStatus.USAGE
    assert "unknown field 'colour'" in bad.stderr and "valid here: id, kind" in bad.stderr


def test_options_before_the_command_apply(base: Path) -> None:
    assert json.loads(run("--json", "company", "tianbing").stdout)["id"] == (
        "company/space-pioneer"
    )


@pytest.mark.parametrize("args", [("validate",), ("list", "company")])
def test_json_outputs_parse(base: Path, args: tuple[str, ...]) -> None:
    assert isinstance(json.loads(run(*args, "--json").stdout), list)


def test_missing_values_are_null_and_empty_lists_stay_lists(base: Path, tmp_path: Path) -> None:
    """Schema version 2: jq's ``//`` and SQL's IS NULL see a value the facts leave out."""
    city = json.loads(run("city", "yantai", "--json").stdout)
    assert (city["name_zh"], city["pinyin"], city["aliases"], city["facts"]) == (None, None, [], [])
    assert city["located_in"]["name_zh"] == "山东"
    [plan] = json.loads(run("company", "tianbing", "--json").stdout)["facts"]
    assert (plan["date"], plan["date_text"], plan["section"], plan["qualifier"]) == (
        None,
        None,
        None,
        "up to",
    )
    assert plan["unit"] == "rockets/year" and plan["sources"] == ["doc-b"]
    overview = json.loads(run("--json").stdout)
    assert overview["schema_version"] == 2 and overview["dates"]["earliest"] == "2025"
    nothing = write_base(tmp_path / "nothing", {}, sources=None)
    empty = json.loads(run("--json", env={"CSPACE_FACTS": str(nothing)}).stdout)
    assert empty["dates"] == {"earliest": None, "latest": None}
