import pytest
import torch

from maskaug.metrics import distinct_n, edit_rate
from maskaug.model.pll import pseudo_log_likelihood


def test_edit_rate_and_distinct():
    assert edit_rate("a b c d", "a x c d") == pytest.approx(0.25)
    assert edit_rate("a b", "a b c") == pytest.approx(0.5)
    assert distinct_n(["a b a b"], 1) == pytest.approx(0.5)
    assert distinct_n(["a b a b"], 2) == pytest.approx(2 / 3)


def test_pll_matches_one_forward_pass_per_masked_token(tiny_mlm):
    texts = ["the movie was great", "How far is it from Denver?", "x"]
    got = pseudo_log_likelihood(tiny_mlm, texts, batch_tokens=40)
    tok, model = tiny_mlm.tokenizer, tiny_mlm.model
    for text, (pll, count) in zip(texts, got):
        enc = tok(text, return_special_tokens_mask=True)
        ids, special = enc["input_ids"], enc["special_tokens_mask"]
        want, n = 0.0, 0
        for p, sp in enumerate(special):
            if sp:
                continue
            masked = list(ids)
            masked[p] = tok.mask_token_id
            with torch.no_grad():
                logits = model(input_ids=torch.tensor([masked])).logits[0, p]
            want += torch.log_softmax(logits, -1)[ids[p]].item()
            n += 1
        assert count == n and pll == pytest.approx(want, abs=1e-3)


def test_pll_of_no_texts_is_empty(tiny_mlm):
    assert pseudo_log_likelihood(tiny_mlm, []) == []


def test_two_methods_with_the_same_outputs_share_the_fluency_cache(tiny_model_dirs, tiny_mlms):
    from sklearn.linear_model import LogisticRegression

    from maskaug.embeddings import Embedder
    from maskaug.evaluate.quality import intrinsic

    sources = ["the movie was great", "a dull film with no heart", "great fun", "no heart at all"]
    labels = [1, 0, 1, 0]
    outputs = [["the film was great"], ["a dull film with no soul"], ["great jokes"], ["no jokes at all"]]
    embedder = Embedder(str(tiny_model_dirs["wordpiece"]))
    oracle = LogisticRegression().fit(embedder(sources), labels)
    cache: dict[str, float] = {}
    first = intrinsic(sources, labels, outputs, 1, embedder, oracle, tiny_mlms["wordpiece"], 4, 0, cache)
    again = intrinsic(sources, labels, outputs, 1, embedder, oracle, tiny_mlms["wordpiece"], 4, 0, cache)
    assert again == first and len(cache) == 8  # the second call finds every text cached
