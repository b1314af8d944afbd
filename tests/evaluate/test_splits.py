from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from maskaug.evaluate import splits


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(3, 12), min_size=2, max_size=5), st.integers(1, 3), st.integers(1, 4),
       st.integers(0, 1000))
def test_kumar2020_balanced_disjoint_and_repeatable(class_sizes, k, n_splits, seed):
    labels = [c for c, size in enumerate(class_sizes) for _ in range(max(size, 2 * k))]
    got = splits.kumar2020(labels, k, n_splits, seed)
    assert got == splits.kumar2020(labels, k, n_splits, seed)  # same splits for every method and rerun
    assert len(got) == n_splits
    for s in got:
        assert not set(s.train) & set(s.dev)
        assert Counter(labels[i] for i in s.train) == Counter({c: k for c in range(len(class_sizes))})
        assert Counter(labels[i] for i in s.dev) == Counter({c: k for c in range(len(class_sizes))})


def test_kumar2020_splits_differ_and_too_small_class_is_named():
    labels = ["a"] * 30 + ["b"] * 30
    got = splits.kumar2020(labels, 5, 3, seed=0)
    assert len({s.train for s in got}) == 3
    with pytest.raises(ValueError, match="'b': 3"):
        splits.kumar2020(["a"] * 30 + ["b"] * 3, 5, 1)


def test_eda2019_sizes_and_no_dev():
    labels = list(range(5)) * 40
    got = splits.eda2019(labels, 50, 2, seed=1)
    assert [len(set(s.train)) for s in got] == [50, 50] and all(s.dev == () for s in got)
    with pytest.raises(ValueError, match="N=500"):
        splits.eda2019(labels, 500, 1)


def test_hold_out_is_stratified_and_disjoint():
    labels = ["x"] * 50 + ["y"] * 10
    pool, test = splits.hold_out(labels, 0.2, seed=0)
    assert not set(pool) & set(test) and sorted(pool + test) == list(range(60))
    assert Counter(labels[i] for i in test) == Counter({"x": 10, "y": 2})
