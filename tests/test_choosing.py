"""The choice stage: K candidates per output in one pass, the scorer's best kept, still exactly n distinct."""

from __future__ import annotations

import numpy as np
import pytest

from maskaug import Augmenter
from maskaug.choosing import Mix, Scorer, build

TEXTS = ["The movie was great and the actors were wonderful.", "A dull, lifeless film with no heart at all.",
         "Who invented the telephone in the nineteenth century?", "What is the capital city of France?"]


class Shortest(Scorer):
    """Prefers shorter outputs, and remembers every batch it scored."""

    name = "shortest"

    def __init__(self):
        self.batches = []

    def __call__(self, batch, mlm):
        self.batches.append(list(batch.texts))
        return -np.array([len(t) for t in batch.texts], dtype=float)


def test_k_candidates_in_one_pass_and_the_best_is_kept(tiny_mlms):
    mlm = tiny_mlms["wordpiece"]
    scorer = Shortest()
    chosen = Augmenter("substitute.v2", model=mlm, n=2, seed=1, choose=8, scorer=scorer, rate=0.3)
    passes0 = chosen.engine.forward_passes
    got = list(chosen.iter_rows({"text": t} for t in TEXTS))
    for _rid, outs in got:
        assert len(outs) == 2 and len({a.texts["text"] for a in outs}) == 2  # exactly n, distinct
        for a in outs:
            assert a.extra["choice_score"] == -len(a.texts["text"])
    # the 8 candidates of every output in one batched pass, and at most two more for the closing check (the edited
    # texts, then the sources of the checks the edited text alone cannot decide)
    assert chosen.engine.forward_passes - passes0 in (1, 2, 3)
    assert max(len(b) for b in scorer.batches) > len(TEXTS) * 2  # more candidates than outputs were scored
    plain = Augmenter("substitute.v2", model=mlm, n=2, seed=1, rate=0.3).augment(TEXTS)
    mean_len = np.mean([len(a.texts["text"]) for _, outs in got for a in outs])
    assert mean_len <= np.mean([len(t) for outs in plain for t in outs])  # the scorer's preference shows


def test_choose_one_is_the_plain_augmenter(tiny_mlms):
    mlm = tiny_mlms["bytebpe"]
    assert (Augmenter("insert.v2", model=mlm, n=2, seed=4, choose=1, scorer=Shortest()).augment(TEXTS)
            == Augmenter("insert.v2", model=mlm, n=2, seed=4).augment(TEXTS))


def test_scorer_specs(tiny_mlms):
    with pytest.raises(ValueError, match="needs labels"):
        build("teacher")
    with pytest.raises(ValueError, match="unknown scorer"):
        build("beauty")
    mix = build("fluency=1,fluency=0.5")
    assert isinstance(mix, Mix) and [w for w, _ in mix.parts] == [1.0, 0.5]
    with pytest.raises(ValueError, match="needs a scorer"):
        Augmenter("substitute.v2", model=tiny_mlms["wordpiece"], choose=4)


def test_a_fluency_choice_runs_end_to_end(tiny_mlms):
    aug = Augmenter("substitute.v2", model=tiny_mlms["wordpiece"], n=1, seed=0, choose=4, scorer=build("fluency"))
    out = aug.augment(TEXTS)
    assert [len(x) for x in out] == [1, 1, 1, 1]
