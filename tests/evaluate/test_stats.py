import math

import pytest
from scipy import stats as sps

from maskaug.evaluate.stats import mean_std, paired, paired_rate, proportion_ci


def test_paired_matches_scipy_and_counts_wins():
    a = [0.61, 0.70, 0.64, 0.58, 0.66]
    b = [0.55, 0.71, 0.60, 0.50, 0.62]
    p = paired(a, b)
    assert p.mean_diff == pytest.approx(sum(x - y for x, y in zip(a, b)) / 5)
    assert p.t_pvalue == pytest.approx(sps.ttest_rel(a, b).pvalue)
    assert p.wilcoxon_pvalue == pytest.approx(sps.wilcoxon([x - y for x, y in zip(a, b)]).pvalue)
    assert (p.wins, p.losses, p.n) == (4, 1, 5)


def test_paired_identical_runs_and_shape_mismatch():
    p = paired([0.5, 0.6], [0.5, 0.6])
    assert p.mean_diff == 0 and p.t_pvalue == 1.0 and p.wilcoxon_pvalue == 1.0 and p.wins == p.losses == 0
    with pytest.raises(ValueError, match="same splits"):
        paired([0.1, 0.2], [0.1])


def test_mean_std_sample_std():
    m, s = mean_std([1.0, 2.0, 3.0])
    assert m == 2.0 and s == pytest.approx(1.0)
    assert mean_std([4.0]) == (4.0, 0.0)
    assert math.isnan(paired([0.7], [0.5]).t_pvalue)


def test_proportion_ci_is_the_wilson_interval():
    k, n, z = 14, 100, sps.norm.ppf(0.975)
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    lo, hi = proportion_ci(k, n)
    assert lo == pytest.approx(centre - half) and hi == pytest.approx(centre + half)
    assert proportion_ci(0, 10)[0] == pytest.approx(0) and all(math.isnan(x) for x in proportion_ci(0, 0))


def test_paired_rate_counts_discordant_pairs_and_exact_mcnemar():
    method = [True] * 3 + [False] * 7 + [True] * 5
    reference = [False] * 3 + [True] * 1 + [False] * 6 + [True] * 5
    r = paired_rate(method, reference)
    assert (r.only_method, r.only_reference, r.n) == (3, 1, 15)
    assert r.rate_diff == pytest.approx(8 / 15 - 6 / 15)
    # two-sided exact test on 4 discordant pairs, 3 vs 1: 2 * P(X >= 3 | Bin(4, 1/2)) = 2 * 5/16
    assert r.pvalue == pytest.approx(2 * (math.comb(4, 3) + math.comb(4, 4)) / 16)
    assert paired_rate([True, False], [True, False]).pvalue == 1.0
    with pytest.raises(ValueError, match="same items"):
        paired_rate([True], [True, False])
