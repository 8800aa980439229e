"""``ledger pair`` and ``ledger timeline``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs
import click

from ledger import Explanation, Ledger, PairView, TouchpointView
from ledger.cli._common import (
    OneLineUsageError,
    as_of_option,
    db_option,
    limit_option,
    model_of,
    model_options,
    open_book,
    since_option,
    state_of,
    until_option,
)
from ledger.cli._output import Report, emit, format_option
from ledger.cli._times import shown_time, zone_name

__all__ = ["pair", "timeline"]

_CONTRIBUTION_COLUMNS = (
    "occurred_at",
    "kind",
    "initiator",
    "weight",
    "group",
    "shape",
    "age_days",
    "decay",
    "contribution",
    "why",
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
@as_of_option
@click.option(
    "--explain",
    is_flag=True,
    help="List every touchpoint's contribution to the strength, and why the depth is what it is.",
)
@model_options("for this question only (nothing is stored)")
@limit_option(None)
@format_option
@db_option
@click.pass_context
def pair(
    ctx: click.Context,
    /,
    a: str,
    b: str,
    as_of: datetime | None,
    explain: bool,
    half_life_days: float | None,
    weights: tuple[tuple[str, float], ...],
    limit: int | None,
    fmt: str,
) -> None:
    """Strength, depth and reciprocity of the relationship between A and B.

    Strength sums what each touchpoint adds: its kind's weight x its share of a
    conversation session or of a day's time together (and 1/(n-1) in a group of n)
    x 2^(-age/half-life); --explain lists each touchpoint's contribution (they sum to
    the strength) and the touchpoint that reached each depth level; with --limit, the
    latest N of them. a_to_b counts the conversations, calls and help A opened (A, B in
    key order).
    """
    if limit is not None and not explain:
        raise OneLineUsageError(
            "--limit goes with --explain: it limits the contributions listed", ctx
        )
    book = open_book(ctx)
    moment = as_of or state_of(ctx).now
    model = model_of(half_life_days, weights)
    view = book.pair(a, b, moment, **model)
    x, y = sorted((book.person(a).key, book.person(b).key))
    facts: dict[str, Any] = {"a": x, "b": y, "as_of": moment}
    facts.update(_pair_facts(view, x) if view is not None else {"in_touch": False})
    if not explain:
        emit(Report(f"{x} – {y}", facts), fmt)
        return
    emit(_explained(book, x, y, moment, facts, model, fmt, limit), fmt)


def _pair_facts(view: PairView, a: str) -> dict[str, Any]:
    """The pair's values, with reciprocity seen from ``a`` (the API orders a pair by
    when its people were registered)."""
    value = view.reciprocity
    mine = view.a == a
    return {
        "in_touch": True,
        "strength": view.strength,
        "depth": view.depth.level_name,
        "level": int(view.depth.level),
        "reached": [reached.level.label for reached in view.depth.reached],
        "live_touches": view.depth.live_touches,
        "two_way_days": view.depth.two_way_days,
        "a_to_b": value.a_to_b if mine else value.b_to_a,
        "b_to_a": value.b_to_a if mine else value.a_to_b,
        "balance": value.balance if mine else -value.balance,
        "given_a_to_b": value.given_a_to_b if mine else value.given_b_to_a,
        "given_b_to_a": value.given_b_to_a if mine else value.given_a_to_b,
        "touches": view.decay.touches,
        "first_touch_at": view.decay.first_touch_at,
        "last_touch_at": view.decay.last_touch_at,
        "last_exchange_at": view.decay.last_exchange_at,
    }


def _explained(
    book: Ledger,
    a: str,
    b: str,
    as_of: datetime,
    facts: dict[str, Any],
    model: dict[str, Any],
    fmt: str,
    limit: int | None,
) -> Report:
    explanation = book.explain(a, b, as_of, **model)
    rows = _contributions(explanation)
    reasons = explanation.depth_reasons
    if fmt.lower() == "table":  # the same, with the times in the display zone
        reasons = tuple(_reason(text, explanation) for text in reasons)
    # The explanation's strength is the exact sum of the contributions listed.
    facts.update(
        strength=explanation.strength,
        half_life_days=explanation.half_life_days,
        depth=explanation.depth.level_name,
        level=int(explanation.depth.level),
        total_contributions=len(rows),
    )
    return Report(
        f"{a} – {b}: why",
        facts,
        rows[-limit:] if limit else rows,  # the latest, as timeline's --limit
        _CONTRIBUTION_COLUMNS,
        rows_name="contributions",
        notes=reasons,
        notes_name="depth_reasons",
        empty="(no touchpoints)",
        ids=("touchpoint_id",),
        names=("initiator",),
        table=("occurred_at", "kind", "initiator", "contribution", "terms", "why", "touchpoint_id"),
        stack={
            "occurred_at": ("touchpoint_id",),
            "kind": ("initiator",),
            "contribution": ("terms", "why"),
        },
        total=len(rows),
        which="latest",
    )


def _reason(text: str, explanation: Explanation) -> str:
    """A depth reason ("live: a call ..., since T UTC (touchpoint ID)") with T shown in
    the display zone."""
    label, _, _ = text.partition(":")
    reached = next((r for r in explanation.depth.reached if r.level.label == label), None)
    rule, found, _ = text.partition(", since ")
    if reached is None or not found:
        return text
    zone = state_of().zone()
    when = f"{shown_time(reached.at, zone)} {zone_name(zone)}"
    return f"{rule}, since {when} (touchpoint {reached.touchpoint_id})"


def _contributions(explanation: Explanation) -> list[dict[str, Any]]:
    """Each touch's contribution; ``terms`` (tables only) spells out its product."""
    rows = []
    for c in explanation.contributions:
        row = attrs.asdict(c)
        row["terms"] = f"= {c.weight:g} x {c.group:.3g} x {c.shape:.3g} x {c.decay:.3f}"
        rows.append(row)
    return rows


@click.command()
@click.argument("person_key", metavar="A")
@click.argument("other", metavar="[B]", required=False)
@since_option
@until_option
@limit_option(None)
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
    limit: int | None,
    fmt: str,
) -> None:
    """The touchpoints of A (with B, if given) in time order, retracted ones included;
    with --limit, the latest N. Each id can be given to 'ledger retract'."""
    book = open_book(ctx)
    found = book.timeline(person_key, other, since=since, until=until)
    shown = found[-limit:] if limit else found
    key = book.person(person_key).key
    title = f"Timeline of {key}" + (f" with {book.person(other).key}" if other else "")
    facts = {"total": len(found), "retracted": sum(t.retracted for t in found)}
    report = Report(
        title,
        facts,
        [_touchpoint(t) for t in shown],
        _TIMELINE_COLUMNS,
        rows_name="touchpoints",
        empty="(no touchpoints)",
        ids=("touchpoint_id",),
        names=("between",),
        table=("occurred_at", "kind", "between", "note", "touchpoint_id", "retracted"),
        stack={"occurred_at": ("touchpoint_id",), "kind": ("retracted",), "between": ("note",)},
        total=len(found),
        which="latest",
    )
    emit(report, fmt)


def _touchpoint(touchpoint: TouchpointView) -> dict[str, Any]:
    row = attrs.asdict(touchpoint, recurse=False)
    row["between"] = f"{touchpoint.initiator} → {', '.join(touchpoint.counterparts)}"
    if touchpoint.retracted:
        row["retracted"] = f"retracted: {touchpoint.retracted_reason or ''}".strip()
    return row
