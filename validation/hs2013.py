"""Which tie-strength formula ranks self-reported ties best? SocioPatterns High School 2013.

Run from the repository root (or anywhere):  .venv/bin/python validation/hs2013.py
Options: --quick (skip the bootstrap), --gap SECONDS (meeting merge gap, default 20 as
the importer), --markdown (tables as Markdown, the form FINDINGS.md quotes).

Reads ../shared/data/sociopatterns/highschool2013_*.gz relative to the repository root;
exits 0 with a message when they are absent. Data: Mastrandrea, Fournet & Barrat, PLoS ONE
10(9): e0136497 (2015), SocioPatterns collaboration, CC BY-NC-SA 3.0: measured here,
never copied into the repository.

Everything is defined in validation/FINDINGS.md ("Evaluation"); in short:
- meetings: the windows of one pair merged while window ends are <= gap s apart (exactly
  what ledger.importers.meetings does), starting at the first window's start, lasting to
  the last window's end;
- candidates: unordered pairs of two respondents of the survey in question (who also wore
  a sensor), either all of them ("all") or those that met during the week ("met");
- layers: friendship named by either / by both; diary contact reported by either, with
  the larger of the two reported durations w >= 1, 2, 3, 4, and reported by both;
  Facebook friends (from a mirror of keithmcnulty/onadata-python, see SOURCES.md;
  skipped when absent);
- scores: baselines and strength candidates, over the whole week (T = end of the data) or
  over day 4 only (the diaries' day; T = end of that day).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
import reference
import sources
from metrics import ap, auc

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data" / "sociopatterns"
WINDOW = 20
UTC_OFFSET = 3600  # Marseille in December 2013: CET = UTC+1
DAY = 86400
DAY4 = pd.Timestamp("2013-12-05").value // 10**9 // DAY  # local day number of Thu 5 Dec
HOUR = 3600.0


# ---------------------------------------------------------------------------- data


def load() -> dict[str, pd.DataFrame] | None:
    files = {
        "contacts": "highschool2013_contacts.csv.gz",
        "friendship": "highschool2013_friendship.csv.gz",
        "diaries": "highschool2013_diaries.csv.gz",
        "metadata": "highschool2013_metadata.txt.gz",
    }
    if not all((DATA / f).exists() for f in files.values()):
        return None
    c = pd.read_csv(
        DATA / files["contacts"], sep=" ", header=None, names=["t", "i", "j", "ci", "cj"]
    )
    f = pd.read_csv(DATA / files["friendship"], sep=" ", header=None, names=["i", "j"])
    d = pd.read_csv(DATA / files["diaries"], sep=" ", header=None, names=["i", "j", "w"])
    m = pd.read_csv(DATA / files["metadata"], sep="\t", header=None, names=["i", "cls", "gender"])
    return {"contacts": c, "friendship": f, "diaries": d, "metadata": m}


def meetings(contacts: pd.DataFrame, gap: int = WINDOW) -> pd.DataFrame:
    """One row per meeting: a < b, start s, end e, duration d (s), windows n, local day."""
    a = np.minimum(contacts.i.values, contacts.j.values)
    b = np.maximum(contacts.i.values, contacts.j.values)
    df = pd.DataFrame({"a": a, "b": b, "t": contacts.t.values})
    df = df.sort_values(["a", "b", "t"], kind="stable")
    new = (df.a.diff() != 0) | (df.b.diff() != 0) | (df.t.diff() > gap)
    df["m"] = new.cumsum().values
    g = df.groupby("m", sort=True).agg(
        a=("a", "first"), b=("b", "first"), s=("t", "first"), e=("t", "last"), n=("t", "size")
    )
    g["s"] -= WINDOW
    g["d"] = g.e - g.s
    g["day"] = (g.s + UTC_OFFSET) // DAY
    return g.sort_values(["a", "b", "s"]).reset_index(drop=True)


# ---------------------------------------------------------------------------- scores

G = Callable[[np.ndarray], np.ndarray]


def g_log(d0: float) -> G:
    return lambda d: np.log2(1.0 + d / d0)


def g_pow(alpha: float) -> G:
    return lambda d: np.power(d, alpha)


def strength(m: pd.DataFrame, T: int, g: G | None, h_days: float, per_day: bool) -> pd.Series:
    """Sum over meetings of factor_k * 2^(-(T - s_k)/h); factor 1 when g is None.

    per_day: factor_k = g(D_after) - g(D_before), D = the pair's seconds so far that day
    (in meeting start order); else factor_k = g(d_k).
    """
    if g is None:
        factor = np.ones(len(m))
    elif per_day:
        after = m.groupby(["a", "b", "day"]).d.cumsum().values.astype(float)
        factor = g(after) - g(after - m.d.values)
    else:
        factor = g(m.d.values.astype(float))
    decay = np.power(2.0, -(T - m.s.values) / (h_days * DAY)) if h_days != np.inf else 1.0
    return (
        pd.Series(factor * decay, index=pd.MultiIndex.from_arrays([m.a, m.b]))
        .groupby(level=[0, 1])
        .sum()
    )


def baselines(m: pd.DataFrame) -> pd.DataFrame:
    daily = m.groupby(["a", "b", "day"]).d.sum()
    per = m.groupby(["a", "b"]).agg(
        count=("d", "size"), total_time=("d", "sum"), longest=("d", "max"), windows=("n", "sum")
    )
    per["days"] = daily.groupby(level=[0, 1]).size()
    per["longest_day"] = daily.groupby(level=[0, 1]).max()
    return per


def depth_days(m: pd.DataFrame, min_seconds: int) -> pd.Series:
    """Distinct local days on which the pair spent at least ``min_seconds`` together."""
    daily = m.groupby(["a", "b", "day"]).d.sum()
    return (daily >= min_seconds).groupby(level=[0, 1]).sum()


# ---------------------------------------------------------------------------- layers


def pairs_of(people: list[int]) -> pd.DataFrame:
    p = np.array(sorted(people))
    x, y = np.triu_indices(len(p), 1)
    return pd.DataFrame({"a": p[x], "b": p[y]})


def layers(data: dict[str, pd.DataFrame]) -> dict[str, tuple[pd.DataFrame, str]]:
    """Each survey's candidate pairs with 0/1 columns, one per layer."""
    sensor = set(data["contacts"].i) | set(data["contacts"].j)
    out = {}
    f = data["friendship"]
    named = set(zip(f.i, f.j))
    P = pairs_of(sorted(set(f.i) & sensor))
    fwd = np.array([(a, b) in named for a, b in zip(P.a, P.b)])
    bwd = np.array([(b, a) in named for a, b in zip(P.a, P.b)])
    P["F_either"] = fwd | bwd
    P["F_both"] = fwd & bwd
    out["friendship"] = P
    d = data["diaries"]
    w = {(i, j): v for i, j, v in zip(d.i, d.j, d.w)}
    Q = pairs_of(sorted(set(d.i) & sensor))
    wf = np.array([w.get((a, b), 0) for a, b in zip(Q.a, Q.b)])
    wb = np.array([w.get((b, a), 0) for a, b in zip(Q.a, Q.b)])
    wmax = np.maximum(wf, wb)
    for k in (1, 2, 3):
        Q[f"D_w>={k}" if k > 1 else "D_any"] = wmax >= k
    Q["D_w=4"] = wmax == 4
    Q["D_both"] = (wf > 0) & (wb > 0)
    out["diaries"] = Q
    fb = sources.mirror_csv("schoolfriends", "schoolfriends_edgelist.csv")
    if fb is not None:  # Facebook links among the 156 students whose Facebook data are known
        fb = fb[fb.type == "facebook"]
        known = set(map(tuple, np.sort(fb[["from", "to"]].values, axis=1)))
        B = pairs_of(sorted((set(fb["from"]) | set(fb.to)) & sensor))
        B["Facebook"] = [(a, b) in known for a, b in zip(B.a, B.b)]
        out["facebook"] = B
    return out


# ---------------------------------------------------------------------------- evaluation


def attach(P: pd.DataFrame, scores: dict[str, pd.Series]) -> pd.DataFrame:
    idx = pd.MultiIndex.from_arrays([P.a, P.b])
    cols = {name: s.reindex(idx).fillna(0.0).values for name, s in scores.items()}
    return pd.concat([P.reset_index(drop=True), pd.DataFrame(cols)], axis=1)


def table(X: pd.DataFrame, names: list[str], cols: list[str], metric) -> pd.DataFrame:
    return pd.DataFrame(
        {c: [metric(X[n].values, X[c].values) for n in names] for c in cols}, index=names
    )


def fmt(df: pd.DataFrame, md: bool, title: str, extra: dict[str, int] | None = None) -> str:
    lines = [f"\n### {title}" if md else f"\n== {title}"]
    if extra:
        lines.append(", ".join(f"{k}: {v}" for k, v in extra.items()))
        lines.append("")
    w = max(len(str(i)) for i in df.index)
    if md:
        lines.append("| score | " + " | ".join(df.columns) + " |")
        lines.append("|---|" + "---:|" * len(df.columns))
        for i, r in df.iterrows():
            lines.append(f"| {i} | " + " | ".join(f"{v:.3f}" for v in r.values) + " |")
    else:
        lines.append(" " * w + "  " + "  ".join(f"{c:>9}" for c in df.columns))
        for i, r in df.iterrows():
            lines.append(f"{i:<{w}}  " + "  ".join(f"{v:9.3f}" for v in r.values))
    return "\n".join(lines)


D0_GRID = [10, 20, 30, 60, 120, 300, 600, 1800, 3600]
CHOSEN = dict(d0=60.0, h_days=90.0, per_day=True)


def candidate_scores(m: pd.DataFrame, T: int) -> dict[str, pd.Series]:
    s: dict[str, pd.Series] = {}
    base = baselines(m)
    for k in ["count", "total_time", "days", "longest", "windows"]:
        s[f"B {k}"] = base[k]
    s["current 4*count h=90d"] = 4 * strength(m, T, None, 90, False)
    for d0 in D0_GRID:
        s[f"meet log(1+d/{d0})"] = strength(m, T, g_log(d0), 90, False)
    for al in (0.25, 0.5):
        s[f"meet d^{al}"] = strength(m, T, g_pow(al), 90, False)
    for d0 in D0_GRID:
        s[f"day log(1+D/{d0})"] = strength(m, T, g_log(d0), 90, True)
    for al in (0.25, 0.5, 0.75):
        s[f"day D^{al}"] = strength(m, T, g_pow(al), 90, True)
    return s


def half_life_scores(m: pd.DataFrame, T: int) -> dict[str, pd.Series]:
    s: dict[str, pd.Series] = {}
    g = g_log(CHOSEN["d0"])
    for h in (1, 2, 7, 30, 90, 365, np.inf):
        s[f"day log(1+D/60) h={h}d"] = strength(m, T, g, h, True)
    for h in (1, 2, 7, 90):
        s[f"count h={h}d"] = strength(m, T, None, h, False)
    return s


def depth_scores(m: pd.DataFrame) -> dict[str, pd.Series]:
    s: dict[str, pd.Series] = {}
    any_met = m.groupby(["a", "b"]).size() > 0
    s["current depth (live for all)"] = any_met.astype(float)
    for ms in (20, 60, 300):
        dd = depth_days(m, ms)
        s[f"days(>= {ms}s)"] = dd.astype(float)
        for K in (2, 3, 4):
            s[f"[days(>= {ms}s) >= {K}]"] = (dd >= K).astype(float)
    return s


def split_check(m, T, P, cols, fold_of, md):
    """Choose d0 (per-day log) on one fold by mean AUC over the layers (met pairs), test on the other."""
    scores = {d0: strength(m, T, g_log(d0), 90, True) for d0 in D0_GRID}
    base = baselines(m)
    rows = []
    for train in (0, 1):
        res = {}
        for fold in (0, 1):
            sel = (P.a.map(fold_of) == fold) & (P.b.map(fold_of) == fold)
            X = attach(
                P[sel],
                {
                    **{d0: s for d0, s in scores.items()},
                    "tt": base.total_time,
                    "cnt": base["count"],
                    "days": base.days,
                },
            )
            X = X[X.cnt > 0]
            res[fold] = {
                k: np.nanmean([auc(X[k].values, X[c].values) for c in cols])
                for k in list(scores) + ["tt", "cnt", "days"]
            }
        best = max(D0_GRID, key=lambda d0: res[train][d0])
        test = 1 - train
        rows.append(
            (
                train,
                best,
                res[train][best],
                res[test][best],
                res[test][60.0],
                res[test]["tt"],
                res[test]["cnt"],
                res[test]["days"],
            )
        )
    df = pd.DataFrame(
        rows,
        columns=[
            "train fold",
            "best d0",
            "train AUC",
            "test AUC (best d0)",
            "test AUC (d0=60)",
            "test total_time",
            "test count",
            "test days",
        ],
    ).set_index("train fold")
    return df


def gap_sensitivity(data, F, Dg, fcols, dcols, md):
    """The importer's merge gap changes the meeting count, not the per-day strength (much)."""
    rows = {}
    for gap in (20, 60, 120, 300):
        m = meetings(data["contacts"], gap)
        T = int(m.e.max())
        S = {
            "B count": baselines(m)["count"],
            "B total_time": baselines(m).total_time,
            "meet log(1+d/60)": strength(m, T, g_log(60), 90, False),
            "day log(1+D/60)": strength(m, T, g_log(60), 90, True),
        }
        XF, XD = attach(F, S), attach(Dg, S)
        XF, XD = XF[XF["B total_time"] > 0], XD[XD["B total_time"] > 0]
        for k in S:
            rows[(k, gap)] = {
                **{c: auc(XF[k].values, XF[c].values) for c in fcols},
                **{c: auc(XD[k].values, XD[c].values) for c in dcols},
                "meetings": len(m),
            }
    t = pd.DataFrame(rows).T
    t.index = [f"{k} (gap {g} s)" for k, g in t.index]
    return fmt(
        t,
        md,
        "Merge-gap sensitivity: ROC AUC among pairs that met, meetings merged with gap 20/60/120/300 s",
    )


def group_analogue(data, F, Dg, fcols, dcols, md):
    """Proximity analogue of the group factor: each 20-s window of i-j weighs 1/(n-1), n-1 = the
    larger of i's and j's number of simultaneous contacts in that window."""
    c = data["contacts"]
    deg = (
        pd.concat([pd.DataFrame({"t": c.t, "p": c.i}), pd.DataFrame({"t": c.t, "p": c.j})])
        .groupby(["t", "p"])
        .size()
    )
    di = deg.reindex(pd.MultiIndex.from_arrays([c.t, c.i])).values
    dj = deg.reindex(pd.MultiIndex.from_arrays([c.t, c.j])).values
    a, b = np.minimum(c.i.values, c.j.values), np.maximum(c.i.values, c.j.values)
    rows = {}
    for name, w in (
        ("none (pairwise meetings)", np.ones(len(c))),
        ("1/(n-1), n-1 = max degree", 1.0 / np.maximum(di, dj)),
        ("1/sqrt(n-1)", 1.0 / np.sqrt(np.maximum(di, dj))),
    ):
        m = meetings(c, WINDOW)
        df = pd.DataFrame({"a": a, "b": b, "t": c.t.values, "w": w}).sort_values(
            ["a", "b", "t"], kind="stable"
        )
        new = (df.a.diff() != 0) | (df.b.diff() != 0) | (df.t.diff() > WINDOW)
        m["d"] = df.groupby(new.cumsum().values).w.sum().values * WINDOW  # same order as meetings()
        S = {
            "total time": m.groupby(["a", "b"]).d.sum(),
            "day log(1+D/60)": strength(m, int(m.e.max()), g_log(60), 90, True),
        }
        XF, XD = attach(F, S), attach(Dg, S)
        XF, XD = XF[XF["total time"] > 0], XD[XD["total time"] > 0]
        for k in S:
            rows[f"{k}, group weight {name}"] = {
                **{f"{c} AUC": auc(XF[k].values, XF[c].values) for c in fcols},
                **{
                    f"{c} AUC": auc(XD[k].values, XD[c].values)
                    for c in ("D_any", "D_w>=3", "D_both")
                },
                "F_either AP": ap(XF[k].values, XF["F_either"].values),
                "D_any AP": ap(XD[k].values, XD["D_any"].values),
            }
    share = float((np.maximum(di, dj) > 1).mean())
    return fmt(
        pd.DataFrame(rows).T,
        md,
        f"Group factor, proximity analogue ({share:.0%} of windows have a third person in contact with i or j); pairs that met",
    )


def depth_beyond_strength(m, T, F, Dg, fcols, dcols, md):
    """Does [days >= K] carry information the strength does not? AUC of the indicator within
    quintiles of the recommended strength (pairs that met), averaged with weights n_pos*n_neg."""
    s = strength(m, T, g_log(60), 90, True)
    days = depth_days(m, 20)
    rows = {}
    for K in (2, 3, 4):
        ind = (days >= K).astype(float)
        r = {}
        for P, cols in ((F, fcols), (Dg, dcols)):
            X = attach(P, {"s": s, "ind": ind})
            X = X[X.s > 0].copy()
            X["q"] = pd.qcut(X.s.rank(method="first"), 5, labels=False)
            for col in cols:
                num = den = 0.0
                for _, grp in X.groupby("q"):
                    pos = grp[col].sum()
                    neg = len(grp) - pos
                    if pos and neg:
                        num += auc(grp.ind.values, grp[col].values) * pos * neg
                        den += pos * neg
                r[col] = num / den if den else np.nan
        rows[f"[days >= {K}] within strength quintiles"] = r
    return fmt(
        pd.DataFrame(rows).T,
        md,
        "Depth beyond strength: AUC of the sustained indicator within strength quintiles (0.5 = no extra information)",
    )


def bootstrap(
    X: pd.DataFrame, a: str, b: str, col: str, reps: int, rng
) -> tuple[float, float, float]:
    """Respondent (node) bootstrap of AUC(a) - AUC(b): resample respondents, keep pairs among them."""
    people = np.unique(np.r_[X.a.values, X.b.values])
    pos = {p: k for k, p in enumerate(people)}
    ia = X.a.map(pos).values
    ib = X.b.map(pos).values
    diffs = []
    for _ in range(reps):
        mult = np.bincount(rng.integers(0, len(people), len(people)), minlength=len(people))
        wgt = mult[ia] * mult[ib]
        keep = wgt > 0
        rep = np.repeat(np.flatnonzero(keep), wgt[keep])
        y = X[col].values[rep]
        diffs.append(auc(X[a].values[rep], y) - auc(X[b].values[rep], y))
    diffs = np.array(diffs)
    return (
        float(auc(X[a].values, X[col].values) - auc(X[b].values, X[col].values)),
        float(np.percentile(diffs, 2.5)),
        float(np.percentile(diffs, 97.5)),
    )


def main() -> int:
    ap_ = argparse.ArgumentParser()
    ap_.add_argument("--gap", type=int, default=WINDOW)
    ap_.add_argument("--quick", action="store_true")
    ap_.add_argument("--markdown", action="store_true")
    args = ap_.parse_args()
    md = args.markdown
    t0 = time.time()
    data = load()
    if data is None:
        print(f"skipped: High School 2013 data not found under {DATA}")
        return 0
    m = meetings(data["contacts"], args.gap)
    T = int(m.e.max())
    m4 = m[m.day == DAY4]
    T4 = int((DAY4 + 1) * DAY - UTC_OFFSET)  # end of Thu 5 Dec, local midnight
    L = layers(data)
    F, Dg = L["friendship"], L["diaries"]
    fcols = ["F_either", "F_both"]
    dcols = ["D_any", "D_w>=2", "D_w>=3", "D_w=4", "D_both"]
    if "facebook" in L:
        B = L["facebook"]
        print(
            f"facebook: {len(np.unique(np.r_[B.a, B.b]))} students with known Facebook links, {len(B)} candidate pairs; "
            f"positives: Facebook {int(B.Facebook.sum())}"
        )
    else:
        print("facebook: skipped (mirror of keithmcnulty/onadata-python not found)")
    print(
        f"meetings (gap {args.gap} s): {len(m)}; pairs that met: {m.groupby(['a', 'b']).ngroups}; "
        f"day-4 meetings: {len(m4)}"
    )
    for name, P, cols in (("friendship", F, fcols), ("diaries", Dg, dcols)):
        people = len(np.unique(np.r_[P.a, P.b]))
        print(
            f"{name}: {people} respondents with a sensor, {len(P)} candidate pairs; positives: "
            + ", ".join(f"{c} {int(P[c].sum())}" for c in cols)
        )

    # 1. main tables: whole week
    S = candidate_scores(m, T)
    names = list(S)
    XF = attach(F, S)
    XD = attach(Dg, S)
    XB = attach(L["facebook"], S) if "facebook" in L else None
    XD4 = attach(Dg, candidate_scores(m4, T4))
    for metric, mname in ((auc, "ROC AUC"), (ap, "AP")):
        for setname, sel in (
            ("all respondent pairs", lambda X: X),
            ("pairs that met (week)", lambda X: X[X["B count"] > 0]),
        ):
            XF_, XD_ = sel(XF), sel(XD)
            parts = [table(XF_, names, fcols, metric), table(XD_, names, dcols, metric)]
            extra = {"pairs F": len(XF_), "pairs D": len(XD_)}
            if XB is not None:
                parts.append(table(sel(XB), names, ["Facebook"], metric))
                extra["pairs Facebook"] = len(sel(XB))
            print(
                fmt(
                    pd.concat(parts, axis=1),
                    md,
                    f"{mname}, scores over the whole week, {setname}",
                    extra,
                )
            )
        for setname, sel in (
            ("all diary pairs", lambda X: X),
            ("pairs that met on day 4", lambda X: X[X["B count"] > 0]),
        ):
            X_ = sel(XD4)
            print(
                fmt(
                    table(X_, names, dcols, metric),
                    md,
                    f"{mname}, scores over day 4 only, {setname}",
                    {"pairs": len(X_)},
                )
            )

    # 2. the issue-12 setup, for continuity: pairs that met with at least one friendship respondent
    R = set(data["friendship"].i)
    base = baselines(m).reset_index()
    Iss = base[base.a.isin(R) | base.b.isin(R)][["a", "b"]].copy()
    named = set(zip(data["friendship"].i, data["friendship"].j))
    Iss["F_either"] = [((a, b) in named) or ((b, a) in named) for a, b in zip(Iss.a, Iss.b)]
    XI = attach(Iss, S)
    short = [
        "B count",
        "B total_time",
        "B days",
        "current 4*count h=90d",
        "meet log(1+d/60)",
        "day log(1+D/60)",
    ]
    print(
        fmt(
            table(XI, short, ["F_either"], auc),
            md,
            "issue-12 setup (pairs that met, >= 1 friendship respondent), ROC AUC",
            {"pairs": len(XI)},
        )
    )

    # 3. half-life
    H = half_life_scores(m, T)
    hn = list(H)
    XFh, XDh = attach(F, H), attach(Dg, H)
    XD4h = attach(Dg, half_life_scores(m4, T4))
    for setname, sel in (
        ("all respondent pairs", lambda X: X),
        ("pairs that met", lambda X: X[X[hn[-1]] > 0]),
    ):
        t = pd.concat(
            [
                table(sel(XFh), hn, fcols, auc),
                table(sel(XDh), hn, dcols, auc),
                table(sel(XD4h), hn, dcols, auc).add_prefix("d4 "),
            ],
            axis=1,
        )
        print(fmt(t, md, f"ROC AUC by half-life (week; 'd4' = day-4 scores), {setname}"))

    # 4. depth among pairs that met
    Dp = depth_scores(m)
    dn = list(Dp)
    XFd = attach(F, Dp)
    XDd = attach(Dg, Dp)
    XFd, XDd = XFd[XFd[dn[0]] > 0], XDd[XDd[dn[0]] > 0]
    t = pd.concat([table(XFd, dn, fcols, auc), table(XDd, dn, dcols, auc)], axis=1)
    frac = pd.DataFrame(
        {"share of met pairs": [XFd[n].mean() if n.startswith("[") else np.nan for n in dn]},
        index=dn,
    )
    print(
        fmt(
            pd.concat([t, frac], axis=1),
            md,
            "Depth criteria: ROC AUC among pairs that met (week); last column: share of friendship pairs meeting the criterion",
        )
    )

    # 5. robustness: 2-fold splits (by class, by student id parity)
    cls = dict(zip(data["metadata"].i, data["metadata"].cls))
    classes = sorted(set(cls.values()))
    by_class = {p: classes.index(c) % 2 for p, c in cls.items()}
    by_id = {p: int(p) % 2 for p in cls}
    for label, fold_of in (
        ("by class (alternate classes in sorted order)", by_class),
        ("by student id parity", by_id),
    ):
        for name, P, cols in (("friendship", F, fcols), ("diaries", Dg, dcols)):
            print(
                fmt(
                    split_check(m, T, P, cols, fold_of, md),
                    md,
                    f"2-fold split {label}, {name}: per-day log d0 chosen on one fold (mean AUC over layers, met pairs)",
                )
            )

    # 5b. merge gap, group analogue, depth beyond strength
    print(gap_sensitivity(data, F, Dg, fcols, dcols, md))
    print(group_analogue(data, F, Dg, fcols, dcols, md))
    print(depth_beyond_strength(m, T, F, Dg, fcols, dcols, md))

    # 6. bootstrap of the chosen default against the baselines
    if not args.quick:
        rng = np.random.default_rng(12)
        rows = []
        chosen = "day log(1+D/60)"
        for setname, XF_, XD_ in (
            ("all", XF, XD),
            ("met", XF[XF["B count"] > 0], XD[XD["B count"] > 0]),
        ):
            for base_name in ("B total_time", "B count", "B days", "current 4*count h=90d"):
                for X_, col in (
                    (XF_, "F_either"),
                    (XF_, "F_both"),
                    (XD_, "D_any"),
                    (XD_, "D_w>=3"),
                ):
                    d, lo, hi = bootstrap(X_, chosen, base_name, col, 200, rng)
                    rows.append(
                        (
                            f"{setname}: vs {base_name[2:] if base_name.startswith('B ') else base_name}",
                            col,
                            d,
                            lo,
                            hi,
                        )
                    )
        bt = pd.DataFrame(rows, columns=["comparison", "layer", "dAUC", "lo95", "hi95"])
        bt = bt.pivot_table(
            index="comparison", columns="layer", values=["dAUC", "lo95", "hi95"], sort=False
        )
        bt.columns = [f"{b} {a}" for a, b in bt.columns]
        bt = bt[
            [
                f"{c} {s}"
                for c in ("F_either", "F_both", "D_any", "D_w>=3")
                for s in ("dAUC", "lo95", "hi95")
            ]
        ]
        print(
            fmt(
                bt,
                md,
                "AUC(day log(1+D/60)) - AUC(baseline), respondent bootstrap 200 reps, 95% interval",
            )
        )

    # 7. the engine reference: the pure-Python fold (reference.py) reproduces the vectorised default
    touches = {}
    for r in m.itertuples(index=False):
        touches.setdefault((r.a, r.b), []).append(
            reference.Touch(t=int(r.s), kind="meeting", duration=float(r.d))
        )
    ref = {k: reference.strength(v, T, tz_offset=UTC_OFFSET) for k, v in touches.items()}
    vec = 4 * strength(m, T, g_log(60.0), 90, True) / np.log2(1 + reference.D_REF_SECONDS / 60.0)
    err = max(abs(ref[k] - vec[k]) for k in ref)
    XR = attach(F, {"ref": pd.Series(ref)})
    XRD = attach(Dg, {"ref": pd.Series(ref)})
    print(
        f"\nreference.strength (4 * per-day log2(1+D/60)/log2(1+{reference.D_REF_SECONDS:.0f}/60), h=90 d) vs vectorised: max |diff| = {err:.2e}"
    )
    print("engine check values (all respondent pairs / pairs that met):")
    for X_, col in ((XR, "F_either"), (XR, "F_both"), (XRD, "D_any"), (XRD, "D_w>=3")):
        met = X_[X_.ref > 0]
        print(
            f"  {col:9} AUC {auc(X_.ref.values, X_[col].values):.3f} / {auc(met.ref.values, met[col].values):.3f}   "
            f"AP {ap(X_.ref.values, X_[col].values):.3f} / {ap(met.ref.values, met[col].values):.3f}"
        )
    top = sorted(ref.items(), key=lambda kv: -kv[1])[:3]
    print(
        f"  as of T = {T} (the last window's end, {pd.Timestamp(T, unit='s')} UTC); top pairs:",
        ", ".join(f"{a}-{b} {v:.4f}" for (a, b), v in top),
    )
    days_local = {k: reference.sustained_days(v, tz_offset=UTC_OFFSET) for k, v in touches.items()}
    days_utc = {k: reference.sustained_days(v, tz_offset=0) for k, v in touches.items()}
    assert days_local == days_utc, "local and UTC days differ"
    sus = pd.Series({k: float(v >= 3) for k, v in days_local.items()})
    share = float(sus.mean())
    msg = []
    for P, col in ((F, "F_either"), (F, "F_both"), (Dg, "D_any"), (Dg, "D_w>=3")):
        X = attach(P, {"sus": sus, "met": pd.Series(1.0, index=sus.index)})
        X = X[X.met > 0]
        msg.append(f"{col} {auc(X.sus.values, X[col].values):.3f}")
    print(
        f"  depth: reference.sustained_days >= 3 (same in UTC and UTC+1) for {share:.1%} of the 5,818 pairs that met; "
        "AUC among respondent pairs that met: " + ", ".join(msg)
    )
    print(f"\n{time.time() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
