"""ROC AUC and average precision in plain numpy (no scikit-learn needed).

- ``auc``: the Mann-Whitney U statistic divided by n_pos * n_neg, with tied scores
  given their average rank (so a tie between a positive and a negative counts 1/2).
  Equals sklearn.metrics.roc_auc_score.
- ``ap``: average precision, the step-wise sum over distinct score thresholds
  (highest first) of (recall_k - recall_{k-1}) * precision_k, tied scores forming one
  threshold. Equals sklearn.metrics.average_precision_score.
"""

from __future__ import annotations

import numpy as np


def average_ranks(x: np.ndarray) -> np.ndarray:
    """1-based ranks of ``x`` ascending, ties given the mean of the ranks they span."""
    x = np.asarray(x, dtype=float)
    order = np.argsort(x, kind="mergesort")
    xs = x[order]
    distinct = np.r_[True, xs[1:] != xs[:-1]]
    group = np.cumsum(distinct) - 1
    starts = np.flatnonzero(distinct)
    ends = np.r_[starts[1:], len(xs)]  # exclusive
    mean_rank = (starts + 1 + ends) / 2.0  # mean of ranks starts+1 .. ends
    ranks = np.empty(len(x))
    ranks[order] = mean_rank[group]
    return ranks


def auc(score: np.ndarray, label: np.ndarray) -> float:
    label = np.asarray(label, dtype=bool)
    n_pos = int(label.sum())
    n_neg = len(label) - n_pos
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    r = average_ranks(score)
    return float((r[label].sum() - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


def ap(score: np.ndarray, label: np.ndarray) -> float:
    score = np.asarray(score, dtype=float)
    label = np.asarray(label, dtype=bool)
    n_pos = int(label.sum())
    if n_pos == 0:
        return float("nan")
    order = np.argsort(-score, kind="mergesort")
    s, y = score[order], label[order]
    last = np.r_[s[1:] != s[:-1], True]  # last index of each distinct threshold
    tp = np.cumsum(y)[last]
    k = np.flatnonzero(last) + 1
    precision = tp / k
    recall = tp / n_pos
    return float(np.sum(np.diff(np.r_[0.0, recall]) * precision))
