"""Conversations, calls and kind weights on data with declared ties; mailbox sanity checks.

Run:  .venv/bin/python validation/messages.py [--markdown]

1. Copenhagen Networks Study (Sapiezynski et al., Sci. Data 6:315, 2019): 4 weeks of
   calls (with durations) and SMS among ~700 students; truth = Facebook friendship.
2. MIT Social Evolution (Madan et al. 2012; Reality Commons): Oct 2008 - May 2009 calls and
   SMS in a dormitory; truth = surveyed close friends / socialise twice a week.
3. Inter-message gaps (CollegeMsg, email-Eu-core, Enron, CNS SMS): where sessions end.
4. Sanity on mailboxes (no truth): the longest one-evening burst vs a year of steady
   contact, under today's count and the proposed conversation rule; depth levels reached.

Each part skips politely when its data are absent (see sources.py and SOURCES.md).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common as C
import sources
from hs2013 import fmt
from metrics import ap, auc

GAPS_MIN = [1, 5, 10, 30, 60, 120, 360, 1440]
CHOSEN_GAP = 1800.0
F = C.F_FUNCS["log2(1+k)"]
G_CALL = C.log_g(60.0, 1800.0)  # the recommended duration shape, normalised to a 30-minute call


def evaluate(
    P: pd.DataFrame,
    scores: dict[str, pd.Series],
    cols: list[str],
    md: bool,
    title: str,
    met_col: str,
):
    idx = pd.MultiIndex.from_arrays([P.a, P.b])
    X = P.copy()
    for k, s in scores.items():
        X[k] = s.reindex(idx).fillna(0.0).values
    out = []
    for setname, sel in (("all candidate pairs", X), ("pairs in contact", X[X[met_col] > 0])):
        t = pd.DataFrame(
            {
                f"{c} {m.__name__.upper()}": [m(sel[k].values, sel[c].values) for k in scores]
                for c in cols
                for m in (auc, ap)
            },
            index=list(scores),
        )
        out.append(
            fmt(
                t,
                md,
                f"{title}, {setname}",
                {"pairs": len(sel), **{c: int(sel[c].sum()) for c in cols}},
            )
        )
    return "\n".join(out)


def message_scores(sms: pd.DataFrame, T: int, tz: int = 0) -> dict[str, pd.Series]:
    s: dict[str, pd.Series] = {}
    s["B messages"] = C.by_pair(np.ones(len(sms)), sms)
    s["B days with messages"] = C.days_with(sms, tz)
    s["B two-way days"] = C.two_way_days(sms, tz)
    s["B weeks with messages"] = C.weeks_with(sms, tz)
    for g in GAPS_MIN:
        s[f"sessions G={g}m"] = C.by_pair(
            C.conversation_factor(sms, g * 60, C.F_FUNCS["1 (sessions)"]), sms
        )
    for g in GAPS_MIN:
        s[f"log2(1+k) G={g}m"] = C.by_pair(C.conversation_factor(sms, g * 60, F), sms)
    for name in ("sqrt(k)",):
        for g in (10, 60):
            s[f"{name} G={g}m"] = C.by_pair(
                C.conversation_factor(sms, g * 60, C.F_FUNCS[name]), sms
            )
    return s


def call_scores(calls: pd.DataFrame, T: int, tz: int = 0) -> dict[str, pd.Series]:
    s: dict[str, pd.Series] = {}
    s["B calls"] = C.by_pair(np.ones(len(calls)), calls)
    s["B call time"] = C.by_pair(calls.d.values, calls)
    s["B days with calls"] = C.days_with(calls, tz)
    s["B longest call"] = calls.groupby(["a", "b"]).d.max().astype(float)
    for d0 in (10, 30, 60, 120, 300, 600):
        s[f"day log(1+D/{d0})"] = C.by_pair(C.duration_factor(calls, C.log_g(d0), True, tz), calls)
    s["call log(1+d/60)"] = C.by_pair(C.duration_factor(calls, C.log_g(60), False, tz), calls)
    return s


def combined(calls, sms, tz, ratios=(0.3, 1, 3, 10, 30)) -> dict[str, pd.Series]:
    """W_call * sum(call factors) + W_msg * sum(message factors), factors as recommended."""
    cf = C.by_pair(C.duration_factor(calls, G_CALL, True, tz), calls)
    mf = C.by_pair(C.conversation_factor(sms, CHOSEN_GAP, F), sms)
    cn = C.by_pair(np.ones(len(calls)), calls)
    mn = C.by_pair(np.ones(len(sms)), sms)
    out = {"today: 3*calls + 1*messages": cn.mul(3).add(mn, fill_value=0)}
    for r in ratios:
        out[f"recommended, W_call/W_msg = {r}"] = cf.mul(r).add(mf, fill_value=0)
    for ref in (60, 300, 600, 1800):
        cr = C.by_pair(C.duration_factor(calls, C.log_g(60.0, ref), True, tz), calls)
        out[f"W_call=3, W_msg=1, D_REF={ref}s"] = cr.mul(3).add(mf, fill_value=0)
    out["calls only (recommended)"] = cf
    out["messages only (recommended)"] = mf
    return out


def depth_rows(calls, sms, tz) -> dict[str, pd.Series]:
    """Distinct days with two-way contact: a call, or messages both ways that day."""
    day_c = pd.DataFrame(
        {"a": calls.a, "b": calls.b, "day": (calls.t + tz) // C.DAY}
    ).drop_duplicates()
    x = pd.DataFrame(
        {"a": sms.a, "b": sms.b, "day": (sms.t + tz) // C.DAY, "s": sms.s}
    ).drop_duplicates()
    both = x.groupby(["a", "b", "day"]).s.nunique()
    day_m = both[both >= 2].reset_index()[["a", "b", "day"]]
    days = pd.concat([day_c, day_m]).drop_duplicates().groupby(["a", "b"]).size().astype(float)
    out = {"two-way days": days}
    for K in (2, 3, 5):
        out[f"[two-way days >= {K}]"] = (days >= K).astype(float)
    w = pd.concat([day_c, day_m]).drop_duplicates()
    w["w"] = (w.day + 3) // 7
    weeks = w[["a", "b", "w"]].drop_duplicates().groupby(["a", "b"]).size()
    for K in (2, 3):
        out[f"[two-way weeks >= {K}]"] = (weeks >= K).astype(float)
    one = C.by_pair(np.ones(len(sms)), sms).add(C.by_pair(np.ones(len(calls)), calls), fill_value=0)
    out["[any contact] (= today's levels: one_way/live)"] = (one > 0).astype(float)
    return out


# ------------------------------------------------------------------------------ CNS


def cns(md: bool) -> str:
    calls = sources.mirror_csv("cns", "calls.csv")
    sms = sources.mirror_csv("cns", "sms.csv")
    fb = sources.mirror_csv("cns", "fb_friends.csv")
    if calls is None or sms is None or fb is None:
        return "\n== CNS: skipped (mirror of UCL-ARC/social-contagion-of-violence not found)"
    calls = calls[(calls["from"] != calls["to"]) & (calls.duration > 0)]
    sms = sms[sms["from"] != sms["to"]]
    C_ = C.pair_frame(calls["from"], calls["to"], calls.timestamp, d=calls.duration)
    S_ = C.pair_frame(sms["from"], sms["to"], sms.timestamp)
    T = int(max(C_.t.max(), S_.t.max()))
    friends = set(map(tuple, np.sort(fb[["user_a", "user_b"]].values, axis=1)))
    users = sorted(set(fb.user_a) | set(fb.user_b))
    active = set(S_.a) | set(S_.b) | set(C_.a) | set(C_.b)
    people = [u for u in users if u in active]
    P = pd.DataFrame(
        np.array([(x, y) for i, x in enumerate(people) for y in people[i + 1 :]]),
        columns=["a", "b"],
    )
    P["FB"] = [(a, b) in friends for a, b in zip(P.a, P.b)]
    out = [
        f"\n## Copenhagen Networks Study: {len(C_)} answered calls, {len(S_)} SMS; "
        f"{len(people)} people with Facebook data and some call/SMS; truth: Facebook friends"
    ]
    ms = message_scores(S_, T)
    out.append(evaluate(P, ms, ["FB"], md, "CNS SMS scores vs Facebook friendship", "B messages"))
    cs = call_scores(C_, T)
    out.append(
        evaluate(
            P, cs, ["FB"], md, "CNS call scores (answered calls) vs Facebook friendship", "B calls"
        )
    )
    cb = combined(C_, S_, 0)
    cb["B any contact count"] = C.by_pair(np.ones(len(C_)), C_).add(
        C.by_pair(np.ones(len(S_)), S_), fill_value=0
    )
    out.append(
        evaluate(
            P, cb, ["FB"], md, "CNS calls + SMS combined (kind weights)", "B any contact count"
        )
    )
    dp = depth_rows(C_, S_, 0)
    out.append(
        evaluate(
            P,
            dp,
            ["FB"],
            md,
            "CNS depth criteria (in-contact set = any call or SMS)",
            "[any contact] (= today's levels: one_way/live)",
        )
    )
    return "\n".join(out)


# ------------------------------------------------------------------------------ Social Evolution


def _secs(col: pd.Series) -> np.ndarray:
    return pd.to_datetime(col).astype("datetime64[s]").astype("int64").values


def socialevolution(md: bool) -> str:
    sms = sources.mirror_csv("socialevolution", "SMS.csv")
    calls = sources.mirror_csv("socialevolution", "Calls.csv")
    rel = sources.mirror_csv("socialevolution", "RelationshipsFromSurveys.csv")
    if sms is None or calls is None or rel is None:
        return "\n== Social Evolution: skipped (mirror of uoguelph-mlrg/LDG not found)"
    lo, hi = _secs(pd.Series(["2008-09-01"]))[0], _secs(pd.Series(["2009-07-01"]))[0]
    k = sms[sms["dest.user.id.if.known"].notna()].copy()
    k["dst"] = k["dest.user.id.if.known"].astype(int)
    k = k[k["user.id"] != k.dst]
    k["t"] = _secs(k.time)
    k = k[(k.t >= lo) & (k.t < hi)]
    k["snd"] = np.where(k.incoming == 0, k["user.id"], k.dst)
    k["rcv"] = np.where(k.incoming == 0, k.dst, k["user.id"])
    k = k.drop_duplicates(["snd", "rcv", "t"])  # one message logged by both phones
    c = calls[calls.dest_user_id_if_known.notna() & calls.user_id.notna()].copy()
    c["dst"] = c.dest_user_id_if_known.astype(int)
    c = c[
        (c.user_id != c.dst) & (c.duration > 0) & (c.duration < 32767)
    ]  # 16-bit saturation dropped
    c["t"] = _secs(c.time_stamp)
    c = c[(c.t >= lo) & (c.t < hi)]
    C_ = C.pair_frame(c.user_id.astype(int), c.dst, c.t, d=c.duration)
    C_["m"] = C_.t // 120
    C_ = C_.drop_duplicates(["a", "b", "m"]).drop(columns="m")  # one call logged by both phones
    S_ = C.pair_frame(k.snd.astype(int), k.rcv.astype(int), k.t)
    T = int(hi)
    rel = rel[(rel["id.A"] != rel["id.B"]) & (rel["survey.date"] >= "2008-10-01")]
    resp = sorted(set(rel["id.A"]))
    P = pd.DataFrame(
        np.array([(x, y) for i, x in enumerate(resp) for y in resp[i + 1 :]]), columns=["a", "b"]
    )
    cols = []
    for r, short in (("CloseFriend", "CF"), ("SocializeTwicePerWeek", "S2W")):
        named = set(zip(rel[rel.relationship == r]["id.A"], rel[rel.relationship == r]["id.B"]))
        fwd = np.array([(a, b) in named for a, b in zip(P.a, P.b)])
        bwd = np.array([(b, a) in named for a, b in zip(P.a, P.b)])
        P[f"{short}_either"] = fwd | bwd
        P[f"{short}_both"] = fwd & bwd
        cols += [f"{short}_either", f"{short}_both"]
    out = [
        f"\n## MIT Social Evolution: {len(C_)} calls, {len(S_)} SMS between {len(resp)} respondents' phones; "
        "truth: surveyed close friends (CF) / socialise twice a week (S2W), any survey Oct 2008 - May 2009"
    ]
    out.append(
        evaluate(P, message_scores(S_, T), cols, md, "Social Evolution SMS scores", "B messages")
    )
    out.append(evaluate(P, call_scores(C_, T), cols, md, "Social Evolution call scores", "B calls"))
    cb = combined(C_, S_, 0)
    cb["B any contact count"] = C.by_pair(np.ones(len(C_)), C_).add(
        C.by_pair(np.ones(len(S_)), S_), fill_value=0
    )
    out.append(
        evaluate(
            P,
            cb,
            cols,
            md,
            "Social Evolution calls + SMS combined (kind weights)",
            "B any contact count",
        )
    )
    dp = depth_rows(C_, S_, 0)
    out.append(
        evaluate(
            P,
            dp,
            cols,
            md,
            "Social Evolution depth criteria",
            "[any contact] (= today's levels: one_way/live)",
        )
    )
    return "\n".join(out)


# ------------------------------------------------------------------------------ gaps and sanity


def load_edges(name: str) -> pd.DataFrame | None:
    if name == "enron":
        m, r = sources.shared("enron/messages.tsv.gz"), sources.shared("enron/recipients.tsv.gz")
        if m is None or r is None:
            return None
        m = pd.read_csv(m, sep="\t", header=None, names=["id", "file", "t", "subj", "s"], quoting=3)
        r = pd.read_csv(r, sep="\t", header=None, names=["id", "ord", "r"])
        n = r.groupby("id").size().rename("n")
        e = r.merge(m[["id", "t", "s"]], on="id").merge(n, on="id")
        e = e[e.s != e.r]
        return pd.DataFrame(
            {"s": e.s.values, "r": e.r.values, "t": e.t.values, "people": e.n.values + 1}
        )
    path = {
        "collegemsg": "snap/CollegeMsg.txt.gz",
        "email-eu": "snap/email-Eu-core-temporal.txt.gz",
    }[name]
    p = sources.shared(path)
    if p is None:
        return None
    e = pd.read_csv(p, sep=" ", header=None, names=["s", "r", "t"])
    return e[e.s != e.r].assign(people=2)


def gap_table(md: bool) -> str:
    rows, hist = {}, []
    data = {k: load_edges(k) for k in ("collegemsg", "email-eu", "enron")}
    cns_sms = sources.mirror_csv("cns", "sms.csv")
    if cns_sms is not None:
        data["cns-sms"] = pd.DataFrame(
            {"s": cns_sms["from"], "r": cns_sms["to"], "t": cns_sms.timestamp}
        )
    for name, e in data.items():
        if e is None:
            continue
        df = C.pair_frame(e.s, e.r, e.t)
        same = (df.a.diff() == 0) & (df.b.diff() == 0)
        g = df.t.diff()[same].values
        g = g[g > 0]
        h, edges = np.histogram(np.log10(g), bins=np.arange(0, 7.01, 0.25))
        below_1h = edges[:-1] < np.log10(3600)
        mode = 10 ** (edges[:-1][below_1h][np.argmax(h[below_1h])] + 0.125)
        rows[name] = {
            **{f"<= {x}m": (g <= x * 60).mean() for x in (1, 10, 30, 60, 360)},
            "<= 1d": (g <= 86400).mean(),
            "mode below 1 h (s)": mode,
        }
        hist.append(
            f"{name}: gaps per quarter-decade from 1 s: " + " ".join(str(int(c)) for c in h)
        )
    t = pd.DataFrame(rows).T
    return (
        fmt(
            t,
            md,
            "Inter-message gaps within a pair (either direction): share at most X; "
            "'mode': centre of the most populated quarter-decade below 1 h",
        )
        + "\n"
        + "\n".join(hist)
    )


def burst_vs_steady(md: bool) -> str:
    """The busiest single evening (most messages of one pair within 6 hours) against the
    steadiest pair's last year (most distinct weeks with contact), each as of its own end."""
    out = []
    for name in ("collegemsg", "email-eu", "enron"):
        e = load_edges(name)
        if e is None:
            continue
        df = C.pair_frame(e.s, e.r, e.t, people=e.people)
        df["day"] = df.t // C.DAY
        # busiest 6-hour window of any pair
        six = df.assign(w=df.t // (6 * 3600)).groupby(["a", "b", "w"]).size()
        (a, b, w), n = six.idxmax(), six.max()
        burst = df[(df.a == a) & (df.b == b) & (df.t // (6 * 3600) == w)]
        wk = df.assign(wk=(df.day + 3) // 7).groupby(["a", "b"]).wk.nunique()
        sp = wk.idxmax()
        steady = df[(df.a == sp[0]) & (df.b == sp[1])]
        steady = steady[steady.t > steady.t.max() - 365 * C.DAY]
        rows = {}
        for label, x in (
            (f"evening burst {a}-{b}: {n} messages within 6 h", burst),
            (f"steady pair {sp[0]}-{sp[1]}, its last 365 days", steady),
        ):
            x = x.sort_values("t").reset_index(drop=True)
            T_x = int(x.t.max())
            r = {
                "messages": len(x),
                "distinct days": x.day.nunique(),
                "distinct weeks": int(((x.day + 3) // 7).nunique()),
                "sessions (G=30 min)": int((C.session_index(x, CHOSEN_GAP) == 1).sum()),
            }
            for h in (90.0, np.inf):
                dec = C.decay(x, T_x, h)
                grp = 1.0 / np.maximum(x.people.values - 1, 1)
                r[f"today: count, h={h:g}"] = float(np.sum(dec))
                r[f"proposed, h={h:g}"] = float(
                    np.sum(C.conversation_factor(x, CHOSEN_GAP, F) * grp * dec)
                )
            rows[label] = r
        out.append(
            fmt(
                pd.DataFrame(rows).T,
                md,
                f"{name}: one evening vs one year (strength in message units, "
                "as of each one's last message; proposed = G 30 min, f(k) = log2(1+k), group 1/(n-1))",
            )
        )
        cnt = C.by_pair(np.ones(len(df)), df)
        prop = C.by_pair(
            C.conversation_factor(df, CHOSEN_GAP, F) / np.maximum(df.people.values - 1, 1), df
        )
        top = cnt.sort_values(ascending=False).index[:20]
        out.append(
            f"{name}: messages per session (G=30 min): mean {len(df) / (C.session_index(df, CHOSEN_GAP) == 1).sum():.2f}; "
            f"Spearman rank correlation of proposed vs message count over all pairs (no decay): "
            f"{np.corrcoef(cnt.rank(), prop.reindex(cnt.index).rank())[0, 1]:.3f}; "
            f"top-20 pairs by count still in the proposed top-20: {len(set(top) & set(prop.sort_values(ascending=False).index[:20]))}"
        )
    return "\n".join(out)


def depth_reach(md: bool) -> str:
    rows = {}
    for name in ("collegemsg", "email-eu", "enron"):
        e = load_edges(name)
        if e is None:
            continue
        df = C.pair_frame(e.s, e.r, e.t)
        pairs = df.groupby(["a", "b"]).ngroups
        tw = C.two_way_days(df)
        tw = tw.reindex(df.groupby(["a", "b"]).size().index).fillna(0)
        month = (
            pd.to_datetime(df.t, unit="s").dt.year * 12 + pd.to_datetime(df.t, unit="s").dt.month
        ).values
        x = pd.DataFrame({"a": df.a, "b": df.b, "m": month, "s": df.s}).drop_duplicates()
        tm = (x.groupby(["a", "b", "m"]).s.nunique() >= 2).groupby(level=[0, 1]).sum()
        ww = C.weeks_with(df, two_way=True)
        rows[name] = {
            "pairs": pairs,
            "two-way (ever both sent)": float((df.groupby(["a", "b"]).s.nunique() >= 2).mean()),
            "today: 2-way months>=3": float((tm >= 3).sum() / pairs),
            "2-way days>=2": float((tw >= 2).mean()),
            "2-way days>=3": float((tw >= 3).mean()),
            "2-way days>=5": float((tw >= 5).mean()),
            "2-way weeks>=3": float((ww >= 3).sum() / pairs),
        }
    return fmt(
        pd.DataFrame(rows).T,
        md,
        "Depth reach on message logs: share of pairs (that exchanged anything) meeting each criterion",
    )


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--markdown", action="store_true")
    p.add_argument("--only", choices=["cns", "se", "gaps", "burst", "depth"])
    a = p.parse_args()
    parts = {
        "gaps": gap_table,
        "burst": burst_vs_steady,
        "depth": depth_reach,
        "cns": cns,
        "se": socialevolution,
    }
    for k, fn in parts.items():
        if a.only in (None, k):
            print(fn(a.markdown))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
