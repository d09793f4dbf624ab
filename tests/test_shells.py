"""Completion in the real shells, as a person uses it: tmux runs an interactive bash, zsh
or fish with the script ``cspace completion SHELL`` prints, types a partial name, presses
Tab, reads the command line, presses Enter and reads what cspace printed.

Each shell is skipped when it is not installed (Debian packages ``zsh`` and ``fish``);
all of them when tmux is not.
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from conftest import REPO, write_base
from test_completion import ODD_NAMES

pytestmark = pytest.mark.skipif(
    shutil.which("tmux") is None, reason="needs tmux (Debian package tmux) to drive a shell"
)
READY = "RE''ADY"  # typed with quotes, printed without: the output is told from the input
SERVERS = itertools.count()


class Terminal:
    """One interactive shell in a private tmux server."""

    def __init__(self, command: list[str], env: dict[str, str]) -> None:
        self.server = f"cspace-test-{os.getpid()}-{next(SERVERS)}"
        settings = [f"{k}={v}" for k, v in env.items()]
        self.tmux("new-session", "-d", "-x", "200", "-y", "50", "env", "-i", *settings, *command)
        self.socket = self.tmux("display-message", "-p", "#{socket_path}").strip()

    def tmux(self, *args: str) -> str:
        out = subprocess.run(
            ["tmux", "-L", self.server, *args], capture_output=True, text=True, timeout=30
        )
        return out.stdout

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", *keys)

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-J")

    def wait(self, found: Callable[[str], bool], what: str, timeout: float = 60) -> str:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            screen = self.screen()
            if found(screen):
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{what} did not appear; the screen was:\n{self.screen()}")

    def run(self, line: str) -> None:
        """Type ``line`` and Enter, then wait for the shell to be ready again."""
        self.keys("-l", f"{line}; echo {READY}")
        self.keys("Enter")
        self.wait(lambda s: "READY" in s.replace(READY, ""), "the prompt")
        self.keys("C-l")
        self.wait(lambda s: "READY" not in s, "a clear screen")

    def tab(self, typed: str, expect: str) -> str:
        """Type ``typed``, press Tab, and return the command line once it shows ``expect``."""
        self.keys("-l", typed)
        self.keys("Tab")
        screen = self.wait(lambda s: expect in s, f"{expect!r} on the command line")
        return next(line for line in screen.splitlines() if expect in line)

    def close(self) -> None:
        """Stop the server and remove its socket, which tmux leaves behind."""
        self.tmux("kill-server")
        if self.socket:
            Path(self.socket).unlink(missing_ok=True)


def shim(folder: Path) -> Path:
    """A ``cspace`` on PATH that runs this checkout with this interpreter."""
    folder.mkdir()
    script = folder / "cspace"
    script.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m cspace_cli "$@"\n', encoding="utf-8")
    script.chmod(0o755)
    return folder


def script(shell: str, env: dict[str, str]) -> str:
    return subprocess.run(
        [sys.executable, "-m", "cspace_cli", "completion", shell],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **env},
    ).stdout


def start(shell: str, tmp_path: Path) -> Terminal:
    """``shell`` with cspace's completion loaded, over a fact folder of odd names."""
    if shutil.which(shell) is None:
        pytest.skip(f"{shell} is not installed (Debian package {shell})")
    facts = write_base(tmp_path / "odd", ODD_NAMES, sources=None)
    home = tmp_path / "home"
    home.mkdir()
    env = {
        "PATH": f"{shim(tmp_path / 'bin')}{os.pathsep}{os.environ['PATH']}",
        "HOME": str(home),
        "TERM": "xterm",
        "LANG": "C.UTF-8",
        "PYTHONPATH": str(REPO / "src"),
        "CSPACE_NO_SHIPPED": "1",
        "CSPACE_FACTS": str(facts),
        "CSPACE_CACHE_DIR": str(tmp_path / "cache"),
    }
    loaded = home / f"cspace.{shell}"
    loaded.write_text(script(shell, env), encoding="utf-8")
    if shell == "bash":
        command = ["bash", "--norc", "--noprofile"]
        setup = f"PS1='$ '; source {loaded}"
    elif shell == "zsh":
        functions = home / "functions"
        functions.mkdir()
        shutil.copy(loaded, functions / "_cspace")
        env["ZDOTDIR"] = str(home)
        (home / ".zshrc").write_text(
            f"fpath=({functions} $fpath)\nautoload -Uz compinit\ncompinit -u\nPS1='$ '\n",
            encoding="utf-8",
        )
        command, setup = ["zsh"], "true"
    else:
        env["XDG_CONFIG_HOME"] = str(home)
        command = ["fish", "--no-config"]
        setup = (
            "set -g fish_greeting; set -g fish_autosuggestion_enabled 0; "
            f"function fish_prompt; echo '$ '; end; source {loaded}"
        )
    terminal = Terminal(command, env)
    terminal.run(setup)
    return terminal


@pytest.fixture(params=["bash", "zsh", "fish"])
def terminal(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Terminal]:
    term = start(request.param, tmp_path)
    try:
        yield term
    finally:
        term.close()


@pytest.mark.parametrize(
    "typed, shown, printed",
    [
        ("cspace company xi", "lingkong", "Xi'an Lingkong Electronics"),
        ("cspace company xi\\'a", "lingkong", "Xi'an Lingkong Electronics"),
        ("cspace site power", "rocket", "Power station (Jinan heavy-lift rocket base)"),
        ("cspace policy guo", "investment", "Guo Fa [2014] No. 60: investment"),
    ],
)
def test_tab_inserts_a_name_the_shell_reads_back(
    terminal: Terminal, typed: str, shown: str, printed: str
) -> None:
    line = terminal.tab(typed, shown)
    assert line.rstrip().endswith(("electronics", "base\\)", "base)", "investment"))
    terminal.keys("Enter")
    terminal.wait(lambda s: printed in s, f"the view of {printed!r}")


def test_tab_finishes_a_name_inside_a_quote_the_user_opened(terminal: Terminal) -> None:
    line = terminal.tab("cspace company 'xi", "lingkong")
    assert line.rstrip().endswith(("electronics'", "electronics' "))
    terminal.keys("Enter")
    terminal.wait(lambda s: "Xi'an Lingkong Electronics" in s, "the view")
