import math

import pytest
from scipy import stats as sps

from maskaug.evaluate.stats import mean_std, paired


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
