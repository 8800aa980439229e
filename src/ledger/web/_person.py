"""*A person*: attributes as of the date, identifiers and aliases, the relationship with
me (strength over time, depth levels reached and the touchpoint that reached each,
who opens, favours each way), their introductions, their relationships, and their
timeline a page at a time."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ledger import Ledger, PairView, TouchpointView
from ledger.outputs.plot import strength_series
from ledger.web._ask import Ask
from ledger.web._charts import LineChart, lines
from ledger.web._page import Context

__all__ = ["PAGE_SIZE", "person", "timeline_page"]

PAGE_SIZE = 25
POINTS = 40
"""Instants the strength chart is computed at (and each touch, when fewer than this)."""
MARKS = 400
"""Touches marked on the chart's axis at most."""
RELATIONSHIPS = 15
CHOICES = 1000
HELP = ("favors", "introductions", "referrals", "recommendations")


def person(book: Ledger, ask: Ask, query: dict[str, str]) -> Context:
    key = query.get("key", "").strip()
    choices = _choices(book, ask)
    if not key:
        return {"view": None, "choices": choices}
    view = book.person(key, ask.as_of)
    key = view.key
    mine = book.pair(ask.me, key, ask.as_of) if ask.me and ask.me != key else None
    relationships = book.relationships(key, ask.as_of)
    intros = book.introductions(ask.as_of)
    touches = book.timeline(key, until=ask.as_of)
    return {
        "view": view,
        "choices": choices,
        "mine": mine,
        "mine_side": None if mine is None else _side(mine, ask.me),
        "reached": [] if mine is None else _reached(mine, touches),
        "chart": _chart(book, ask, key, mine, relationships),
        "relationships": [(v, v.other(key)) for v in relationships[:RELATIONSHIPS]],
        "more_relationships": max(0, len(relationships) - RELATIONSHIPS),
        "made": [i for i in intros if i.broker == key],
        "received": [i for i in intros if key in i.introduced],
        **_paged(key, touches, query.get("page", "1")),
    }


def _choices(book: Ledger, ask: Ask) -> list[str]:
    """People to pick from (the first thousand keys)."""
    return book.people()[:CHOICES]


def _side(view: PairView, me: str | None) -> dict[str, int]:
    """The pair's reciprocity seen from me: what I opened or gave, and what they did."""
    mine, theirs = ("a_to_b", "b_to_a") if view.a == me else ("b_to_a", "a_to_b")
    found = {
        "i_opened": getattr(view.reciprocity, mine),
        "they_opened": getattr(view.reciprocity, theirs),
    }
    for name in HELP:
        found[f"{name}_mine"] = getattr(view.reciprocity, f"{name}_{mine}")
        found[f"{name}_theirs"] = getattr(view.reciprocity, f"{name}_{theirs}")
    return found


def _reached(view: PairView, touches: list[TouchpointView]) -> list[tuple[Any, Any]]:
    """Each depth level reached, with its touchpoint (from the person's timeline)."""
    by_id = {touch.touchpoint_id: touch for touch in touches}
    return [(level, by_id.get(level.touchpoint_id)) for level in view.depth.reached]


def _chart(
    book: Ledger, ask: Ask, key: str, mine: PairView | None, relationships: list[PairView]
) -> LineChart | None:
    """The strength with me over time (else with their three strongest), each jump at
    a touch shown (``ledger.outputs.plot.strength_series``)."""
    views = [mine] if mine is not None else relationships[:3]
    if not views:
        return None
    series: list[tuple[str, list[tuple[datetime, float]]]] = []
    marks: list[datetime] = []
    for view in views:
        other = view.other(key)
        found = strength_series(book, key, other, until=ask.as_of, points=POINTS)
        series.append(
            (
                "with me" if mine is not None else other,
                list(zip(found.times, found.strengths, strict=True)),
            )
        )
        marks.extend(touch.occurred_at for touch in found.touches)
    title = "strength with me over time" if mine is not None else "their strongest, over time"
    return lines(title, series, ask.clock, marks=marks if len(marks) <= MARKS else ())


def timeline_page(book: Ledger, ask: Ask, query: dict[str, str]) -> Context:
    """One page of ``key``'s timeline up to the date asked about, newest first."""
    key = book.person(query.get("key", ""), ask.as_of).key
    return _paged(key, book.timeline(key, until=ask.as_of), query.get("page", "1"))


def _paged(key: str, touches: list[TouchpointView], asked: str) -> Context:
    try:
        page = max(1, int(asked))
    except ValueError:
        page = 1
    total = len(touches)
    end = total - (page - 1) * PAGE_SIZE
    shown = touches[max(0, end - PAGE_SIZE) : max(0, end)][::-1]
    return {
        "key": key,
        "touches": shown,
        "page": page,
        "pages": max(1, -(-total // PAGE_SIZE)),
        "total": total,
    }
