"""Shared test helpers: an isolated environment, a CLI runner that keeps streams apart,
and small fact bases written into ``tmp_path``."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cspace_cli.cli.app import app

REPO = Path(__file__).resolve().parent.parent
SHIPPED = REPO / "facts"

SOURCES = """
[[sources]]
id = "doc-a"
title = "Doc A"
file = "doc-a.txt"
language = "en"
note = "publisher and date not printed"

[[sources]]
id = "doc-b"
title = "Doc B"
file = "doc-b.txt"
byline = "Test Lab"
date = "2025-H2"
"""

ENTITIES = {
    "province/shandong.toml": """
        name = "Shandong"
        name_zh = "山东"
        pinyin = "Shandong"
        summary = "Coastal province."
        sources = ["doc-a"]
        """,
    "city/yantai.toml": """
        name = "Yantai"
        summary = "Port city."
        located_in = "province/shandong"
        """,
    "site/sea-port.toml": """
        name = "Oriental Aerospace Port"
        name_zh = "东方航天港"
        pinyin = "Dongfang Hangtiangang"
        aliases = ["Oriental Spaceport"]
        summary = "Sea launch home port."
        located_in = "city/yantai"

        [[facts]]
        attribute = "satellites launched"
        value = 137
        unit = "satellites"
        status = "actual"
        date = "2026-02"
        sources = ["doc-a"]
        text = "Count from doc A."

        [[facts]]
        attribute = "satellites launched"
        value = 89
        unit = "satellites"
        status = "actual"
        date = "2025"
        date_inferred = true
        sources = ["doc-b"]
        text = "Count from doc B."
        """,
    "company/space-pioneer.toml": """
        name = "Space Pioneer"
        name_zh = "天兵科技"
        pinyin = "Tianbing Keji"
        aliases = ["Tianbing Technology"]
        summary = "Private rocket maker."
        sources = ["doc-a", "doc-b"]

        [[facts]]
        attribute = "planned output"
        value = 25
        qualifier = "up to"
        unit = "rockets/year"
        status = "plan"
        sources = ["doc-b"]
        text = "Capacity of the new base."

        [[relations]]
        relation = "launches_from"
        object = "site/sea-port"
        sources = ["doc-b"]
        """,
    "company/space-pilot.toml": """
        name = "Space Pilot Works"
        summary = "A look-alike name for ambiguity tests."
        """,
}


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    """Invoke the real CLI in-process with separate stdout/stderr at a fixed width."""
    runner = CliRunner()
    res = runner.invoke(app, list(args), env=env, catch_exceptions=False)
    return Result(res.exit_code, res.stdout, res.stderr)


def shown(*args: str, width: int = 80, color: str = "never") -> str:
    """What a successful command prints, at a terminal ``width`` wide."""
    res = run(*args, "--color", color, env={"COLUMNS": str(width)})
    assert res.exit_code == 0, res.stderr
    return res.stdout


def flat(text: str) -> str:
    """Text with every run of spaces and line breaks as one space, as a person reads it."""
    return " ".join(text.split())


def read_terminal(master: int) -> str:
    """Everything a child wrote to the pseudo-terminal whose ``master`` end this is, until
    it closed it; closes ``master``."""
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    return b"".join(chunks).decode("utf-8", "replace")


def write_base(
    root: Path, entities: dict[str, str] | None = None, sources: str | None = SOURCES
) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    if sources is not None:
        (root / "sources.toml").write_text(textwrap.dedent(sources), encoding="utf-8")
    for rel, text in (ENTITIES if entities is None else entities).items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def alone(root: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Use the fact base at ``root`` instead of the shipped one, for this test."""
    monkeypatch.setenv("CSPACE_NO_SHIPPED", "1")
    monkeypatch.setenv("CSPACE_FACTS", str(root))
    return root


@pytest.fixture(autouse=True)
def isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    for var in (
        "CSPACE_FACTS",
        "CSPACE_NO_SHIPPED",
        "CSPACE_DEBUG",
        "CSPACE_NO_CACHE",
        "NO_COLOR",
        "FORCE_COLOR",
        "CI",
        "GITHUB_ACTIONS",
    ):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setenv("TERM", "xterm")
    monkeypatch.setenv("CSPACE_CACHE_DIR", str(tmp_path / "cache"))
    yield


@pytest.fixture
def base(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A small fact base used alone (the shipped base left out)."""
    return alone(write_base(tmp_path / "facts"), monkeypatch)


def proc_env(**extra: str) -> dict[str, str]:
    """The environment of a real ``cspace`` process: this test's cache folder, and none of
    the caller's other CSPACE_ variables."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CSPACE_")}
    env.update(CSPACE_CACHE_DIR=os.environ["CSPACE_CACHE_DIR"], PYTHONDONTWRITEBYTECODE="1")
    env.update(extra)
    return env


def cspace_proc(
    *args: str,
    env: dict[str, str],
    prefix: Sequence[str] = (),
    cwd: Path | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[bytes]:
    """Run ``cspace`` as its own process (for streams, signals and permissions)."""
    return subprocess.run(
        [*prefix, sys.executable, "-m", "cspace_cli", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        timeout=timeout,
    )


def unprivileged() -> list[str]:
    """A command prefix under which file permissions apply: none for a normal user; for
    root (CI runs as root), ``setpriv`` dropping the capabilities that bypass them."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("root without setpriv: file permissions cannot be tested")
    return [setpriv, "--bounding-set", "-dac_override,-dac_read_search", "--"]
