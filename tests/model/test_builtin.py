import time

import torch

from maskaug import load_mlm
from maskaug.augmenter import Augmenter


def test_builtin_model_loads_offline_and_knows_english():
    t0 = time.perf_counter()
    mlm = load_mlm(device="cpu")
    assert time.perf_counter() - t0 < 30  # generous for CI; bench.md records the real figure
    tok = mlm.tokenizer
    enc = tok("the capital of france is [MASK] .", return_tensors="pt")
    with torch.inference_mode():
        logits = mlm.model(**enc).logits
    pos = enc["input_ids"][0].tolist().index(tok.mask_token_id)
    top = tok.convert_ids_to_tokens(logits[0, pos].topk(10).indices.tolist())
    assert "paris" in top


def test_builtin_substitution_is_fluent_enough():
    aug = Augmenter("substitute.v2", n=2, seed=0)
    outs = aug.augment(["The acting is superb and the story is moving."])[0]
    assert len(outs) == 2 and all(o != "The acting is superb and the story is moving." for o in outs)
