"""The projections' pure parts: the one strength function under a model, the model's
validation and merging, and Garlaschelli-Loffredo reciprocity on known graphs.

(Projections are no longer discovered as modules with a per-touch ``step``: the folds
are fixed and vectorised, checked row by row in tests/test_folds.py.)"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import attrs
import numpy as np
import pytest
from ledger.projections import KIND_CODE, KINDS
from ledger.projections.decay import (
    DEFAULT_WEIGHTS,
    WEIGHT_CLASSES,
    DecayModel,
    strength,
    terms,
    weight_classes,
)
from ledger.projections.reciprocity import coefficient, person_coefficient

import ledger
from ledger.facts.kinds import Kind
from ledger.facts.time import to_micros

DAY = 86_400_000_000
T0 = datetime(2024, 1, 1, tzinfo=UTC)


def test_strength_is_the_sum_of_decayed_weighted_factors() -> None:
    kinds = np.array([KIND_CODE[k] for k in (Kind.MESSAGE, Kind.MEETING, Kind.FAVOR)], np.int8)
    roles = np.array([0, 1, 0], dtype=np.int8)
    t = np.array([0, 10 * DAY, 400 * DAY], dtype=np.int64)
    factor = np.array([1.0, 0.5, 2.0])
    model = DecayModel(30, {**DEFAULT_WEIGHTS, "meeting": 8.0})
    got = terms(t, weight_classes(kinds, roles), factor, 100 * DAY, model)
    assert got.tolist() == pytest.approx([2 ** (-100 / 30), 8 * 0.5 * 2 ** (-90 / 30), 0.0])
    pair = np.array([0, 1, 0], dtype=np.int64)
    per_pair = strength(pair, t, weight_classes(kinds, roles), factor, 100 * DAY, model, 2)
    assert per_pair.tolist() == pytest.approx([2 ** (-100 / 30), 4 * 2 ** (-3)])


def test_introduced_rows_weigh_the_introduced_weight() -> None:
    kinds = np.array([KIND_CODE[Kind.INTRODUCTION]] * 2, dtype=np.int8)
    classes = weight_classes(kinds, np.array([0, 2], dtype=np.int8))
    assert [WEIGHT_CLASSES[c] for c in classes] == ["introduction", "introduced"]
    assert len(WEIGHT_CLASSES) == len(KINDS) + 1


@attrs.frozen
class Fact:
    kind: str
    role: str
    factor: float
    at: datetime


def test_weigh_turns_facts_into_contributions_by_the_same_function() -> None:
    model = DecayModel(10)
    facts = [
        Fact("message", "direct", 1.0, T0),
        Fact("introduction", "introduced", 1.0, T0),
        Fact("meeting", "co", 0.25, T0 + timedelta(days=10)),
        Fact("call", "direct", 1.0, T0 + timedelta(days=30)),  # after as_of: nothing
    ]
    as_of = to_micros(T0 + timedelta(days=20))
    assert model.weigh(facts, as_of).tolist() == pytest.approx([0.25, 0.125, 0.5, 0.0])


def test_a_model_needs_every_weight_and_merges_some() -> None:
    with pytest.raises(ledger.InvalidInputError, match="every kind needs a weight"):
        DecayModel(90, {"message": 1.0})
    merged = DecayModel().merged(45, {"call": 0})
    assert merged.half_life_days == 45 and merged.weights["call"] == 0.0
    assert merged.weights["meeting"] == DEFAULT_WEIGHTS["meeting"]
    assert DecayModel().merged().weights == DecayModel().weights
    assert math.isclose(DecayModel().table()[KIND_CODE[Kind.MEETING]], 4.0)


def _links(*edges: tuple[str, str]) -> list[tuple[str, str, int, int]]:
    pairs: dict[tuple[str, str], list[int]] = {}
    for source, target in edges:
        a, b = sorted((source, target))
        counts = pairs.setdefault((a, b), [0, 0])
        counts[0 if source == a else 1] += 1
    return [(a, b, x, y) for (a, b), (x, y) in pairs.items()]


def test_garlaschelli_loffredo_on_known_graphs() -> None:
    # 4 people, 4 links, all reciprocated: r = 1, density 4/12, rho = 1.
    assert coefficient(_links(("a", "b"), ("b", "a"), ("c", "d"), ("d", "c"))) == 1.0
    # A directed cycle of 3 has no reciprocated link: r = 0, density 1/2, rho = -1.
    assert coefficient(_links(("a", "b"), ("b", "c"), ("c", "a"))) == -1.0
    # a<->b, a->c: r = 2/3, density 1/2, rho = 1/3; for c alone: r = 0, rho = -1.
    links = _links(("a", "b"), ("b", "a"), ("a", "c"))
    assert math.isclose(coefficient(links) or 0.0, 1 / 3)
    assert person_coefficient("c", links) == -1.0
    assert math.isclose(person_coefficient("a", links) or 0.0, (2 / 3 - 0.5) / 0.5)
    assert coefficient([]) is None
    assert coefficient(_links(("a", "b"), ("b", "a"))) is None  # density 1: undefined
