"""Hostile input, end to end: broken fact folders, hostile queries, pipes, signals, odd
environments and internal errors each get a clear answer and a documented exit code, never
a traceback, and no fact file is ever changed.

Broken folders here complement ``test_validation.py`` (which covers syntax errors, unknown
keys, missing names, unknown kinds, duplicates, dangling references, bad ranges and dates)
with the cases that live below TOML: encodings, sizes, links, permissions and odd names.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import ENTITIES, REPO, Result, run, write_base
from cspace_cli.errors import ExitStatus
from cspace_cli.present import views

GOOD = 'name = "X"\nsummary = "Y."\n'
FACT = '[[facts]]\nattribute = "a"\nvalue = 1\nstatus = "actual"\nsources = ["doc-a"]\ntext = "t"\n'
NO_SHIPPED = {"CSPACE_NO_SHIPPED": "1"}
# Anything a terminal would act on: C0 controls but newline, DEL, C1 controls, bidi overrides.
RAW_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


# --- broken fact folders ---------------------------------------------------------------


def write_bytes(root: Path, rel: str, data: bytes) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def huge(root: Path) -> None:
    """A 50 MB fact file (one comment and a sparse tail), written in no time."""
    path = root / "company" / "huge.toml"
    with path.open("wb") as f:
        f.write(b"# " + b"x" * 1000 + b"\n")
        f.truncate(50 * 1024 * 1024)


def self_loop(root: Path) -> None:
    (root / "city" / "loop").symlink_to(".", target_is_directory=True)


def toml_loop(root: Path) -> None:
    (root / "city" / "a.toml").symlink_to("b.toml")
    (root / "city" / "b.toml").symlink_to("a.toml")


def fifo(root: Path) -> None:
    os.mkfifo(root / "company" / "pipe.toml")


def device(root: Path) -> None:
    (root / "company" / "zero.toml").symlink_to(os.devnull)


def write(rel: str, data: bytes) -> Callable[[Path], None]:
    return lambda root: write_bytes(root, rel, data)


# name -> (how to break the folder, path the problem names, words of the message, line)
BROKEN: dict[str, tuple[Callable[[Path], None], str, str, int | None]] = {
    "not utf-8": (
        write("company/latin.toml", b'name = "X"\nsummary = "Caf\xe9."\n'),
        "company/latin.toml",
        "not UTF-8 text (byte 0xe9",
        2,
    ),
    "empty file": (
        write("company/empty.toml", b""),
        "company/empty.toml",
        "name: is required",
        None,
    ),
    "byte order mark": (
        write("company/bom.toml", b"\xef\xbb\xbf" + GOOD.encode()),
        "company/bom.toml",
        "byte order mark (BOM)",
        1,
    ),
    "50 MB file": (
        huge,
        "company/huge.toml",
        "file is 50.0 MiB; fact files are limited to 1 MiB",
        None,
    ),
    "string for number in a conversion": (
        write(
            "company/conv.toml",
            (
                GOOD
                + FACT.replace(
                    'text = "t"', 'text = "t"\nconverted = { unit = "USD", value = "14" }'
                )
            ).encode(),
        ),
        "company/conv.toml",
        "facts[0].converted.value: expected a number, got text",
        9,
    ),
    "text for true/false": (
        write("company/flag.toml", (GOOD + FACT + 'date_inferred = "yes"\n').encode()),
        "company/flag.toml",
        "facts[0].date_inferred: expected true/false, got text",
        9,
    ),
    "list for table": (
        write("company/convlist.toml", (GOOD + FACT + "converted = [1, 2]\n").encode()),
        "company/convlist.toml",
        "facts[0].converted: expected a table, got a list",
        9,
    ),
    "table for list": (
        write("company/facttable.toml", (GOOD + "facts = { a = 1 }\n").encode()),
        "company/facttable.toml",
        "facts: expected an array of tables ([[facts]]), got a table",
        3,
    ),
    "unquoted date": (
        write("company/tomldate.toml", (GOOD + FACT + "date = 2025-03-01\n").encode()),
        "company/tomldate.toml",
        "facts[0].date: expected text, got an unquoted TOML date or time (write dates as text",
        9,
    ),
    "list for text": (
        write("company/listname.toml", b'name = ["X"]\nsummary = "Y."\n'),
        "company/listname.toml",
        "name: expected text, got a list",
        1,
    ),
    "symlink to its own folder": (self_loop, "city/loop", "unexpected folder", None),
    "symlink loop between files": (toml_loop, "city/a.toml", "cannot read file", None),
    "named pipe": (fifo, "company/pipe.toml", "not a regular file", None),
    "device": (device, "company/zero.toml", "not a regular file", None),
    "space in the file name": (
        write("company/space pioneer.toml", GOOD.encode()),
        "company/space pioneer.toml",
        "is not a valid id",
        None,
    ),
    "non-ASCII file name": (
        write("company/tiānbīng.toml", GOOD.encode()),
        "company/tiānbīng.toml",
        "is not a valid id",
        None,
    ),
    "undecodable file name": (
        write("company/caf\udce9.toml", GOOD.encode()),
        "company/caf\udce9.toml",
        "is not a valid id",
        None,
    ),
}


def snapshot(root: Path) -> dict[str, tuple[bytes, int, int]]:
    """Every regular file's bytes, mtime and mode (links and pipes are not followed)."""
    out = {}
    for path in sorted(root.rglob("*")):
        info = path.lstat()
        readable = path.is_file() and not path.is_symlink() and os.access(path, os.R_OK)
        data = path.read_bytes() if readable else b""
        out[str(path)] = (data, info.st_mtime_ns, info.st_mode)
    return out


def broken_base(tmp_path: Path, *cases: str) -> Path:
    root = write_base(tmp_path / "f", dict(ENTITIES))
    for case in cases:
        BROKEN[case][0](root)
    return root


def first_error(stdout: str) -> str:
    """The first error of ``validate --json`` written the way lookups print it."""
    row = next(p for p in json.loads(stdout) if p["severity"] == "error")
    where = f"{row['path']}:{row['line']}" if row["line"] else row["path"]
    return printable(f"{where}: {row['message']}")


def printable(text: str) -> str:
    return "".join(c if c.isprintable() else "?" for c in text)


@pytest.mark.parametrize("case", BROKEN, ids=list(BROKEN))
def test_broken_folder_is_named_and_left_alone(tmp_path: Path, case: str) -> None:
    _, rel, words, line = BROKEN[case]
    root = broken_base(tmp_path, case)
    before = snapshot(root)

    res = run("validate", str(root), "--json", env=NO_SHIPPED)
    assert res.exit_code == ExitStatus.INVALID_FACTS
    problems = json.loads(res.stdout)
    [hit] = [p for p in problems if words in p["message"] and p["path"] == str(root / rel)]
    assert hit["line"] == line
    assert hit["severity"] == "error"

    human = run("validate", str(root), "--color", "never", env=NO_SHIPPED)
    assert human.exit_code == ExitStatus.INVALID_FACTS
    assert any(words in ln for ln in human.stdout.splitlines())

    for args in (("company", "tianbing"), ("search", "sea"), ("show", "city/yantai"), ("list",)):
        lookup = run(*args, env={**NO_SHIPPED, "CSPACE_FACTS": str(root)})
        assert lookup.exit_code == ExitStatus.INVALID_FACTS, args
        assert lookup.stdout == ""
        assert lookup.stderr.splitlines()[0].startswith(f"cspace: {first_error(res.stdout)}")
    assert snapshot(root) == before


def test_every_problem_in_one_run(tmp_path: Path) -> None:
    root = broken_base(tmp_path, *BROKEN)
    before = snapshot(root)
    res = run("validate", str(root), "--json", env=NO_SHIPPED)
    assert res.exit_code == ExitStatus.INVALID_FACTS
    problems = json.loads(res.stdout)
    for case, (_, rel, words, _) in BROKEN.items():
        assert any(p["path"] == str(root / rel) and words in p["message"] for p in problems), case
    lookup = run("company", "tianbing", env={**NO_SHIPPED, "CSPACE_FACTS": str(root)})
    assert lookup.exit_code == ExitStatus.INVALID_FACTS
    errors = [p for p in problems if p["severity"] == "error"]
    assert lookup.stderr == (
        f"cspace: {first_error(res.stdout)} (and {len(errors) - 1} more; run 'cspace validate')\n"
    )
    assert snapshot(root) == before


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads folders whatever their mode"
)
def test_unreadable_folder_and_file(tmp_path: Path) -> None:
    root = broken_base(tmp_path)
    locked = root / "rocket"
    locked.mkdir()
    (locked / "x.toml").write_text(GOOD)
    secret = root / "company" / "secret.toml"
    secret.write_text(GOOD)
    locked.chmod(0)
    secret.chmod(0)
    try:
        before = snapshot(root)
        res = run("validate", str(root), "--json", env=NO_SHIPPED)
        assert res.exit_code == ExitStatus.INVALID_FACTS
        problems = {p["path"]: p["message"] for p in json.loads(res.stdout)}
        assert problems[str(locked)].startswith("cannot read folder: Permission denied")
        assert problems[str(secret)].startswith("cannot read file: Permission denied")
        lookup = run("company", "tianbing", env={**NO_SHIPPED, "CSPACE_FACTS": str(root)})
        assert lookup.exit_code == ExitStatus.INVALID_FACTS
        assert lookup.stderr.startswith(f"cspace: {first_error(res.stdout)}")
        assert snapshot(root) == before
    finally:
        locked.chmod(0o755)
        secret.chmod(0o644)


def test_folder_named_with_spaces_and_chinese_loads(tmp_path: Path) -> None:
    root = write_base(tmp_path / "my facts" / "事实 2026")
    res = run("company", "tianbing", "--json", env={**NO_SHIPPED, "CSPACE_FACTS": str(root)})
    assert res.exit_code == 0, res.stderr
    assert json.loads(res.stdout)["id"] == "company/space-pioneer"
    assert run("validate", str(root), env=NO_SHIPPED).exit_code == 0


def test_control_characters_in_a_fact_file_stay_on_one_line(tmp_path: Path) -> None:
    bad = GOOD + FACT.replace('"actual"', '"a\\nb\\u001b[31m\\u202eevil"')
    root = write_base(tmp_path / "f", {**ENTITIES, "company/ctl.toml": bad})
    res = run("validate", str(root), "--color", "never", env=NO_SHIPPED)
    [line] = [ln for ln in res.stdout.splitlines() if "ctl.toml" in ln]
    assert "facts[0].status: 'a b?[31m?evil' is not one of" in line
    lookup = run("company", "x", env={**NO_SHIPPED, "CSPACE_FACTS": str(root)})
    assert lookup.exit_code == ExitStatus.INVALID_FACTS
    assert len(lookup.stderr.splitlines()) == 1
    assert not RAW_CONTROL.search(res.stdout + lookup.stderr)


# --- hostile queries -------------------------------------------------------------------

NO, USAGE = ExitStatus.NO_MATCH, ExitStatus.USAGE
# query -> expected exit of (a lookup, show, search)
QUERIES: dict[str, tuple[str, tuple[int, int, int]]] = {
    "empty": ("", (USAGE, NO, USAGE)),
    "blank": ("  \t ", (USAGE, NO, USAGE)),
    "10,000 characters": ("space" * 2000, (USAGE, NO, USAGE)),
    "control characters": ("\x01\x07zq\x08\x7f\x9b", (NO, NO, NO)),
    "ANSI escapes": ("\x1b[31mzq\x1b[0m\x1b]0;title\x07", (NO, NO, NO)),
    "Rich markup": ("[bold red]zq[/bold red] [link=file:///etc]x[/link]", (NO, NO, NO)),
    "right-to-left": (
        "\u202e\u05e9\u05dc\u05d5\u05dd \u05e2\u05d5\u05dc\u05dd\u202c",
        (NO, NO, NO),
    ),
    "emoji": ("🚀🛰️👩‍🚀", (USAGE, NO, USAGE)),
    "Chinese and Latin": ("火星 Mars 基地", (NO, NO, NO)),
    "path": ("../../etc/passwd", (NO, NO, NO)),
    "punctuation": ("!?.,;:'\"()-/\\", (USAGE, NO, USAGE)),
    "undecodable bytes": ("zq\udcff\udcfe", (NO, NO, NO)),
}


def clean_failure(res: Result, code: int) -> None:
    out, err = res.stdout, res.stderr
    assert res.exit_code == code, err
    assert out == ""
    first, *rest = err.splitlines()
    assert first.startswith("cspace: ")
    assert len(first) < 200
    assert len(rest) <= 3 and all(ln.startswith("  did you mean: cspace ") for ln in rest)
    assert not RAW_CONTROL.search(err)
    assert "\udcff" not in err


@pytest.mark.parametrize("name", QUERIES, ids=list(QUERIES))
def test_hostile_query(base: Path, name: str) -> None:
    query, (lookup_code, show_code, search_code) = QUERIES[name]
    clean_failure(run("company", query), lookup_code)
    clean_failure(run("company", query, "--json"), lookup_code)
    clean_failure(run("show", query), show_code)
    clean_failure(run("search", query), search_code)


@pytest.mark.parametrize(
    "args, named",
    [
        (["\x1b[31mred"], "[31mred"),
        (["company", "x", "--\x1b[2J"], "[2J"),
        (["list", "--color", "\x9b2J"], "2J"),
    ],
)
def test_usage_errors_do_not_echo_escapes(base: Path, args: list[str], named: str) -> None:
    res = run(*args)
    assert res.exit_code == ExitStatus.USAGE
    assert res.stdout == ""
    assert not RAW_CONTROL.search(res.stderr)
    assert named in res.stderr


def test_markup_is_shown_as_typed(base: Path) -> None:
    res = run("company", "[bold red]zq[/bold red]")
    assert "'[bold red]zq[/bold red]'" in res.stderr


def test_a_query_that_matches_is_never_echoed_raw(base: Path) -> None:
    query = "\x1b\x9b\u202e\x07tianbing\x1b\x9b\u202e"
    plain = run("company", query, "--color", "never")
    assert plain.exit_code == 0
    assert plain.stdout.startswith("Space Pioneer")
    assert not RAW_CONTROL.search(plain.stdout)
    coloured = run("company", query, "--color", "always")
    assert coloured.exit_code == 0
    assert not re.search("[\x07\x9b\u202e]|\x1b[^\\[]", coloured.stdout)
    res = run("company", query, "--json")
    assert res.exit_code == 0
    assert not RAW_CONTROL.search(res.stdout)
    assert json.loads(res.stdout)["match"]["query"] == query


def test_show_with_an_unmatchable_id_suggests_nothing(base: Path) -> None:
    res = run("show", "company/🚀")
    assert res.exit_code == ExitStatus.NO_MATCH
    assert res.stderr == "cspace: no entity with id 'company/🚀'\n"


def test_suggestions_never_carry_control_characters(tmp_path: Path) -> None:
    root = write_base(
        tmp_path / "f",
        {**ENTITIES, "company/evil.toml": 'name = "Tianbang\\u001b[2J\\u202e"\nsummary = "x"\n'},
    )
    res = run("company", "tianbang", env={**NO_SHIPPED, "CSPACE_FACTS": str(root)})
    assert res.exit_code == 0
    miss = run("rocket", "tianbangg", env={**NO_SHIPPED, "CSPACE_FACTS": str(root)})
    assert miss.exit_code == ExitStatus.NO_MATCH
    assert "  did you mean: cspace company 'Tianbang?[2J?'" in miss.stderr.splitlines()
    assert not RAW_CONTROL.search(miss.stderr)


# --- pipes, signals and environment (real processes) ------------------------------------


@pytest.fixture(scope="module")
def big_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Enough entities that ``list`` and ``search`` overflow a pipe's buffer, and that the
    loader parses them in worker processes (from 2000 files)."""
    root = write_base(tmp_path_factory.mktemp("big") / "facts")
    for i in range(2100):
        (root / "company" / f"acme-{i:04d}.toml").write_text(
            f'name = "Acme Aerospace {i}"\nname_zh = "阿克米{i}"\n'
            f'summary = "A generated company number {i}, made to fill pipes."\n',
            encoding="utf-8",
        )
    return root


def warm_env(big_base: Path, tmp_path: Path) -> dict[str, str]:
    """One index cache shared by the tests of the big base (built by the first of them)."""
    return cspace_env(big_base, tmp_path, CSPACE_CACHE_DIR=str(big_base.parent / "cache"))


def cspace_env(facts: Path, tmp_path: Path, **extra: str) -> dict[str, str]:
    # Without PYTHONUNBUFFERED, as users run it: output waits in Python's buffer.
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("CSPACE_") and k != "PYTHONUNBUFFERED"
    }
    env.update(
        CSPACE_NO_SHIPPED="1",
        CSPACE_FACTS=str(facts),
        CSPACE_CACHE_DIR=str(tmp_path / "cache"),
        PYTHONDONTWRITEBYTECODE="1",
    )
    env.update(extra)
    return env


def cspace(
    *args: str, env: dict[str, str], stdin: int | None = None
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "cspace_cli", *args],
        env=env,
        stdin=stdin,
        capture_output=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    "args",
    [
        ["list"],
        ["search", "a", "--json"],
        ["company", "space"],
        ["sources"],
        [],
        ["facts", "--json"],
        ["facts", "--csv"],
        ["timeline"],
    ],
    ids=" ".join,
)
def test_reader_gone_before_output(base: Path, tmp_path: Path, args: list[str]) -> None:
    """The reading end is closed before cspace writes a byte, so every write fails."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "cspace_cli", *args],
        env=cspace_env(base, tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    err = proc.stderr.read()
    assert proc.wait(timeout=120) == 0
    assert err == b""


@pytest.mark.parametrize("pipeline", ["list | head -1", "search a --json | head -c 10"])
def test_pipe_into_head(big_base: Path, tmp_path: Path, pipeline: str) -> None:
    command, reader = pipeline.split(" | ")
    script = (
        f"set +o pipefail; {sys.executable} -m cspace_cli {command} | {reader}; "
        'echo "status=${PIPESTATUS[0]}" >&2'
    )
    res = subprocess.run(
        ["bash", "-c", script], env=warm_env(big_base, tmp_path), capture_output=True, timeout=120
    )
    assert res.stderr == b"status=0\n"
    if reader == "head -1":
        assert res.stdout.decode().count("\n") == 1 and b"kind" in res.stdout
    else:
        assert res.stdout == b"[\n  {\n    "


def interrupted(tmp_path: Path, facts: Path, install: str, *args: str) -> tuple[int, bytes]:
    """Run cspace with a hook that says "ready" on a pipe and then blocks; ``install``
    patches ``block`` into the code under test. Ctrl-C (SIGINT to the process group, as a
    terminal sends it) goes out only once the process is ready, so no timing is involved.
    Ctrl-C is handled as in a terminal even when this runs in the background, where the
    shell starts children with SIGINT ignored."""
    ready_r, ready_w = os.pipe()
    code = (
        f"import os, signal, time\n"
        f"signal.signal(signal.SIGINT, signal.default_int_handler)\n"
        f"def block(*args, **kwargs):\n"
        f"    os.write({ready_w}, b'r')\n"
        f"    time.sleep(120)\n"
        f"{install}\n"
        f"from cspace_cli.__main__ import main\n"
        f"main()\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code, *args],
        env=cspace_env(facts, tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        pass_fds=(ready_w,),
        start_new_session=True,
    )
    os.close(ready_w)
    try:
        assert os.read(ready_r, 1) == b"r", proc.communicate()
        os.killpg(proc.pid, signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        os.close(ready_r)
        if proc.poll() is None:
            proc.kill()
    return proc.returncode, err


def assert_clean_interrupt(code: int, err: bytes, tmp_path: Path) -> None:
    """Exit 130, no traceback, and nothing half-written left in the cache folder."""
    assert code == ExitStatus.INTERRUPTED
    assert b"Traceback" not in err and b"KeyboardInterrupt" not in err
    cache = tmp_path / "cache"
    leftovers = sorted(p.name for p in cache.iterdir()) if cache.exists() else []
    assert not [n for n in leftovers if not n.endswith(".sqlite")], leftovers


def test_ctrl_c_while_loading(base: Path, tmp_path: Path) -> None:
    """Interrupted at the third fact file, with the index cache half built."""
    install = (
        "import tomli\n"
        "real, calls = tomli.loads, []\n"
        "def loads(text):\n"
        "    calls.append(text)\n"
        "    if len(calls) == 3:\n"
        "        block()\n"
        "    return real(text)\n"
        "tomli.loads = loads"
    )
    code, err = interrupted(tmp_path, base, install, "company", "tianbing")
    assert_clean_interrupt(code, err, tmp_path)
    again = cspace("company", "tianbing", env=cspace_env(base, tmp_path))
    assert again.returncode == 0 and again.stdout.startswith(b"Space Pioneer")


def test_ctrl_c_while_workers_parse(big_base: Path, tmp_path: Path) -> None:
    """Ctrl-C reaches the worker processes too; only the parent answers, once."""
    install = (
        "import cspace_cli.load.scan as loader\n"
        "real = loader.read_many\n"
        "def read_many(*args, **kwargs):\n"
        "    for i, row in enumerate(real(*args, **kwargs)):\n"
        "        if i == 500:\n"
        "            block()\n"
        "        yield row\n"
        "loader.read_many = read_many"
    )
    code, err = interrupted(tmp_path, big_base, install, "search", "acme")
    assert_clean_interrupt(code, err, tmp_path)


def test_ctrl_c_during_start_up(base: Path, tmp_path: Path) -> None:
    install = "import cspace_cli.__main__ as entry\nentry.tolerate_any_encoding = block"
    code, err = interrupted(tmp_path, base, install, "list")
    assert code == ExitStatus.INTERRUPTED
    assert b"Traceback" not in err


def test_no_home_and_no_writable_cache(base: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    readonly = tmp_path / "readonly"
    readonly.mkdir()
    readonly.chmod(0o555)
    envs = [
        cspace_env(base, tmp_path, HOME=str(blocker / "home")),
        cspace_env(base, tmp_path, CSPACE_CACHE_DIR=str(blocker / "cache")),
        cspace_env(base, tmp_path, CSPACE_CACHE_DIR=str(readonly)),
    ]
    envs[0].pop("CSPACE_CACHE_DIR")
    envs[0].pop("XDG_CACHE_HOME", None)
    for env in envs:
        res = cspace("company", "tianbing", "--json", env=env)
        assert res.returncode == 0, res.stderr
        assert json.loads(res.stdout)["name"] == "Space Pioneer"
        assert res.stderr == b""
    assert blocker.read_text() == "not a folder"


@pytest.mark.parametrize(
    "locale",
    [
        {"LC_ALL": "C", "LANG": "C"},
        {"LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"},
    ],
    ids=["C", "C-ascii"],
)
def test_non_utf8_locale(base: Path, tmp_path: Path, locale: dict[str, str]) -> None:
    """``LANG=C``: Python's UTF-8 mode covers it; with that off too, stdout is ASCII and
    the arguments arrive as escaped bytes."""
    env = cspace_env(base, tmp_path, **locale)
    env.pop("PYTHONIOENCODING", None)
    shown = cspace("company", "天兵", env=env)
    assert shown.returncode == 0, shown.stderr
    assert b"Space Pioneer" in shown.stdout
    assert "天兵科技".encode() in shown.stdout or b"\\u5929\\u5175" in shown.stdout
    as_json = cspace("company", "天兵", "--json", env=env)
    assert json.loads(as_json.stdout)["name_zh"] == "天兵科技"
    listed = cspace("list", env=env)
    assert listed.returncode == 0 and b"Oriental Aerospace Port" in listed.stdout
    miss = cspace("company", "火星", env=env)
    assert miss.returncode == ExitStatus.NO_MATCH
    assert miss.stdout == b"" and miss.stderr.startswith(b"cspace: no company matches '")
    assert b"Traceback" not in shown.stderr + as_json.stderr + listed.stderr + miss.stderr


def test_closed_stdin_and_dumb_terminal(base: Path, tmp_path: Path) -> None:
    env = cspace_env(base, tmp_path, TERM="dumb")
    devnull = cspace("company", "tianbing", env=env, stdin=subprocess.DEVNULL)
    closed = subprocess.run(
        ["bash", "-c", f"exec {sys.executable} -m cspace_cli company tianbing <&-"],
        env=env,
        capture_output=True,
        timeout=120,
    )
    for res in (devnull, closed):
        assert res.returncode == 0, res.stderr
        assert res.stdout.startswith(b"Space Pioneer")
        assert b"\x1b" not in res.stdout and res.stderr == b""


# --- internal errors -------------------------------------------------------------------


def boom(*args: object, **kwargs: object) -> None:
    raise RuntimeError("boom")


def test_internal_error_is_one_line(base: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(views, "entity_view", boom)
    res = run("company", "tianbing")
    assert res.exit_code == ExitStatus.INTERNAL
    assert res.stdout == ""
    [line] = res.stderr.splitlines()
    assert line.startswith("cspace: internal error: RuntimeError: boom")
    assert "report" in line and "--debug" in line


@pytest.mark.parametrize("how", [["--debug"], ["CSPACE_DEBUG=1"]], ids=str)
def test_debug_shows_the_traceback(
    base: Path, monkeypatch: pytest.MonkeyPatch, how: list[str]
) -> None:
    monkeypatch.setattr(views, "entity_view", boom)
    if how == ["CSPACE_DEBUG=1"]:
        monkeypatch.setenv("CSPACE_DEBUG", "1")
        how = []
    res = run(*how, "company", "tianbing")
    assert res.exit_code == ExitStatus.INTERNAL and res.stdout == ""
    assert "Traceback (most recent call last):" in res.stderr
    assert "RuntimeError: boom" in res.stderr


BOOM = (
    "import sys, cspace_cli.present.views as v\n"
    "def boom(*a, **k): raise RuntimeError('boom')\n"
    "v.entity_view = boom\n"
    "from cspace_cli.__main__ import main\n"
    "main()\n"
)


@pytest.mark.parametrize("debug", [None, "--debug", "CSPACE_DEBUG=1"])
def test_internal_error_in_a_real_process(base: Path, tmp_path: Path, debug: str | None) -> None:
    env = cspace_env(base, tmp_path, **({"CSPACE_DEBUG": "1"} if debug == "CSPACE_DEBUG=1" else {}))
    args = ["--debug"] if debug == "--debug" else []
    res = subprocess.run(
        [sys.executable, "-c", BOOM, *args, "company", "tianbing"],
        env=env,
        capture_output=True,
        timeout=120,
    )
    assert res.returncode == ExitStatus.INTERNAL
    assert res.stdout == b""
    err = res.stderr.decode()
    if debug:
        assert err.startswith("Traceback (most recent call last):")
        assert "RuntimeError: boom" in err
    else:
        assert err.count("\n") == 1 and "Traceback" not in err
        assert err.startswith("cspace: internal error: RuntimeError: boom")


def test_readme_lists_what_bad_input_gets(base: Path) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Bad input", 1)[1].split("\n## ", 1)[0]
    assert readme.index("## Exit codes") < readme.index("## Bad input") < readme.index("## JSON")
    for query, code in (("", 2), ("x" * 10000, 2), ("zq", 1)):
        res = run("company", query)
        assert res.exit_code == code
        message = res.stderr.splitlines()[0].removeprefix("cspace: ")
        assert f"`{message.split(chr(39))[0]}" in section, message
        assert re.search(rf"`{re.escape(message.split(chr(39))[0])}.*\| {code} \|", section)
