"""Token/tag (NER) records: linearised for the MLM, edited, and re-aligned token by token."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from maskaug import Augmenter, augment
from maskaug.cli import main
from maskaug.finetune import finetune_melm
from maskaug.records.tagged import is_entity, linearize, marker_tokens, realign
from maskaug.splice import Edit


def augment_tagged(aug, records):
    """``(row, [(new tokens, token edits), ...])`` per ``(tokens, tags)`` record, through the Python API."""
    out = augment([{"tokens": list(t), "tags": list(g)} for t, g in records], augmenter=aug)
    by_row = {i: [] for i in range(len(records))}
    for rec in out:
        by_row[rec["aug_source_row"]].append((rec["tokens"], rec["aug_edits"]))
    return by_row.items()

TAGS = ["O", "B-PER", "I-PER", "B-LOC", "B-ORG"]
token = st.text(min_size=1, max_size=8).filter(lambda t: not any(c.isspace() for c in t))
record = st.lists(st.tuples(token, st.sampled_from(TAGS)), min_size=1, max_size=12)
fill = st.text(max_size=5).filter(lambda t: not any(c.isspace() for c in t))

RECORDS = [
    (["Peter", "Blackburn", "visited", "Paris", "on", "Monday", "."], ["B-PER", "I-PER", "O", "B-LOC", "O", "O", "O"]),
    (["The", "European", "Commission", "said", "it", "disagreed", "."],
     ["O", "B-ORG", "I-ORG", "O", "O", "O", "O"]),
    (["John", "lives", "in", "London", "with", "his", "family", "."], ["B-PER", "O", "O", "B-LOC", "O", "O", "O", "O"]),
    (["Maria", "works", "for", "Siemens", "in", "Berlin", "."], ["B-PER", "O", "O", "B-ORG", "O", "B-LOC", "O"]),
] * 3


@settings(max_examples=200, deadline=None)
@given(record, st.sampled_from(["context", "entities"]), st.booleans())
def test_linearize_puts_every_token_at_its_span(rec, where, with_markers):
    tokens, tags = [t for t, _ in rec], [g for _, g in rec]
    markers = marker_tokens([g for g in TAGS if is_entity(g)]) if with_markers else None
    lin = linearize(tokens, tags, where, markers)
    assert [lin.text[s:e] for s, e in lin.spans] == tokens
    protected_tokens = {i for i, span in enumerate(lin.spans) if span in lin.protected}
    expect = {i for i, g in enumerate(tags) if is_entity(g) == (where == "context")}
    assert protected_tokens == expect
    if markers:  # each entity token sits between two protected copies of its tag's marker
        for i, (s, e) in enumerate(lin.spans):
            m = markers.get(tags[i])
            if m:
                assert lin.text[s - len(m) - 1:s - 1] == m and lin.text[e + 1:e + 1 + len(m)] == m
                assert (s - len(m) - 1, s - 1) in lin.protected and (e + 1, e + 1 + len(m)) in lin.protected


@settings(max_examples=200, deadline=None)
@given(record, st.data())
def test_realign_applies_edits_inside_tokens_and_keeps_the_count(rec, data):
    tokens, tags = [t for t, _ in rec], [g for _, g in rec]
    lin = linearize(tokens, tags)
    chosen = data.draw(st.sets(st.integers(0, len(tokens) - 1)))
    edits, expect = [], list(tokens)
    for i in sorted(chosen):
        tok = tokens[i]
        a = data.draw(st.integers(0, len(tok)))
        b = data.draw(st.integers(a, len(tok)))
        new = data.draw(fill)
        if not (tok[:a] + new + tok[b:]):
            continue
        s = lin.spans[i][0]
        edits.append(Edit("text", s + a, s + b, tok[a:b], new))
        expect[i] = tok[:a] + new + tok[b:]
    got, got_tags, changes = realign(lin, tokens, edits, tags)
    assert got_tags == list(tags)
    assert got == expect and len(got) == len(tokens)
    assert {c["token"] for c in changes} == {i for i in range(len(tokens)) if expect[i] != tokens[i]}


def test_realign_refuses_an_edit_across_tokens():
    lin = linearize(["New", "York"], ["B-LOC", "I-LOC"])
    with pytest.raises(RuntimeError, match="inside one token nor covers whole tokens"):
        realign(lin, ["New", "York"], [Edit("text", 2, 5, "w Y", "x")])
    with pytest.raises(RuntimeError, match="replaces entity tokens"):
        realign(lin, ["New", "York"], [Edit("text", 0, 3, "New", "Old Town")], ["B-LOC", "I-LOC"])


@settings(max_examples=300, deadline=None)
@given(record, st.data())
def test_realign_replaces_runs_of_outside_tokens_and_tags_new_ones_outside(rec, data):
    """Span infill's edits: a run of O tokens becomes 0..3 new tokens (a deletion takes one space with it);
    every other token and tag stays where it was (hypothesis)."""
    tokens, tags = [t for t, _ in rec], [g for _, g in rec]
    lin = linearize(tokens, tags)
    runs = [i for i in range(len(tokens)) if not is_entity(tags[i])]
    if not runs or len(tokens) < 2:
        return
    a = data.draw(st.sampled_from(runs))
    b = a + 1
    while b < len(tokens) and not is_entity(tags[b]) and data.draw(st.booleans()):
        b += 1
    if b - a == len(tokens):
        return
    new = data.draw(st.lists(token, max_size=3))
    start, end = lin.spans[a][0], lin.spans[b - 1][1]
    if not new:  # a deletion: the space after the run, or before it at the end
        if b < len(tokens):
            end = lin.spans[b][0]
        else:
            start = lin.spans[a - 1][1]
    edit = Edit("text", start, end, lin.text[start:end], " ".join(new))
    got, got_tags, changes = realign(lin, tokens, [edit], tags)
    assert got == tokens[:a] + new + tokens[b:]
    assert got_tags == tags[:a] + ["O"] * len(new) + tags[b:]
    if new == tokens[a:b]:
        assert changes == []
    elif b - a == 1 and len(new) == 1:  # one token to one token: the ordinary in-token change
        assert changes == [{"field": "tokens", "token": a, "old": tokens[a], "new": new[0]}]
    else:
        assert changes == [{"field": "tokens", "tokens": [a, b], "old": tokens[a:b], "new": new}]


@pytest.mark.parametrize("kind", ["wordpiece", "bytebpe", "sentencepiece"])
def test_substitute_changes_only_context_words(tiny_mlms, kind):
    aug = Augmenter("substitute.v2", model=tiny_mlms[kind], n=2, rate=0.5)
    changed = 0
    for rid, outs in augment_tagged(aug, RECORDS):
        tokens, tags = RECORDS[rid]
        for new, edits in outs:
            assert len(new) == len(tokens)
            for i, (old, now) in enumerate(zip(tokens, new)):
                if is_entity(tags[i]):
                    assert now == old
            assert all(not is_entity(tags[e["token"]]) for e in edits) and edits
            changed += 1
    assert changed == 2 * len(RECORDS)


def test_melm_fine_tunes_with_markers_and_changes_only_entities(tiny_model_dirs, tmp_path):
    from maskaug.conditioning import Conditioning

    folder = tmp_path / "melm"
    finetune_melm(RECORDS * 2, folder, model=str(tiny_model_dirs["wordpiece"]), max_epochs=1, progress=False)
    cond = Conditioning.load(folder)
    assert cond.kind == "melm" and cond.labels == ["B-LOC", "B-ORG", "B-PER", "I-ORG", "I-PER"]
    aug = Augmenter("melm", model=str(folder), n=2, seed=3)
    markers = set(cond.label_tokens.values())
    for rid, outs in augment_tagged(aug, RECORDS[:4]):
        tokens, tags = RECORDS[rid]
        assert len(outs) == 2
        for new, edits in outs:
            assert edits and all(is_entity(tags[e["token"]]) for e in edits)
            assert [t for t, g in zip(new, tags) if not is_entity(g)] == [t for t, g in zip(tokens, tags)
                                                                           if not is_entity(g)]
            assert not any(m in t for t in new for m in markers)
    with pytest.raises(ValueError, match="token/tag"):
        aug.augment(["Peter visited Paris."])
    with pytest.raises(ValueError, match="--conditioning melm"):
        Augmenter("melm", model=tiny_model_dirs["wordpiece"], n=1)


def test_cli_tagged_records_and_bad_ones(tiny_model_dirs, tmp_path, capsys, write_jsonl):
    data = tmp_path / "ner.jsonl"
    rows = [{"tokens": t, "tags": g, "doc": i} for i, (t, g) in enumerate(RECORDS[:4])]
    write_jsonl(data, rows)
    out = tmp_path / "out.jsonl"
    assert main(["augment", str(data), "-o", str(out), "--n", "2", "--model", str(tiny_model_dirs["wordpiece"]),
                 "--method", "substitute.v2",
                 "--keep-original", "--quiet"]) == 0
    got = [json.loads(x) for x in out.read_text().splitlines()]
    assert len(got) == 12 and all(r["tags"] == rows[r["aug_source_row"]]["tags"] for r in got)
    assert all(r["doc"] == r["aug_source_row"] for r in got)
    bad = tmp_path / "bad.jsonl"
    write_jsonl(bad, [rows[0], {"tokens": ["a", "b c"], "tags": ["O", "O"]}])
    capsys.readouterr()
    assert main(["augment", str(bad), "-o", str(tmp_path / "x.jsonl"), "--model", str(tiny_model_dirs["wordpiece"]),
                 "--method", "substitute.v2",
                 "--quiet"]) == 2
    assert "row 2, field 'tokens': token 1 ('b c') is empty or contains whitespace" in capsys.readouterr().err
    write_jsonl(bad, [{"tokens": ["a", "b"], "tags": ["O"]}])
    assert main(["augment", str(bad), "-o", str(tmp_path / "x.jsonl"), "--model", str(tiny_model_dirs["wordpiece"]),
                 "--method", "substitute.v2",
                 "--quiet"]) == 2
    assert "row 1, field 'tags': 2 tokens but 1 tags" in capsys.readouterr().err
    assert main(["augment", str(bad), "-o", str(tmp_path / "x.jsonl"), "--model", str(tiny_model_dirs["wordpiece"]),
                 "--method", "substitute.v2",
                 "--quiet", "--skip-bad-rows"]) == 0
    assert "1 bad row set aside" in capsys.readouterr().err


def test_tagged_records_refuse_what_does_not_apply(tiny_model_dirs, tmp_path, capsys, write_jsonl):
    data = tmp_path / "ner.jsonl"
    write_jsonl(data, [{"tokens": RECORDS[0][0], "tags": RECORDS[0][1]}])
    base = ["augment", str(data), "-o", str(tmp_path / "o.jsonl"), "--model", str(tiny_model_dirs["wordpiece"]),
            "--method", "substitute.v2",
            "--quiet"]
    for extra, message in ((["--teacher"], "judge sentence labels"),
                           (["--method", "insert.v2"], "insertion adds tokens without tags"),
                           (["--text-column", "text", "--tags-column", "tags"], "either --text-column")):
        assert main(base + extra) == 2
        assert message in capsys.readouterr().err


@pytest.mark.parametrize("kind", ["wordpiece", "bytebpe", "sentencepiece"])
@pytest.mark.parametrize("method", ["ssmba.v2", "iterative.v2", "mask"])
def test_other_methods_keep_the_token_count_and_the_entities(tiny_mlms, kind, method):
    aug = Augmenter(method, model=tiny_mlms[kind], n=2)
    for rid, outs in augment_tagged(aug, RECORDS[:4]):
        tokens, tags = RECORDS[rid]
        for new, edits in outs:
            assert len(new) == len(tokens) and edits
            assert all(not is_entity(tags[e["token"]]) and new[e["token"]] == e["new"] for e in edits)
            assert [t for t, g in zip(new, tags) if is_entity(g)] == [t for t, g in zip(tokens, tags) if is_entity(g)]


def test_long_and_unusual_tagged_records(tiny_mlms, tiny_model_dirs, tmp_path, capsys, write_jsonl):
    """Longer than the model's window (64 pieces), RTL, emoji and zero-width text: same count, entities kept."""
    records = [(["Anna"] + ["the", "movie", "was", "great"] * 40 + ["Paris", "."],
                ["B-PER"] + ["O"] * 160 + ["B-LOC", "O"]),
               (["مرحبا", "Zoë", "🙂", "\u200bx", "Berlin", "."], ["O", "B-PER", "O", "O", "B-LOC", "O"])]
    aug = Augmenter("substitute.v2", model=tiny_mlms["sentencepiece"], n=2)
    for rid, outs in augment_tagged(aug, records):
        tokens, tags = records[rid]
        assert len(outs) == 2
        for new, _edits in outs:
            assert len(new) == len(tokens)
            assert [t for t, g in zip(new, tags) if is_entity(g)] == [t for t, g in zip(tokens, tags) if is_entity(g)]
    data = tmp_path / "empty_record.jsonl"
    write_jsonl(data, [{"tokens": ["a"], "tags": ["O"]}, {"tokens": [], "tags": []}])
    assert main(["augment", str(data), "-o", str(tmp_path / "o.jsonl"), "--model", str(tiny_model_dirs["wordpiece"]),
                 "--method", "substitute.v2",
                 "--quiet"]) == 2
    assert "row 2, field 'tokens': no tokens" in capsys.readouterr().err


def test_tag_ids_of_a_hugging_face_dataset_are_read_by_their_names(tiny_model_dirs, tiny_mlms, tmp_path, capsys,
                                                                      write_jsonl):
    """🤗 datasets keep NER tags as ClassLabel ids in ``ner_tags`` (conll2003, wikiann): a saved dataset and a Dataset
    object are augmented with the ids read as their names (entities kept) and written back as ids, with the input's
    feature; ids with no names (JSON Lines) get an error that says so, naming row and field."""
    from datasets import ClassLabel, Dataset, Features, Sequence, Value, load_from_disk

    names = ["O", "B-PER", "I-PER", "B-LOC"]
    features = Features({"tokens": Sequence(Value("string")), "ner_tags": Sequence(ClassLabel(names=names))})
    rows = [{"tokens": ["John", "Smith", "lives", "in", "a", "small", "house", "near", "Paris", "today"],
             "ner_tags": [1, 2, 0, 0, 0, 0, 0, 0, 3, 0]},
            {"tokens": ["The", "weather", "in", "Rome", "was", "very", "warm", "and", "sunny", "."],
             "ner_tags": [0, 0, 0, 3, 0, 0, 0, 0, 0, 0]}]
    ds = Dataset.from_list(rows, features=features)
    ds.save_to_disk(str(tmp_path / "ner"))

    def entities_kept(out_rows):
        assert out_rows and any(r["tokens"] != rows[r["aug_source_row"]]["tokens"] for r in out_rows)
        for r in out_rows:
            src = rows[r["aug_source_row"]]
            assert r["ner_tags"] == src["ner_tags"]
            assert [t for t, g in zip(r["tokens"], r["ner_tags"]) if g] == [
                t for t, g in zip(src["tokens"], src["ner_tags"]) if g]

    model = str(tiny_model_dirs["wordpiece"])
    assert main(["augment", str(tmp_path / "ner"), "-o", str(tmp_path / "out"), "--n", "3", "--model", model,
                 "--method", "substitute.v2", "--quiet"]) == 0
    saved = load_from_disk(str(tmp_path / "out"))
    entities_kept(saved.to_list())
    api = augment(ds, method="substitute.v2", n=3, model=tiny_mlms["wordpiece"])
    entities_kept(api.to_list())
    assert saved.features["ner_tags"] == api.features["ner_tags"] == features["ner_tags"]  # ClassLabel names kept

    write_jsonl(tmp_path / "ids.jsonl", rows)
    capsys.readouterr()
    assert main(["augment", str(tmp_path / "ids.jsonl"), "-o", str(tmp_path / "x.jsonl"), "--model", model,
                 "--method", "substitute.v2", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "row 1, field 'ner_tags': expected a list of strings, got a list with int 1 (tag ids?" in err
    plain = Features({"tokens": Sequence(Value("string")), "ner_tags": Sequence(Value("int64"))})
    bad = Dataset.from_list([{"tokens": ["a", "b"], "ner_tags": [0, 9]}], features=plain)
    with pytest.raises(ValueError, match="tag ids"):
        augment(bad, method="substitute.v2", model=tiny_mlms["wordpiece"])
