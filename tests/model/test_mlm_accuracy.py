"""Slow: the built-in model's accuracy on real SST-2 test sentences (needs ../shared/data)."""

import json
from pathlib import Path

import pytest

SST2 = Path(__file__).resolve().parents[3] / "shared" / "data" / "sst2_cased" / "test.jsonl"


@pytest.mark.slow
@pytest.mark.skipif(not SST2.exists(), reason="shared/data not present")
def test_builtin_accuracy_matches_the_model_card():
    from maskaug import load_mlm
    from maskaug.model.mlm_accuracy import masked_accuracy

    texts = [json.loads(x)["text"] for x in SST2.read_text(encoding="utf-8").splitlines()]
    mlm = load_mlm(device="cpu")
    tokens = masked_accuracy(mlm.backend, mlm.tokenizer, texts, unit="token")
    assert tokens["top1"] == pytest.approx(0.295, abs=0.005)
    assert tokens["top5"] == pytest.approx(0.445, abs=0.005)


def test_counts_follow_the_protocol(tiny_mlms):
    from maskaug.model.mlm_accuracy import masked_accuracy

    mlm = tiny_mlms["wordpiece"]
    texts = ["The movie was great and the actors were wonderful.", "Who invented the telephone?"] * 5
    tokens = masked_accuracy(mlm.backend, mlm.tokenizer, texts, unit="token", rate=0.5)
    words = masked_accuracy(mlm.backend, mlm.tokenizer, texts, unit="word", rate=0.5)
    n_tokens = [len(mlm.tokenizer(t, add_special_tokens=False)["input_ids"]) for t in texts]
    assert tokens["n"] == sum(max(1, round(0.5 * n)) for n in n_tokens)
    assert 0 < words["n"] <= tokens["n"] and 0 <= tokens["top1"] <= tokens["top5"] <= 1
    again = masked_accuracy(mlm.backend, mlm.tokenizer, texts, unit="token", rate=0.5, token_budget=16)
    assert again == tokens  # batching does not change the score
