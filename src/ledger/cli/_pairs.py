"""``ledger pair`` and ``ledger timeline``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs
import click

from ledger import PairView
from ledger.api import Ledger
from ledger.cli._common import DAY_END, DAY_START, db_option, open_book
from ledger.cli._output import Report, emit, format_option
from ledger.facts.time import from_micros

__all__ = ["pair", "timeline"]

_CONTRIBUTION_COLUMNS = (
    "occurred_at",
    "kind",
    "initiator",
    "weight",
    "age_days",
    "factor",
    "contribution",
    "touchpoint_id",
)
_TIMELINE_COLUMNS = (
    "occurred_at",
    "kind",
    "initiator",
    "counterparts",
    "note",
    "touchpoint_id",
    "retracted_reason",
)


@click.command()
@click.argument("a")
@click.argument("b")
@click.option(
    "--as-of",
    type=DAY_END,
    help="As of this time (default: now; a plain date is its end, UTC).",
)
@click.option(
    "--explain",
    is_flag=True,
    help="List every touchpoint's contribution to the strength, and why the depth is what it is.",
)
@format_option
@db_option
@click.pass_context
def pair(
    ctx: click.Context, /, a: str, b: str, as_of: datetime | None, explain: bool, fmt: str
) -> None:
    """Strength, depth and reciprocity of the relationship between A and B.

    Strength is the decayed sum of the touchpoints' weights; with --explain each
    touchpoint's contribution is listed (weight x 2^(-age/half-life)) and they sum
    to the strength. a_to_b counts touchpoints A initiated (A, B in key order).
    """
    book = open_book(ctx)
    view = book.pair(a, b, as_of)
    x, y = sorted((a.strip(), b.strip()))
    facts: dict[str, Any] = {"a": x, "b": y}
    facts.update(_pair_facts(view) if view is not None else {"in_touch": False})
    if not explain:
        moment = view.as_of if view is not None else as_of
        emit(Report(f"{x} – {y}", {**facts, "as_of": moment}), fmt)
        return
    emit(_explained(book, x, y, as_of, facts), fmt)


def _pair_facts(view: PairView) -> dict[str, Any]:
    return {
        "as_of": view.as_of,
        "in_touch": True,
        "strength": view.strength,
        "depth": view.depth.level_name,
        "level": int(view.depth.level),
        "a_to_b": view.reciprocity.a_to_b,
        "b_to_a": view.reciprocity.b_to_a,
        "balance": view.balance,
        "given_a_to_b": view.reciprocity.given_a_to_b,
        "given_b_to_a": view.reciprocity.given_b_to_a,
        "touches": view.decay.touches,
        "first_touch_at": from_micros(view.decay.first_touch_t),
        "last_touch_at": from_micros(view.decay.last_touch_t),
    }


def _explained(
    book: Ledger, a: str, b: str, as_of: datetime | None, facts: dict[str, Any]
) -> Report:
    explanation = book.explain(a, b, as_of)
    # The explanation's strength is the exact sum of the contributions listed.
    facts.update(
        as_of=explanation.as_of,
        strength=explanation.strength,
        half_life_days=explanation.half_life_days,
        depth=explanation.depth.level_name,
        level=int(explanation.depth.level),
    )
    rows = [attrs.asdict(c) for c in explanation.contributions]
    return Report(
        f"{a} – {b}: why",
        facts,
        rows,
        _CONTRIBUTION_COLUMNS,
        rows_name="contributions",
        notes=explanation.depth_reasons,
        notes_name="depth_reasons",
        empty="(no touchpoints)",
    )


@click.command()
@click.argument("person_key", metavar="A")
@click.argument("other", metavar="[B]", required=False)
@click.option("--since", type=DAY_START, help="From this time (a plain date is its start, UTC).")
@click.option("--until", type=DAY_END, help="Up to this time (a plain date is its end, UTC).")
@format_option
@db_option
@click.pass_context
def timeline(
    ctx: click.Context,
    /,
    person_key: str,
    other: str | None,
    since: datetime | None,
    until: datetime | None,
    fmt: str,
) -> None:
    """The touchpoints of A (with B, if given) in time order, retracted ones included."""
    book = open_book(ctx)
    touchpoints = book.timeline(person_key, other, since=since, until=until)
    rows = [attrs.asdict(t, recurse=False) for t in touchpoints]
    title = f"Timeline of {person_key.strip()}" + (f" with {other.strip()}" if other else "")
    facts = {"touchpoints": len(rows), "retracted": sum(t.retracted for t in touchpoints)}
    emit(Report(title, facts, rows, _TIMELINE_COLUMNS, rows_name="touchpoints"), fmt)
