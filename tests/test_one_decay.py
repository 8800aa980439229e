"""Every public path decays by the one function, ``ledger.projections.decay.decayed``.

The property test (test_properties.py) checks the values of the engine's paths against an
independent reference. This file checks the *shape* the engine issue asks for: that no
path (pair, relationships, pairs, network, explain, the decay export, givers, reminders,
plots) computes a decay of its own. Replacing the one function by "nothing decays" must
change every path's answer to the undecayed sum, and restoring it must give the decayed
answers back; a path with a private copy of the rule would keep its decayed value and
fail here.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pytest
from ledger.projections import decay

import ledger
from ledger.insights import givers, remind
from ledger.outputs.export import export_table
from ledger.outputs.plot import strength_series

NOW = datetime(2024, 6, 1, tzinfo=UTC)
FRIENDS = ("ann", "bob", "cat")


def _history(book: ledger.Ledger) -> None:
    for key in ("me", *FRIENDS):
        book.add_person(key)
    book.set_owner("me")
    for week in range(30, 8, -2):  # a rhythm, then quiet: the reminders have something to say
        at = NOW - timedelta(weeks=week)
        book.record("message", "me", "ann", at)
        book.record("message", "ann", "me", at + timedelta(hours=5))
        book.record("call", "bob", "me", at + timedelta(days=1), duration_seconds=2400)
    book.record("favor", "cat", "me", NOW - timedelta(days=300))
    book.record("introduction", "me", ["ann", "bob"], NOW - timedelta(days=200))


def _undecayed(elapsed: Any, model: decay.DecayModel) -> Any:
    return np.ones(len(elapsed), dtype=np.float64)


@pytest.fixture
def book(memory_book: ledger.Ledger) -> Iterator[ledger.Ledger]:
    _history(memory_book)
    yield memory_book


def _answers(book: ledger.Ledger) -> dict[str, float]:
    """One strength-like number per public path (rounded only by float sums)."""
    found: dict[str, float] = {}
    for other in FRIENDS:
        found[f"pair {other}"] = book.pair("me", other, as_of=NOW).strength
        explained = book.explain("me", other, as_of=NOW)
        found[f"explain {other}"] = math.fsum(c.contribution for c in explained.contributions)
        found[f"explain decay {other}"] = math.fsum(c.decay for c in explained.contributions)
        series = strength_series(book, "me", other, until=NOW, points=5)
        found[f"plot {other}"] = series.strengths[-1]
    for view in book.relationships("me", as_of=NOW):
        found[f"relationships {view.b if view.a == 'me' else view.a}"] = view.strength
    found["pairs"] = math.fsum(view.strength for view in book.pairs(NOW))
    found["network"] = book.network(NOW).total_strength
    table = export_table(book, "decay", NOW)
    found["export decay"] = math.fsum(float(row["strength"]) for row in table.rows)
    found["givers"] = math.fsum(row.given for row in givers(book, NOW))
    reminders = remind(book, "me", NOW)
    found["remind"] = math.fsum(r.strength for r in reminders.fading) + math.fsum(
        d.strength for d in reminders.dormant
    )
    return found


def test_every_path_decays_by_the_one_function(
    book: ledger.Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    decayed = _answers(book)
    monkeypatch.setattr(decay, "decayed", _undecayed)
    flat = _answers(book)
    weights = book.decay_model.weights
    for other in FRIENDS:
        facts = book.pair_facts("me", as_of=NOW)[other]
        undecayed = math.fsum(weights[f.kind] * f.factor for f in facts if f.role != "introduced")
        assert flat[f"pair {other}"] == pytest.approx(undecayed), other
        explained = book.explain("me", other, as_of=NOW)
        assert flat[f"explain decay {other}"] == len(explained.contributions)
    changed = {name for name in decayed if not math.isclose(decayed[name], flat[name])}
    unchanged = {
        name for name in decayed if name not in changed and not math.isclose(decayed[name], 0.0)
    }
    assert not unchanged, f"paths that decay on their own: {sorted(unchanged)}"
    for name in ("pairs", "network", "export decay"):
        assert flat[name] == pytest.approx(flat["pairs"]), name
    monkeypatch.undo()
    assert _answers(book) == pytest.approx(decayed)
