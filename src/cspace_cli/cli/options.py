"""The options every data command shares, declared once, and the run they describe.

``--json``, ``--fields``, ``--color`` and ``--facts`` work before the command (on the
root) and after it; :func:`shared` adds them to a command's signature, so each command
lists only its own options. What they decide, with the environment, is one :class:`Run`,
which also decides whether long work shows a progress bar.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import sys
import time
from collections.abc import Callable, Iterator
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NamedTuple, TypeVar

import typer

from cspace_cli.present.output import OutputOptions, is_terminal
from cspace_cli.settings import Settings

if TYPE_CHECKING:
    from cspace_cli.load.scan import Progress


class Color(str, Enum):
    auto = "auto"
    always = "always"
    never = "never"


class Run(NamedTuple):
    """Settings plus this command's output choices."""

    settings: Settings
    json: bool = False
    fields: str = ""
    pager: bool = True
    quiet: bool = False

    def merged(
        self, json: bool, fields: str, color: Color, facts: list[Path] | None, no_pager: bool
    ) -> Run:
        """A command's own options on top of the root's: flags add, values replace."""
        settings = self.settings
        if color is not Color.auto:
            settings = settings._replace(color=color.value)
        if facts:
            settings = settings._replace(extra_facts=(*settings.extra_facts, *facts))
        return Run(
            settings,
            self.json or json,
            fields or self.fields,
            pager=self.pager and not no_pager,
            quiet=self.quiet,
        )

    def output(self) -> OutputOptions:
        return OutputOptions(self.json, self.fields, self.settings, pager=self.pager)

    @contextlib.contextmanager
    def long_work(self, what: str) -> Iterator[Progress | None]:
        """A progress callback for work that may take long (a first index build, an
        export), or None: only on a terminal (stderr) and without ``--quiet``."""
        if self.quiet or not is_terminal(sys.stderr):
            yield None
            return
        work = LongWork(what, self.settings.colour_on(True))
        try:
            yield work
        finally:
            work.close()


class LongWork:
    """Shows a bar once the work has run ``DELAY`` seconds, so quick runs never import
    Rich or draw anything; :mod:`render` draws it."""

    DELAY = 1.0

    def __init__(self, what: str, color: bool) -> None:
        self.what = what
        self.color = color
        self.start = time.monotonic()
        self.bar: Any = None

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            if time.monotonic() - self.start < self.DELAY:
                return
            from cspace_cli.present.render import ProgressBar

            self.bar = ProgressBar(self.what, total, self.color)
        self.bar.update(done, total)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


JsonOpt = Annotated[
    bool,
    typer.Option(
        "--json",
        help="Print JSON instead of text, e.g. cspace company tianbing --json "
        "(schema: cspace schema).",
    ),
]
FieldsOpt = Annotated[
    str,
    typer.Option(
        "--fields", metavar="A,B", help="With --json, keep only these keys, e.g. --fields id,name."
    ),
]
ColorOpt = Annotated[
    Color,
    typer.Option(
        "--color",
        metavar="WHEN",
        case_sensitive=False,
        help="Colour: auto (terminal only), always or never. "
        "NO_COLOR and TERM=dumb turn it off, FORCE_COLOR on.",
    ),
]
FactsOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--facts",
        metavar="DIR",
        help="Extra fact folder loaded after the shipped base; repeatable. Also CSPACE_FACTS.",
        exists=True,
        file_okay=False,
        readable=False,  # an unreadable folder is a broken fact folder: the loader says why
    ),
]

NoPagerOpt = Annotated[
    bool,
    typer.Option(
        "--no-pager",
        help="Print long views straight out instead of through $PAGER on a terminal. "
        "Also CSPACE_PAGER=.",
    ),
]

SHARED: dict[str, tuple[Any, Any]] = {
    "json": (JsonOpt, False),
    "fields": (FieldsOpt, ""),
    "color": (ColorOpt, Color.auto),
    "facts": (FactsOpt, None),
    "no_pager": (NoPagerOpt, False),
}
VALUED = ("--fields", "--color", "--facts")  # shared options that take the next word
CONTEXT = "cspace_context"

F = TypeVar("F", bound=Callable[..., Any])


def shared(*names: str) -> Callable[[F], F]:
    """Give a command the shared options ``names`` (all of them by default). The command
    receives the merged :class:`Run` as its ``run`` argument instead."""
    wanted = names or tuple(SHARED)

    def wrap(fn: F) -> F:
        sig = inspect.signature(fn)
        own = [p for p in sig.parameters.values() if p.name != "run"]
        keyword = inspect.Parameter.KEYWORD_ONLY
        extra = [
            inspect.Parameter(n, keyword, default=SHARED[n][1], annotation=SHARED[n][0])
            for n in wanted
        ]
        context = inspect.Parameter(CONTEXT, keyword, annotation=typer.Context)

        @functools.wraps(fn)
        def command(*args: Any, **kwargs: Any) -> Any:
            root = _root_run(kwargs.pop(CONTEXT))
            given = {n: kwargs.pop(n, SHARED[n][1]) for n in SHARED}
            run = root.merged(
                given["json"], given["fields"], given["color"], given["facts"], given["no_pager"]
            )
            return fn(*args, run=run, **kwargs)

        command.__signature__ = sig.replace(  # type: ignore[attr-defined]
            parameters=[*own, *extra, context]
        )
        command.__annotations__ = {
            **{k: v for k, v in fn.__annotations__.items() if k != "run"},
            **{n: SHARED[n][0] for n in wanted},
            CONTEXT: typer.Context,
        }
        return command  # type: ignore[return-value]

    return wrap


def _root_run(ctx: Any) -> Run:
    while ctx is not None and not isinstance(ctx.obj, Run):
        ctx = ctx.parent
    return ctx.obj if ctx is not None else Run(Settings())
