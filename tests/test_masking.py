import numpy as np
import pytest

from maskaug.document import Doc
from maskaug.masking import Masker

TEXT = "The movie, in short, was great: call 555-0199 or visit http://x.io today!"


def _doc(mlm, text=TEXT):
    return Doc.parse(text, mlm.info)


def test_count_follows_rate_min_and_max(tiny_mlm):
    doc = _doc(tiny_mlm)
    rng = np.random.default_rng(0)
    assert len(Masker(rate=0.0, min_count=1).choose(doc, tiny_mlm.info, rng)) == 1
    assert len(Masker(rate=1.0, max_count=3).choose(doc, tiny_mlm.info, rng)) == 3
    n_words = len(Masker(rate=1.0).eligible_words(doc, []))
    assert len(Masker(rate=1.0).choose(doc, tiny_mlm.info, rng)) == n_words
    with pytest.raises(ValueError):
        Masker(unit="sentence")


@pytest.mark.parametrize("unit", ["token", "word", "span", "insert"])
def test_protected_regex_and_punctuation_never_masked(tiny_mlm, unit):
    doc = _doc(tiny_mlm)
    m = Masker(unit=unit, rate=1.0, protect=(r"\d{3}-\d{4}", r"http\S+"))
    prot = m.protected_spans(TEXT)
    for seed in range(5):
        for slot in m.choose(doc, tiny_mlm.info, np.random.default_rng(seed)):
            assert not any(s < slot.end and slot.start < e for s, e in prot) or slot.is_insert
            assert not any(s < slot.start < e for s, e in prot)
            if not slot.is_insert:
                assert any(c.isalnum() for c in slot.old)
                assert TEXT[slot.start : slot.end] == slot.old


def test_stopwords_are_skipped(tiny_mlms):
    mlm = tiny_mlms["wordpiece"]
    doc = _doc(mlm, "the and of a movie")
    slots = Masker(rate=1.0, stopwords=frozenset({"the", "and", "of", "a"})).choose(
        doc, mlm.info, np.random.default_rng(0))
    assert [s.old for s in slots] == ["movie"]


def test_insert_slots_sit_between_words(tiny_mlms):
    mlm = tiny_mlms["wordpiece"]
    text = "one two three"
    slots = Masker(unit="insert", rate=1.0).choose(_doc(mlm, text), mlm.info, np.random.default_rng(0))
    assert {s.start for s in slots} <= {0, 4, 8, 13}
    assert all(s.start == s.end and s.old == "" for s in slots)


def test_negations_are_never_masked_by_default(tiny_mlms):
    import re

    import numpy as np

    from maskaug.document import Doc
    from maskaug.methods import build

    info = tiny_mlms["wordpiece"].info
    texts = ["The movie is not good.", "There is no man standing in the background.",
             "It isn't bad, and it doesn't drag; I can't say I never smiled without reason."]
    negation = re.compile(r"(?i)\b(not|no|never|without|\w+n't)\b")
    for unit in ("word", "token", "span", "insert"):
        masker = build("substitute.v2", unit=unit, rate=1.0).masker
        off = build("substitute.v2", unit=unit, rate=1.0, negations=False).masker
        touched_off = False
        for text in texts:
            doc = Doc.parse(text, info)
            spans = [m.span() for m in negation.finditer(text)]
            for seed in range(5):
                for slot in masker.choose(doc, info, np.random.default_rng(seed)):
                    assert not any(s < slot.end and slot.start < e for s, e in spans if slot.end > slot.start), \
                        (unit, text, slot)
                    assert not any(s < slot.start < e for s, e in spans), (unit, text, slot)
                touched_off |= any(any(s < sl.end and sl.start < e for s, e in spans)
                                   for sl in off.choose(doc, info, np.random.default_rng(seed)))
        assert touched_off or unit == "insert"  # with negations=False they are ordinary words


def test_texts_shorter_than_min_words_are_left_and_reported(tiny_mlms):
    from maskaug import Augmenter

    aug = Augmenter("substitute.v2", model=tiny_mlms["wordpiece"], n=2)
    got = list(aug.iter_rows([{"text": "Yes."}, {"text": "Not bad."}, {"text": "The movie was great fun."}]))
    assert [len(outs) for _, outs in got] == [0, 0, 2]
    assert "too short to change safely: 1 word (min_words=3)" in aug.shortfall_reason(0)
    assert "2 words" in aug.shortfall_reason(1)
    assert aug.report.forward_passes >= 1 and aug.report.short_rows == 2
    loose = Augmenter("substitute.v2", model=tiny_mlms["wordpiece"], n=1, min_words=1)
    assert len(list(loose.iter_rows([{"text": "Not bad at all."}]))[0][1]) == 1


def test_unspaced_scripts_count_each_letter_as_a_word(tiny_mlms):
    from maskaug.document import Doc
    from maskaug.methods import build

    masker = build("substitute.v2").masker
    info = tiny_mlms["sentencepiece"].info
    assert masker.too_short(Doc.parse("短いテキストと絵文字 🙂 も少し。", info)) is None
    assert masker.too_short(Doc.parse("はい。", info)) is None or "2 words" in masker.too_short(
        Doc.parse("はい。", info))
    assert "1 word" in masker.too_short(Doc.parse("Yes.", info))
