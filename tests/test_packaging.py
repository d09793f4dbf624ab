"""The shipped facts travel with the package: wheel install, source checkout, -m."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
import venv
from pathlib import Path

import pytest

from conftest import REPO


def clean_env(**extra: str) -> dict[str, str]:
    """The environment of a new user, except that the cache stays in the test's folder."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("CSPACE_", "PYTHON", "VIRTUAL_ENV"))
    }
    return {**env, "CSPACE_CACHE_DIR": os.environ["CSPACE_CACHE_DIR"], **extra}


@pytest.mark.slow
def test_wheel_installs_into_a_fresh_venv_and_looks_up(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(REPO)],
        check=True,
        env=clean_env(),
    )
    [wheel] = dist.glob("cspace_cli-*.whl")
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    bin_dir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    subprocess.run(
        [str(bin_dir / "python"), "-m", "pip", "install", "-q", str(wheel)],
        check=True,
        env=clean_env(),
    )
    out = subprocess.run(
        [str(bin_dir / "cspace"), "company", "tianbing", "--json"],
        capture_output=True,
        text=True,
        env=clean_env(),
        cwd=tmp_path,
    )
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["id"] == "company/space-pioneer"
    assert data["facts"]
    installed = subprocess.run(
        [
            str(bin_dir / "python"),
            "-c",
            "from cspace_cli.settings import shipped_facts_dir as d; print(d())",
        ],
        capture_output=True,
        text=True,
        env=clean_env(),
        cwd=tmp_path,
    )
    assert str(env_dir) in installed.stdout and "cspace_cli" in installed.stdout
    page = env_dir / "share" / "man" / "man1" / "cspace.1"
    assert page.read_text(encoding="utf-8") == (REPO / "docs" / "cspace.1").read_text(
        encoding="utf-8"
    )


def new_venv(where: Path) -> Path:
    """A fresh venv; returns its python."""
    venv.create(where, with_pip=True)
    return where / ("Scripts" if os.name == "nt" else "bin") / "python"


@pytest.mark.slow
def test_the_sdist_passes_its_own_tests(tmp_path: Path) -> None:
    """Build the sdist, unpack it, install it with its test extra and run its tests (all
    but the slow ones, which would build packages again)."""
    builder = new_venv(tmp_path / "build-venv")
    subprocess.run(
        [str(builder), "-m", "pip", "install", "-q", "hatchling"], check=True, env=clean_env()
    )
    dist = tmp_path / "dist"
    made = subprocess.run(
        [str(builder), "-c", f"import hatchling.build as b; print(b.build_sdist({str(dist)!r}))"],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
        env=clean_env(),
    )
    sdist = dist / made.stdout.strip().splitlines()[-1]
    with tarfile.open(sdist) as tar:
        names = tar.getnames()
        tar.extractall(tmp_path / "unpacked", filter="data")
    for needed in ("scripts/gen_cli_docs.py", ".ci/run", "LICENSE", "CHANGELOG.md"):
        assert any(n.endswith(f"/{needed}") for n in names), needed
    [root] = (tmp_path / "unpacked").iterdir()
    python = new_venv(tmp_path / "test-venv")
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", f"{root}[test]"], check=True, env=clean_env()
    )
    tests = subprocess.run(
        [str(python), "-m", "pytest", "-m", "not slow", "-p", "no:cacheprovider"],
        capture_output=True,
        text=True,
        cwd=root,
        env=clean_env(),
        timeout=1800,
    )
    assert tests.returncode == 0, tests.stdout[-3000:] + tests.stderr[-2000:]
    assert " passed" in tests.stdout.splitlines()[-1]


def test_source_checkout_runs_with_python_m(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "cspace_cli", "company", "tianbing", "--json"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=clean_env(PYTHONPATH=str(REPO / "src")),
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["id"] == "company/space-pioneer"
