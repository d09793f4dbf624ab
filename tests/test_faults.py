"""Nothing lost, nothing wrong, nothing left behind: the cache, the files and the process
under faults.

The cache must answer exactly as a fresh load does, however it was damaged, updated or
named; the surroundings (a cache folder that cannot be used, closed streams, a full
disk) change the exit code only as the README says; and a run killed by SIGTERM, SIGHUP
or SIGKILL, during a build or an export, leaves no process behind, and no temporary file
once the next run has finished.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest

from conftest import (
    ENTITIES,
    REPO,
    SHIPPED,
    cspace_proc,
    proc_env,
    run,
    unprivileged,
    write_base,
)
from cspace_cli.errors import ExitStatus

NO_SHIPPED = {"CSPACE_NO_SHIPPED": "1"}


def cache_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("index-*.sqlite"))


def leftovers(folder: Path) -> list[str]:
    """Temporary files in a folder: cspace's are hidden and end in .tmp."""
    return (
        sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))
        if folder.exists()
        else []
    )


def same_as_fresh(*args: str, env: dict[str, str] | None = None) -> str:
    """Run with the cache and without it: the same exit code, stdout and stderr."""
    cached, fresh = run(*args, env=env), run("--no-cache", *args, env=env)
    assert (cached.exit_code, cached.stdout, cached.stderr) == (
        fresh.exit_code,
        fresh.stdout,
        fresh.stderr,
    ), args
    return cached.stdout


# --- case 1: removing an override -------------------------------------------------------


def test_removing_an_override_of_a_shipped_entity(tmp_path: Path) -> None:
    mine = tmp_path / "my"
    (mine / "company").mkdir(parents=True)
    shutil.copy(SHIPPED / "sources.toml", mine / "sources.toml")
    override = mine / "company" / "space-pioneer.toml"
    text = (SHIPPED / "company" / "space-pioneer.toml").read_text(encoding="utf-8")
    override.write_text(text.replace('name = "Space Pioneer"', 'name = "Space Pioneer (mine)"'))
    env = {"CSPACE_FACTS": str(mine)}
    assert json.loads(run("company", "tianbing", "--json", env=env).stdout)["name"] == (
        "Space Pioneer (mine)"
    )
    override.unlink()
    res = run("company", "tianbing", "--json", env=env)
    assert res.exit_code == 0, res.stderr
    assert json.loads(res.stdout)["name"] == "Space Pioneer"
    same_as_fresh("company", "tianbing", env=env)
    assert run("validate", env=env).exit_code == 0


def test_removing_an_override_in_a_later_folder(tmp_path: Path) -> None:
    first = write_base(
        tmp_path / "a", {"company/zeta.toml": 'name = "Zeta Rockets"\nsummary = "A."\n'}
    )
    later = write_base(tmp_path / "b", {"company/zeta.toml": 'name = "Zeta B"\nsummary = "B."\n'})
    env = {**NO_SHIPPED, "CSPACE_FACTS": f"{first}{os.pathsep}{later}"}
    assert json.loads(run("company", "zeta", "--json", env=env).stdout)["name"] == "Zeta B"
    (later / "company" / "zeta.toml").unlink()
    assert json.loads(run("company", "zeta", "--json", env=env).stdout)["name"] == "Zeta Rockets"
    assert "Zeta Rockets" in same_as_fresh("list", "--json", env=env)


# --- case 2: a damaged cache ---------------------------------------------------------------


def record(text: bytes) -> str:
    """SQL for an entity record that decompresses to ``text``."""
    return f"X'{zlib.compress(text).hex()}'"


DAMAGE = {
    "a table dropped": "DROP TABLE keys",
    "key tables emptied": "DELETE FROM keys",
    "a garbage record": "UPDATE entities SET record = X'0011' WHERE id = 'company/space-pioneer'",
    "a record of bad JSON": f"UPDATE entities SET record = {record(b'{bad')}",
    "a record missing fields": f"UPDATE entities SET record = {record(b'{}')}",
    "bad JSON in sources": "UPDATE sources SET record = '{bad'",
    "bad JSON in links": "UPDATE links SET sources = '{bad'",
    "bad JSON in the counts": "UPDATE meta SET value = '{' WHERE key = 'stats'",
    "a record of the wrong type": "UPDATE entities SET record = 7 WHERE id = 'city/yantai'",
}


@pytest.mark.parametrize("damage", DAMAGE, ids=list(DAMAGE))
def test_a_damaged_cache_is_rebuilt_silently(base: Path, tmp_path: Path, damage: str) -> None:
    assert run("company", "tianbing").exit_code == 0
    [cache] = cache_files(tmp_path / "cache")
    with sqlite3.connect(cache) as con:
        con.executescript(DAMAGE[damage])
    for args in (("company", "tianbing", "--json"), ("sources",), ("--json",), ("export",)):
        res = run(*args)
        assert res.exit_code == 0 and res.stderr == "", (args, res.stderr)
        assert res.stdout == run("--no-cache", *args).stdout, args
    [rebuilt] = cache_files(tmp_path / "cache")
    with sqlite3.connect(rebuilt) as con:
        assert con.execute("SELECT count(*) FROM keys").fetchone()[0] > 0


def test_a_record_damaged_mid_export_still_exports_whole(base: Path) -> None:
    """The export streams entity by entity; a record found damaged half-way through is
    read again from a rebuilt index, and the output is what a clean run writes."""
    run("list")
    [cache] = cache_files(Path(os.environ["CSPACE_CACHE_DIR"]))
    with sqlite3.connect(cache) as con:
        con.execute("UPDATE entities SET record = X'00' WHERE id = 'site/sea-port'")
    for fmt in ("jsonl", "csv"):
        res = run("export", "-f", fmt)
        assert res.exit_code == 0 and res.stderr == ""
        assert res.stdout == run("--no-cache", "export", "-f", fmt).stdout


def test_a_folder_where_the_cache_file_goes(base: Path, tmp_path: Path) -> None:
    run("list")
    [cache] = cache_files(tmp_path / "cache")
    cache.unlink()
    cache.mkdir()
    for _ in range(2):
        res = run("company", "tianbing", "--json")
        assert res.exit_code == 0 and res.stderr == ""
        assert json.loads(res.stdout)["id"] == "company/space-pioneer"
    assert cache.is_dir()


# --- case 3: an in-place update answers as a new index does ----------------------------

PROVINCE = 'name = "North"\nsummary = "A province."\nsources = ["doc-a"]\n'
CITY = 'name = "{name}"\nsummary = "{summary}"\nlocated_in = "province/north"\n'


def test_related_keeps_its_order_after_an_update(tmp_path: Path) -> None:
    root = write_base(
        tmp_path / "f",
        {
            "province/north.toml": PROVINCE,
            "city/alpha.toml": CITY.format(name="Alpha", summary="First."),
            "city/beta.toml": CITY.format(name="Beta", summary="Second."),
            "company/maker.toml": 'name = "Maker"\nsummary = "M."\nlocated_in = "province/north"\n',
        },
    )
    env = {**NO_SHIPPED, "CSPACE_FACTS": str(root)}
    run("province", "north", env=env)
    inode = cache_files(tmp_path / "cache")[0].stat().st_ino
    (root / "city" / "alpha.toml").write_text(CITY.format(name="Alpha", summary="Edited."))
    shown = same_as_fresh("province", "north", "--json", env=env)
    assert [r["name"] for r in json.loads(shown)["related"]] == ["Alpha", "Beta", "Maker"]
    same_as_fresh("export", "-f", "jsonl", env=env)
    same_as_fresh("export", "-f", "json", env=env)
    assert cache_files(tmp_path / "cache")[0].stat().st_ino == inode, "updated in place"


# --- case 4: one cache for a folder however it is named --------------------------------


def test_one_cache_for_relative_absolute_and_other_working_folders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_base(tmp_path / "work" / "my")
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "work")
    env = NO_SHIPPED
    assert run("--facts", "my", "city", "yantai", env=env).exit_code == 0
    [cache] = cache_files(tmp_path / "cache")
    built = cache.stat().st_ino, cache.stat().st_mtime_ns
    assert run("--facts", "./my", "city", "yantai", env=env).exit_code == 0
    assert run("--facts", str(root), "city", "yantai", env=env).exit_code == 0
    monkeypatch.chdir(tmp_path / "elsewhere")
    assert run("--facts", "../work/my", "city", "yantai", env=env).exit_code == 0
    assert run("city", "yantai", env={**env, "CSPACE_FACTS": "../work/my"}).exit_code == 0
    assert cache_files(tmp_path / "cache") == [cache]
    assert (cache.stat().st_ino, cache.stat().st_mtime_ns) == built, "never rebuilt"


# --- case 7: a cache folder that cannot be used ----------------------------------------


def answers_in_memory(res: subprocess.CompletedProcess[bytes], fresh: bytes) -> None:
    assert res.returncode == 0, res.stderr
    assert res.stdout == fresh
    assert res.stderr == b""


def test_an_unenterable_or_unwritable_cache_folder(base: Path, tmp_path: Path) -> None:
    prefix = unprivileged()
    locked = tmp_path / "locked"
    (locked / "inside").mkdir(parents=True)
    readonly = tmp_path / "readonly"
    readonly.mkdir()
    tmp_path.chmod(0o755)
    base.chmod(0o755)
    for path in base.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    env = proc_env(**NO_SHIPPED, CSPACE_FACTS=str(base))
    fresh = cspace_proc("--no-cache", "company", "tianbing", env=env).stdout
    locked.chmod(0)
    readonly.chmod(0o555)
    try:
        for cache_env in (
            {"CSPACE_CACHE_DIR": str(locked / "inside" / "cache")},
            {"CSPACE_CACHE_DIR": str(locked)},
            {"CSPACE_CACHE_DIR": str(readonly)},
            {"HOME": str(locked / "home"), "XDG_CACHE_HOME": ""},
        ):
            use = {**env, **cache_env}
            if "HOME" in cache_env:
                use.pop("CSPACE_CACHE_DIR")
            for _ in range(2):
                res = cspace_proc("company", "tianbing", env=use, prefix=prefix)
                answers_in_memory(res, fresh)
        assert os.listdir(readonly) == []
    finally:
        locked.chmod(0o755)
        readonly.chmod(0o755)


def in_small_tmpfs(disk: Path, script: str, env: dict[str, str]) -> str:
    """Run a bash ``script`` with a 64 KiB tmpfs at ``disk`` (in a mount namespace of its
    own, so nothing outside sees it); skip where no such namespace can be made."""
    unshare = shutil.which("unshare")
    if unshare is None:
        pytest.skip("no unshare: cannot mount a small tmpfs")
    mount = f'mount -t tmpfs -o size=64k tmpfs "{disk}" || exit 99\n'
    for flags in (["-m"], ["-rm"]):
        res = subprocess.run(
            [unshare, *flags, "bash", "-c", mount + script],
            env=env,
            capture_output=True,
            timeout=120,
        )
        if res.returncode != 99 and b"unshare failed" not in res.stderr:
            assert res.returncode == 0, res.stderr
            return res.stdout.decode()
    pytest.skip("cannot mount a tmpfs here (needs mount namespaces)")


def test_a_full_disk(base: Path, tmp_path: Path) -> None:
    """The cache cannot be written: the index is built in memory and the answer is the
    same, exit 0. An export to a file cannot be written: exit 74, nothing left behind."""
    disk = tmp_path / "disk"
    disk.mkdir()
    env = proc_env(**NO_SHIPPED, CSPACE_FACTS=str(base), CSPACE_CACHE_DIR=str(disk / "cache"))
    fresh = cspace_proc("--no-cache", "export", "-f", "jsonl", env=env).stdout
    cspace = f'"{sys.executable}" -m cspace_cli'
    script = (
        f'head -c 60000 /dev/zero > "{disk}/fill"\n'
        f'{cspace} export -f jsonl > "{tmp_path}/cached" 2> "{tmp_path}/cached.err"\n'
        'echo "cached=$?"\n'
        f'{cspace} export -o "{disk}/out.json" 2> "{tmp_path}/export.err"\n'
        'echo "export=$?"\n'
        f'ls -A "{disk}" "{disk}/cache"\n'
    )
    out = in_small_tmpfs(disk, script, env)
    assert "cached=0\nexport=74\n" in out
    assert (tmp_path / "cached").read_bytes() == fresh
    assert (tmp_path / "cached.err").read_bytes() == b""
    err = (tmp_path / "export.err").read_text()
    assert err.startswith("cspace: cannot write ") and "No space left on device" in err
    assert out.split("export=74\n", 1)[1].split() == [f"{disk}:", "cache", "fill", f"{disk}/cache:"]


# --- cases 17 and 18: closed streams and a full output -------------------------------


def shell_run(command: str, env: dict[str, str]) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        ["bash", "-c", f'exec "{sys.executable}" -m cspace_cli {command}'],
        env=env,
        capture_output=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    "command, status",
    [
        ("company tianbing", ExitStatus.OK),
        ("company zzqq", ExitStatus.NO_MATCH),
        ("list spaceships", ExitStatus.USAGE),
        ("search x --limit 9223372036854775808", ExitStatus.USAGE),
        ("--no-such-option", ExitStatus.USAGE),
        ("validate {broken}", ExitStatus.INVALID_FACTS),
        ("--facts {broken} company x", ExitStatus.INVALID_FACTS),
    ],
)
def test_exit_codes_with_stderr_closed(
    base: Path, tmp_path: Path, command: str, status: int
) -> None:
    broken = write_base(tmp_path / "broken", {"city/x.toml": "name = "})
    env = proc_env(**NO_SHIPPED, CSPACE_FACTS=str(base))
    res = shell_run(command.format(broken=broken) + " 2>&-", env)
    assert res.returncode == status
    assert res.stderr == b""


@pytest.mark.parametrize(
    "command",
    ["company tianbing --json", "list", "export", "export -f csv", "company tianbing", "sources"],
)
def test_stdout_closed_is_exit_74(base: Path, command: str) -> None:
    res = shell_run(command + " >&-", proc_env(**NO_SHIPPED, CSPACE_FACTS=str(base)))
    assert res.returncode == ExitStatus.IO, res.stderr
    assert res.stderr == b"cspace: cannot write output: Bad file descriptor\n"


@pytest.mark.parametrize(
    "command",
    [
        "company tianbing --json --fields id",
        "company tianbing",
        "list --json",
        "export",
        "export -f csv",
        "export -o /dev/full",
    ],
)
def test_a_full_output_is_exit_74(base: Path, command: str) -> None:
    res = shell_run(command + " > /dev/full", proc_env(**NO_SHIPPED, CSPACE_FACTS=str(base)))
    assert res.returncode == ExitStatus.IO, res.stderr
    assert b"No space left on device" in res.stderr.splitlines()[0]
    assert len(res.stderr.splitlines()) == 1


def test_both_streams_closed(base: Path) -> None:
    env = proc_env(**NO_SHIPPED, CSPACE_FACTS=str(base))
    assert shell_run("list >&- 2>&-", env).returncode == ExitStatus.IO
    assert shell_run("company zzqq >&- 2>&-", env).returncode == ExitStatus.NO_MATCH


# --- cases 19 to 22 -----------------------------------------------------------------------


@pytest.mark.parametrize("value", ["9223372036854775808", "1000000001", "-1", "1e3"])
def test_a_bad_limit_is_a_usage_error(base: Path, value: str) -> None:
    res = run("search", "port", "--limit", value)
    assert res.exit_code == ExitStatus.USAGE
    assert res.stdout == ""
    assert "Invalid value for '--limit'" in res.stderr


def test_columns_zero_renders_at_80(base: Path) -> None:
    env = proc_env(**NO_SHIPPED, CSPACE_FACTS=str(base))
    for args in (("company", "tianbing"), ("list",), ()):
        wide = cspace_proc(*args, env={**env, "COLUMNS": "80"})
        zero = cspace_proc(*args, env={**env, "COLUMNS": "0"})
        assert zero.returncode == 0 and zero.stdout
        assert zero.stdout == wide.stdout, args


@pytest.mark.parametrize(
    "args",
    [
        ["--\u202ex"],
        ["\u2066x\u200b"],
        ["company", "tianbing", "--\u200bfoo"],
        ["list", "--color", "\u202ealways"],
        ["export", "-f", "\u2066csv\u2069"],
    ],
    ids=["option", "command", "command option", "choice", "format"],
)
def test_usage_errors_show_the_users_text_inert(base: Path, args: list[str]) -> None:
    res = cspace_proc(*args, env=proc_env(**NO_SHIPPED, CSPACE_FACTS=str(base)))
    assert res.returncode == ExitStatus.USAGE
    assert res.stdout == b""
    err = res.stderr.decode()
    assert "Error:" in err
    assert not any(c in err for c in "\u202e\u2066\u2069\u200b")


def test_the_test_suite_keeps_its_cache_to_itself(tmp_path: Path) -> None:
    """The packaging tests run cspace in a new user's environment, but with the test's
    cache folder: nothing of the suite lands in ~/.cache/cspace."""
    from test_packaging import clean_env

    env = clean_env(PYTHONPATH=str(REPO / "src"))
    assert env["CSPACE_CACHE_DIR"] == str(tmp_path / "cache")
    res = cspace_proc("list", env=env, cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert cache_files(tmp_path / "cache")


# --- case 6 and the signals: killed during a build or an export ---------------------------


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A few thousand entity files: a cold build parses them in worker processes."""
    root = write_base(tmp_path_factory.mktemp("gen") / "facts", dict(ENTITIES))
    for i in range(2500):
        (root / "company" / f"gen-{i:04d}.toml").write_text(
            f'name = "Generated Aerospace {i}"\nsummary = "Company {i}, made up."\n'
            f'[[facts]]\nattribute = "staff"\nvalue = {i}\nstatus = "actual"\n'
            f'sources = ["doc-a"]\ntext = "About {i} people."\n',
            encoding="utf-8",
        )
    return root


def session_processes(sid: int) -> list[int]:
    """Live processes of a session (zombies waiting for a reaper are not processes)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if fields[0] != "Z" and int(fields[3]) == sid:
            found.append(int(entry.name))
    return found


HOOKS = {
    "build": (
        "import cspace_cli.load.scan as loader\n"
        "real = loader.read_many\n"
        "def read_many(*args, **kwargs):\n"
        "    for i, row in enumerate(real(*args, **kwargs)):\n"
        "        if i == 500:\n"
        "            ready()\n"
        "        yield row\n"
        "loader.read_many = read_many\n"
    ),
    "export": (
        "import cspace_cli.present.export as export\n"
        "real, calls = export.entity_view, []\n"
        "def entity_view(*args, **kwargs):\n"
        "    calls.append(1)\n"
        "    if len(calls) == 1000:\n"
        "        ready()\n"
        "    return real(*args, **kwargs)\n"
        "export.entity_view = entity_view\n"
    ),
}


def killed(
    hook: str, sig: signal.Signals, args: list[str], env: dict[str, str], cwd: Path
) -> tuple[subprocess.Popen[bytes], list[int]]:
    """Start cspace with ``hook``, which says "ready" on a pipe at the point to kill and
    then waits; send ``sig`` to cspace alone (as ``kill PID`` does), and return the
    finished process and what other processes of its session were alive at that moment.
    No timing is involved: the signal goes out only once cspace is where it should be."""
    ready_r, ready_w = os.pipe()
    code = (
        "import os, time\n"
        "def ready():\n"
        f"    os.write({ready_w}, b'r')\n"
        "    time.sleep(120)\n"
        f"{HOOKS[hook]}"
        "from cspace_cli.__main__ import main\n"
        "main()\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code, *args],
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        pass_fds=(ready_w,),
        start_new_session=True,
    )
    os.close(ready_w)
    try:
        assert os.read(ready_r, 1) == b"r", proc.communicate()
        helpers = [p for p in session_processes(proc.pid) if p != proc.pid]
        os.kill(proc.pid, sig)
        proc.communicate(timeout=30)  # returns once every holder of its pipes is gone
    finally:
        os.close(ready_r)
        if proc.poll() is None:
            proc.kill()
        if sys.exc_info()[0] is not None:
            gone(proc.pid)
    return proc, helpers


def gone(sid: int) -> bool:
    """True once no process of the session is left (within 10 s); then, pass or fail,
    none is (a failing run must not leave workers behind for minutes)."""
    deadline = time.monotonic() + 10
    try:
        while session_processes(sid):
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)
        return True
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(sid, signal.SIGKILL)


SIGNALS = [signal.SIGTERM, signal.SIGHUP, signal.SIGKILL]
needs_proc = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")


@needs_proc
@pytest.mark.parametrize("sig", SIGNALS, ids=[s.name for s in SIGNALS])
def test_killed_during_a_cold_build(generated: Path, tmp_path: Path, sig: signal.Signals) -> None:
    cache = tmp_path / "cache"
    env = proc_env(**NO_SHIPPED, CSPACE_FACTS=str(generated), CSPACE_CACHE_DIR=str(cache))
    proc, helpers = killed("build", sig, ["list"], env, tmp_path)
    assert helpers, "the build ran in worker processes"
    assert proc.returncode == -sig
    assert gone(proc.pid), "a worker outlived its parent"
    assert cache_files(cache) == []
    if sig == signal.SIGKILL:  # nothing runs on SIGKILL: the next build cleans up
        assert len(leftovers(cache)) == 1
    else:
        assert leftovers(cache) == []
    again = cspace_proc("company", "generated aerospace 7", "--json", env=env)
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["id"] == "company/gen-0007"
    assert leftovers(cache) == [] and len(cache_files(cache)) == 1


@needs_proc
@pytest.mark.parametrize("sig", SIGNALS, ids=[s.name for s in SIGNALS])
def test_killed_during_an_export(generated: Path, tmp_path: Path, sig: signal.Signals) -> None:
    out = tmp_path / "out"
    out.mkdir()
    env = proc_env(**NO_SHIPPED, CSPACE_FACTS=str(generated), CSPACE_CACHE_DIR=str(tmp_path / "c"))
    assert cspace_proc("list", env=env).returncode == 0  # a warm cache: the kill hits the export
    proc, _ = killed("export", sig, ["export", "-o", str(out / "all.jsonl")], env, tmp_path)
    assert proc.returncode == -sig
    assert gone(proc.pid)
    assert not (out / "all.jsonl").exists(), "no half-written file under the real name"
    assert len(leftovers(out)) == (1 if sig == signal.SIGKILL else 0)
    again = cspace_proc("export", "-o", str(out / "all.jsonl"), env=env)
    assert again.returncode == 0, again.stderr
    assert leftovers(out) == []
    assert len((out / "all.jsonl").read_text(encoding="utf-8").splitlines()) == 2505


@needs_proc
def test_a_killed_build_does_not_hold_the_pipe(generated: Path, tmp_path: Path) -> None:
    """``cspace list | wc -l`` ended only when the orphaned workers did, minutes later."""
    env = proc_env(**NO_SHIPPED, CSPACE_FACTS=str(generated))
    proc, helpers = killed("build", signal.SIGKILL, ["list"], env, tmp_path)
    assert gone(proc.pid) and helpers
    assert proc.returncode == -signal.SIGKILL  # communicate() returned: the pipe was let go
