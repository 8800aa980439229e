"""The ledger's default scores against what people reported (issue 12).

High School 2013 (../shared/data/sociopatterns): the contacts recorded into a ledger
through its public API, its strength and depth as of the week's end scored against the
students' friendship survey and contact diaries, beside baselines computed from the raw
contacts (validation/ledger_scores.py). The numbers are those validation/FINDINGS.md
records; a change to a default that moves them must update both, with the reason.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

VALIDATION = Path(__file__).resolve().parent.parent / "validation"
BASELINES = ("contact count", "total time", "days with contact", "longest contact", "20-s windows")


@pytest.fixture(scope="module")
def found(shared_data: Path) -> dict[str, Any]:
    del shared_data  # the fixture skips (or, under CI, fails) when the data are absent
    sys.path.insert(0, str(VALIDATION))
    try:
        import ledger_scores
    finally:
        sys.path.remove(str(VALIDATION))
    result = ledger_scores.evaluate()
    assert result is not None
    return result


EXPECTED_AUC = {
    # layer: (all respondent pairs, pairs that met), as in FINDINGS.md §6
    "F_either": (0.907, 0.844),
    "F_both": (0.948, 0.852),
    "D_any": (0.924, 0.810),
    "D_w>=3": (0.925, 0.824),
}


@pytest.mark.realdata
@pytest.mark.parametrize("layer", sorted(EXPECTED_AUC))
def test_default_strength_ranks_reported_ties_as_measured(
    found: dict[str, Any], layer: str
) -> None:
    every, met = EXPECTED_AUC[layer]
    assert round(found[("ledger strength", layer, "all", "auc")], 3) == every
    assert round(found[("ledger strength", layer, "met", "auc")], 3) == met


@pytest.mark.realdata
@pytest.mark.parametrize("layer", sorted(EXPECTED_AUC))
def test_default_strength_is_as_good_as_the_best_baseline(
    found: dict[str, Any], layer: str
) -> None:
    for subset in ("all", "met"):
        best_auc = max(found[(b, layer, subset, "auc")] for b in BASELINES)
        best_ap = max(found[(b, layer, subset, "ap")] for b in BASELINES)
        # A tie on AUC (total time leads by 0.002 on friendship among pairs that met,
        # inside the bootstrap interval -0.009..+0.006); never behind on precision.
        assert found[("ledger strength", layer, subset, "auc")] >= best_auc - 0.003
        assert found[("ledger strength", layer, subset, "ap")] >= best_ap


@pytest.mark.realdata
def test_depth_adds_information_among_pairs_that_met(found: dict[str, Any]) -> None:
    assert round(found[("ledger sustained", "F_either", "met", "auc")], 3) == 0.714
    for layer in EXPECTED_AUC:
        assert found[("ledger sustained", layer, "met", "auc")] > 0.69
    assert round(float(found["sustained"].mean()), 3) == 0.264
    assert len(found["sustained"]) == 5818


@pytest.mark.realdata
def test_the_strongest_pairs_are_as_measured(found: dict[str, Any]) -> None:
    top = found["strength"].sort_values(ascending=False).head(3)
    assert [f"{a}-{b}" for a, b in top.index] == ["513-655", "255-275", "339-884"]
    assert round(float(top.iloc[0]), 4) == 29.9076
