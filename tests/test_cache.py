"""The index cache: rebuilt when facts change, recovered when damaged, never required."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, run
from cspace_cli.errors import ExitStatus


def cache_files(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "cache").glob("index-*.sqlite"))


def name_of(*args: str) -> str:
    res = run(*args, "--json")
    assert res.exit_code == 0, res.stderr
    return str(json.loads(res.stdout)["name"])


def test_first_run_writes_one_cache_file(base: Path, tmp_path: Path) -> None:
    assert cache_files(tmp_path) == []
    assert name_of("city", "yantai") == "Yantai"
    assert len(cache_files(tmp_path)) == 1
    assert not list((tmp_path / "cache").glob(".index-*")), "temporary file left behind"


def test_edit_invalidates(base: Path, tmp_path: Path) -> None:
    assert name_of("city", "yantai") == "Yantai"
    path = base / "city" / "yantai.toml"
    path.write_text(path.read_text().replace('"Yantai"', '"Yantai City"'))
    os.utime(path, ns=(1, 1))
    assert name_of("city", "yantai") == "Yantai City"


def test_added_and_removed_files_invalidate(base: Path) -> None:
    run("city", "yantai")
    (base / "city" / "weihai.toml").write_text('name = "Weihai"\nsummary = "Port."\n')
    assert name_of("city", "weihai") == "Weihai"
    (base / "city" / "weihai.toml").unlink()
    assert run("city", "weihai").exit_code == ExitStatus.NO_MATCH


def test_corrupt_or_truncated_cache_is_rebuilt_silently(base: Path, tmp_path: Path) -> None:
    run("city", "yantai")
    [cache] = cache_files(tmp_path)
    for damage in (b"not a database at all", cache.read_bytes()[:100]):
        cache.write_bytes(damage)
        res = run("city", "yantai", "--json")
        assert res.exit_code == 0 and res.stderr == ""
        assert json.loads(res.stdout)["id"] == "city/yantai"


@pytest.mark.skipif(
    hasattr(os, "geteuid") and os.geteuid() == 0, reason="root can write to a read-only folder"
)
def test_read_only_cache_dir_still_works(base: Path, tmp_path: Path) -> None:
    ro = tmp_path / "cache"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        assert name_of("city", "yantai") == "Yantai"
        assert cache_files(tmp_path) == []
    finally:
        ro.chmod(0o700)


def test_unwritable_cache_location_still_works(base: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the cache folder should be")
    res = run("city", "yantai", "--json", env={"CSPACE_CACHE_DIR": str(blocker / "cache")})
    assert res.exit_code == 0 and json.loads(res.stdout)["id"] == "city/yantai"


def test_no_cache_writes_nothing(base: Path, tmp_path: Path) -> None:
    assert run("--no-cache", "city", "yantai").exit_code == 0
    assert run("city", "yantai", env={"CSPACE_NO_CACHE": "1"}).exit_code == 0
    assert not (tmp_path / "cache").exists()


def test_invalid_facts_are_never_cached(base: Path, tmp_path: Path) -> None:
    bad = base / "city" / "bad.toml"
    bad.write_text("name = ")
    assert run("city", "yantai").exit_code == ExitStatus.INVALID_FACTS
    assert cache_files(tmp_path) == []
    bad.unlink()
    assert run("city", "yantai").exit_code == 0


def test_concurrent_builds_leave_one_good_cache(base: Path, tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    cmd = [sys.executable, "-m", "cspace_cli", "city", "yantai", "--json"]
    procs = [
        subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(4)
    ]
    outs = [p.communicate(timeout=60) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0], [o[1] for o in outs]
    assert all(json.loads(o[0])["id"] == "city/yantai" for o in outs)
    assert len(cache_files(tmp_path)) == 1
    assert not list((tmp_path / "cache").glob(".index-*"))
    assert name_of("city", "yantai") == "Yantai"


def test_fact_folder_is_never_written(base: Path) -> None:
    before = {p: p.stat().st_mtime_ns for p in base.rglob("*")}
    run("city", "yantai")
    run("search", "port")
    run("validate")
    assert {p: p.stat().st_mtime_ns for p in base.rglob("*")} == before


def test_folder_check_mode_sees_new_files_but_trusts_in_place_edits(base: Path) -> None:
    env = {"CSPACE_CACHE_CHECK": "folders"}
    assert run("city", "yantai", env=env).exit_code == 0
    (base / "city" / "weihai.toml").write_text('name = "Weihai"\nsummary = "Port."\n')
    assert run("city", "weihai", "--json", env=env).exit_code == 0
    path = base / "city" / "yantai.toml"
    path.write_text(path.read_text().replace('"Yantai"', '"Yantai City"'))
    res = run("city", "yantai", "--json", env=env)
    assert json.loads(res.stdout)["name"] == "Yantai", "folders mode reads the cached record"
    assert name_of("city", "yantai") == "Yantai City", "the default check sees the edit"


def inode(tmp_path: Path) -> int:
    [cache] = cache_files(tmp_path)
    return cache.stat().st_ino


def test_a_changed_file_updates_the_index_in_place(base: Path, tmp_path: Path) -> None:
    before = json.loads(run("sources", "--json").stdout)
    first = inode(tmp_path)
    (base / "city" / "weihai.toml").write_text(
        'name = "Weihai"\nsummary = "Port."\n[[facts]]\nattribute = "a"\nvalue = 1\n'
        'status = "actual"\nsources = ["doc-a"]\ntext = "t"\n'
    )
    assert name_of("city", "weihai") == "Weihai"
    assert inode(tmp_path) == first, "an edit should update the index, not rebuild it"
    after = {r["id"]: r["facts"] for r in json.loads(run("sources", "--json").stdout)}
    assert after["doc-a"] == {r["id"]: r["facts"] for r in before}["doc-a"] + 1
    (base / "city" / "weihai.toml").unlink()
    assert run("city", "weihai").exit_code == ExitStatus.NO_MATCH
    assert {r["id"]: r["facts"] for r in json.loads(run("sources", "--json").stdout)} == {
        r["id"]: r["facts"] for r in before
    }


def test_removing_a_referenced_entity_is_refused_until_restored(base: Path) -> None:
    run("city", "yantai")
    target = base / "site" / "sea-port.toml"
    saved = target.read_bytes()
    target.unlink()
    res = run("city", "yantai")
    assert res.exit_code == ExitStatus.INVALID_FACTS
    assert "space-pioneer.toml" in res.stderr and "'site/sea-port'" in res.stderr
    target.write_bytes(saved)
    assert name_of("site", "sea port") == "Oriental Aerospace Port"


def test_a_broken_edit_is_refused_and_the_index_kept(base: Path, tmp_path: Path) -> None:
    run("city", "yantai")
    first = inode(tmp_path)
    path = base / "city" / "yantai.toml"
    good = path.read_text()
    path.write_text(good + "located_in = 5\n")
    res = run("city", "yantai")
    assert res.exit_code == ExitStatus.INVALID_FACTS and "yantai.toml" in res.stderr
    path.write_text(good.replace('"Yantai"', '"Yantai Again"'))
    assert name_of("city", "yantai") == "Yantai Again"
    assert inode(tmp_path) == first


def test_changes_an_update_cannot_follow_rebuild(base: Path, tmp_path: Path) -> None:
    run("city", "yantai")
    first = inode(tmp_path)
    sources = base / "sources.toml"
    sources.write_text(sources.read_text().replace('"Doc A"', '"Doc A, revised"'))
    titles = [r["title"] for r in json.loads(run("sources", "--json").stdout)]
    assert "Doc A, revised" in titles
    assert inode(tmp_path) != first
    (base / "spaceship").mkdir()
    (base / "spaceship" / "x.toml").write_text('name = "X"\nsummary = "Y."\n')
    res = run("city", "yantai")
    assert res.exit_code == ExitStatus.INVALID_FACTS and "unknown kind folder" in res.stderr


def test_an_update_refreshes_the_fuzzy_keys(base: Path, tmp_path: Path) -> None:
    run("city", "yantai")
    first = inode(tmp_path)
    (base / "city" / "weihai.toml").write_text('name = "Weihai"\nsummary = "Port."\n')
    assert name_of("city", "weihia") == "Weihai", "a typo of a new name finds it"
    (base / "city" / "weihai.toml").unlink()
    res = run("city", "weihia")
    assert res.exit_code == ExitStatus.NO_MATCH and "Weihai" not in res.stderr
    assert inode(tmp_path) == first


def test_an_in_place_edit_is_seen_even_with_an_old_mtime(base: Path, tmp_path: Path) -> None:
    assert name_of("city", "yantai") == "Yantai"
    path = base / "city" / "yantai.toml"
    path.write_text(path.read_text().replace('"Yantai"', '"Yantaj"'))
    os.utime(path, ns=(1, 1))
    assert name_of("city", "yantaj") == "Yantaj"


def test_a_warm_run_leaves_the_index_as_it_was(base: Path, tmp_path: Path) -> None:
    run("city", "yantai")
    [cache] = cache_files(tmp_path)
    built = cache.read_bytes()
    assert name_of("city", "yantai") == "Yantai"
    assert cache.read_bytes() == built, "a different fingerprint would have rewritten the index"


def test_every_file_changed_still_answers_right(base: Path, tmp_path: Path) -> None:
    run("city", "yantai")
    for n, path in enumerate(sorted(base.glob("*/*.toml"))):
        os.utime(path, ns=(n + 2, n + 2))
    assert name_of("city", "yantai") == "Yantai"
    (base / "city" / "yantai.toml").unlink()
    cached, fresh = run("city", "yantai"), run("--no-cache", "city", "yantai")
    assert cached.exit_code == fresh.exit_code == ExitStatus.INVALID_FACTS
    assert cached.stderr == fresh.stderr and "unknown entity 'city/yantai'" in cached.stderr
