"""``cspace export``: the whole fact base as JSON, JSON Lines, CSV and SQLite."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from conftest import ENTITIES, run, write_base
from cspace_cli.errors import ExitStatus

SCHEMA = json.loads(run("schema").stdout)
IDS = sorted(f"{rel[:-5]}" for rel in ENTITIES)


def validate(data: object, definition: str) -> None:
    schema = {**SCHEMA, "$ref": f"#/$defs/{definition}"}
    schema.pop("oneOf")
    jsonschema.validate(data, schema)


def test_json_is_an_array_of_the_lookup_objects(base: Path) -> None:
    res = run("export", "--format", "json")
    assert res.exit_code == 0, res.stderr
    data = json.loads(res.stdout)
    validate(data, "export")
    assert [e["id"] for e in data] == IDS
    shown = json.loads(run("show", "site/sea-port", "--json").stdout)
    assert data[IDS.index("site/sea-port")] == without_figures(shown)


def without_figures(view: dict[str, Any]) -> dict[str, Any]:
    """A lookup's object as the export writes it: key figures are facts of other entities,
    exported there, and so are the sources only they cite."""
    out = {k: v for k, v in view.items() if k not in ("key_figures", "more_figures")}
    cited = {s for f in view["facts"] for s in f["sources"]}
    cited |= {s for r in view["related"] for s in r["sources"]}
    figures_only = {s for f in view["key_figures"] for s in f["sources"]} - cited
    out["sources"] = [s for s in view["sources"] if s["id"] not in figures_only]
    return out


def test_jsonl_is_one_entity_per_line(base: Path) -> None:
    res = run("export", "--format", "jsonl")
    assert res.exit_code == 0
    lines = res.stdout.splitlines()
    assert len(lines) == len(ENTITIES)
    assert [json.loads(line) for line in lines] == json.loads(run("export").stdout)


def test_csv_is_one_row_per_fact_with_entity_and_citation(base: Path) -> None:
    res = run("export", "--format", "csv")
    assert res.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    assert len(rows) == 3
    port = [r for r in rows if r["entity_id"] == "site/sea-port"]
    assert [(r["value"], r["source_ids"], r["source_titles"], r["disputed"]) for r in port] == [
        ("137", "doc-a", "Doc A", "true"),
        ("89", "doc-b", "Doc B", "true"),
    ]
    [plan] = [r for r in rows if r["entity_id"] == "company/space-pioneer"]
    assert (plan["entity_name"], plan["entity_kind"], plan["qualifier"], plan["low"]) == (
        "Space Pioneer",
        "company",
        "up to",
        "",
    )


def test_sqlite_has_tables_keys_and_a_working_join(base: Path, tmp_path: Path) -> None:
    db = tmp_path / "out" / "facts.db"
    db.parent.mkdir()
    res = run("export", "--format", "sqlite", "-o", str(db))
    assert res.exit_code == 0, res.stderr
    assert res.stdout == ""
    assert "facts.db" in res.stderr
    con = sqlite3.connect(db)
    count = {
        t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
        for t in ("entities", "names", "facts", "fact_sources", "relations", "sources")
    }
    assert count == {
        "entities": 5,
        "names": 17,
        "facts": 3,
        "fact_sources": 3,
        "relations": 1,
        "sources": 2,
    }
    rows = con.execute(
        "SELECT e.name, f.value, typeof(f.value), s.title FROM facts f "
        "JOIN entities e ON e.id = f.entity_id "
        "JOIN fact_sources fs ON fs.fact_id = f.id JOIN sources s ON s.id = fs.source_id "
        "WHERE f.attribute = 'satellites launched' ORDER BY f.position"
    ).fetchall()
    assert rows == [
        ("Oriental Aerospace Port", 137, "integer", "Doc A"),
        ("Oriental Aerospace Port", 89, "integer", "Doc B"),
    ]
    assert con.execute("SELECT located_in FROM entities WHERE id = 'city/yantai'").fetchone() == (
        "province/shandong",
    )
    referenced = {
        (t, r[2])
        for t in ("facts", "fact_sources", "names", "relations", "entities")
        for r in con.execute(f"PRAGMA foreign_key_list({t})")
    }
    assert {
        ("facts", "entities"),
        ("fact_sources", "facts"),
        ("fact_sources", "sources"),
        ("names", "entities"),
        ("relations", "entities"),
        ("entities", "entities"),
    } <= referenced
    assert con.execute("PRAGMA foreign_key_check").fetchall() == []
    indexes = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"names_key", "facts_entity", "fact_sources_source"} <= indexes
    con.close()


def test_counts_match_the_fact_base_with_a_user_folder(tmp_path: Path) -> None:
    """The shipped base plus a user folder: SQLite holds exactly what cspace shows."""
    mine = write_base(
        tmp_path / "mine",
        {
            "company/zz-mine.toml": """
        name = "ZZ Mine"
        summary = "Mine."
        [[facts]]
        attribute = "staff"
        value = 12
        status = "actual"
        sources = ["doc-a"]
        text = "Twelve people."
        """
        },
    )
    db = tmp_path / "all.db"
    assert run("export", "--facts", str(mine), "-o", str(db)).exit_code == 0
    expected = json.loads(run("--json", env={"CSPACE_FACTS": str(mine)}).stdout)
    con = sqlite3.connect(db)
    got = {
        t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
        for t in ("entities", "facts", "sources")
    }
    assert got == {t: expected[t] for t in ("entities", "facts", "sources")}
    assert con.execute(
        "SELECT count(*) FROM facts WHERE entity_id = 'company/zz-mine'"
    ).fetchone() == (1,)


def test_format_follows_the_file_suffix(base: Path, tmp_path: Path) -> None:
    out = tmp_path / "facts.csv"
    assert run("export", "-o", str(out)).exit_code == 0
    assert out.read_text(encoding="utf-8").startswith("entity_id,entity_kind,entity_name,")
    db = tmp_path / "facts.sqlite"
    assert run("export", "-o", str(db)).exit_code == 0
    assert db.read_bytes().startswith(b"SQLite format 3\0")


def test_sqlite_is_never_written_to_stdout(base: Path) -> None:
    res = run("export", "--format", "sqlite")
    assert res.exit_code == ExitStatus.USAGE
    assert res.stdout == ""
    assert "-o FILE" in res.stderr


def test_an_existing_file_is_kept_unless_force(base: Path, tmp_path: Path) -> None:
    out = tmp_path / "facts.json"
    out.write_text("keep me", encoding="utf-8")
    res = run("export", "-o", str(out))
    assert res.exit_code == ExitStatus.USAGE
    assert "--force" in res.stderr
    assert out.read_text(encoding="utf-8") == "keep me"
    assert run("export", "-o", str(out), "--force").exit_code == 0
    assert len(json.loads(out.read_text(encoding="utf-8"))) == len(ENTITIES)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp file


@pytest.mark.parametrize("fmt", ["json", "sqlite"])
def test_never_writes_into_a_fact_folder(base: Path, fmt: str) -> None:
    before = sorted(p.relative_to(base) for p in base.rglob("*"))
    res = run("export", "--format", fmt, "-o", str(base / "company" / "out.db"))
    assert res.exit_code == ExitStatus.USAGE
    assert "fact folder" in res.stderr
    assert sorted(p.relative_to(base) for p in base.rglob("*")) == before


def test_an_invalid_fact_base_is_not_exported(tmp_path: Path) -> None:
    bad = write_base(tmp_path / "bad", {"company/x.toml": 'name = "X"\n'})
    out = tmp_path / "x.json"
    res = run("export", "-o", str(out), env={"CSPACE_NO_SHIPPED": "1", "CSPACE_FACTS": str(bad)})
    assert res.exit_code == ExitStatus.INVALID_FACTS
    assert not out.exists()


def test_an_empty_fact_base_exports_empty_but_well_formed(tmp_path: Path) -> None:
    empty = write_base(tmp_path / "empty", {}, sources=None)
    env = {"CSPACE_NO_SHIPPED": "1", "CSPACE_FACTS": str(empty)}
    assert json.loads(run("export", env=env).stdout) == []
    assert run("export", "-f", "jsonl", env=env).stdout == ""
    assert run("export", "-f", "csv", env=env).stdout.splitlines() == [
        ",".join(next(csv.reader(io.StringIO(run("export", "-f", "csv").stdout))))
    ]
    db = tmp_path / "empty.db"
    assert run("export", "-o", str(db), env=env).exit_code == 0
    con = sqlite3.connect(db)
    assert con.execute("SELECT count(*) FROM entities").fetchone() == (0,)
    con.close()


# --- export builds every view from the index read into memory ---------------------------

WEB = {
    "province/north.toml": """
        name = "North"
        summary = "A province."
        sources = ["doc-a"]
        """,
    "city/alpha.toml": """
        name = "Alpha"
        summary = "A city."
        located_in = "province/north"
        sources = ["doc-b"]
        """,
    "city/beta.toml": """
        name = "Beta"
        summary = "Another city."
        located_in = "province/north"
        """,
    "site/pad-one.toml": """
        name = "Pad One"
        summary = "A launch pad."
        located_in = "city/alpha"

        [[facts]]
        attribute = "launches"
        value = 12
        status = "actual"
        date = "2025"
        sources = ["doc-a"]
        text = "Twelve."

        [[facts]]
        attribute = "launches"
        value = 9
        status = "actual"
        date = "2024-06"
        sources = ["doc-b"]
        text = "Nine."
        """,
    "company/maker.toml": """
        name = "Maker"
        summary = "Builds rockets."
        located_in = "city/beta"

        [[facts]]
        attribute = "staff"
        value = 300
        status = "actual"
        sources = ["doc-b"]
        text = "About 300 people."

        [[relations]]
        relation = "launches_from"
        object = "site/pad-one"
        sources = ["doc-b"]

        [[relations]]
        relation = "partner_of"
        object = "company/other"
        sources = ["doc-a"]
        text = "A joint venture."
        """,
    "company/other.toml": """
        name = "Other"
        summary = "Funds things."

        [[relations]]
        relation = "supports"
        object = "province/north"
        sources = ["doc-b"]

        [[relations]]
        relation = "located_in"
        object = "city/alpha"
        sources = ["doc-a"]
        """,
}
WEB_IDS = sorted(rel[:-5] for rel in WEB)


@pytest.fixture
def web(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Relations both ways and places inside places, so views list entities "via" others."""
    root = write_base(tmp_path / "web", WEB)
    monkeypatch.setenv("CSPACE_NO_SHIPPED", "1")
    monkeypatch.setenv("CSPACE_FACTS", str(root))
    return root


def test_exported_objects_are_what_show_prints(web: Path) -> None:
    """Export builds views from the index read into memory; each object must still be the
    bytes ``show --json`` prints."""
    shown = {eid: run("show", eid, "--json").stdout for eid in WEB_IDS}
    related = [r for text in shown.values() for r in json.loads(text)["related"]]
    assert {r["direction"] for r in related} == {"in", "out"}
    assert any(r["via"] for r in related)
    objects = [without_figures(json.loads(shown[e])) for e in WEB_IDS]
    lines = run("export", "--format", "jsonl").stdout.splitlines()
    assert [json.loads(line) for line in lines] == objects
    texts = [json.dumps(o, ensure_ascii=False, indent=2) for o in objects]
    elements = ",".join("\n  " + text.replace("\n", "\n  ") for text in texts)
    assert run("export", "--format", "json").stdout == f"[{elements}\n]\n"


# --- for data tools: NULL for what is missing, full-text search, Datasette metadata -------


def test_missing_values_are_null_in_sqlite_and_empty_cells_in_csv(
    base: Path, tmp_path: Path
) -> None:
    db = tmp_path / "facts.db"
    assert run("export", "-o", str(db)).exit_code == 0
    con = sqlite3.connect(db)
    assert con.execute(
        "SELECT name_zh, pinyin, aliases FROM entities WHERE id = 'city/yantai'"
    ).fetchone() == (None, None, "[]")
    assert con.execute("SELECT publisher, date FROM sources WHERE id = 'doc-a'").fetchone() == (
        None,
        None,
    )
    assert con.execute(
        "SELECT date, date_text, section, unit FROM facts WHERE attribute = 'planned output'"
    ).fetchone() == (None, None, None, "rockets/year")
    empty_text = [
        (table, column)
        for table in ("entities", "facts", "sources", "relations", "names")
        for (_, column, *_) in con.execute(f"PRAGMA table_info({table})")
        if con.execute(f"SELECT count(*) FROM {table} WHERE {column} = ''").fetchone()[0]
    ]
    assert empty_text == []
    con.close()
    rows = list(csv.DictReader(io.StringIO(run("export", "-f", "csv").stdout)))
    assert {r["date"] for r in rows if r["entity_id"] == "company/space-pioneer"} == {""}


def test_sqlite_has_full_text_tables_as_sqlite_utils_makes_them(base: Path, tmp_path: Path) -> None:
    db = tmp_path / "facts.db"
    assert run("export", "-o", str(db)).exit_code == 0
    con = sqlite3.connect(db)
    sql = dict(con.execute("SELECT name, sql FROM sqlite_master WHERE name LIKE '%_fts'"))
    assert "USING FTS5" in sql["entities_fts"] and "content=[entities]" in sql["entities_fts"]
    assert "content=[facts]" in sql["facts_fts"]

    def found(table: str, words: str) -> list[str]:
        return [
            r[0]
            for r in con.execute(
                f"SELECT t.rowid FROM {table}_fts JOIN {table} t ON t.rowid = {table}_fts.rowid "
                f"WHERE {table}_fts MATCH ? ORDER BY t.rowid",
                (words,),
            )
        ]

    pioneer = con.execute(
        "SELECT rowid FROM entities WHERE id = 'company/space-pioneer'"
    ).fetchone()[0]
    assert found("entities", "tianbing") == [pioneer]  # pinyin and an alias
    assert found("entities", "technology") == [pioneer]  # an alias only
    port = con.execute("SELECT rowid FROM entities WHERE id = 'site/sea-port'").fetchone()[0]
    assert found("entities", "home port") == [port]  # the summary
    assert len(found("facts", "count")) == 2  # fact text
    con.close()


def test_metadata_for_datasette(base: Path, tmp_path: Path) -> None:
    db, meta = tmp_path / "space.db", tmp_path / "metadata.json"
    res = run("export", "-o", str(db), "--metadata", str(meta))
    assert res.exit_code == 0, res.stderr
    assert "datasette" in res.stderr
    data = json.loads(meta.read_text(encoding="utf-8"))
    assert data["license"] == "MIT"
    assert "5 entities" in data["description"] and "2 source documents" in data["source"]
    tables = data["databases"]["space"]["tables"]
    assert tables["entities"] == {"label_column": "name"}
    assert tables["sources"] == {"label_column": "title"}
    con = sqlite3.connect(db)
    for table, spec in tables.items():
        columns = [r[1] for r in con.execute(f"PRAGMA table_info({table})")]
        assert spec["label_column"] in columns, table
    con.close()


@pytest.mark.parametrize(
    "args",
    [
        ["--metadata", "m.json"],
        ["-f", "csv", "-o", "x.csv", "--metadata", "m.json"],
        ["-o", "x.db", "--metadata", "x.db"],
    ],
)
def test_metadata_needs_an_sqlite_file_of_its_own(
    base: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    res = run("export", *args)
    assert res.exit_code == ExitStatus.USAGE
    assert res.stdout == ""
    assert "metadata" in res.stderr or "exists" in res.stderr
    assert not (tmp_path / "m.json").exists()


def test_an_existing_metadata_file_is_kept_unless_force(base: Path, tmp_path: Path) -> None:
    db, meta = tmp_path / "facts.db", tmp_path / "metadata.json"
    meta.write_text("keep me", encoding="utf-8")
    res = run("export", "-o", str(db), "-m", str(meta))
    assert res.exit_code == ExitStatus.USAGE and "--force" in res.stderr
    assert meta.read_text(encoding="utf-8") == "keep me" and not db.exists()
    assert run("export", "-o", str(db), "-m", str(meta), "--force").exit_code == 0
    assert json.loads(meta.read_text(encoding="utf-8"))["databases"]["facts"]
