"""The run stage: results come back in input order, bad rows (set aside) interleaved where they were."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from maskaug import Augmenter
from maskaug.pipeline import Pipeline, RowError
from maskaug.records import TextRecord

WORDS = ["The movie was great.", "A dull film.", "Who invented the telephone?", "Play some jazz music please."]


@pytest.fixture(scope="module")
def aug(tiny_mlms):
    return Augmenter("mask", model=tiny_mlms["wordpiece"], n=2, chunk_size=3)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.booleans(), min_size=0, max_size=25))
def test_results_keep_input_order_with_bad_rows_anywhere(aug, good):
    rows = [{"text": WORDS[i % 4] if ok else "  ", "k": i} for i, ok in enumerate(good)]
    results = list(Pipeline(aug, TextRecord()).run(((i, i, r) for i, r in enumerate(rows)), skip_bad=True))
    assert [r.index for r in results] == list(range(len(rows)))
    for res, ok in zip(results, good):
        assert (res.rejected is None) == ok
        if ok:
            assert len(res.records) == 2 and all(rec["k"] == res.index for rec in res.records)
        else:
            assert res.rejected == ("text", "empty text (only whitespace or invisible characters)")


def test_a_bad_row_stops_the_run_unless_set_aside(aug):
    rows = [{"text": WORDS[0]}, {"text": None}]
    with pytest.raises(RowError, match="row 2, field 'text': missing text"):
        list(Pipeline(aug, TextRecord()).run(enumerate_rows(rows)))


def test_kept_originals_come_first_and_short_rows_say_why(aug, tiny_mlms):
    rows = [{"text": "Play some jazz music please, now."}, {"text": "!!! ..."}, {"text": "Yes."}]
    res = list(Pipeline(aug, TextRecord(), keep_original=True).run(enumerate_rows(rows)))
    assert res[0].records[0]["aug_is_original"] and res[0].produced == 2
    assert res[1].produced == 0 and res[1].records[0]["aug_is_original"]
    assert res[1].reason == "left as it is: too short to change safely: 0 words (min_words=3)"
    loose = Augmenter("mask", model=tiny_mlms["wordpiece"], n=2, min_words=0)
    res = list(Pipeline(loose, TextRecord()).run(enumerate_rows(rows)))
    assert res[1].reason == "no new distinct text in 10 attempts per output (20 candidates identical to the input)"


def enumerate_rows(rows):
    return ((i, i, r) for i, r in enumerate(rows))
