import numpy as np
import pytest

from maskaug.fill import Sampler, normalize

IDS = np.array([10, 11, 12, 13])
LPS = np.log(np.array([0.5, 0.3, 0.15, 0.05]))


def test_argmax_and_rank_skip_rejected():
    rng = np.random.default_rng(0)
    assert Sampler("argmax").choose(IDS, LPS, rng) == 0
    assert Sampler("argmax").choose(IDS, LPS, rng, reject=lambda i: i == 10) == 1
    assert Sampler("rank", rank=2).choose(IDS, LPS, rng) == 1
    assert Sampler("rank", rank=9).choose(IDS, LPS, rng) == 3
    assert Sampler("argmax").choose(IDS, LPS, rng, reject=lambda i: True) is None


def test_top_k_top_p_and_temperature_restrict_the_draw():
    draws = {Sampler(top_k=2).choose(IDS, LPS, np.random.default_rng(s)) for s in range(200)}
    assert draws == {0, 1}
    draws = {Sampler(top_k=None, top_p=0.6).choose(IDS, LPS, np.random.default_rng(s)) for s in range(200)}
    assert draws == {0, 1}
    cold = [Sampler(top_k=None, temperature=0.05).choose(IDS, LPS, np.random.default_rng(s)) for s in range(50)]
    assert set(cold) == {0}


def test_sampling_is_deterministic_per_rng():
    a = [Sampler(top_k=None).choose(IDS, LPS, np.random.default_rng(7)) for _ in range(5)]
    assert len(set(a)) == 1


def test_bad_parameters_fail_early():
    with pytest.raises(ValueError):
        Sampler("beam")
    with pytest.raises(ValueError):
        Sampler(temperature=0)
    with pytest.raises(ValueError):
        Sampler(top_p=1.5)


def test_normalize_is_case_and_width_insensitive():
    assert normalize("Ｇｏｏｄ ") == normalize("good")
