import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from maskaug.augmenter import Augmenter
from maskaug.methods import build, from_config, names
from maskaug.splice import splice

METHODS = ["substitute.v2", "insert.v2", "iterative.v2", "mask", "ssmba.v2"]
TEXTS = ["The movie was great and the actors were wonderful.", "Who invented the telephone?",
         "A dull, lifeless film with no heart at all.", "How far is it from Denver to Aspen?"]


def _check_outputs(aug, texts, outs, allow_mask=False):
    mask = aug.info.mask_token
    for text, copies in zip(texts, outs):
        produced = [a.texts["text"] for a in copies]
        assert len(set(produced)) == len(produced)
        for a in copies:
            new = a.texts["text"]
            assert new != text
            assert splice(text, a.edits) == new  # provenance reproduces the output exactly
            for e in a.edits:
                assert text[e.start : e.end] == e.old
                assert "##" not in e.new and "Ġ" not in e.new and "▁" not in e.new
                assert allow_mask or mask not in e.new


@pytest.mark.parametrize("method", METHODS)
def test_every_method_gives_exactly_n_distinct_new_outputs(tiny_mlm, method):
    aug = Augmenter(method, model=tiny_mlm, n=3, seed=1)
    results = list(aug.iter_rows({"text": t} for t in TEXTS))
    assert [rid for rid, _ in results] == list(range(len(TEXTS)))
    _check_outputs(aug, TEXTS, [o for _, o in results], allow_mask=method == "mask")
    assert aug.report.produced + sum(aug.report.shortfall.values()) == aug.report.requested
    if method != "ssmba.v2" or tiny_mlm.info.tokenizer.mask_token != "<mask>":
        assert all(len(o) == 3 for _, o in results)


@pytest.mark.parametrize("method", ["substitute.v2", "iterative.v2", "ssmba.v2", "insert.v2"])
def test_same_seed_same_output_whatever_the_batching(tiny_mlm, method):
    a = Augmenter(method, model=tiny_mlm, n=2, seed=3, chunk_size=1, token_budget=64).augment(TEXTS)
    b = Augmenter(method, model=tiny_mlm, n=2, seed=3, chunk_size=100).augment(TEXTS)
    rev = Augmenter(method, model=tiny_mlm, n=2, seed=3).iter_rows(
        ({"text": t} for t in TEXTS[::-1]), row_ids=range(len(TEXTS) - 1, -1, -1))
    c = [[o.texts["text"] for o in outs] for _, outs in rev]
    assert a == b == c[::-1]
    assert a != Augmenter(method, model=tiny_mlm, n=2, seed=4).augment(TEXTS)


def test_impossible_rows_are_a_counted_shortfall(tiny_mlms):
    aug = Augmenter("substitute.v2", model=tiny_mlms["wordpiece"], n=2, max_attempts=3)
    outs = aug.augment(["!!! ???", "The movie was great."])
    assert outs[0] == [] and len(outs[1]) == 2
    assert aug.report.shortfall == {0: 2}
    assert "shortfall: 1 row short by 2" in aug.report.summary()


def test_long_text_keeps_everything_outside_the_edits(tiny_mlms):
    mlm = tiny_mlms["wordpiece"]
    text = " ".join(TEXTS * 10)
    assert len(mlm.tokenizer(text)["input_ids"]) > mlm.max_length
    aug = Augmenter("substitute.v2", model=mlm, n=1, rate=0.1)
    (out,) = aug.augment([text])[0]
    assert len(out) > len(text) // 2
    a = next(aug.iter_rows([{"text": text}]))[1][0]
    assert splice(text, a.edits) == a.texts["text"]
    assert max(e.start for e in a.edits) > len(text) // 2  # edits reach beyond the first window


def test_pairs_edit_both_fields(tiny_mlms):
    aug = Augmenter("substitute.v2", model=tiny_mlms["wordpiece"], n=2)
    rid, outs = next(aug.iter_rows([{"a": "The movie was great.", "b": "Who invented the telephone?"}]))
    fields = {e.field for o in outs for e in o.edits}
    assert fields == {"a", "b"}


def test_registry_builds_from_kwargs_and_config(tmp_path):
    assert {"substitute.v1", "insert.v1", "iterative.v1", "mask.v1", "ssmba.v1"} <= set(names())
    m = build("substitute.v2", rate=0.3, top_k=5)
    assert m.masker.rate == 0.3 and m.sampler.top_k == 5 and m.name == "substitute.v2"
    cfg = tmp_path / "m.toml"
    cfg.write_text('method = "ssmba.v1"\nrate = 0.2\n')
    assert from_config(cfg).masker.rate == 0.2
    with pytest.raises(ValueError, match="no parameter"):
        build("substitute.v2", colour="red")
    with pytest.raises(KeyError):
        build("paraphrase")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(min_size=1, max_size=80), method=st.sampled_from(["substitute.v2", "insert.v2", "ssmba.v2"]))
def test_splicing_is_exact_on_arbitrary_unicode(tiny_mlm, text, method):
    aug = Augmenter(method, model=tiny_mlm, n=1, max_attempts=2)
    rid, outs = next(aug.iter_rows([{"text": text}]))
    for a in outs:
        assert splice(text, a.edits) == a.texts["text"] != text
        kept = sorted((e.start, e.end) for e in a.edits)
        pos = 0
        for s, e in kept:  # every character outside the edits survives, in order
            assert text[pos:s] in a.texts["text"]
            pos = e
        for e in a.edits:
            assert aug.info.mask_token not in e.new and "##" not in e.new


def test_the_summary_counts_each_shortfall_cause_with_plurals_right(tiny_mlms, tmp_path):
    """A row too short to change, and rows whose candidates a constraint rejects, are counted under their own
    causes; "1 row", "2 rows"."""
    from maskaug.augmenter import shortfall_cause
    from maskaug.constraints import EditRate

    aug = Augmenter("substitute.v2",
                    model=tiny_mlms["wordpiece"], n=2, max_attempts=2, constraints=[EditRate(0.99, 1.0)])
    aug.augment(["Fine.", "The movie was great and the actors were wonderful.", "A dull film with no heart at all."])
    line = aug.report.summary()
    assert "shortfall: 3 rows short by 6 outputs" in line
    assert "rejected by edit_rate: 2 rows" in line and "1 row)" in line and "no new distinct text found" not in line
    assert shortfall_cause("no new distinct text in 3 attempts per output (4 rejected by teacher, 1 repeats of a "
                           "kept output)") == "rejected by teacher"
    assert shortfall_cause("no new distinct text in 3 attempts per output (5 candidates identical to the input, "
                           "1 rejected by fluency)") == "no new distinct text"
    assert shortfall_cause("left as it is: too short to change safely") == "too short to change safely"
