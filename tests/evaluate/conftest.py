"""What the evaluate tests share: a small sentiment dataset (its sentences, and its training, test and unlabelled
files written once), and a config factory for an evaluation of it on the tiny WordPiece model."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from maskaug.evaluate.config import EvalConfig


@dataclass(frozen=True)
class Reviews:
    """Short film reviews: 8 positive, 8 negative, and 6 more of either kind (the unlabelled pool)."""

    pos: list[str] = field(default_factory=lambda: [
        "the movie was great and the actors were wonderful", "i loved every minute of this charming comedy",
        "a wonderful film with great heart", "charming actors and a great plot", "i loved the great jokes",
        "every minute was wonderful and charming", "a great comedy that i loved", "wonderful and great fun"])
    neg: list[str] = field(default_factory=lambda: [
        "a dull lifeless film with no heart at all", "the plot is thin and the jokes fall flat",
        "dull actors and a thin plot", "no heart and no jokes at all", "the film was dull and flat",
        "a lifeless comedy with thin jokes", "flat jokes and a dull minute", "thin and lifeless at all"])
    more: list[str] = field(default_factory=lambda: [
        "great fun and a wonderful cast", "a dull and thin story", "i loved this charming film",
        "flat and lifeless jokes", "wonderful actors with heart", "no plot and no fun at all"])


@pytest.fixture(scope="session")
def reviews() -> Reviews:
    """The dataset's sentences."""
    return Reviews()


@pytest.fixture(scope="session")
def data(tmp_path_factory, write_jsonl, reviews) -> Path:
    """A folder with ``train.jsonl`` (the 16 labelled reviews), ``test.jsonl`` (three of them with a word added,
    and one of the unlabelled ones) and ``unlabelled.jsonl`` (the 6 more, under a label column no learner may
    read; one is a test text, so it is left out of the pool)."""
    d = tmp_path_factory.mktemp("evaldata")
    pos, neg, more = reviews.pos, reviews.neg, reviews.more
    write_jsonl(d / "train.jsonl", [{"text": t, "label": "pos"} for t in pos] + [{"text": t, "label": "neg"}
                                                                                  for t in neg])
    test = [(pos[0] + " indeed", "pos"), (neg[0] + " indeed", "neg"), (pos[3] + " indeed", "pos"), (more[3], "neg")]
    write_jsonl(d / "test.jsonl", [{"text": t, "label": y} for t, y in test])
    write_jsonl(d / "unlabelled.jsonl", [{"text": t, "label": "NOT A LABEL"} for t in more])
    return d


@pytest.fixture
def eval_config(data, tiny_model_dirs, tmp_path):
    """``eval_config(**settings)``: an ``EvalConfig`` of ``data`` (k = 2) with the tiny WordPiece model as encoder
    and MLM, its store under the test's ``tmp_path / "cache"``; ``settings`` override any of it.
    ``eval_config.data``: the dataset's folder."""
    model = str(tiny_model_dirs["wordpiece"])

    def make(**settings) -> EvalConfig:
        base = dict(data=str(data / "train.jsonl"), test=str(data / "test.jsonl"), k=[2], encoder=model, model=model,
                    cache_dir=str(tmp_path / "cache"))
        return EvalConfig(**{**base, **settings})

    make.data = data
    return make
