"""Vectorised scores shared by the validation scripts (numpy/pandas only).

All functions take an events frame with integer columns ``a < b`` (the pair), ``t``
(seconds), and, where relevant, ``d`` (duration in seconds) and ``s`` (sender id), and
return one value per pair as a Series indexed by (a, b).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

DAY = 86400


def pair_frame(src, dst, t, **cols) -> pd.DataFrame:
    src = np.asarray(src)
    dst = np.asarray(dst)
    df = pd.DataFrame(
        {"a": np.minimum(src, dst), "b": np.maximum(src, dst), "s": src, "t": np.asarray(t)}
    )
    for k, v in cols.items():
        df[k] = np.asarray(v)
    return df.sort_values(["a", "b", "t"], kind="stable").reset_index(drop=True)


def by_pair(values, df: pd.DataFrame) -> pd.Series:
    return (
        pd.Series(
            np.asarray(values, dtype=float),
            index=pd.MultiIndex.from_arrays([df.a.values, df.b.values]),
        )
        .groupby(level=[0, 1])
        .sum()
    )


def decay(df: pd.DataFrame, T: int, h_days: float) -> np.ndarray:
    if h_days == np.inf:
        return np.ones(len(df))
    return np.power(2.0, -(T - df.t.values) / (h_days * DAY))


def log_g(d0: float, ref: float | None = None) -> Callable[[np.ndarray], np.ndarray]:
    norm = np.log2(1.0 + ref / d0) if ref else 1.0
    return lambda d: np.log2(1.0 + np.asarray(d, dtype=float) / d0) / norm


def duration_factor(df: pd.DataFrame, g, per_day: bool, tz_offset: int = 0) -> np.ndarray:
    """Per-touch factor: g(D_after) - g(D_before) within (pair, local day), or g(d)."""
    d = df.d.values.astype(float)
    if not per_day:
        return g(d)
    day = (df.t.values + tz_offset) // DAY
    after = pd.Series(d).groupby([df.a.values, df.b.values, day]).cumsum().values
    return g(after) - g(after - d)


def session_index(df: pd.DataFrame, gap: float) -> np.ndarray:
    """1-based position of each message in its pair's session (messages either way, each
    within ``gap`` seconds of the previous one). df sorted by a, b, t."""
    same = (df.a.diff() == 0) & (df.b.diff() == 0)
    new = ~(same & (df.t.diff() <= gap))
    sid = new.cumsum().values
    return pd.Series(np.ones(len(df))).groupby(sid).cumsum().values.astype(int)


def conversation_factor(
    df: pd.DataFrame, gap: float, f: Callable[[np.ndarray], np.ndarray]
) -> np.ndarray:
    if gap <= 0:
        return np.ones(len(df))
    j = session_index(df, gap)
    return f(j) - f(j - 1)


F_FUNCS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "1 (sessions)": lambda k: np.minimum(k, 1).astype(float),
    "log2(1+k)": lambda k: np.log2(1.0 + k),
    "sqrt(k)": lambda k: np.sqrt(k),
    "k (messages)": lambda k: np.asarray(k, dtype=float),
}


def days_with(df: pd.DataFrame, tz_offset: int = 0) -> pd.Series:
    day = (df.t.values + tz_offset) // DAY
    return (
        pd.DataFrame({"a": df.a.values, "b": df.b.values, "day": day})
        .drop_duplicates()
        .groupby(["a", "b"])
        .size()
    )


def two_way_days(df: pd.DataFrame, tz_offset: int = 0) -> pd.Series:
    """Days on which both sides sent something."""
    day = (df.t.values + tz_offset) // DAY
    x = pd.DataFrame(
        {"a": df.a.values, "b": df.b.values, "day": day, "s": df.s.values}
    ).drop_duplicates()
    both = x.groupby(["a", "b", "day"]).s.nunique() >= 2
    return both.groupby(level=[0, 1]).sum()


def weeks_with(df: pd.DataFrame, tz_offset: int = 0, two_way: bool = False) -> pd.Series:
    day = (df.t.values + tz_offset) // DAY
    week = (day + 3) // 7  # ISO weeks: Unix day 0 is a Thursday
    x = pd.DataFrame(
        {"a": df.a.values, "b": df.b.values, "w": week, "s": df.s.values}
    ).drop_duplicates()
    if two_way:
        ok = x.groupby(["a", "b", "w"]).s.nunique() >= 2
        return ok.groupby(level=[0, 1]).sum()
    return x[["a", "b", "w"]].drop_duplicates().groupby(["a", "b"]).size()
