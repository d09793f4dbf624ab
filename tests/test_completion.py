"""Shell completion: the scripts, and the protocol they speak, driven like a shell would."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import REPO, run, write_base
from cspace_cli.cli.app import app
from cspace_cli.errors import ExitStatus


def complete(env: dict[str, str]) -> list[str]:
    """Run the app as the completion scripts do and return its completion lines."""
    res = CliRunner().invoke(app, [], env=env, catch_exceptions=False)
    assert res.exit_code == 0, res.stderr
    assert res.stderr == ""
    return [line for line in res.stdout.splitlines() if line]


def bash(line: str) -> list[str]:
    """What bash asks for when Tab is pressed at the end of ``line``."""
    words = line.split()
    cword = len(words) if line.endswith(" ") else len(words) - 1
    return complete(
        {"_CSPACE_COMPLETE": "complete_bash", "COMP_WORDS": line, "COMP_CWORD": str(cword)}
    )


@pytest.mark.parametrize(
    "shell, marker",
    [
        ("bash", "complete -o default -F _cspace_completion cspace"),
        ("zsh", "compdef _cspace_completion cspace"),
        ("fish", "complete --command cspace"),
    ],
)
def test_completion_prints_the_script_for_each_shell(shell: str, marker: str) -> None:
    res = run("completion", shell)
    assert res.exit_code == 0
    assert marker in res.stdout
    assert f"_CSPACE_COMPLETE=complete_{shell}" in res.stdout


def test_completion_refuses_an_unknown_shell() -> None:
    res = run("completion", "tcsh")
    assert res.exit_code == ExitStatus.USAGE
    assert res.stdout == ""


def test_entity_names_of_the_kind_being_typed(base: Path) -> None:
    assert sorted(bash("cspace company tia")) == ["tianbing keji", "tianbing technology"]
    assert sorted(bash("cspace company Tia")) == ["Tianbing Keji", "Tianbing Technology"]
    assert bash("cspace company 天") == ["天兵科技"]
    assert bash("cspace site tia") == []
    assert sorted(bash("cspace site ori")) == ["oriental aerospace port", "oriental spaceport"]


def test_a_multi_word_name_completes_word_by_word(base: Path) -> None:
    assert sorted(bash("cspace company tianbing ")) == ["Keji", "Technology"]
    assert bash("cspace company tianbing te") == ["technology"]
    assert bash("cspace company tianbing technology ") == []


def test_subcommands_options_and_kinds_complete(base: Path) -> None:
    assert sorted(bash("cspace comp")) == ["company", "compare", "completion"]
    assert bash("cspace company --js") == ["--json"]
    assert sorted(bash("cspace list c")) == ["city", "company", "constellation", "country"]
    assert sorted(bash("cspace export --format js")) == ["json", "jsonl"]


def test_names_come_from_facts_folders_too(base: Path, tmp_path: Path) -> None:
    mine = write_base(
        tmp_path / "mine",
        {"company/tiangong.toml": 'name = "Tiangong Works"\nsummary = "Mine."\n'},
        sources=None,
    )
    assert "tiangong works" in bash(f"cspace company --facts {mine} tia")
    assert "tiangong works" not in bash("cspace company tia")


def test_a_broken_fact_folder_completes_nothing_and_stays_quiet(base: Path, tmp_path: Path) -> None:
    bad = write_base(tmp_path / "bad", {"company/x.toml": "name = \n"}, sources=None)
    assert bash(f"cspace company --facts {bad} tia") == []


def test_zsh_and_fish_show_which_entity_a_name_belongs_to(base: Path) -> None:
    fish = complete(
        {
            "_CSPACE_COMPLETE": "complete_fish",
            "_TYPER_COMPLETE_FISH_ACTION": "get-args",
            "_TYPER_COMPLETE_ARGS": "cspace company Tianbing",
        }
    )
    assert sorted(fish) == ["Tianbing Keji\tSpace Pioneer", "Tianbing Technology\tSpace Pioneer"]
    zsh = "\n".join(
        complete(
            {"_CSPACE_COMPLETE": "complete_zsh", "_TYPER_COMPLETE_ARGS": "cspace site oriental a"}
        )
    )
    assert '"aerospace port":"site/sea-port"' in zsh


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_bash_itself_completes_through_the_printed_script(base: Path, tmp_path: Path) -> None:
    """The real loop: bash sources the script and calls it with COMP_WORDS set."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "cspace"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m cspace_cli "$@"\n', encoding="utf-8")
    shim.chmod(0o755)
    script = (
        "source <(cspace completion bash)\n"
        "COMP_WORDS=(cspace company tianbing); COMP_CWORD=2\n"
        "_cspace_completion cspace\n"
        'printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "PYTHONPATH": str(REPO / "src"),
    }
    out = subprocess.run(
        ["bash", "--norc", "--noprofile", "-c", script],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert sorted(out.stdout.splitlines()) == ["tianbing keji", "tianbing technology"]
