"""The v3 rules (issue 35): kept word classes, whole words, probable fills, an edit budget, method specs."""

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from maskaug.document import Doc
from maskaug.masking import Masker
from maskaug.methods import build
from maskaug.methods.registry import split_spec
from maskaug.wordclass import closed_class, kept_word, name_like, numeric, preposition

KEEPER = dict(names=True, numbers=True, function_words=True, whole_words=True)


def test_word_classes():
    for w in ("the", "The", "would", "don't", "it's", "between", "themselves", "can't", "won't"):
        assert closed_class(w), w
    for w in ("film", "cheque", "walked", "slowly", "beautiful"):
        assert not closed_class(w) and kept_word(w, opens=False) is None, w
    for w in ("27", "3.5", "B-52", "seventeen", "third", "Oct", "1990s", "hundreds"):
        assert numeric(w), w
    assert name_like("Martinez", opens=False) and not name_like("Martinez", opens=True)
    assert name_like("iPhone", opens=True) and name_like("NASA", opens=True)
    assert not name_like("film", opens=False)
    for odd in ("", " ", ",", "--", "’", "\u00e9t\u00e9", "\u4e2d\u6587"):  # empty, punctuation, other scripts
        assert not closed_class(odd) and not numeric(odd) and not name_like(odd, opens=False), odd


def test_prepositions():
    for w in ("of", "Of", "to", "with", "in,", "(from", "between", "“into”"):
        assert preposition(w), w
    for w in ("the", "film", "ofen", "", ",", "and", "directly"):
        assert not preposition(w), w


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["film", "the", "of", "to", "walked", "slowly", "in", "quiet", "house", "with",
                                 "Of", "into,", "a", "ran", ","]), min_size=2, max_size=16), st.integers(0, 2**16))
def test_no_slot_right_before_a_preposition(tiny_mlms, words, seed):
    """before_prepositions=false: every insertion gap it offers is one before_prepositions=true offers, and no
    gap is right before a preposition; the other gaps are all still there."""
    mlm = tiny_mlms["wordpiece"]
    text = " ".join(words).replace(" ,", ",")
    doc = Doc.parse(text, mlm.info)
    every = Masker(unit="insert", rate=1.0, edges=False).candidates(doc, mlm.info)
    fewer = Masker(unit="insert", rate=1.0, edges=False, before_prepositions=False).candidates(doc, mlm.info)
    next_word = {g.start: text[g.start :].split(" ", 1)[0] for g in every}
    assert [g.start for g in fewer] == [g.start for g in every if not preposition(next_word[g.start])], text
    rng = np.random.default_rng(seed)
    for slot in Masker(unit="insert", rate=1.0, edges=False, before_prepositions=False).choose(doc, mlm.info, rng):
        assert not preposition(text[slot.start :].split(" ", 1)[0]), (text, slot)


WORDS = st.sampled_from(["film", "Pedro", "Martinez", "the", "would", "27", "Oct", "walked", "slowly", "and",
                         "cheque", "NASA", "e-mail", "don't", "5.99", "quiet", "house", "of", "very", ","])


@settings(max_examples=60, deadline=None)
@given(st.lists(WORDS, min_size=3, max_size=18), st.integers(0, 2**16))
def test_kept_words_are_never_masked_and_no_slot_touches_a_name_or_number(tiny_mlms, words, seed):
    mlm = tiny_mlms["wordpiece"]
    text = " ".join(words).replace(" ,", ",")
    doc = Doc.parse(text, mlm.info)
    rng = np.random.default_rng(seed)
    for slot in Masker(unit="word", rate=1.0, **KEEPER).choose(doc, mlm.info, rng):
        word = slot.old
        i = next(k for k, w in enumerate(doc.words) if w.start == slot.start)
        opens = i == 0
        assert kept_word(word, opens) is None, (text, word)
        # whole words only: the word is everything between the spaces around it, punctuation aside
        left = text[: slot.start].rsplit(" ", 1)[-1]
        right = text[slot.end :].split(" ", 1)[0]
        assert not re.search(r"\w", left + right), (text, word)
    anchors = {k for k, w in enumerate(doc.words) if numeric(w.text(doc)) or name_like(w.text(doc), k == 0)
               or w.last - w.first > 1}
    for slot in Masker(unit="insert", rate=1.0, edges=False, **KEEPER).choose(doc, mlm.info, rng):
        before = [k for k, w in enumerate(doc.words) if w.end <= slot.start and re.search(r"\w", w.text(doc))]
        after = [k for k, w in enumerate(doc.words) if w.start >= slot.start and re.search(r"\w", w.text(doc))]
        assert not (before and before[-1] in anchors) and not (after and after[0] in anchors), (text, slot)


@pytest.mark.parametrize("method", ["insert.v3", "substitute.v3", "iterative.v3", "ssmba.v3"])
def test_budget_caps_the_edits_of_every_output(tiny_mlms, method):
    from maskaug.augmenter import Augmenter

    mlm = tiny_mlms["wordpiece"]  # a random model: no fill is probable, so the floors are off here
    aug = Augmenter(method, model=mlm, n=3, seed=0, min_prob=None, vs_original=None, edits=2)
    text = "a quiet film about a house near the river where nothing much ever happens to anyone"
    rows = list(aug.iter_rows([{"text": text}]))
    outs = rows[0][1]
    assert outs, "the random model still fills with the floors off"
    for out in outs:
        assert 1 <= len(out.edits) <= 2


def test_probability_floor_refuses_what_a_random_model_fills(tiny_mlms):
    from maskaug.augmenter import Augmenter

    aug = Augmenter("substitute.v3", model=tiny_mlms["wordpiece"], n=1, seed=0, max_attempts=2)
    rows = list(aug.iter_rows([{"text": "a quiet film about a house near the river"}]))
    assert rows[0][1] == []  # every fill below min_prob: a shortfall, reported, never a bad output
    assert aug.report.short_rows == 1


SENTENCES = ["Pedro Martinez said on Oct 2 that at least 27 people were hurt in the crash near Boston.",
             "I would like to top up my account with a cheque, can you please check it?",
             "The plot is thin and the jokes fall flat, but the cast is warm and funny."]


@pytest.mark.parametrize("method", ["insert.v3", "substitute.v3", "iterative.v3", "ssmba.v3", "infill.v3"])
def test_v3_keeps_names_numbers_and_function_words_on_the_builtin_model(builtin_mlm, method):
    from maskaug.augmenter import Augmenter

    aug = Augmenter(method, model=builtin_mlm, n=3, seed=0)
    for text, outs in zip(SENTENCES, aug.augment(SENTENCES)):
        src = re.findall(r"[\w']+", text)
        for out in outs:
            new = re.findall(r"[\w']+", out)
            for w in src:
                if numeric(w) or name_like(w, False) or closed_class(w):
                    assert new.count(w) >= src.count(w), (method, text, out, w)
            added = [w for w in new if new.count(w) > src.count(w)]
            assert not any(closed_class(w) or numeric(w) for w in added), (method, out, added)


def test_a_name_without_a_version_takes_its_newest_and_the_labelled_default_is_insert(builtin_mlm, tmp_path):
    from maskaug.job import default_method
    from maskaug.methods.registry import build, resolve

    for name, version in (("insert", 6), ("substitute", 4), ("iterative", 4), ("ssmba", 4)):
        assert build(name).name == f"{name}.v{version}"
    for name in ("infill", "cbert", "prepend", "expand"):
        assert resolve(name).name == f"{name}.v3"
    assert build("insert.v2").name == "insert.v2" and build("insert.v1").name == "insert.v1"
    assert default_method(None, "label") == "insert" and default_method(None, None) == "substitute"
    from maskaug import augment

    rows = augment([{"text": SENTENCES[2], "label": "positive"}], n=1, model=builtin_mlm, seed=0)
    assert rows[0]["aug_method"] == "insert.v6" and rows[0]["text"] != SENTENCES[2]


def test_split_spec():
    assert split_spec("substitute:rate=0.3,top_k=10,protect=[\"x\"]") == (
        "substitute", {"rate": 0.3, "top_k": 10, "protect": ["x"]})
    assert split_spec("insert") == ("insert", {})
    with pytest.raises(ValueError, match="KEY=VALUE"):
        split_spec("substitute:rate")
    assert split_spec("substitute:") == ("substitute", {})
    m = build("substitute.v2:rate=0.3")
    assert m.masker.rate == 0.3 and m.name == "substitute.v2"
    with pytest.raises(ValueError, match="no parameter"):
        build("substitute.v2:speed=3")


def test_augment_takes_a_method_spec(tmp_path, tiny_model_dirs):
    from maskaug.cli import main

    src = tmp_path / "in.jsonl"
    src.write_text('{"text": "a quiet film about a house near the river"}\n')
    out = tmp_path / "out.jsonl"
    assert main(["augment", str(src), "-o", str(out), "--model", str(tiny_model_dirs["wordpiece"]),
                 "--method", "substitute.v2:rate=0.5,top_k=5", "--quiet"]) == 0
    import json

    row = json.loads(out.read_text().splitlines()[0])
    assert row["aug_method"] == "substitute.v2" and len(row["aug_edits"]) >= 2
    assert main(["augment", str(src), "-o", str(tmp_path / "o2.jsonl"), "--model", str(tiny_model_dirs["wordpiece"]),
                 "--method", "substitute.v2:rate=high", "--quiet"]) == 2


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 10**6), st.booleans(), st.sampled_from(["", "film", "the", "27"]),
                          st.sampled_from([None, "film", "the"])), min_size=1, max_size=6))
def test_a_fills_verdict_is_the_plain_rule_whatever_was_asked_before(tiny_mlms, asks):
    """The per-piece verdicts are cached per tokenizer; the cache never carries one slot's verdict to another."""
    from maskaug.masking import Slot
    from maskaug.model.vocab import START
    from maskaug.text import normalize

    mlm = tiny_mlms["wordpiece"]
    info = mlm.info
    method = build("substitute.v3")
    for token, wordy, old, before in asks:
        token %= info.vocab_size
        slot = Slot(0, len(old), 0, 1, START, wordy, old)
        form = info.fill_form(token)
        plain = (form is None or (wordy and not any(c.isalnum() for c in form)) or closed_class(form)
                 or len(form) < 2 or numeric(form) or form == normalize(old)
                 or (before is not None and form == normalize(before)))
        assert method._reject(info, slot, before, None)(token) == plain


PACK_TEXTS = ["The quiet film walked slowly toward a very beautiful and rather strange ending tonight .",
              "Pedro Martinez bought a small house near the old river in October .",
              "Can you please check why my card payment was declined again this morning ?"]
OPEN = dict(min_prob=None, vs_original=None)  # the tiny untrained model is never confident enough for v3's floors


@pytest.mark.parametrize("method", ["insert.v3", "substitute.v3"])
def test_pack_wider_than_the_candidates_asks_the_solo_questions(tiny_mlms, method):
    """With at least as many sequences as candidate slots, every sequence holds one slot: the solo outputs."""
    from maskaug import Augmenter

    mlm = tiny_mlms["wordpiece"]
    solo = Augmenter(method, model=mlm, n=3, seed=4, **OPEN).augment(PACK_TEXTS)
    packed = Augmenter(method, model=mlm, n=3, seed=4, pack=100, **OPEN).augment(PACK_TEXTS)
    assert packed == solo and any(solo)


@pytest.mark.parametrize("pack", [1, 2, 3])
def test_pack_asks_at_most_pack_sequences_per_text_on_every_attempt(tiny_mlms, pack):
    from maskaug import Augmenter

    mlm = tiny_mlms["wordpiece"]
    aug = Augmenter("insert.v3", model=mlm, n=4, seed=0, pack=pack, closing_drop=None, next_drop=None, **OPEN)
    aug.engine.trace = []
    out = aug.augment(PACK_TEXTS)
    assert any(out)  # every attempt of every copy read its answers from those sequences
    assert sum(b.rows for b in aug.engine.trace) <= pack * len(PACK_TEXTS)


@settings(max_examples=40, deadline=None)
@given(st.lists(WORDS, min_size=3, max_size=24), st.integers(1, 5), st.integers(0, 2**16))
def test_packed_questions_deal_the_candidates_in_turn(tiny_mlms, words, pack, seed):
    mlm = tiny_mlms["wordpiece"]
    method = build("insert.v3", pack=pack)
    doc = Doc.parse(" ".join(words), mlm.info)
    every = method.masker.candidates(doc, mlm.info)
    slots = method.masker.choose(doc, mlm.info, np.random.default_rng(seed))
    from maskaug.methods.base import Job

    job = Job(texts={"text": doc.text}, docs={"text": doc}, rng=np.random.default_rng(seed))
    for slot, (group, at) in zip(slots, method._questions(job, "text", slots, mlm.info)):
        assert group[at] == slot  # the slot is in its own sequence
        n = every.index(slot)
        assert group == every[n % pack :: pack]  # with every pack-th candidate, counted from it


def test_pack_is_refused_where_it_cannot_pack():
    with pytest.raises(ValueError, match="pack must be >= 1, not 0"):
        build("insert.v3", pack=0)
    for name, params in (("ssmba.v3", {}), ("iterative.v3", {}), ("insert.v3", {"solo": False})):  # nothing solo
        with pytest.raises(ValueError, match="pack packs the questions of solo=true filling"):
            build(name, pack=2, **params)
    with pytest.raises(ValueError, match=r"insert.v2 has no parameter\(s\) \['pack'\]"):
        build("insert.v2", pack=2)
