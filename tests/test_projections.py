"""Projections are pure folds, discovered as modules: a new one is one new file."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import ledger.projections as projections_package
import pytest
from ledger.projections import PairTouch, discover
from ledger.projections.reciprocity import ReciprocityValue, coefficient, person_coefficient

import ledger
from ledger.facts.kinds import Kind

DAY = 86_400_000_000

COUNTING_PROJECTION = '''
"""Counts touches per pair: a projection written as one module, nothing else."""
import attrs

from ledger.projections import PairTouch, ProjectionConfig


@attrs.frozen
class CountState:
    touches: int


@attrs.frozen
class Count:
    name: str = "count"
    state_type: type = CountState

    def fingerprint(self) -> str:
        return "count-v1"

    def start(self) -> CountState:
        return CountState(0)

    def step(self, state: CountState, touch: PairTouch) -> CountState:
        return CountState(state.touches + 1)

    def at(self, state: CountState, as_of: int) -> int:
        return state.touches


def projection(config: ProjectionConfig) -> Count:
    return Count()
'''


def test_the_three_projections_are_discovered() -> None:
    assert sorted(discover()) == ["decay", "depth", "reciprocity"]


def test_a_new_module_is_a_new_projection(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "count.py").write_text(COUNTING_PROJECTION)
    monkeypatch.setattr(
        projections_package, "__path__", [*projections_package.__path__, str(tmp_path)]
    )
    monkeypatch.delitem(sys.modules, "ledger.projections.count", raising=False)
    with ledger.open("memory://new-projection") as book:
        book.add_person("ann")
        book.add_person("bob")
        for day in range(3):
            book.record("message", "ann", "bob", f"2024-01-0{day + 1}T00:00:00Z")
        assert book.projection_value("count", "bob", "ann", as_of="2024-01-02T12:00:00Z") == 2
        assert book.verify() == []
        with pytest.raises(ledger.UnknownProjectionError):
            book.projection_value("nope", "ann", "bob")


def test_decay_fold_equals_the_direct_sum() -> None:
    decay = discover()["decay"]
    touches = [
        PairTouch(i * 7 * DAY, f"t{i}", kind, 1 if i % 2 else -1)
        for i, kind in enumerate([Kind.MESSAGE, Kind.CALL, Kind.MEETING, Kind.REACTION] * 5)
    ]
    state = decay.start()
    for touch in touches:
        state = decay.step(state, touch)
    as_of = 400 * DAY
    direct = sum(decay.weight(t) * 2 ** (-(as_of - t.t) / (90 * DAY)) for t in touches)
    assert math.isclose(decay.at(state, as_of).strength, direct, rel_tol=1e-12)


def _links(*edges: tuple[str, str]) -> list[tuple[str, str, ReciprocityValue]]:
    pairs: dict[tuple[str, str], list[int]] = {}
    for source, target in edges:
        a, b = sorted((source, target))
        counts = pairs.setdefault((a, b), [0, 0])
        counts[0 if source == a else 1] += 1
    return [
        (a, b, ReciprocityValue(x, y, 0, 0, 0, 0, 0, 0, 0, 0)) for (a, b), (x, y) in pairs.items()
    ]


def test_garlaschelli_loffredo_on_known_graphs() -> None:
    # 4 people, 4 links, all reciprocated: r = 1, density 4/12, rho = 1.
    assert coefficient(_links(("a", "b"), ("b", "a"), ("c", "d"), ("d", "c"))) == 1.0
    # A directed cycle of 3 has no reciprocated link: r = 0, density 1/2, rho = -1.
    assert coefficient(_links(("a", "b"), ("b", "c"), ("c", "a"))) == -1.0
    # a<->b, a->c: r = 2/3, density 1/2, rho = 1/3; for c alone: r = 0, rho = -1.
    links = _links(("a", "b"), ("b", "a"), ("a", "c"))
    assert math.isclose(coefficient(links) or 0.0, 1 / 3)
    assert person_coefficient("c", links) == -1.0
    assert coefficient([]) is None
