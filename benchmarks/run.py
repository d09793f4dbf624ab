"""Time cspace as whole processes and print a markdown table of medians and goals.

    python benchmarks/run.py                          # 1k, 10k and 100k entities, 7 runs each
    python benchmarks/run.py --quick                  # 1k and 10k, 3 runs each
    python benchmarks/run.py --sizes 1000 --runs 5 --typer-python /tmp/venv-typer029/bin/python

Every case is a fresh process (stdout to /dev/null), so the numbers include interpreter
start-up and imports, as a user sees them. Ratios are against ``python -c pass`` measured in
the same run, which makes them comparable across machines. Synthetic fact bases come from
``generate.py`` and are kept in ``--data-dir`` for the next run; the index cache goes to a
fresh folder (``CSPACE_CACHE_DIR``) that is removed at the end. Each case first runs once
untimed under GNU time for its peak RSS (for warm cases that is the warm-up), then
``--runs`` timed times. "Cold" is the first run after a fact file changed: its mtime is
bumped before every run. Without a cache in cspace every run is cold; the script works
either way.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from generate import KIND_ORDER, MARKER, generate, is_generated, lookup_target, names

TYPER_APP = '''import json

import typer

app = typer.Typer()


@app.command()
def main(name: str = "tianbing") -> None:
    print(json.dumps({"name": name}))


app()
'''
MIB = 1024 * 1024
PHRASE = "second source gives"  # in the fact text of one generated entity in seven
STAT_LOOP = """import os, sys
for kind in os.scandir(sys.argv[1]):
    if kind.is_dir():
        for f in os.scandir(kind.path):
            f.stat()
"""
CHECKS = (("", ""), ("folders", ", `CSPACE_CACHE_CHECK=folders`"))  # (value, label)
SEED_QUERY = ("company", "tianbing")
BENCH_ENV = {"COLUMNS": "100"}
GNU_TIME = shutil.which("time") if sys.platform.startswith("linux") else None


@dataclass
class Case:
    label: str
    cmd: list[str]
    env: dict[str, str]
    before: Callable[[], None] | None = None  # runs untimed before every run
    role: str = ""  # what a goal looks the result up by: "seed-json", "100000-warm" ...


@dataclass
class Result:
    case: Case
    seconds: list[float] = field(default_factory=list)
    rss: int = 0  # peak, bytes
    error: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


@dataclass
class Goal:
    text: str
    measured: str
    ok: bool | None  # None: not measured


def run_once(cmd: Sequence[str], env: dict[str, str]) -> tuple[float, int, str]:
    """(seconds, exit code, stderr) of one whole process."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        code = subprocess.call(cmd, env=env, stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL, stderr=err)
        elapsed = time.perf_counter() - start
        err.seek(0)
        return elapsed, code, err.read().decode("utf-8", "replace")


def peak_rss(cmd: Sequence[str], env: dict[str, str]) -> tuple[int, int, str]:
    """(peak RSS in bytes, exit code, stderr) of one untimed run.

    GNU time reports the command's own peak. A child of this script would also count the
    memory it shared with this script before exec (Linux carries that high-water mark
    over), so without GNU time the figure is an upper bound.
    """
    with tempfile.NamedTemporaryFile("r") as out, tempfile.TemporaryFile() as err:
        if GNU_TIME:
            code = subprocess.call([GNU_TIME, "-f", "%M", "-o", out.name, *cmd], env=env,
                                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                   stderr=err)
            lines = out.read().split()
            kib = int(lines[-1]) if lines and lines[-1].isdigit() else 0
        else:
            proc = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL,
                                    stdout=subprocess.DEVNULL, stderr=err)
            _, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = code = os.waitstatus_to_exitcode(status)
            kib = usage.ru_maxrss // (1024 if sys.platform == "darwin" else 1)
        err.seek(0)
        return kib * 1024, code, err.read().decode("utf-8", "replace")


def measure(case: Case, runs: int) -> Result:
    """One untimed run for peak memory (also the warm-up), then ``runs`` timed runs."""
    result = Result(case)
    print(f"  {case.label} ...", end="", file=sys.stderr, flush=True)
    for i in range(runs + 1):
        if case.before:
            case.before()
        if i == 0:
            rss, code, stderr = peak_rss(case.cmd, case.env)
            result.rss = rss
        else:
            seconds, code, stderr = run_once(case.cmd, case.env)
            result.seconds.append(seconds)
        if code != 0:
            result.error = f"exit {code}: {stderr.strip()[-160:]}"
            print(f" failed ({result.error})", file=sys.stderr)
            return result
    print(f" {result.median * 1000:.0f} ms", file=sys.stderr)
    return result


def clean_env(**extra: str) -> dict[str, str]:
    """The caller's environment without cspace or colour settings, plus the case's own.

    PYTHONDONTWRITEBYTECODE goes too: pip compiles an installed package's bytecode, so a
    user's runs never recompile it, while with that variable set (as some sandboxes do)
    an editable install would recompile every module that lacks a ``.pyc`` on every run.
    """
    dropped = ("NO_COLOR", "FORCE_COLOR", "COLUMNS", "PYTHONDONTWRITEBYTECODE")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("CSPACE_") and k not in dropped}
    return {**env, **BENCH_ENV, **extra}


def fact_base(data_dir: Path, n: int, seed: int) -> Path:
    """The generated base of ``n`` entities, written once and reused while it is complete."""
    root = data_dir / str(n)
    if is_generated(root, n, seed):
        return root
    if root.exists():
        ours = {*KIND_ORDER, "sources.toml", MARKER}
        strays = [p.name for p in root.iterdir() if p.name not in ours]
        if strays:
            sys.exit(f"{root} holds files generate.py did not write ({strays[0]}); "
                     "remove it or choose another --data-dir")
        shutil.rmtree(root)
    print(f"generating {n} entities in {root} ...", file=sys.stderr, flush=True)
    start = time.perf_counter()
    generate(n, root, seed)
    print(f"  done in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    return root


def toucher(path: Path) -> Callable[[], None]:
    """Bump a fact file's mtime, as an edit would, so the next run must notice the change."""
    def touch() -> None:
        now = time.time_ns()
        os.utime(path, ns=(now, now))
    return touch


def typer_version(python: str) -> str:
    code = "import importlib.metadata as m; print(m.version('typer'))"
    out = subprocess.run([python, "-c", code], capture_output=True, text=True, check=True)
    return out.stdout.strip()


def cspace_command(python: str) -> list[str]:
    """The installed console script next to the interpreter, as a user runs it."""
    script = Path(python).parent / "cspace"
    if script.exists():
        return [str(script)]
    found = shutil.which("cspace")
    return [found] if found else [python, "-m", "cspace_cli"]


def seed_cases(cspace: list[str], env: dict[str, str], prefix: str) -> list[Case]:
    """The seed lookup as JSON and as a Rich view; ``prefix`` marks a baseline install."""
    kind, query = SEED_QUERY
    note = " (baseline install)" if prefix else ""
    return [
        Case(f"seed: `cspace {kind} {query} --json`{note}", [*cspace, kind, query, "--json"],
             env, role=f"{prefix}seed-json"),
        Case(f"seed: `cspace {kind} {query} --color always` (Rich view){note}",
             [*cspace, kind, query, "--color", "always"], env, role=f"{prefix}seed-rich"),
    ]


def build_cases(args: argparse.Namespace, work: Path) -> list[Case]:
    """Every case, in table order."""
    py = args.python
    cspace = cspace_command(py)
    app = work / "typer_app.py"
    app.write_text(TYPER_APP, encoding="utf-8")
    seed_env = clean_env(CSPACE_CACHE_DIR=str(work / "cache-seed"))
    cases = [
        Case("`python -c pass` (floor)", [py, "-c", "pass"], clean_env(), role="floor"),
        Case(f"minimal Typer app, one JSON line (typer {typer_version(py)})",
             [py, str(app)], clean_env()),
    ]
    for other in args.typer_python:
        cases.append(Case(f"minimal Typer app, one JSON line (typer {typer_version(other)})",
                          [other, str(app)], clean_env()))
    cases += seed_cases(cspace, seed_env, "")
    if args.baseline_python:
        base_env = clean_env(CSPACE_CACHE_DIR=str(work / "cache-baseline"))
        cases += seed_cases(cspace_command(args.baseline_python), base_env, "baseline-")
    for n in args.sizes:
        root = fact_base(args.data_dir, n, args.seed)
        kind, name = lookup_target(n, args.seed)
        word = name.split()[0].lower()
        env = clean_env(CSPACE_NO_SHIPPED="1", CSPACE_FACTS=str(root),
                        CSPACE_CACHE_DIR=str(work / f"cache-{n}"))
        edited = root / KIND_ORDER[0] / f"{names(0, args.seed).slug}.toml"
        lookup = [*cspace, kind, name, "--json"]
        size = f"{n:,}"
        search = [*cspace, "search", word, "--json"]
        phrase = [*cspace, "search", PHRASE, "--json"]
        sized = [
            ("cold", Case(f"{size}: cold lookup (a fact file changed)", lookup, env,
                          before=toucher(edited))),
            ("grep", Case(f"{size}: `grep -ri '{name}'` over the TOML tree",
                          ["grep", "-ri", name, str(root)], clean_env())),
            ("stat", Case(f"{size}: a bare Python loop that stats every fact file",
                          [py, "-c", STAT_LOOP, str(root)], clean_env())),
        ]
        for check, note in CHECKS:
            checked = {**env, "CSPACE_CACHE_CHECK": check} if check else env
            sized += [
                (f"warm{check}", Case(f"{size}: warm `cspace {kind} '{name}' --json`{note}",
                                      lookup, checked)),
                (f"search{check}", Case(f"{size}: warm `cspace search {word} --json`{note}",
                                        search, checked)),
                (f"phrase{check}", Case(f"{size}: warm `cspace search '{PHRASE}' --json`{note}",
                                        phrase, checked)),
            ]
        for role, case in sized:
            case.role = f"{n}-{role}"
            cases.append(case)
    cases += issue16_cases(args, work, cspace, seed_env)
    return cases + figure_cases(args, work, cspace)


# Issue 13: key figures, facts, timeline and compare ---------------------------------------

SEED_FIGURES = (
    ("facts", ["facts", "--json"]),
    ("timeline", ["timeline", "--json"]),
    ("compare", ["compare", "province", "guangdong", "shandong", "zhejiang", "--json"]),
    ("view", ["province", "shandong", "--json"]),
)


def named(n: int, kind: str, seed: int) -> str:
    """An entity of ``kind`` near the middle of a generated base, as ``lookup_target``."""
    first, width = KIND_ORDER.index(kind), len(KIND_ORDER)
    i = (n // 2) // width * width + first
    return names(i if i < n else first, seed).name


def figure_cases(args: argparse.Namespace, work: Path, cspace: list[str]) -> list[Case]:
    """The cases issue 13's goals need, after the others so every index is warm: at seed
    size facts, timeline and compare; at each size a status listing, the timeline of one
    province and the view of one (key figures reach its cities and sites), each also
    with ``CSPACE_CACHE_CHECK=folders``; the whole timeline, text listings and a comparison
    for the record."""
    seed_env = clean_env(CSPACE_CACHE_DIR=str(work / "cache-seed"))
    cases = [
        Case(f"seed: `cspace {' '.join(cmd)}`", [*cspace, *cmd], seed_env, role=f"seed-{role}")
        for role, cmd in SEED_FIGURES
    ]
    cases.append(Case("seed: `cspace facts` (text table)", [*cspace, "facts"], seed_env))
    for n in args.sizes:
        root = args.data_dir / str(n)
        env = clean_env(CSPACE_NO_SHIPPED="1", CSPACE_FACTS=str(root),
                        CSPACE_CACHE_DIR=str(work / f"cache-{n}"))
        province = named(n, "province", args.seed)
        other = names(KIND_ORDER.index("province"), args.seed).name
        size = f"{n:,}"
        timed = (
            ("target", ["facts", "--status", "target", "--json"]),
            ("timeline", ["timeline", province, "--json"]),
            ("figures", ["province", province, "--json"]),
        )
        for check, note in CHECKS:
            checked = {**env, "CSPACE_CACHE_CHECK": check} if check else env
            for role, cmd in timed:
                cases.append(Case(f"{size}: warm `cspace {' '.join(cmd)}`{note}",
                                  [*cspace, *cmd], checked, role=f"{n}-{role}{check}"))
        for role, cmd in (
            ("whole-timeline", ["timeline", "--json"]),
            ("target-text", ["facts", "--status", "target"]),
            ("figures-text", ["province", province]),
            ("compare", ["compare", "province", province, other, "--json"]),
        ):
            cases.append(Case(f"{size}: warm `cspace {' '.join(cmd)}`", [*cspace, *cmd], env,
                              role=f"{n}-{role}"))
    return cases


def figure_goals(results: list[Result], sizes: list[int]) -> list[Goal]:
    """The goals of issue 13; the 10,000 goals provisional at the largest size below it."""
    by_role = {r.case.role: r for r in results if r.case.role and not r.error}
    seed = by_role.get("seed-json")
    out: list[Goal] = []

    def ratio_goal(text: str, role: str, limit: float) -> None:
        r = by_role.get(role)
        ratio = r.median / seed.median if r and seed else None
        out.append(Goal(f"{text} <= {limit:g}x seed lookup",
                        f"{ratio:.2f}x" if ratio else "not measured",
                        ratio <= limit if ratio else None))

    for role, _ in SEED_FIGURES[:3]:
        ratio_goal(f"seed: `{role}`", f"seed-{role}", 1.2)
    n = 10_000 if 10_000 in sizes else max((s for s in sizes if s < 10_000), default=0)
    at = f"{n:,}" + ("" if n == 10_000 else " (goal is for 10,000: provisional)")
    for check, note in CHECKS:
        ratio_goal(f"{at}: warm `facts --status target`{note}", f"{n}-target{check}", 2.0)
        ratio_goal(f"{at}: warm `timeline PROVINCE`{note}", f"{n}-timeline{check}", 2.5)
        ratio_goal(f"{at}: warm view with key figures{note}", f"{n}-figures{check}", 1.3)
    big = 100_000 if 100_000 in sizes else max(sizes, default=0)
    mine = [r for r in results if r.case.role.startswith(f"{big}-")
            and r.case.role.split("-", 1)[1] in FIGURE_ROLES]
    peak = max((r.rss for r in mine), default=0)
    label = f"{big:,}" + ("" if big == 100_000 else " (goal is for 100,000: provisional)")
    out.append(Goal(f"{label}: peak RSS of every new command < 300 MiB",
                    f"{peak / MIB:.0f} MiB" if mine else "not measured",
                    peak < 300 * MIB if mine else None))
    return out


FIGURE_ROLES = {
    "target", "timeline", "figures", "targetfolders", "timelinefolders", "figuresfolders",
    "whole-timeline", "target-text", "figures-text", "compare",
}


# Issue 16: a Tab in each shell, and exports of 10,000 entities -------------------------

TAB_LINE = ("cspace", "company", "tia")
EXPORT_SIZE = 10_000


def tab_env(shell: str, env: dict[str, str], action: str = "get-args") -> dict[str, str]:
    """What each shell's completion script puts in the environment for one Tab."""
    return {**env, "_CSPACE_COMPLETE": f"complete_{shell}", "COMP_WORDS": "\n".join(TAB_LINE),
            "COMP_CWORD": str(len(TAB_LINE) - 1), "_TYPER_COMPLETE_ARGS": " ".join(TAB_LINE),
            "_TYPER_COMPLETE_FISH_ACTION": action}


def tab_cases(cspace: list[str], env: dict[str, str], prefix: str) -> list[Case]:
    """One Tab per shell, as the processes its script starts: one for bash and zsh; for fish
    one with cspace's script, two (is-args, then get-args) with Typer's (the baseline's)."""
    note = " (baseline install)" if prefix else ""
    typed = " ".join(TAB_LINE)
    cases = [Case(f"Tab in {shell}: `{typed}<Tab>`{note}", cspace, tab_env(shell, env),
                  role=f"{prefix}tab-{shell}") for shell in ("bash", "zsh")]
    if prefix:
        both = " && ".join(f"{shlex.join(['env', *(f'{k}={v}' for k, v in tab_env('fish', {}, a).items()), *cspace])}"
                           for a in ("is-args", "get-args"))
        cases.append(Case(f"Tab in fish: `{typed}<Tab>`, Typer's script: 2 runs{note}",
                          ["sh", "-c", both], env, role=f"{prefix}tab-fish"))
    else:
        cases.append(Case(f"Tab in fish: `{typed}<Tab>`", cspace, tab_env("fish", env),
                          role="tab-fish"))
    return cases


def issue16_cases(args: argparse.Namespace, work: Path, cspace: list[str],
                  seed_env: dict[str, str]) -> list[Case]:
    """Tab cost per shell (warm cache, seed base) and exports of 10,000 generated entities
    (warm cache; the SQLite file is removed before each run)."""
    cases = tab_cases(cspace, seed_env, "")
    if args.baseline_python:
        base_env = clean_env(CSPACE_CACHE_DIR=str(work / "cache-baseline"))
        cases += tab_cases(cspace_command(args.baseline_python), base_env, "baseline-")
    root = fact_base(args.data_dir, EXPORT_SIZE, args.seed)
    env = clean_env(CSPACE_NO_SHIPPED="1", CSPACE_FACTS=str(root),
                    CSPACE_CACHE_DIR=str(work / f"cache-{EXPORT_SIZE}"))
    db = work / "export.db"
    size = f"{EXPORT_SIZE:,}"
    for fmt in ("jsonl", "json", "csv"):
        cases.append(Case(f"{size}: `cspace export -f {fmt}` (to /dev/null)",
                          [*cspace, "export", "-f", fmt], env, role=f"export-{fmt}"))
    cases.append(Case(f"{size}: `cspace export -o export.db` (SQLite, FTS)",
                      [*cspace, "export", "-o", str(db)], env, role="export-sqlite",
                      before=lambda: db.unlink(missing_ok=True)))
    return cases


ISSUE16_ROLES = ("seed-json", "baseline-seed-json", "tab-bash", "tab-zsh", "tab-fish",
                 "baseline-tab-bash", "baseline-tab-zsh", "baseline-tab-fish",
                 "export-jsonl", "export-sqlite")


def cpu_seconds(case: Case) -> float:
    """User plus system time of one run (and of the processes it waited for): what the
    code costs, which a busy machine stretches far less than the wall clock."""
    if case.before:
        case.before()
    proc = subprocess.Popen(case.cmd, env=case.env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return usage.ru_utime + usage.ru_stime


def issue16_cpu(cases: list[Case], runs: int) -> dict[str, float]:
    """Median CPU seconds of the issue 16 cases and the seed lookups, by role."""
    out = {}
    for case in cases:
        if case.role in ISSUE16_ROLES:
            print(f"  CPU time: {case.label} ...", file=sys.stderr, flush=True)
            out[case.role] = statistics.median(cpu_seconds(case) for _ in range(runs))
    return out


def cpu_report(cpu: dict[str, float], cases: list[Case], runs: int) -> str:
    labels = {case.role: case.label for case in cases}
    lines = [f"| case (median CPU time, user + system, of {runs} runs) | CPU ms |",
             "| --- | ---: |"]
    lines += [f"| {labels[role]} | {seconds * 1000:.0f} |" for role, seconds in cpu.items()]
    return "\n".join(lines)


def issue16_goals(cpu: dict[str, float]) -> list[Goal]:
    """Issue 16, on CPU time (the machine here is shared; see docs/benchmarks.md): a zsh or
    fish Tab within 1.2x a bash Tab, the seed lookup within 5% of the baseline install's,
    and exports of 10,000 entities within 3 s for JSON Lines and SQLite."""
    out: list[Goal] = []
    for role, base, what, limit in (
        ("tab-zsh", "tab-bash", "a Tab in zsh vs a Tab in bash", 1.2),
        ("tab-fish", "tab-bash", "a Tab in fish vs a Tab in bash", 1.2),
        ("seed-json", "baseline-seed-json", "seed lookup, JSON, vs the baseline install", 1.05),
    ):
        now, before = cpu.get(role), cpu.get(base)
        ratio = now / before if now and before else None
        out.append(Goal(f"CPU time: {what} <= {limit:g}x",
                        f"{ratio:.2f}x ({now * 1000:.0f} vs {before * 1000:.0f} ms)"
                        if now and before and ratio else "not measured",
                        ratio <= limit if ratio else None))
    for fmt, what in (("jsonl", "JSON Lines"), ("sqlite", "SQLite")):
        seconds = cpu.get(f"export-{fmt}")
        out.append(Goal(f"CPU time: {EXPORT_SIZE:,} entities exported as {what} <= 3 s",
                        f"{seconds:.2f} s" if seconds else "not measured",
                        seconds <= 3 if seconds else None))
    return out


JSON_BREAKDOWN = """
import json, sys, time
from cspace_cli.index.cache import open_index
from cspace_cli.present.export import entity_objects
from cspace_cli.settings import from_env
t0 = time.perf_counter(); index = open_index(from_env()); index.in_memory()
t1 = time.perf_counter(); objects = list(entity_objects(index))
t2 = time.perf_counter(); [json.dumps(o, ensure_ascii=False, indent=2) for o in objects]
t3 = time.perf_counter(); [json.dumps(o, ensure_ascii=False) for o in objects]
t4 = time.perf_counter()
print(json.dumps({"open the index, read summaries and links": t1 - t0,
                  "build the entity views": t2 - t1,
                  "encode with indent=2 (pure-Python encoder: --format json)": t3 - t2,
                  "encode compact (C encoder: --format jsonl)": t4 - t3}))
"""


def json_breakdown(python: str, data_dir: Path, seed: int, work: Path) -> str:
    """Where ``export --format json`` spends its time, step by step, in one process."""
    root = fact_base(data_dir, EXPORT_SIZE, seed)
    env = clean_env(CSPACE_NO_SHIPPED="1", CSPACE_FACTS=str(root),
                    CSPACE_CACHE_DIR=str(work / f"cache-{EXPORT_SIZE}"))
    out = subprocess.run([python, "-c", JSON_BREAKDOWN], env=env, capture_output=True,
                         text=True)
    if out.returncode:
        return f"JSON breakdown failed: {out.stderr.strip()[-200:]}"
    steps = json.loads(out.stdout)
    lines = [f"| where `export -f json` spends its time ({EXPORT_SIZE:,} entities, warm) | s |",
             "| --- | ---: |"]
    lines += [f"| {step} | {seconds:.2f} |" for step, seconds in steps.items()]
    return "\n".join(lines)


def goals(results: list[Result], sizes: list[int]) -> list[Goal]:
    """The goals of issue 5; scale goals at 100,000 entities, else provisional at the largest."""
    by_role = {r.case.role: r for r in results if r.case.role and not r.error}
    get = by_role.get

    floor = get("floor")
    out: list[Goal] = []
    for role, what, limit in (("seed-json", "seed lookup, JSON", 9.0),
                              ("seed-rich", "seed lookup, Rich view", 12.0)):
        r = get(role)
        ratio = r.median / floor.median if r and floor else None
        out.append(Goal(f"{what} <= {limit:g}x python",
                        f"{ratio:.1f}x" if ratio else "not measured",
                        ratio <= limit if ratio else None))
    n = 100_000 if 100_000 in sizes else max(sizes, default=0)
    at = f"{n:,}" + ("" if n == 100_000 else " (goal is for 100,000: provisional)")
    seed, cold = get("seed-json"), get(f"{n}-cold")
    out.append(Goal(f"{at}: cold lookup < 15 s",
                    f"{cold.median:.1f} s" if cold else "not measured",
                    cold.median < 15 if cold else None))
    measured = [r for r in (cold, get(f"{n}-warm"), get(f"{n}-search")) if r]
    peak = max((r.rss for r in measured), default=0)
    out.append(Goal(f"{at}: peak RSS (cold, warm lookup, search) < 300 MiB",
                    f"{peak / MIB:.0f} MiB" if measured else "not measured",
                    peak < 300 * MIB if measured else None))
    for check, note in CHECKS:
        warm = get(f"{n}-warm{check}")
        ratio = warm.median / seed.median if warm and seed else None
        out.append(Goal(f"{at}: warm lookup <= 1.5x seed lookup{note}",
                        f"{ratio:.2f}x" if ratio else "not measured",
                        ratio <= 1.5 if ratio else None))
        for role, what in (("search", "a name word"), ("phrase", "a phrase")):
            r = get(f"{n}-{role}{check}")
            out.append(Goal(f"{at}: warm search for {what} < 1 s{note}",
                            f"{r.median * 1000:.0f} ms" if r else "not measured",
                            r.median < 1 if r else None))
    out += layout_goals(by_role, n, at)
    return out


def layout_goals(by_role: dict[str, Result], n: int, at: str) -> list[Goal]:
    """Issue 11: the seed lookups within 5% of the baseline install's ratio to python (both
    measured in this run), and a warm lookup at scale within the seed lookup plus 1.2x a
    bare loop that stats every file (the floor of any per-file freshness check)."""
    get = by_role.get
    floor = get("floor")
    out: list[Goal] = []
    for role, what in (("seed-json", "seed lookup, JSON"), ("seed-rich", "seed lookup, Rich")):
        now, before = get(role), get(f"baseline-{role}")
        if now and before and floor:
            ratio, base = now.median / floor.median, before.median / floor.median
            out.append(Goal(f"{what}: ratio to python within 5% of the baseline's",
                            f"{ratio:.2f}x vs {base:.2f}x", ratio <= base * 1.05))
        else:
            out.append(Goal(f"{what}: ratio to python within 5% of the baseline's",
                            "not measured (--baseline-python)", None))
    seed, warm, stat = get("seed-json"), get(f"{n}-warm"), get(f"{n}-stat")
    limit = seed.median + 1.2 * stat.median if seed and warm and stat else None
    out.append(Goal(f"{at}: warm lookup <= seed lookup + 1.2x the stat loop",
                    f"{warm.median * 1000:.0f} ms vs {limit * 1000:.0f} ms"
                    if warm and limit else "not measured",
                    warm.median <= limit if warm and limit else None))
    return out


def report(results: list[Result], goal_list: list[Goal], runs: int) -> str:
    floor = results[0]
    lines = [f"| case (median of {runs} runs) | median ms | min-max ms | x python | peak RSS MiB |",
             "| --- | ---: | ---: | ---: | ---: |"]
    for r in results:
        if r.error:
            lines.append(f"| {r.case.label} | failed: {r.error.splitlines()[-1]} | | | |")
            continue
        ms = [s * 1000 for s in r.seconds]
        lines.append(f"| {r.case.label} | {r.median * 1000:.0f} | {min(ms):.0f}-{max(ms):.0f} "
                     f"| {r.median / floor.median:.1f}x | {r.rss / MIB:.0f} |")
    lines += ["", goal_table(goal_list, "goal")]
    return "\n".join(lines)


def goal_table(goal_list: list[Goal], title: str) -> str:
    verdict = {True: "PASS", False: "FAIL", None: "not run"}
    lines = [f"| {title} | measured | result |", "| --- | ---: | --- |"]
    lines += [f"| {g.text} | {g.measured} | {verdict[g.ok]} |" for g in goal_list]
    return "\n".join(lines)


def machine(python: str, load_at_start: float) -> str:
    """What the numbers depend on; a busy machine (load above its CPUs) inflates them all."""
    version = subprocess.run([python, "-c", "import sys; print(sys.version.split()[0])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    return (f"{os.cpu_count()} CPUs (nproc), {platform.machine()}, {platform.system()} "
            f"{platform.release()}, Python {version}; 1-minute load average "
            f"{load_at_start:.1f} at the start, {os.getloadavg()[0]:.1f} at the end")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=None,
                        help="entity counts, comma-separated (default 1000,10000,100000; "
                             "--quick: 1000,10000)")
    parser.add_argument("--runs", type=int, default=None,
                        help="timed runs per case (default 7; --quick: 3)")
    parser.add_argument("--quick", action="store_true", help="fewer runs and no 100k base")
    parser.add_argument("--data-dir", type=Path,
                        default=Path(tempfile.gettempdir(), "cspace-bench"),
                        help="where generated fact bases are kept (default: /tmp/cspace-bench)")
    parser.add_argument("--seed", type=int, default=0, help="generator seed (default 0)")
    parser.add_argument("--python", default=sys.executable,
                        help="interpreter of the floor, the Typer app and cspace "
                             "(default: this one)")
    parser.add_argument("--baseline-python", default=None, metavar="PY",
                        help="also time the seed lookups of the cspace installed with this "
                             "interpreter (an earlier version), for before/after goals")
    parser.add_argument("--typer-python", action="append", default=[], metavar="PY",
                        help="also time the minimal Typer app with this interpreter's typer "
                             "(repeatable)")
    args = parser.parse_args(argv)
    sizes = args.sizes or ("1000,10000" if args.quick else "1000,10000,100000")
    try:
        args.sizes = [int(s.replace("_", "")) for s in sizes.split(",") if s.strip()]
    except ValueError:
        parser.error(f"--sizes: expected numbers like 1000,10000, got '{sizes}'")
    if any(n < len(KIND_ORDER) for n in args.sizes):
        parser.error(f"--sizes: each base needs at least {len(KIND_ORDER)} entities")
    if args.runs is None:
        args.runs = 3 if args.quick else 7
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    load_at_start = os.getloadavg()[0]
    args.data_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="run-", dir=args.data_dir))
    try:
        cases = build_cases(args, work)
        print(f"timing {len(cases)} cases, {args.runs} runs each ...", file=sys.stderr)
        results = [measure(case, args.runs) for case in cases]
        cpu = issue16_cpu(cases, args.runs)
        breakdown = json_breakdown(args.python, args.data_dir, args.seed, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if results[0].error:
        sys.exit(f"the floor case failed: {results[0].error}")
    print(f"Machine: {machine(args.python, load_at_start)}\n")
    print(f"Command: python benchmarks/run.py {' '.join(sys.argv[1:] if argv is None else argv)}"
          .rstrip() + "\n")
    print(report(results, goals(results, args.sizes) + issue16_goals(cpu), args.runs))
    print("\n" + goal_table(figure_goals(results, args.sizes), "goal (issue 13)"))
    print(f"\n{cpu_report(cpu, cases, args.runs)}\n\n{breakdown}")
    return 1 if any(r.error for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
