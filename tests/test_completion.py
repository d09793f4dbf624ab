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
    """What bash asks for when Tab is pressed at the end of ``line``: the words as typed,
    joined by newlines, as the script passes them."""
    words = line.split() + ([""] if line.endswith(" ") else [])
    return complete(
        {
            "_CSPACE_COMPLETE": "complete_bash",
            "COMP_WORDS": "\n".join(words),
            "COMP_CWORD": str(len(words) - 1),
        }
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


ODD_NAMES = {
    "company/xian-lingkong-electronics.toml": """
        name = "Xi'an Lingkong Electronics"
        summary = "A name with an apostrophe."
        """,
    "site/jinan-power-station.toml": """
        name = "Power station (Jinan heavy-lift rocket base)"
        summary = "A name with brackets."
        """,
    "policy/state-council-document-60.toml": """
        name = "Guo Fa [2014] No. 60: investment"
        summary = "A name with square brackets and a colon."
        """,
}


@pytest.fixture
def odd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Names with quotes, brackets and a colon, alone."""
    root = write_base(tmp_path / "odd", ODD_NAMES, sources=None)
    monkeypatch.setenv("CSPACE_NO_SHIPPED", "1")
    monkeypatch.setenv("CSPACE_FACTS", str(root))
    return root


def bash_reads(offer: str, typed: str = "") -> list[str]:
    """The words bash reads from a command line where ``typed`` was replaced by ``offer``
    (readline closes a quote the typed word opened)."""
    quote = typed[0] if typed[:1] in ("'", '"') else ""
    line = f"cspace company {quote}{offer}{quote}"
    out = subprocess.run(
        ["bash", "--norc", "--noprofile", "-c", f"printf '%s\\n' {line}"],
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.splitlines()[2:]


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_bash_offers_names_with_quotes_and_brackets_quoted(odd: Path) -> None:
    [xian] = bash("cspace company xi")
    assert xian == "xi\\'an lingkong electronics"
    assert bash_reads(xian) == ["xi'an", "lingkong", "electronics"]
    [power] = bash("cspace site pow")
    assert bash_reads(power) == ["power", "station", "(jinan", "heavy-lift", "rocket", "base)"]
    [guo] = bash("cspace policy guo")
    assert bash_reads(guo) == ["guo", "fa", "[2014]", "no.", "60:", "investment"]
    [rest] = bash("cspace site power station \\(ji")
    assert bash_reads(rest) == ["(jinan", "heavy-lift", "rocket", "base)"]
    [escaped] = bash("cspace company xi\\'a")
    assert bash_reads(escaped) == ["xi'an", "lingkong", "electronics"]


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
@pytest.mark.parametrize("typed", ["'xi", '"xi'])
def test_bash_completes_inside_a_quote_the_user_opened(odd: Path, typed: str) -> None:
    [offer] = bash(f"cspace company {typed}")
    assert bash_reads(offer, typed) == ["xi'an lingkong electronics"]


def test_zsh_and_fish_offers_keep_quotes_and_brackets(odd: Path) -> None:
    zsh = complete({"_CSPACE_COMPLETE": "complete_zsh", "_TYPER_COMPLETE_ARGS": "cspace policy g"})
    assert "guo fa [2014] no. 60\\\\: investment" in "\n".join(zsh)
    fish = complete(
        {
            "_CSPACE_COMPLETE": "complete_fish",
            "_TYPER_COMPLETE_FISH_ACTION": "get-args",
            "_TYPER_COMPLETE_ARGS": "cspace company xi",
        }
    )
    assert fish == ["xi'an lingkong electronics\tcompany/xian-lingkong-electronics"]


@pytest.mark.parametrize("shell", ["zsh", "fish"])
def test_a_zsh_or_fish_tab_does_not_load_rich(base: Path, shell: str) -> None:
    """Rich costs about 100 ms to import; a Tab shows plain labels and needs none of it."""
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO / "src"),
        "_CSPACE_COMPLETE": f"complete_{shell}",
        "_TYPER_COMPLETE_FISH_ACTION": "get-args",
        "_TYPER_COMPLETE_ARGS": "cspace comp",
    }
    out = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "cspace_cli"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert out.returncode == 0
    assert "company" in out.stdout and "completion" in out.stdout
    assert "typer" in out.stderr and " rich" not in out.stderr


def test_a_path_argument_is_left_to_the_shell(base: Path) -> None:
    """Nothing offered: bash (-o default), zsh (_files) and fish complete file names."""
    assert bash("cspace validate /tm") == []
    assert complete(
        {"_CSPACE_COMPLETE": "complete_zsh", "_TYPER_COMPLETE_ARGS": "cspace validate /tm"}
    ) == ["_files"]


@pytest.mark.parametrize("shell, path", [("zsh", ".zfunc/_cspace"), ("fish", ".config/fish")])
def test_install_completion_writes_the_same_script(tmp_path: Path, shell: str, path: str) -> None:
    env = {
        **os.environ,
        "HOME": str(tmp_path),
        "PYTHONPATH": str(REPO / "src"),
        "_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1",
    }
    cspace = [sys.executable, "-m", "cspace_cli"]
    done = subprocess.run(
        [*cspace, "--install-completion", shell], capture_output=True, text=True, env=env
    )
    assert done.returncode == 0, done.stderr
    [written] = [p for p in (tmp_path / path.split("/")[0]).rglob("*") if p.is_file()]
    printed = subprocess.run(
        [*cspace, "completion", shell], capture_output=True, text=True, env=env
    ).stdout
    assert written.read_text(encoding="utf-8").strip() == printed.strip()
