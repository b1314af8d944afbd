import numpy as np
import pytest
import torch

from maskaug.model.engine import ANY, FillEngine, FillRequest


def _requests(mlm, texts):
    reqs = []
    for t in texts:
        ids = mlm.tokenizer(t, add_special_tokens=False)["input_ids"]
        pos = list(range(0, len(ids), 3))
        for p in pos:
            ids[p] = mlm.info.mask_id
        reqs.append(FillRequest(ids, pos, [ANY] * len(pos), [False] * len(pos)))
    return reqs


TEXTS = ["The movie was great and the actors were wonderful.", "Who invented the telephone?",
         "Play some jazz.", "Book a table for two at an Italian restaurant tonight please."]


def test_same_candidates_whatever_the_batching(tiny_mlm):
    big = FillEngine(tiny_mlm, token_budget=10_000).predict(_requests(tiny_mlm, TEXTS))
    small = FillEngine(tiny_mlm, token_budget=1).predict(_requests(tiny_mlm, TEXTS))
    for a, b in zip(big, small):
        for (ia, la), (ib, lb) in zip(a, b):
            assert (ia[:5] == ib[:5]).all()
            np.testing.assert_allclose(la[:5], lb[:5], atol=2e-4)


def test_remembered_requests_are_answered_from_memory_with_the_same_candidates(tiny_mlm):
    engine = FillEngine(tiny_mlm)
    fresh = FillEngine(tiny_mlm).predict(_requests(tiny_mlm, TEXTS))
    first = engine.predict(_requests(tiny_mlm, TEXTS[:2]), remember=True)
    passes = engine.forward_passes
    again = engine.predict(_requests(tiny_mlm, TEXTS), remember=True)  # two seen, two new
    assert engine.forward_passes == passes + 1
    for a, b, c in zip(first, again, fresh):  # memory gives back exactly what the model said
        for (ia, la), (ib, lb), (ic, lc) in zip(a, b, c):
            assert (ia == ib).all() and (la == lb).all()
            assert (ia[:5] == ic[:5]).all()
            np.testing.assert_allclose(la[:5], lc[:5], atol=2e-4)
    engine.predict(_requests(tiny_mlm, TEXTS), remember=True)
    assert engine.forward_passes == passes + 1  # all four remembered now
    engine.predict(_requests(tiny_mlm, TEXTS))  # without remember: the model runs
    assert engine.forward_passes == passes + 2


def test_head_only_at_masked_positions_matches_full_logits(tiny_mlm):
    req = _requests(tiny_mlm, TEXTS[:1])[0]
    engine = FillEngine(tiny_mlm)
    ids, lps = engine.predict([req])[0][0]
    seq = torch.tensor([tiny_mlm.info.wrap(req.ids)])
    with torch.inference_mode():
        full = tiny_mlm.model(input_ids=seq).logits[0, req.positions[0] + len(tiny_mlm.info.prefix_ids)]
    full = full.float() + engine._bias[ANY * 2]
    best = torch.log_softmax(full, -1).topk(5)
    assert list(ids[:5]) == best.indices.tolist()
    np.testing.assert_allclose(lps[:5], best.values.numpy(), atol=2e-4)


def test_long_text_is_windowed_not_truncated(tiny_mlm):
    engine = FillEngine(tiny_mlm)
    ids = tiny_mlm.tokenizer(" ".join(TEXTS * 6), add_special_tokens=False)["input_ids"]
    assert len(ids) > tiny_mlm.max_length
    pos = [1, len(ids) // 2, len(ids) - 2]
    for p in pos:
        ids[p] = tiny_mlm.info.mask_id
    out = engine.predict([FillRequest(ids, pos, [ANY] * 3, [False] * 3)])[0]
    assert len(out) == 3 and all(len(c[0]) > 0 for c in out)
    assert engine.forward_passes == 1  # the windows of one text share a batch


def test_model_calls_leave_no_hooks_or_state_on_the_model(tiny_mlms):
    from maskaug.model.loading import load_mlm
    from maskaug.model.pll import pseudo_log_likelihood

    mlm = load_mlm(tiny_mlms["wordpiece"].model.name_or_path, device="cpu")
    head = mlm.model.get_output_embeddings()
    before = set(mlm.model.__dict__)
    for _ in range(3):
        FillEngine(mlm).predict(_requests(mlm, TEXTS[:1]))
    pseudo_log_likelihood(mlm, TEXTS[:1])
    assert not head._forward_pre_hooks and set(mlm.model.__dict__) == before


def test_remember_can_be_said_per_request(tiny_mlm):
    engine = FillEngine(tiny_mlm)
    reqs = _requests(tiny_mlm, TEXTS[:2])
    engine.predict(reqs, remember=[True, False])  # only the first is kept
    passes = engine.forward_passes
    engine.predict(reqs[:1], remember=True)
    assert engine.forward_passes == passes  # answered from memory
    engine.predict(reqs[1:], remember=True)
    assert engine.forward_passes == passes + 1  # the second was never kept
    with pytest.raises(ValueError, match="2 flags for 1 requests"):
        engine.predict(reqs[:1], remember=[True, True])


def test_a_remembered_request_asked_twice_in_one_call_runs_once(tiny_mlm):
    engine = FillEngine(tiny_mlm)
    engine.trace = []
    req = _requests(tiny_mlm, TEXTS[:1])[0]
    twice = engine.predict([req, req], remember=True)
    assert sum(b.rows for b in engine.trace) == 1
    for (ia, la), (ib, lb) in zip(twice[0], twice[1]):
        assert (ia == ib).all() and (la == lb).all()
    engine.trace = []
    engine.predict([req, req])  # without remember each request is read
    assert sum(b.rows for b in engine.trace) == 2
