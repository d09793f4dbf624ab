"""The options every data command shares, declared once, and the run they describe.

``--json``, ``--fields``, ``--color`` and ``--facts`` work before the command (on the
root) and after it; :func:`shared` adds them to a command's signature, so each command
lists only its own options. What they decide, with the environment, is one :class:`Run`.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, NamedTuple, TypeVar

import typer

from cspace_cli.present.output import OutputOptions
from cspace_cli.settings import Settings


class Color(str, Enum):
    auto = "auto"
    always = "always"
    never = "never"


class Run(NamedTuple):
    """Settings plus this command's output choices."""

    settings: Settings
    json: bool = False
    fields: str = ""

    def merged(self, json: bool, fields: str, color: Color, facts: list[Path] | None) -> Run:
        """A command's own options on top of the root's: flags add, values replace."""
        settings = self.settings
        if color is not Color.auto:
            settings = settings._replace(color=color.value)
        if facts:
            settings = settings._replace(extra_facts=(*settings.extra_facts, *facts))
        return Run(settings, self.json or json, fields or self.fields)

    def output(self) -> OutputOptions:
        return OutputOptions(self.json, self.fields, self.settings)


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

SHARED: dict[str, tuple[Any, Any]] = {
    "json": (JsonOpt, False),
    "fields": (FieldsOpt, ""),
    "color": (ColorOpt, Color.auto),
    "facts": (FactsOpt, None),
}
VALUED = ("--fields", "--color", "--facts")  # shared options that take the next word
CONTEXT = "cspace_context"

F = TypeVar("F", bound=Callable[..., Any])


def shared(*names: str) -> Callable[[F], F]:
    """Give a command the shared options ``names`` (all four by default). The command
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
            run = root.merged(given["json"], given["fields"], given["color"], given["facts"])
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
