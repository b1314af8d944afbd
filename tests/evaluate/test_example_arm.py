"""The architecture page's worked example: an arm that changes training is one class and one registry entry, and it
runs through the evaluation (its term in the learner's identity, its runs kept in the store and read back)."""

import re
from pathlib import Path

import pytest

from maskaug.evaluate.arms import ARMS
from maskaug.evaluate.runner import Evaluation

PAGE = Path(__file__).resolve().parents[2] / "docs" / "architecture.md"


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


def test_the_example_arm_trains_the_classifier_with_its_term(example_arm, eval_config):
    cls, printed = example_arm
    assert ARMS["rdrop"] is cls and "RDropArm('rdrop:weight=0.5', role=method) 0.5" in printed
    cfg = eval_config(k=[1], splits=2, methods=["none", "rdrop", "rdrop:weight=0.5"], classifier="finetune", steps=2,
                      epochs=1, quality=False)
    ev = Evaluation(cfg, progress=False)
    res = ev.run()
    assert {r["method"] for r in res["runs"]} == {"none", "rdrop", "rdrop:weight=0.5"}
    assert res["arms"]["rdrop"] == {"arm": "rdrop", "role": "method"}
    assert all(r["train_examples"] == 2 for r in res["runs"])  # k = 1 of two classes, no rows added
    learner = ev.protocol.learner(None, None)
    assert ev.arms[2].learner(learner).settings()["rdrop"] == [0.5]  # the term is part of the learner's identity
    assert res["classifier_runs"] == 6 and res["cached_runs"] == 0  # three learners, two splits
    again = Evaluation(cfg, progress=False).run()
    assert again["runs"] == res["runs"] and again["cached_runs"] == 6
    with pytest.raises(ValueError, match="--classifier finetune"):
        Evaluation(eval_config(methods=["none", "rdrop"]), progress=False)
