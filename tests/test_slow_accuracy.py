"""Slow: the built-in model's accuracy on real SST-2 test sentences (needs ../shared/data)."""

import json
from pathlib import Path

import pytest

SST2 = Path(__file__).resolve().parents[2] / "shared" / "data" / "sst2_cased" / "test.jsonl"


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
