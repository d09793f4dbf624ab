"""``cspace init``: a commented example folder that validates and loads, never overwriting."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import run
from cspace_cli.errors import ExitStatus

FILES = {"sources.toml", "company/example-rocket-works.toml"}


def written(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def test_init_writes_a_commented_folder_that_validates(tmp_path: Path) -> None:
    root = tmp_path / "my-facts"
    res = run("init", str(root))
    assert res.exit_code == 0, res.stderr
    assert written(root) == FILES
    assert {Path(line).relative_to(root).as_posix() for line in res.stdout.splitlines()} == FILES
    assert f"cspace validate {root}" in res.stderr
    for name in FILES:
        lines = (root / name).read_text(encoding="utf-8").splitlines()
        assert sum(line.lstrip().startswith("#") for line in lines) >= 3, name
    alone = run("validate", str(root), env={"CSPACE_NO_SHIPPED": "1"})
    assert alone.exit_code == 0, alone.stderr
    assert "ok: 1 entities, 1 facts, 1 sources" in alone.stderr
    with_shipped = run("validate", str(root), "--json")
    assert with_shipped.exit_code == 0
    assert json.loads(with_shipped.stdout) == []  # no error, and no shipped record replaced


def test_the_example_loads_with_facts_and_cspace_facts(tmp_path: Path) -> None:
    root = tmp_path / "mine"
    run("init", str(root))
    by_option = run("company", "example rocket", "--facts", str(root), "--json")
    by_env = run("company", "erw", "--json", env={"CSPACE_FACTS": str(root)})
    for res in (by_option, by_env):
        assert res.exit_code == 0, res.stderr
        data = json.loads(res.stdout)
        assert data["id"] == "company/example-rocket-works"
        [fact] = data["facts"]
        assert (fact["value"], fact["qualifier"], fact["status"]) == (3, "up to", "plan")
        assert [s["id"] for s in data["sources"]] == ["example-notes"]
    assert run("company", "example rocket").exit_code == ExitStatus.NO_MATCH


def test_init_into_an_existing_empty_folder(tmp_path: Path) -> None:
    root = tmp_path / "empty"
    root.mkdir()
    assert run("init", str(root)).exit_code == 0
    assert written(root) == FILES


def test_init_refuses_a_folder_with_files(tmp_path: Path) -> None:
    root = tmp_path / "full"
    root.mkdir()
    (root / "sources.toml").write_text("# mine\n", encoding="utf-8")
    res = run("init", str(root))
    assert res.exit_code == ExitStatus.USAGE
    assert "not empty" in res.stderr
    assert res.stdout == ""
    assert written(root) == {"sources.toml"}
    assert (root / "sources.toml").read_text(encoding="utf-8") == "# mine\n"


def test_init_refuses_a_file(tmp_path: Path) -> None:
    target = tmp_path / "file.txt"
    target.write_text("x", encoding="utf-8")
    res = run("init", str(target))
    assert res.exit_code == ExitStatus.USAGE
    assert "not a folder" in res.stderr
    assert target.read_text(encoding="utf-8") == "x"
