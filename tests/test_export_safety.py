"""``cspace export`` and ``cspace init`` write only where they should, and what they
write is inert: devices and pipes are streamed into, never replaced; temporary names
cannot be guessed; no fact folder is ever written into; control characters are escaped
as ``--json`` escapes them; CSV cells cannot run as spreadsheet formulas; and the bytes
are UTF-8 whatever the locale."""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from conftest import ENTITIES, SHIPPED, cspace_proc, proc_env, run, without_figures, write_base
from cspace_cli.errors import ExitStatus

NO_SHIPPED = {"CSPACE_NO_SHIPPED": "1"}


# --- case 12: devices and pipes -----------------------------------------------------------


def test_a_character_device_is_written_to_never_replaced(base: Path, tmp_path: Path) -> None:
    device = tmp_path / "null"
    try:
        os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except (PermissionError, AttributeError):
        pytest.skip("cannot make a device node here (needs root)")
    for extra in ([], ["--force"]):
        res = run("export", "-o", str(device), *extra)
        assert res.exit_code == 0, res.stderr
        assert stat.S_ISCHR(device.stat().st_mode), "the device was replaced by a file"
    assert run("export", "-o", str(device), "-f", "sqlite").exit_code == ExitStatus.USAGE
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_dev_null_needs_no_force(base: Path) -> None:
    res = run("export", "-o", os.devnull)
    assert res.exit_code == 0, res.stderr
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)


def test_a_pipe_is_streamed_into(base: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    res = run("export", "-f", "jsonl", "-o", str(fifo), "--force")
    reader.join(timeout=30)
    assert res.exit_code == 0, res.stderr
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert got[0].decode() == run("export", "-f", "jsonl").stdout


@pytest.mark.skipif(not Path("/proc/self/fd/1").exists(), reason="needs /proc/self/fd")
def test_dev_stdout_when_stdout_is_a_pipe(base: Path, tmp_path: Path) -> None:
    """``-o /dev/stdout``, and with ``--force`` a link of our own that works the same way
    (a regression must not replace the machine's /dev/stdout)."""
    env = proc_env(**NO_SHIPPED, CSPACE_FACTS=str(base))
    whole = cspace_proc("export", "-f", "jsonl", env=env).stdout
    own = tmp_path / "stdout"
    own.symlink_to("/proc/self/fd/1")
    for target, extra in (("/dev/stdout", []), (str(own), ["--force"])):
        res = cspace_proc("export", "-f", "jsonl", "-o", target, *extra, env=env)
        assert res.returncode == 0, res.stderr
        assert res.stdout == whole
        assert os.path.islink(target)


# --- case 13: temporary names nobody can guess ------------------------------------------------

PLANT = (
    "import os, sys\n"
    "target = sys.argv[-1]\n"
    "planted = os.path.join(os.path.dirname(target),"
    " f'.{{os.path.basename(target)}}.{{os.getpid()}}.tmp')\n"
    "{plant}\n"
    "from cspace_cli.__main__ import main\n"
    "main()\n"
)


@pytest.mark.parametrize("fmt", ["sqlite", "json"])
def test_a_planted_link_at_the_old_temp_name_is_left_alone(
    base: Path, tmp_path: Path, fmt: str
) -> None:
    """The temporary name used to be ``.<name>.<pid>.tmp``: a symlink planted there made
    SQLite write into another database. Names are now random and created exclusively."""
    victim = tmp_path / "victim.db"
    with sqlite3.connect(victim) as con:
        con.execute("CREATE TABLE precious (x)")
    before = victim.read_bytes()
    target = tmp_path / f"out.{'db' if fmt == 'sqlite' else 'json'}"
    code = PLANT.format(plant=f"os.symlink({str(victim)!r}, planted)")
    res = subprocess.run(
        [sys.executable, "-c", code, "export", "-f", fmt, "-o", str(target)],
        env=proc_env(**NO_SHIPPED, CSPACE_FACTS=str(base)),
        capture_output=True,
        timeout=120,
    )
    assert res.returncode == 0, res.stderr
    assert victim.read_bytes() == before
    assert target.stat().st_size > 0 and not target.is_symlink()
    planted = [p for p in tmp_path.iterdir() if p.is_symlink()]
    assert len(planted) == 1, "the planted link is not ours to remove"


def test_a_planted_file_at_the_old_temp_name_is_left_alone(base: Path, tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    code = PLANT.format(plant="open(planted, 'w').write('mine')")
    res = subprocess.run(
        [sys.executable, "-c", code, "export", "-o", str(target)],
        env=proc_env(**NO_SHIPPED, CSPACE_FACTS=str(base)),
        capture_output=True,
        timeout=120,
    )
    assert res.returncode == 0, res.stderr
    assert len(json.loads(target.read_text(encoding="utf-8"))) == len(ENTITIES)
    [planted] = [p for p in tmp_path.iterdir() if p.name.startswith(".")]
    assert planted.read_text() == "mine"


# --- case 14: fact folders, loaded or not, and links to nowhere -----------------------------


def test_a_link_to_a_missing_file_needs_force(base: Path, tmp_path: Path) -> None:
    link = tmp_path / "latest.json"
    link.symlink_to(tmp_path / "exports" / "2026.json")
    (tmp_path / "exports").mkdir()
    res = run("export", "-o", str(link))
    assert res.exit_code == ExitStatus.USAGE
    assert "symbolic link" in res.stderr and "--force" in res.stderr
    assert not (tmp_path / "exports" / "2026.json").exists()
    assert run("export", "-o", str(link), "--force").exit_code == 0
    assert link.is_symlink(), "the link is followed, as a shell's > follows it"
    assert len(json.loads((tmp_path / "exports" / "2026.json").read_text())) == len(ENTITIES)


def test_never_into_the_shipped_folder_even_when_left_out(base: Path) -> None:
    target = SHIPPED / "zz-export.json"
    try:
        res = run("export", "-o", str(target))
        assert res.exit_code == ExitStatus.USAGE
        assert "fact folder" in res.stderr
        assert not target.exists()
    finally:
        target.unlink(missing_ok=True)


def test_never_into_a_folder_that_holds_facts(base: Path, tmp_path: Path) -> None:
    """A folder with a sources.toml is a fact folder, loaded in this run or not."""
    other = write_base(tmp_path / "other", {"city/x.toml": 'name = "X"\nsummary = "Y."\n'})
    for target in (other / "city" / "y.toml", other / "all.json", other / "new" / "a.db"):
        target.parent.mkdir(exist_ok=True)
        res = run("export", "-o", str(target))
        assert res.exit_code == ExitStatus.USAGE, target
        assert f"inside the fact folder '{other}'" in res.stderr
        assert not target.exists()


@pytest.mark.parametrize("loaded", [True, False], ids=["loaded", "not loaded"])
def test_init_never_writes_inside_a_fact_folder(tmp_path: Path, loaded: bool) -> None:
    mine = tmp_path / "my"
    assert run("init", str(mine)).exit_code == 0
    env = {"CSPACE_FACTS": str(mine)} if loaded else {}
    res = run("init", str(mine / "company" / "sub"), env=env)
    assert res.exit_code == ExitStatus.USAGE
    assert "inside the fact folder" in res.stderr
    assert not (mine / "company" / "sub").exists()
    assert run("company", "example rocket works", env={"CSPACE_FACTS": str(mine)}).exit_code == 0


# --- case 15: what the export writes is inert ------------------------------------------------

HOSTILE = {
    "company/evil.toml": r"""
        name = "Evil\u202eCorp"
        aliases = ["Sneaky\u009b2J", "\u2066Isolated\u2069"]
        summary = "Rings a bell\u0007 and clears\u001b[2J the screen."

        [[facts]]
        attribute = "+cmd"
        value = "=HYPERLINK(\"http://example.org\",\"click\")"
        unit = "@sum"
        status = "actual"
        sources = ["doc-a"]
        text = "-2+3 as text; a tab\there."

        [[facts]]
        attribute = "balance"
        value = -5
        status = "actual"
        sources = ["doc-a"]
        text = "A negative number."
        """,
}
ACTIVE = "\x07\x1b\x9b\u202e\u2066\u2069"


@pytest.fixture
def hostile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = write_base(tmp_path / "hostile", {**ENTITIES, **HOSTILE})
    monkeypatch.setenv("CSPACE_NO_SHIPPED", "1")
    monkeypatch.setenv("CSPACE_FACTS", str(root))
    return root


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_json_exports_escape_what_json_lookups_escape(hostile: Path, fmt: str) -> None:
    res = run("export", "-f", fmt)
    assert res.exit_code == 0
    assert not any(c in res.stdout for c in ACTIVE)
    assert "\\u202e" in res.stdout and "\\u009b" in res.stdout
    objects = (
        json.loads(res.stdout) if fmt == "json" else list(map(json.loads, res.stdout.splitlines()))
    )
    evil = next(o for o in objects if o["id"] == "company/evil")
    assert evil == without_figures(json.loads(run("show", "company/evil", "--json").stdout))
    assert evil["name"] == "Evil\u202eCorp"


def csv_rows(text: str) -> list[dict[str, str]]:
    return [r for r in csv.DictReader(io.StringIO(text)) if r["entity_id"] == "company/evil"]


def test_csv_cells_are_defused(hostile: Path) -> None:
    res = run("export", "-f", "csv")
    assert res.exit_code == 0
    assert not any(c in res.stdout for c in ACTIVE)
    text, number = csv_rows(res.stdout)
    assert text["entity_name"] == "Evil\ufffdCorp"
    assert text["attribute"] == "'+cmd"
    assert text["value"] == '\'=HYPERLINK("http://example.org","click")'
    assert text["unit"] == "'@sum"
    assert text["text"] == "'-2+3 as text; a tab\there."
    assert number["value"] == "-5", "numbers are not text: never guarded"
    listed = run("facts", "--about", "company/evil", "--csv")
    assert listed.exit_code == 0, listed.stderr
    assert csv_rows(listed.stdout) == [text, number]


def test_csv_raw_writes_cells_as_stored(hostile: Path) -> None:
    res = run("export", "-f", "csv", "--raw")
    assert res.exit_code == 0
    text, number = csv_rows(res.stdout)
    assert text["entity_name"] == "Evil\u202eCorp"
    assert text["value"].startswith("=HYPERLINK(")
    assert number["value"] == "-5"
    wrong = run("export", "-f", "jsonl", "--raw")
    assert wrong.exit_code == ExitStatus.USAGE and "--raw" in wrong.stderr


def test_completion_offers_no_raw_control_characters(hostile: Path) -> None:
    from typer.testing import CliRunner

    from cspace_cli.cli.app import app

    offered = ""
    for shell, line in [
        ("zsh", "cspace company "),
        ("zsh", "cspace company sne"),
        ("fish", "cspace company evil"),
        ("bash", "cspace company isol"),
    ]:
        env = {"_CSPACE_COMPLETE": f"complete_{shell}", "_TYPER_COMPLETE_ARGS": line}
        if shell == "bash":
            env = {"_CSPACE_COMPLETE": "complete_bash", "COMP_WORDS": line, "COMP_CWORD": "2"}
        res = CliRunner().invoke(app, [], env=env, catch_exceptions=False)
        assert res.exit_code == 0, res.stderr
        offered += res.stdout
    assert not any(c in offered for c in ACTIVE), offered
    assert "Sneaky2J" in offered and "EvilCorp" in offered and "Isolated" in offered


# --- case 16: UTF-8 whatever the locale -----------------------------------------------------


def test_exports_are_utf8_under_an_ascii_locale(tmp_path: Path) -> None:
    root = write_base(
        tmp_path / "f",
        {
            **ENTITIES,
            "company/far.toml": 'name = "Far \U00020000 Out"\n'
            'summary = "To the stars \U0001f680."\n'
            '[[facts]]\nattribute = "a"\nvalue = 1\nstatus = "actual"\nsources = ["doc-a"]\n'
            'text = "Up \U0001f680."\n',
        },
    )
    env = proc_env(
        **NO_SHIPPED,
        CSPACE_FACTS=str(root),
        LC_ALL="C",
        LANG="C",
        PYTHONUTF8="0",
        PYTHONCOERCECLOCALE="0",
    )
    env.pop("PYTHONIOENCODING", None)
    jsonl = cspace_proc("export", "-f", "jsonl", env=env)
    assert jsonl.returncode == 0, jsonl.stderr
    far = next(
        o
        for o in map(json.loads, jsonl.stdout.decode("utf-8").splitlines())
        if o["id"] == "company/far"
    )
    assert far["name"] == "Far \U00020000 Out"
    whole = json.loads(cspace_proc("export", env=env).stdout.decode("utf-8"))
    assert any(o["summary"] == "To the stars \U0001f680." for o in whole)
    table = cspace_proc("export", "-f", "csv", env=env).stdout
    assert "Up \U0001f680.".encode() in table and "Far \U00020000 Out".encode() in table
    assert b"\\U0001f680" not in table
