"""Mean ± std over splits, paired comparisons against a baseline on the same splits, and rates of
binary outcomes (label flips) with Wilson intervals and exact McNemar tests."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np
from scipy import stats


@dataclass(frozen=True)
class Paired:
    """A paired comparison of two methods over the same splits."""

    mean_diff: float
    std_diff: float
    wins: int
    losses: int
    n: int
    t_pvalue: float  # paired t-test, two-sided
    wilcoxon_pvalue: float  # Wilcoxon signed-rank, two-sided
    ci_lo: float = math.nan  # 95% t interval of the mean difference
    ci_hi: float = math.nan

    def as_dict(self) -> dict:
        """The comparison as JSON-able numbers."""
        return asdict(self)


def mean_ci(values: Sequence[float], level: float = 0.95) -> tuple[float, float]:
    """The ``level`` t interval of the mean of ``values`` (nan for fewer than two)."""
    a = np.asarray(values, dtype=float)
    if len(a) < 2:
        return math.nan, math.nan
    half = float(stats.t.ppf(0.5 + level / 2, len(a) - 1) * a.std(ddof=1) / math.sqrt(len(a)))
    return float(a.mean()) - half, float(a.mean()) + half


def min_wilcoxon_p(n: int) -> float:
    """The smallest two-sided p-value a Wilcoxon signed-rank test of ``n`` pairs can give (all wins)."""
    return min(1.0, 2.0 / 2**n) if n else 1.0


def mean_std(values: Sequence[float]) -> tuple[float, float]:
    """Mean and sample standard deviation (0 for one value)."""
    a = np.asarray(values, dtype=float)
    return float(a.mean()), float(a.std(ddof=1)) if len(a) > 1 else 0.0


def paired(method: Sequence[float], baseline: Sequence[float]) -> Paired:
    """Paired statistics of ``method - baseline`` over the same splits."""
    a, b = np.asarray(method, dtype=float), np.asarray(baseline, dtype=float)
    if a.shape != b.shape:
        raise ValueError(f"paired comparison needs the same splits: {a.shape} vs {b.shape}")
    d = a - b
    mean, std = mean_std(d)
    if len(d) < 2 or np.allclose(d, d[0]):
        t_p = 1.0 if np.allclose(d, 0) else (0.0 if len(d) > 1 else math.nan)
    else:
        t_p = float(stats.ttest_rel(a, b).pvalue)
    nonzero = d[~np.isclose(d, 0)]
    w_p = float(stats.wilcoxon(nonzero).pvalue) if len(nonzero) >= 1 else 1.0
    lo, hi = mean_ci(d)
    return Paired(mean, std, int((d > 1e-12).sum()), int((d < -1e-12).sum()), len(d), t_p, w_p, lo, hi)


def proportion_ci(hits: int, total: int, level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for ``hits / total``."""
    if total == 0:
        return math.nan, math.nan
    ci = stats.binomtest(int(hits), int(total)).proportion_ci(confidence_level=level, method="wilson")
    return float(ci.low), float(ci.high)


@dataclass(frozen=True)
class PairedRate:
    """``method`` vs ``reference`` on the same items: rate difference and exact McNemar test."""

    rate_diff: float  # rate(method) - rate(reference)
    only_method: int  # items where only the method has the outcome
    only_reference: int
    n: int
    pvalue: float  # exact McNemar (binomial test on the discordant pairs), two-sided

    def as_dict(self) -> dict:
        """The comparison as JSON-able numbers."""
        return asdict(self)


def paired_rate(method: Sequence[bool], reference: Sequence[bool]) -> PairedRate:
    """Compare two binary outcomes measured on the same items (e.g. label flips of the outputs of two
    methods for the same source row and copy)."""
    a, b = np.asarray(method, dtype=bool), np.asarray(reference, dtype=bool)
    if a.shape != b.shape:
        raise ValueError(f"paired rates need the same items: {a.shape} vs {b.shape}")
    only_a, only_b = int((a & ~b).sum()), int((b & ~a).sum())
    p = float(stats.binomtest(only_a, only_a + only_b).pvalue) if only_a + only_b else 1.0
    diff = float(a.mean() - b.mean()) if len(a) else math.nan
    return PairedRate(diff, only_a, only_b, len(a), p)
