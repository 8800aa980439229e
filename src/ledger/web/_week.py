"""*This week*: who is fading and worth a touch, and why (``ledger.insights.remind``),
with snooze and "log a touch" actions that record facts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from ledger import InvalidInputError, Kind, Ledger
from ledger.insights import NoOwnerError, remind, snooze
from ledger.web._ask import Ask
from ledger.web._page import Context

__all__ = ["SNOOZES", "week", "write_snooze"]

SHOWN = 25
"""Reminders shown at most (the highest scores)."""
SNOOZES = (("7", "a week"), ("30", "a month"), ("90", "three months"))
WITHIN_DAYS = 7.0
"""Also listed: relationships coming due within the week (``upcoming``)."""


def week(book: Ledger, ask: Ask, query: dict[str, str]) -> Context:
    if ask.me is None:
        return {"me": None, "rows": [], "dormant": [], "snoozed": [], "without_rhythm": 0}
    found = remind(book, ask.me, ask.as_of, within_days=WITHIN_DAYS)
    rows = [_row(book, ask, r) for r in found.fading[:SHOWN]]
    names = _names(book, ask, [d.person for d in found.dormant[:SHOWN]])
    return {
        "me": ask.me,
        "me_name": book.person(ask.me, ask.as_of).name,
        "rows": rows,
        "more": max(0, len(found.fading) - SHOWN),
        "dormant": [(d, names[d.person]) for d in found.dormant[:SHOWN]],
        "snoozed": found.snoozed,
        "without_rhythm": found.without_rhythm,
        "snoozes": SNOOZES,
        "kinds": [k.value for k in Kind],
    }


def _row(book: Ledger, ask: Ask, reminder: Any) -> dict[str, Any]:
    """A reminder and the person's name."""
    return {"r": reminder, "name": book.person(reminder.person, ask.as_of).name}


def _names(book: Ledger, ask: Ask, keys: list[str]) -> dict[str, str]:
    return {key: book.person(key, ask.as_of).name for key in keys}


def write_snooze(book: Ledger, ask: Ask, form: dict[str, str]) -> str:
    """Snooze ``me`` and ``person`` for the days chosen, from the date shown; what was done."""
    if ask.me is None:
        raise NoOwnerError
    person = form.get("person", "")
    days = {value for value, _ in SNOOZES}
    chosen = form.get("days", "")
    if chosen not in days:
        raise InvalidInputError("days", chosen, "choose how long: 7, 30 or 90 days")
    until = ask.as_of + timedelta(days=int(chosen))
    done = snooze(book, ask.me, person, until, since=ask.as_of, reason=form.get("reason") or None)
    other = done.b if done.a == ask.me else done.a
    return f"snoozed {other} until {ask.clock.date(until)}"
