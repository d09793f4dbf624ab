"""Errors the core raises, and the exit status each one maps to.

The core never prints or exits; the CLI turns these into one-line messages and the
codes below, which the README documents and tests pin.
"""

from __future__ import annotations

from enum import IntEnum
from typing import NamedTuple


class ExitStatus(IntEnum):
    """Exit codes of the ``cspace`` command."""

    OK = 0
    NO_MATCH = 1
    USAGE = 2
    INVALID_FACTS = 3
    INTERNAL = 70
    IO = 74
    INTERRUPTED = 130


class Problem(NamedTuple):
    """One thing wrong with a fact folder, located as precisely as we can."""

    path: str
    message: str
    line: int | None = None
    severity: str = "error"

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


class CspaceError(Exception):
    """Base of every error the library raises on purpose."""

    status = ExitStatus.INTERNAL


class UsageError(CspaceError):
    """The caller asked for something malformed (a blank query, an unknown field)."""

    status = ExitStatus.USAGE


class OutputError(CspaceError):
    """A file could not be written (a full disk, a folder without write permission)."""

    status = ExitStatus.IO


class NotFound(CspaceError):
    """A lookup found nothing; carries near names to suggest."""

    status = ExitStatus.NO_MATCH

    def __init__(self, message: str, suggestions: list[str] | None = None) -> None:
        super().__init__(message)
        self.suggestions = suggestions or []


class InvalidFactBase(CspaceError):
    """The fact folders hold problems; every problem found is listed, not just the first."""

    status = ExitStatus.INVALID_FACTS

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        first = str(problems[0]) if problems else "invalid fact base"
        more = (
            f" (and {len(problems) - 1} more; run 'cspace validate')" if len(problems) > 1 else ""
        )
        super().__init__(first + more)
