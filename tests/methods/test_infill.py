"""infill.v1: runs of words replaced by runs of another length, spliced byte-exactly, on every record type."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from maskaug import Augmenter, augment
from maskaug.cli import main
from maskaug.document import Doc
from maskaug.methods import build
from maskaug.methods.base import Job
from maskaug.methods.infill import SKIP, Run, SpanInfill, parse_shift
from maskaug.records.tagged import is_entity
from maskaug.splice import splice

TEXTS = ["The movie was great and the actors were wonderful in every scene.",
         "Who invented the telephone in the nineteenth century?",
         "A dull, lifeless film with no heart at all.",
         "It is not a bad film, but the ending drags on far too long."]

word = st.text(alphabet=st.characters(whitelist_categories=("Ll", "Lu", "Nd")), min_size=1, max_size=7)
punct = st.sampled_from([",", ".", "!", "?", ";"])
sentence = st.lists(st.one_of(word, word, word, punct), min_size=2, max_size=14).map(
    lambda parts: re.sub(r" ([,.!?;])", r"\1", " ".join(parts)))


def _job(text, info, seed=0):
    return Job({"text": text}, {"text": Doc.parse(text, info)}, np.random.default_rng(seed))


@settings(max_examples=300, deadline=None)
@given(text=sentence, data=st.data())
def test_length_changing_edits_splice_back_byte_exactly(tiny_mlms, text, data):
    """Any run of words replaced by 0..4 new words: the output is the text with only that run changed, its
    words where they were, one space taken with a deleted run (hypothesis)."""
    mlm = tiny_mlms[data.draw(st.sampled_from(sorted(tiny_mlms)))]
    info = mlm.info
    doc = Doc.parse(text, info)
    if not doc.words:
        return
    first = data.draw(st.integers(0, len(doc.words) - 1))
    last = data.draw(st.integers(first + 1, len(doc.words)))
    if last - first == len(doc.words):
        return  # a run is never the whole text
    pool = [i for i in range(info.vocab_size) if info.fill_form(i) and info.is_start[i] and not info.bad[i]
            and info.fill_form(i).isalpha()][:50]
    length = data.draw(st.integers(0, 4))
    fills = [pool[data.draw(st.integers(0, len(pool) - 1))] for _ in range(length)]
    if length and data.draw(st.booleans()):
        fills[data.draw(st.integers(0, length - 1))] = SKIP  # a mask nothing could fill is dropped
    run = Run("text", first, last, length, fills)
    edit = SpanInfill._edit(_job(text, info), run, info)
    start, end = doc.words[first].start, doc.words[last - 1].end
    if edit is None:
        return
    out = splice(text, [edit])
    assert out[: edit.start] == text[: edit.start] and out[edit.start + len(edit.new):] == text[edit.end:]
    assert text[edit.start: edit.end] == edit.old
    if length == 0 or all(f == SKIP for f in fills):
        assert edit.new == ""
        assert start - 1 <= edit.start <= start and end <= edit.end
        assert text[edit.start:start].isspace() or text[end:edit.end].isspace() or edit.start == start
    else:
        assert (edit.start, edit.end) == (start, end)
        assert len(edit.new.split(" ")) == sum(f != SKIP for f in fills)


@settings(max_examples=60, deadline=None)
@given(text=sentence, seed=st.integers(0, 1000))
def test_outputs_are_their_sources_with_their_edits_applied(tiny_mlms, text, seed):
    aug = Augmenter("infill.v2", model=tiny_mlms["wordpiece"], n=2, seed=seed, max_attempts=4)
    for row in augment([{"text": text}], augmenter=aug):
        edits = row["aug_edits"]
        assert 1 <= len(edits) <= 1  # spans=1: one run, one edit
        from maskaug.splice import Edit

        assert splice(text, [Edit(**e) for e in edits]) == row["text"] != text


def test_lengths_change_both_ways_and_stay_fixed_when_asked(tiny_mlms):
    mlm = tiny_mlms["wordpiece"]
    texts = TEXTS * 4
    outs = [o for row in Augmenter("infill.v2", model=mlm, n=3, seed=1).augment(texts) for o in row]
    src_len = {len(t.split()) for t in texts}
    diffs = [len(o.split()) - len(t.split()) for t, row in zip(texts, Augmenter(
        "infill.v2", model=mlm, n=3, seed=1).augment(texts)) for o in row]
    assert len(outs) == 3 * len(texts) and src_len
    assert min(diffs) < 0 < max(diffs) and diffs.count(0) > 0
    fixed = Augmenter("infill.v2", model=mlm, n=2, seed=1, lengths="0:1").augment(texts)
    assert all(len(o.split()) == len(t.split()) for t, row in zip(texts, fixed) for o in row)


def test_deletion_only_when_the_model_accepts_the_gap(tiny_mlms):
    mlm = tiny_mlms["wordpiece"]
    rows = [{"text": t} for t in TEXTS * 3]
    lenient = Augmenter("infill.v2", model=mlm, n=1, seed=0, lengths="-6:1", delete_top_k=64)
    kinds = []
    for row in augment(rows, augmenter=lenient):
        (edit,) = row["aug_edits"]
        kinds.append("deleted" if edit["new"] == "" else "one word")
        if edit["new"] == "":
            assert len(row["text"]) < len(TEXTS[row["aug_source_row"] % len(TEXTS)])
        else:  # the model refused the gap: one word instead
            assert len(edit["new"].split()) == 1
    assert "deleted" in kinds
    never = Augmenter("infill.v2", model=mlm, n=1, seed=0, lengths="-6:1", delete_top_k=0)
    for row in augment(rows, augmenter=never):
        (edit,) = row["aug_edits"]
        assert edit["new"] != "" and len(edit["new"].split()) == 1


def test_exactly_n_distinct_deterministic_and_negations_kept(tiny_mlms):
    mlm = tiny_mlms["bytebpe"]
    a = Augmenter("infill.v2", model=mlm, n=4, seed=3).augment(TEXTS)
    b = Augmenter("infill.v2", model=mlm, n=4, seed=3).augment(TEXTS)
    assert a == b
    for t, row in zip(TEXTS, a):
        assert len(row) == 4 and len(set(row)) == 4 and t not in row
    for row in augment([{"text": TEXTS[3]}], augmenter=Augmenter("infill.v2", model=mlm, n=6, seed=0)):
        assert all("not" not in e["old"].split() for e in row["aug_edits"]) and " not " in row["text"]


def test_label_words_are_never_inside_a_run(tiny_mlms):
    rows = [{"text": "what a wonderful movie, truly wonderful acting here", "label": "pos"},
            {"text": "what a terrible movie, truly terrible acting here", "label": "neg"}] * 4
    out = augment(rows, augmenter=Augmenter("infill.v2", model=tiny_mlms["wordpiece"], n=2, seed=0, rate=0.5),
                  label_column="label")
    assert out
    for r in out:
        for e in r["aug_edits"]:
            assert "wonderful" not in e["old"] and "terrible" not in e["old"]


def test_sketch_keeps_anchors_within_the_budget(tiny_mlms):
    mlm = tiny_mlms["wordpiece"]
    aug = Augmenter("infill.v2", model=mlm, n=2, seed=0, sketch=True, budget=1.0)
    assert "sketch" in aug.method.describe()
    for t, row in zip(TEXTS, aug.augment(TEXTS)):
        for o in row:
            assert len(re.findall(r"\w+", o)) <= len(re.findall(r"\w+", t))
            assert re.findall(r"[,.?]", o) == re.findall(r"[,.?]", t)  # punctuation is an anchor
            if " not " in t:
                assert " not " in o


@pytest.mark.parametrize("kind", ["wordpiece", "bytebpe", "sentencepiece"])
def test_token_tag_records_change_only_context_and_realign_tags(tiny_mlms, kind):
    records = [(["Peter", "Blackburn", "visited", "the", "old", "city", "of", "Paris", "on", "Monday", "."],
                ["B-PER", "I-PER", "O", "O", "O", "O", "O", "B-LOC", "O", "O", "O"]),
               (["John", "lives", "in", "London", "with", "his", "whole", "family", "."],
                ["B-PER", "O", "O", "B-LOC", "O", "O", "O", "O", "O"])] * 3
    aug = Augmenter("infill.v2", model=tiny_mlms[kind], n=2, seed=0, rate=0.3)
    out = augment([{"tokens": t, "tags": g} for t, g in records], augmenter=aug)
    resized = 0
    for r in out:
        tokens, tags = records[r["aug_source_row"]]
        assert len(r["tokens"]) == len(r["tags"])
        assert [(t, g) for t, g in zip(r["tokens"], r["tags"]) if is_entity(g)] == \
               [(t, g) for t, g in zip(tokens, tags) if is_entity(g)]
        resized += len(r["tokens"]) != len(tokens)
    assert len(out) == 2 * len(records) and resized


def test_registered_with_its_parameters_and_checked(capsys):
    assert main(["methods", "--verbose"]) == 0
    listing = capsys.readouterr().out
    assert "infill.v1" in listing and "lengths" in listing and "sketch" in listing
    m = build("infill.v2", spans=2, lengths="-1:0.5,1:0.5")
    assert m.shift == ((-1, 0.5), (1, 0.5)) and m.spans == 2 and "SpanInfill(infill.v2" in repr(m)
    with pytest.raises(ValueError, match="OFFSET:PROBABILITY"):
        parse_shift("1,0.5")
    with pytest.raises(ValueError, match="sum to 1"):
        build("infill.v2", lengths="0:0.5")
    with pytest.raises(ValueError, match="whole number"):
        build("infill.v2", spans="two")


def test_runs_in_unspaced_scripts_are_joined_without_spaces(tiny_mlms):
    text = "短いテキストと絵文字も少し。"
    outs = []
    for kind in ("wordpiece", "sentencepiece"):
        outs += Augmenter("infill.v2", model=tiny_mlms[kind], n=2, seed=0, min_words=1, lengths="1:1").augment(text)
    assert outs and all(" " not in o and o != text for o in outs)


def test_empty_punctuation_only_and_longer_than_the_window(tiny_mlms):
    from maskaug.splice import Edit

    mlm = tiny_mlms["wordpiece"]
    aug = Augmenter("infill.v2", model=mlm, n=2, seed=0)
    assert aug.augment(["", "   ", "?!... ,,"]) == [[], [], []]  # too short: left as they are, reported
    long = " ".join(f"the movie number {i} was great" for i in range(150))  # far past the model's window
    (row,) = [r for r in augment([{"text": long}], augmenter=aug)][:1]
    assert splice(long, [Edit(**e) for e in row["aug_edits"]]) == row["text"] != long
