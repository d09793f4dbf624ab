"""The shipped facts travel with the package: wheel install, source checkout, -m."""

from __future__ import annotations

import json
import os
import subprocess
import sys
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
