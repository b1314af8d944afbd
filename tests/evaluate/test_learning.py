"""The one learner loop the fine-tuned classifier and the tagger share, and the loss terms an arm attaches."""

import pytest

from maskaug.evaluate.classifiers import FineTuneClassifier
from maskaug.evaluate.learning import LossTerm, Schedule
from maskaug.evaluate.tagger import Tagger


class Counting(LossTerm):
    """A term that adds nothing to the loss and counts the batches it saw."""

    key = "counting"

    def __init__(self):
        self.batches = []

    def settings(self) -> list:
        return [0]

    def loss(self, model, enc, learner):
        import torch

        self.batches.append(len(enc["input_ids"]))
        return torch.tensor(0.0)


def test_a_schedule_is_epochs_of_batches_or_exactly_its_steps():
    assert (Schedule(2, 4).total(10), Schedule(2, 4).check_every(10)) == (6, 3)  # 3 batches a pass, dev each pass
    assert (Schedule(3, 4, steps=7).total(4), Schedule(3, 4, steps=7).check_every(4)) == (7, 3)  # 3 dev checks
    assert Schedule(3, 4, steps=7).total(400) == 7


def test_an_attached_term_joins_every_batch_and_the_learners_identity(tiny_model_dirs, reviews):
    pos, neg = reviews.pos[:4], reviews.neg[:4]
    enc = str(tiny_model_dirs["wordpiece"])
    clf = FineTuneClassifier(enc, epochs=1, batch_size=4, steps=3)
    term = Counting()
    with_term = clf.with_terms(term)
    assert with_term.settings()["counting"] == [0] and "counting" not in clf.settings() and clf.terms == ()
    train, test = (pos + neg, [1] * 4 + [0] * 4), (pos[:2] + neg[:2], [1, 1, 0, 0])
    plain, termed = clf.run(train, None, test, seed=1), with_term.run(train, None, test, seed=1)
    assert term.batches == [4, 4, 4] and plain.steps == termed.steps == 3
    assert termed.test_predictions == plain.test_predictions  # a zero term: the same training, batch for batch
    with pytest.raises(ValueError, match="UDA learner only"):
        clf.run(train, None, test, unlabelled=(["x"], [[]]))


def test_the_tagger_trains_through_the_same_loop(tiny_model_dirs):
    records = [(["Peter", "visited", "Paris"], ["B-PER", "O", "B-LOC"]), (["Anna", "left"], ["B-PER", "O"])]
    term = Counting()
    tagger = Tagger(["B-LOC", "B-PER", "O"], str(tiny_model_dirs["wordpiece"]), steps=3, batch_size=1)
    data = ([t for t, _ in records], [g for _, g in records])
    tagger.with_terms(term).evaluate(data, None, data, seed=0)
    assert term.batches == [1, 1, 1]  # three steps of one sentence, whatever the rows
    assert "counting" not in tagger.settings() and tagger.with_terms(term).settings()["counting"] == [0]
