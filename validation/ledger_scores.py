"""The ledger's own scores against what the High School 2013 students reported.

Where ``hs2013.py`` explores candidate formulas in pandas, this script asks the ledger
itself: the contacts are recorded into a ledger through its public API (each merged
meeting a symmetric ``meeting`` touch with its duration, as ``ledger import meetings``
records them), and the ledger's default strength and depth, as of the end of the week,
are scored against the friendship survey and the contact diaries next to simple
baselines computed here from the raw contacts. ``tests/test_scores_realdata.py`` runs
it and checks the numbers that ``FINDINGS.md`` records.

    .venv/bin/python validation/ledger_scores.py [--markdown]

Data: Mastrandrea, Fournet & Barrat, PLoS ONE 10(9): e0136497 (2015), SocioPatterns
(CC BY-NC-SA 3.0), read from ../shared/data; never copied.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

import hs2013  # noqa: E402
from metrics import ap, auc  # noqa: E402

import ledger  # noqa: E402

AS_OF = 1_386_345_580  # 2013-12-06T15:59:40Z, the end of the week's last window
LAYERS = ("F_either", "F_both", "D_any", "D_w>=3")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def ledger_scores(meetings: pd.DataFrame) -> tuple[pd.Series, pd.Series, Any]:
    """Strength and sustained (1/0) of every pair that met, from a ledger; and the ledger
    network summary."""
    with ledger.open("memory://hs2013") as book:
        book.set_timezone("Europe/Paris")
        touches = (
            ledger.Touch(
                "meeting",
                str(a),
                (str(b),),
                _EPOCH + timedelta(seconds=int(s)),
                duration_seconds=int(d),
                symmetric=True,
                source="sociopatterns:highschool2013",
                source_ref=f"{a}-{b}-{s}",
            )
            for a, b, s, d in zip(meetings.a, meetings.b, meetings.s, meetings.d, strict=True)
        )
        book.record_many(touches, create_people=True, keep_ids=False)
        views = book.pairs(_EPOCH + timedelta(seconds=AS_OF))
        summary = book.network(_EPOCH + timedelta(seconds=AS_OF))
    index = pd.MultiIndex.from_tuples(
        [tuple(sorted((int(v.a), int(v.b)))) for v in views], names=["a", "b"]
    )
    strength = pd.Series([v.strength for v in views], index=index)
    sustained = pd.Series(
        [float(v.level == ledger.DepthLevel.SUSTAINED) for v in views], index=index
    )
    return strength, sustained, summary


def baselines(meetings: pd.DataFrame) -> dict[str, pd.Series]:
    """Simple scores from the raw meetings, written here, independent of the ledger."""
    g = meetings.groupby(["a", "b"])
    return {
        "contact count": g.size().astype(float),
        "total time": g.d.sum().astype(float),
        "days with contact": g.day.nunique().astype(float),
        "longest contact": g.d.max().astype(float),
        "20-s windows": g.n.sum().astype(float),
    }


def evaluate() -> dict[str, Any] | None:
    """Every score's AUC and AP on every layer, among all pairs and among pairs that met."""
    data = hs2013.load()
    if data is None:
        return None
    meetings = hs2013.meetings(data["contacts"])
    strength, sustained, summary = ledger_scores(meetings)
    scores = {"ledger strength": strength, "ledger sustained": sustained, **baselines(meetings)}
    found: dict[str, Any] = {"summary": summary, "strength": strength, "sustained": sustained}
    surveys = hs2013.layers(data)
    for layer in LAYERS:
        pairs = surveys["friendship" if layer.startswith("F") else "diaries"]
        table = hs2013.attach(pairs, scores)
        met = table[table["contact count"] > 0]
        for name in scores:
            for subset, rows in (("all", table), ("met", met)):
                found[(name, layer, subset, "auc")] = auc(rows[name].values, rows[layer].values)
                found[(name, layer, subset, "ap")] = ap(rows[name].values, rows[layer].values)
    found["names"] = list(scores)
    return found


def report(found: dict[str, Any], markdown: bool) -> str:
    lines = []
    for subset in ("all", "met"):
        lines.append(
            f"\nROC AUC, {'all respondent pairs' if subset == 'all' else 'pairs that met'}"
        )
        header = ["score", *LAYERS]
        rows = [
            [n, *(f"{found[(n, layer, subset, 'auc')]:.3f}" for layer in LAYERS)]
            for n in found["names"]
        ]
        lines.extend(_table(header, rows, markdown))
    top = found["strength"].sort_values(ascending=False).head(3)
    lines.append("\nstrongest pairs: " + ", ".join(f"{a}-{b} {v:.4f}" for (a, b), v in top.items()))
    share = found["sustained"].mean()
    lines.append(f"sustained: {share:.1%} of {len(found['sustained']):,} pairs that met")
    return "\n".join(lines)


def _table(header: list[str], rows: list[list[str]], markdown: bool) -> list[str]:
    if markdown:
        out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        out.extend("| " + " | ".join(r) + " |" for r in rows)
        return out
    width = max(len(r[0]) for r in rows) + 2
    out = [header[0].ljust(width) + "".join(h.rjust(10) for h in header[1:])]
    out.extend(r[0].ljust(width) + "".join(v.rjust(10) for v in r[1:]) for r in rows)
    return out


def main() -> int:
    found = evaluate()
    if found is None:
        print(
            "validation: ../shared/data/sociopatterns (High School 2013) is not here; nothing to do"
        )
        return 0
    print(report(found, "--markdown" in sys.argv))
    return 0


_ = np
if __name__ == "__main__":
    raise SystemExit(main())
