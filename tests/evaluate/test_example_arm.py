"""The architecture page's worked example: an arm that changes training is one class and one registry entry, and it
runs through the evaluation (its term in the learner's identity, its runs kept in the store and read back)."""

import json
import re
from pathlib import Path

import pytest

from maskaug.evaluate.arms import ARMS
from maskaug.evaluate.config import EvalConfig
from maskaug.evaluate.runner import Evaluation

PAGE = Path(__file__).resolve().parents[2] / "docs" / "architecture.md"
POS = ["the movie was great and the actors were wonderful", "i loved every minute of this charming comedy",
       "a wonderful film with great heart", "charming actors and a great plot"]
NEG = ["a dull lifeless film with no heart at all", "the plot is thin and the jokes fall flat",
       "dull actors and a thin plot", "no heart and no jokes at all"]


@pytest.fixture
def example_arm(capsys):
    """The page's example block, run as the page shows it (its class and what it printed); the registry as it was
    afterwards."""
    code = re.search(r"<!-- example-arm -->\n```python\n(.*?)```", PAGE.read_text("utf-8"), re.S).group(1)
    namespace: dict = {"__name__": "example_arm"}
    exec(compile(code, str(PAGE), "exec"), namespace)
    try:
        yield namespace["RDropArm"], capsys.readouterr().out
    finally:
        ARMS.pop("rdrop", None)


def test_the_example_arm_trains_the_classifier_with_its_term(example_arm, tiny_model_dirs, tmp_path):
    cls, printed = example_arm
    assert ARMS["rdrop"] is cls and "RDropArm('rdrop:weight=0.5', role=method) 0.5" in printed
    rows = [{"text": t, "label": "pos"} for t in POS] + [{"text": t, "label": "neg"} for t in NEG]
    (tmp_path / "train.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    enc = str(tiny_model_dirs["wordpiece"])
    cfg = EvalConfig(data=str(tmp_path / "train.jsonl"), test=str(tmp_path / "train.jsonl"), k=[1], splits=2,
                     methods=["none", "rdrop", "rdrop:weight=0.5"], classifier="finetune", steps=2, epochs=1,
                     encoder=enc, model=enc, quality=False, cache_dir=str(tmp_path / "cache"))
    ev = Evaluation(cfg, progress=False)
    res = ev.run()
    assert {r["method"] for r in res["runs"]} == {"none", "rdrop", "rdrop:weight=0.5"}
    assert res["arms"]["rdrop"] == {"arm": "rdrop", "role": "method"}
    assert all(r["train_examples"] == 2 for r in res["runs"])  # no rows added
    learner = ev.protocol.learner(None, None)
    assert ev.arms[2].learner(learner).settings()["rdrop"] == [0.5]  # the term is part of the learner's identity
    assert res["classifier_runs"] == 6 and res["cached_runs"] == 0  # three learners, two splits
    again = Evaluation(cfg, progress=False).run()
    assert again["runs"] == res["runs"] and again["cached_runs"] == 6
    with pytest.raises(ValueError, match="--classifier finetune"):
        Evaluation(EvalConfig(**{**cfg.__dict__, "classifier": "logreg", "steps": None}), progress=False)
