"""Parameter types and the options several commands share, spelled once.

Times (:class:`TimeParam`): see :mod:`ledger.cli._times` for what they accept; a time
is placed in the display zone when it is parsed, with the command's one "now".
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from zoneinfo import ZoneInfo

import click

from ledger import DecayModel
from ledger.cli._errors import DomainError, OneLineUsageError, one_line_errors
from ledger.cli._state import (
    CliState,
    creating,
    db_option,
    global_options,
    open_book,
    state_of,
)
from ledger.cli._times import parse_when
from ledger.errors import InvalidInputError, InvalidTimeError, quote
from ledger.facts.zones import portable_zone
from ledger.projections.decay import WEIGHT_CLASSES

__all__ = [
    "AHEAD",
    "AS_OF",
    "DAY_END",
    "DAY_START",
    "EXACT",
    "HALF_LIFE",
    "WEIGHT",
    "LedgerGroup",
    "ZONE",
    "CliState",
    "DomainError",
    "OneLineUsageError",
    "TimeParam",
    "as_of_option",
    "creating",
    "db_option",
    "global_options",
    "limit_option",
    "model_of",
    "model_options",
    "open_book",
    "output_option",
    "png_option",
    "points_option",
    "since_option",
    "state_of",
    "until_option",
]

F = TypeVar("F", bound=Callable[..., Any])

if TYPE_CHECKING:
    _ParamType = click.ParamType[Any, Any]
else:  # click < 8.3 has no type arguments on ParamType at run time
    _ParamType = click.ParamType


def _suggest() -> Any:
    ctx = click.get_current_context(silent=True)
    return None if ctx is None else state_of(ctx).suggest


class LedgerGroup(click.Group):
    """A click group whose commands (and their subcommands, and commands added later
    with ``add_command``) all report errors on one line (:mod:`ledger.cli._errors`)."""

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        with one_line_errors(_suggest):
            return super().make_context(info_name, args, parent, **extra)

    def invoke(self, ctx: click.Context) -> Any:
        with one_line_errors(_suggest), warnings.catch_warnings():
            if not os.environ.get("LEDGER_DEBUG"):  # a person reads stderr: errors only
                warnings.simplefilter("ignore")
            return super().invoke(ctx)


class TimeParam(_ParamType):
    """A time option: placed in the display zone; a day or a period is its start or its
    end (``edge``); a distance without a sign counts ahead when ``ahead``. ``exact``
    takes only instants (ISO 8601 with a zone, ``@UNIXSECONDS``, ``now``, a distance)."""

    name = "TIME"

    def __init__(self, edge: str, *, ahead: bool = False, exact: bool = False) -> None:
        self.edge, self.ahead, self.exact = edge, ahead, exact

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if not isinstance(value, str):
            return value
        try:
            when = parse_when(value, ahead=self.ahead)
            if self.exact and when.naive is not None:
                raise InvalidTimeError("time", value, "no time zone; add one such as +00:00 or Z")
            if self.exact and (when.period or when.relative):
                raise InvalidTimeError(
                    "time",
                    value,
                    "a day is not a time here: give one with a zone, such as "
                    "2024-03-01T09:30:00+01:00, or now, or a distance back such as -2h",
                )
            state = state_of(ctx)
            zone = state.zone(ctx) if _needs_zone(when) else ZoneInfo("UTC")
            return when.resolve(zone, state.now, self.edge)
        except InvalidTimeError as error:
            self.fail(error.reason + f" (got {quote(value)})", param, ctx)


def _needs_zone(when: Any) -> bool:
    return (
        when.naive is not None
        or when.period is not None
        or when.relative is not None
        or (when.distance is not None and when.distance[1] != "hours")
    )


EXACT = TimeParam("start", exact=True)
DAY_START = TimeParam("start")
DAY_END = TimeParam("end")
AHEAD = TimeParam("start", ahead=True)

_TIMES = (
    "TIME: 2024-03-01, 2024-03-01T09:30, now, yesterday, last month, -30d, 2w ... "
    "(see 'ledger --help')."
)
since_option = click.option(
    "--since", type=DAY_START, help=f"From this time (a day: its start). {_TIMES}"
)
until_option = click.option(
    "--until", type=DAY_END, help=f"Up to this time (a day: its end). {_TIMES}"
)
as_of_option = click.option(
    "--as-of",
    type=DAY_END,
    help=f"As of this time (default: now; a day: its end). {_TIMES}",
)
AS_OF = as_of_option


def output_option(what: str, *, required: bool = True) -> Callable[[F], F]:
    """``-o FILE`` (``-`` for stdout)."""
    default = "" if required else "; default: standard output"
    return click.option(
        "-o",
        "--output",
        "out",
        required=required,
        type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
        help=f"Write {what} to FILE ('-': standard output{default}). A regular file is "
        "replaced only once complete; a device, FIFO or symlink's target is written "
        "through, never replaced.",
    )


png_option = output_option("the PNG image")


def points_option(default: int, minimum: int, help: str) -> Callable[[F], F]:
    """``--points N``: how many instants a series is computed at."""
    return click.option(
        "--points", type=click.IntRange(min=minimum), default=default, show_default=True, help=help
    )


def limit_option(default: int | None) -> Callable[[F], F]:
    """``--limit N``: at most N rows shown; the total is still reported."""
    shown = f" (default {default})" if default else " (default: all)"
    return click.option(
        "--limit",
        type=click.IntRange(min=1),
        default=default,
        help=f"Show at most N rows{shown}; the counts report the total.",
        metavar="N",
    )


class HalfLifeParam(_ParamType):
    """A decay half-life in days: a finite number above 0."""

    name = "DAYS"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, float):
            return value
        try:
            days = float(str(value).strip())
            DecayModel().merged(half_life_days=days)  # the ledger's own check
        except (ValueError, InvalidInputError):
            self.fail(
                f"a half-life is a finite number of days above 0 (got {quote(value)})", param, ctx
            )
        return days


class WeightParam(_ParamType):
    """``KIND=WEIGHT``: a decay weight for one kind (or ``introduced``)."""

    name = "KIND=W"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, tuple):
            return value
        key, sep, number = str(value).partition("=")
        key = key.strip().lower()
        if not sep:
            self.fail(f"expected KIND=WEIGHT, e.g. meeting=5 (got {quote(value)})", param, ctx)
        if key not in WEIGHT_CLASSES:
            known = ", ".join(WEIGHT_CLASSES)
            self.fail(f"unknown kind {quote(key)}; known kinds: {known}", param, ctx)
        try:
            weight = float(number)
            DecayModel().merged(weights={key: weight})  # the ledger's own check
        except (ValueError, InvalidInputError):
            self.fail(f"a weight is a finite number >= 0 (got {quote(number)})", param, ctx)
        return key, weight


class ZoneParam(_ParamType):
    """An IANA time zone name, such as ``Europe/Paris``."""

    name = "ZONE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        text = str(value).strip()
        try:
            portable_zone(text, "timezone")
        except InvalidTimeError as error:
            self.fail(f"{error.reason} (got {quote(text)})", param, ctx)
        return text


HALF_LIFE = HalfLifeParam()
WEIGHT = WeightParam()
ZONE = ZoneParam()


def model_options(what: str) -> Callable[[F], F]:
    """``--half-life DAYS`` and ``--weight KIND=W``: another decay model ``what``."""

    def decorate(function: F) -> F:
        function = click.option(
            "--weight",
            "weights",
            type=WEIGHT,
            multiple=True,
            help=f"Weigh KIND so {what}, e.g. meeting=5; repeat for several "
            "(the other kinds keep their weights).",
        )(function)
        return click.option(
            "--half-life",
            "half_life_days",
            type=HALF_LIFE,
            help=f"Decay half-life in days {what} (default: the ledger's).",
        )(function)

    return decorate


def model_of(
    half_life_days: float | None, weights: tuple[tuple[str, float], ...]
) -> dict[str, Any]:
    """The keyword arguments of a query under the model given on the command line."""
    model: dict[str, Any] = {}
    if half_life_days is not None:
        model["half_life_days"] = half_life_days
    if weights:
        model["weights"] = dict(weights)
    return model
