"""``cspace cache path|info|clear|prune``, and the pruning cspace does on its own."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import time
from pathlib import Path

import jsonschema
import pytest

from conftest import run, write_base
from cspace_cli.errors import ExitStatus

SCHEMA = json.loads(run("schema").stdout)
DAY = 86400


def cache_dir() -> Path:
    return Path(os.environ["CSPACE_CACHE_DIR"])


def index_files() -> list[Path]:
    return sorted(cache_dir().glob("index-*.sqlite"))


def info() -> list[dict[str, object]]:
    res = run("cache", "info", "--json")
    assert res.exit_code == 0, res.stderr
    rows = json.loads(res.stdout)
    schema = {**SCHEMA, "$ref": "#/$defs/cache_row"}
    schema.pop("oneOf")
    for row in rows:
        jsonschema.validate(row, schema)
    return list(rows)


def with_format(path: Path, copy: Path, salt: str) -> Path:
    """A copy of an index file as another cspace would have written it."""
    shutil.copy(path, copy)
    con = sqlite3.connect(copy)
    with con:
        con.execute(
            "UPDATE meta SET value = ? || substr(value, instr(value, char(10))) "
            "WHERE key = 'layout'",
            (salt,),
        )
    con.close()
    return copy


def test_path_is_where_the_index_files_go(base: Path, tmp_path: Path) -> None:
    assert run("cache", "path").stdout == f"{cache_dir()}\n"
    xdg = {"CSPACE_CACHE_DIR": "", "XDG_CACHE_HOME": str(tmp_path / "xdg")}
    assert run("cache", "path", env=xdg).stdout == f"{tmp_path / 'xdg' / 'cspace'}\n"


def test_info_lists_files_sizes_folders_and_last_use(base: Path, tmp_path: Path) -> None:
    empty = run("cache", "info")
    assert empty.exit_code == 0 and empty.stdout == "" and "no index files" in empty.stderr
    assert info() == []
    mine = write_base(tmp_path / "mine", {}, sources=None)
    assert run("company", "tianbing").exit_code == 0
    assert run("company", "tianbing", "--facts", str(mine)).exit_code == 0
    rows = info()
    assert len(rows) == 2 == len(index_files())
    assert sorted(r["folders"] for r in rows) == sorted(  # type: ignore[type-var]
        [[str(base.resolve())], [str(base.resolve()), str(mine.resolve())]]
    )
    assert {r["format"] for r in rows} == {"current"}
    assert all(isinstance(r["bytes"], int) and r["bytes"] > 0 for r in rows)
    text = run("cache", "info", env={"COLUMNS": "200"}).stdout
    assert "last used" in text and str(mine.resolve()) in text and "KiB" in text


def test_clear_removes_every_index_file(base: Path) -> None:
    assert run("company", "tianbing").exit_code == 0
    assert len(index_files()) == 1
    res = run("cache", "clear")
    assert res.exit_code == 0 and "removed 1 index file" in res.stderr
    assert index_files() == []
    assert run("company", "tianbing").exit_code == 0  # and cspace builds it again


def test_prune_removes_unused_and_older_files_only(base: Path) -> None:
    assert run("company", "tianbing").exit_code == 0
    [current] = index_files()
    older = with_format(current, cache_dir() / "index-00000000000000aa.sqlite", "0.1.0 1")
    newer = with_format(current, cache_dir() / "index-00000000000000bb.sqlite", "99.0.0 99")
    unused = with_format(current, cache_dir() / "index-00000000000000cc.sqlite", "99.0.0 99")
    month_ago = time.time() - 31 * DAY
    os.utime(unused, (month_ago, month_ago))
    assert {r["path"]: r["format"] for r in info()} == {
        str(current): "current",
        str(older): "older",
        str(newer): "newer",
        str(unused): "newer",
    }
    res = run("cache", "prune")
    assert res.exit_code == 0 and "removed 2 index files" in res.stderr
    assert set(index_files()) == {newer, current}
    assert run("cache", "prune", "--days", "0").exit_code == 0
    assert index_files() == []


def test_a_build_removes_older_formats_on_its_own(base: Path, tmp_path: Path) -> None:
    assert run("company", "tianbing").exit_code == 0
    [current] = index_files()
    older = with_format(current, cache_dir() / "index-00000000000000aa.sqlite", "0.1.0 1")
    newer = with_format(current, cache_dir() / "index-00000000000000bb.sqlite", "99.0.0 99")
    assert run("company", "tianbing").exit_code == 0  # a warm run builds nothing
    assert older.exists()
    mine = write_base(tmp_path / "mine", {}, sources=None)
    assert run("company", "tianbing", "--facts", str(mine)).exit_code == 0  # a build
    assert not older.exists() and newer.exists() and current.exists()


def test_using_a_file_renews_its_last_use(base: Path) -> None:
    assert run("company", "tianbing").exit_code == 0
    [current] = index_files()
    days_ago = time.time() - 3 * DAY
    os.utime(current, (days_ago, days_ago))
    assert run("company", "tianbing").exit_code == 0
    assert current.stat().st_mtime > time.time() - 60
    [row] = info()
    assert str(row["last_used"]).startswith(time.strftime("%Y-%m-%d", time.gmtime()))


@pytest.mark.parametrize("args", [["cache"], ["cache", "tidy"], ["cache", "prune", "--days", "-1"]])
def test_bad_cache_actions_are_usage_errors(args: list[str]) -> None:
    res = run(*args)
    assert res.exit_code == ExitStatus.USAGE and res.stdout == ""
