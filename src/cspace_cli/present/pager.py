"""Long views through a pager, as git and man do: only on a terminal, only when longer
than the screen (the sink decides), and never at the cost of the output itself."""

from __future__ import annotations

import shlex
import subprocess
import sys


def page(text: str, command: str) -> bool:
    """Show ``text`` through ``command`` (such as ``less -FRX``); False when the pager
    cannot be started, so the caller prints the text itself."""
    try:
        argv = shlex.split(command)
        proc = subprocess.Popen(argv, stdin=subprocess.PIPE)
    except (OSError, ValueError):
        return False
    assert proc.stdin is not None
    encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
    try:
        proc.stdin.write(text.encode(encoding, "backslashreplace"))
        proc.stdin.close()
    except OSError:
        pass  # the reader quit before the end (q in less): what it wanted, it saw
    while True:
        try:
            proc.wait()
            return True
        except KeyboardInterrupt:
            continue  # Ctrl-C is the pager's to handle; wait for it to quit
