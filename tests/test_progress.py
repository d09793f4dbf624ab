"""Progress on long work: a first index build and an export of a large generated base show
a bar on stderr when it is a terminal (a pseudo-terminal here), and only then.

The base is large enough that each step runs longer than the second after which a bar
appears, so these tests take several seconds (marked slow).
"""

from __future__ import annotations

import importlib.util
import os
import pty
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import REPO, read_terminal

pytestmark = pytest.mark.slow
ENTITIES = 6000
SHOW_CURSOR, HIDE_CURSOR = "\x1b[?25h", "\x1b[?25l"


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    spec = importlib.util.spec_from_file_location("generate", REPO / "benchmarks" / "generate.py")
    assert spec is not None and spec.loader is not None
    generate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generate)
    root = tmp_path_factory.mktemp("big") / "facts"
    generate.generate(ENTITIES, root)
    return root


@pytest.fixture
def env(big: Path) -> Iterator[dict[str, str]]:
    """The big base alone, with one cache for the module (built by the first test that
    needs it)."""
    yield {
        **os.environ,
        "PYTHONPATH": str(REPO / "src"),
        "CSPACE_NO_SHIPPED": "1",
        "CSPACE_FACTS": str(big),
        "CSPACE_CACHE_DIR": str(big.parent / "cache"),
        "TERM": "xterm",
        "COLUMNS": "100",
    }


def on_terminal(
    args: list[str], env: dict[str, str], cwd: Path, python: tuple[str, ...] = ()
) -> tuple[int, str]:
    """Run cspace with stderr on a pseudo-terminal (stdout to a file); return its exit code
    and everything it wrote to the terminal."""
    master, slave = pty.openpty()
    with (cwd / "stdout").open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, *python, "-m", "cspace_cli", *args],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=slave,
            env=env,
            cwd=cwd,
        )
        os.close(slave)
        screen = read_terminal(master)
        code = proc.wait(timeout=300)
    return code, screen


def test_a_first_build_and_an_export_show_a_bar_on_a_terminal(
    env: dict[str, str], tmp_path: Path
) -> None:
    """JSON is the slowest format (its encoder runs in pure Python), so even a fast
    machine takes more than the second after which the bar appears."""
    cold = {**env, "CSPACE_CACHE_DIR": str(tmp_path / "cold")}
    code, screen = on_terminal(["export", "-o", "facts.json"], cold, tmp_path)
    assert code == 0, screen
    assert "reading fact files" in screen and f"/{ENTITIES}" in screen
    assert "writing entities" in screen
    assert screen.rfind(SHOW_CURSOR) > screen.rfind(HIDE_CURSOR) >= 0, "cursor left hidden"
    assert screen.rstrip().endswith(f"wrote {ENTITIES} entities as json to facts.json")
    assert (tmp_path / "facts.json").is_file()


def test_quiet_turns_the_bar_off(env: dict[str, str], tmp_path: Path) -> None:
    code, screen = on_terminal(["--quiet", "export", "-f", "jsonl", "-o", "x.jsonl"], env, tmp_path)
    assert code == 0
    assert screen.strip() == f"cspace: wrote {ENTITIES} entities as jsonl to x.jsonl"
    code, screen = on_terminal(["export", "--quiet", "-o", "y.db"], env, tmp_path)
    assert code == 0 and "writing" not in screen and HIDE_CURSOR not in screen


def test_no_bar_when_stderr_is_not_a_terminal(env: dict[str, str], tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "cspace_cli", "export", "-o", "facts.db"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=300,
    )
    assert out.returncode == 0
    assert out.stderr == f"cspace: wrote {ENTITIES} entities as sqlite to facts.db\n"


def test_a_quick_run_on_a_terminal_loads_no_rich(env: dict[str, str], tmp_path: Path) -> None:
    """A warm JSON lookup draws no bar, so it never imports Rich."""
    assert on_terminal(["--json"], env, tmp_path)[0] == 0  # builds the cache
    code, screen = on_terminal(["--json"], env, tmp_path, ("-X", "importtime"))
    assert code == 0
    assert "cspace_cli.cli.options" in screen and " rich" not in screen
