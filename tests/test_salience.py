"""Word roles: deterministic, and on a hand-made class-balanced set they are the words one would pick."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from maskaug.salience import Salience

POS = ["a wonderful film", "wonderful actors and a great plot", "a great and wonderful comedy",
       "the film was great", "wonderful , just wonderful", "a great story about a town"]
NEG = ["a dull film", "dull actors and a thin plot", "a dull and boring comedy", "the film was boring",
       "boring , just boring", "a thin story about a town"]
ROWS = [(t, "pos") for t in POS] + [(t, "neg") for t in NEG]


def test_the_label_words_are_the_ones_that_carry_the_label():
    sal = Salience.fit(ROWS, min_z=1.0)
    assert sal.z("wonderful", "pos") > 1.0 and sal.z("boring", "neg") > 1.0
    assert sal.z("wonderful", "neg") < 0 and abs(sal.z("film", "pos")) < 1.0  # both classes use "film"
    text = "The wonderful film was great fun"
    spans = sal.label_words(text, "pos")
    assert {text[s:e].lower() for s, e in spans} <= {"wonderful", "great"} and spans
    assert sal.label_words(text, "neg") == []  # nothing here marks the other label
    assert sal.label_words("", "pos") == [] and sal.z("unseen", "pos") == 0.0


def test_the_share_caps_how_much_of_a_row_is_kept():
    sal = Salience.fit(ROWS, min_z=0.0, share=0.25)
    text = "wonderful great wonderful great"
    assert len(sal.label_words(text, "pos")) == 1  # a quarter of 4 words


@settings(max_examples=50, deadline=None)
@given(st.randoms(use_true_random=False))
def test_order_of_the_rows_does_not_matter(rnd: random.Random):
    rows = list(ROWS)
    rnd.shuffle(rows)
    a, b = Salience.fit(ROWS), Salience.fit(rows)
    for word in ("wonderful", "dull", "film", "a", "town"):
        for label in ("pos", "neg"):
            assert a.z(word, label) == b.z(word, label)
    assert a.label_words(POS[2], "pos") == b.label_words(POS[2], "pos")


def test_pairs_count_as_one_row():
    sal = Salience.fit([(("a man sings", "nobody sings"), "contradiction"), (("a man sings", "a man sings loudly"),
                                                                            "entailment")] * 3, min_z=0.5)
    assert sal.z("nobody", "contradiction") > sal.z("nobody", "entailment")


def test_the_job_keeps_each_rows_label_words(tmp_path, tiny_model_dirs, write_jsonl):
    import json

    from maskaug.cli import main

    rows = [{"text": t, "label": y} for t, y in ROWS * 2]
    src = tmp_path / "in.jsonl"
    write_jsonl(src, rows)
    sal = Salience.fit(ROWS * 2)
    args = ["augment", str(src), "--method", "substitute.v2", "--model", str(tiny_model_dirs["wordpiece"]), "--quiet",
            "--n", "3",
            "--param", "rate=1.0", "--param", "min_words=1", "--label-column", "label"]
    assert main([*args, "-o", str(tmp_path / "keep.jsonl")]) == 0
    assert main([*args, "-o", str(tmp_path / "off.jsonl"), "--label-words", "off"]) == 0
    changed = {"keep": 0, "off": 0}
    for name in changed:
        for line in (tmp_path / f"{name}.jsonl").read_text().splitlines():
            r = json.loads(line)
            src_row = rows[r["aug_source_row"]]
            kept = sal.label_words(src_row["text"], src_row["label"])
            changed[name] += sum(1 for e in r["aug_edits"] for s, t in kept if s < e["end"] and e["start"] < t)
    assert changed["keep"] == 0 and changed["off"] > 0
