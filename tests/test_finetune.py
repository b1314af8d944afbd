"""Fine-tuning round trip on the tiny local models: conditioning saved, reloaded and used per row."""

import json

import pytest

from maskaug.augmenter import Augmenter
from maskaug.cli import main
from maskaug.conditioning import Conditioning
from maskaug.finetune import _encode, finetune
from maskaug.model.loading import load_mlm

ROWS = [("The movie was great and the actors were wonderful.", "pos"),
        ("I loved every minute of this charming comedy.", "pos"),
        ("A wonderful film with great heart.", "pos"),
        ("A dull, lifeless film with no heart at all.", "neg"),
        ("The plot is thin and the jokes fall flat.", "neg"),
        ("Dull actors and a thin plot.", "neg")]
TEXTS, LABELS = [t for t, _ in ROWS], [y for _, y in ROWS]


@pytest.fixture(scope="module", params=["prepend", "expand", "cbert"])
def tuned(request, tiny_model_dirs, tmp_path_factory):
    out = tmp_path_factory.mktemp(f"ft-{request.param}")
    report = finetune(TEXTS, LABELS, out, request.param, model=str(tiny_model_dirs["wordpiece"]), max_epochs=2,
                      patience=5, progress=False)
    return request.param, out, report


def test_conditioning_round_trips_through_the_folder(tuned):
    kind, out, report = tuned
    cond = Conditioning.load(out)
    assert cond.kind == kind and cond.labels == ["neg", "pos"] and report.epochs_run == 2
    assert len(report.dev_loss) == 2 and report.dev_rows == 2  # one dev row per label
    mlm = load_mlm(out, device="cpu")
    assert mlm.conditioning == cond
    if kind == "expand":
        ids = [mlm.tokenizer.convert_tokens_to_ids(t) for t in cond.label_tokens.values()]
        assert all(mlm.info.bad[i] for i in ids)  # never sampled as a fill


def test_each_row_is_filled_conditioned_on_its_own_label(tuned):
    kind, out, _ = tuned
    aug = Augmenter(f"{kind}.v1", model=str(out), n=1, seed=0, device="cpu")
    aug.engine.trace = []
    results = list(aug.iter_rows(({"text": t} for t in TEXTS), labels=LABELS))
    assert len(results) == len(TEXTS) and all(outs for _, outs in results)
    cond = aug.mlm.conditioning
    for ids in (b.input_ids for b in aug.engine.trace):
        for row in range(ids.shape[0]):
            after_cls = ids[row, len(aug.info.prefix_ids):].tolist()
            if kind == "expand":
                tokens = [aug.mlm.tokenizer.convert_tokens_to_ids(t) for t in cond.label_tokens.values()]
                assert after_cls[0] in tokens
            elif kind == "prepend":
                starts = [aug.mlm.tokenizer(y, add_special_tokens=False)["input_ids"] for y in cond.labels]
                assert any(after_cls[:len(s)] == s for s in starts)
    for _, outs in results:
        for a in outs:
            assert "[label=" not in a.texts["text"]



def test_the_unversioned_conditioned_method_takes_the_v3_rules_and_reads_each_rows_label(tuned):
    """``prepend``/``expand``/``cbert`` resolve to ``.v3``: each slot read alone with the row's label, names and
    numbers kept. The tiny model is never confident enough for v3's probability floors, so they are off here."""
    kind, out, _ = tuned
    aug = Augmenter(kind, model=str(out), n=2, seed=0, device="cpu", min_prob=None, vs_original=None)
    assert aug.method.name == f"{kind}.v3" and aug.method.solo
    texts = ["Pedro Martinez loved every minute of the 27 charming scenes .",
             "The plot was thin and the 12 jokes fell flat ."]
    aug.engine.trace = []
    results = list(aug.iter_rows(({"text": t} for t in texts), labels=["pos", "neg"]))
    assert any(outs for _, outs in results)
    for text, (_, outs) in zip(texts, results):
        for a in outs:
            new = a.texts["text"]
            assert ("Pedro Martinez" in new) == ("Pedro Martinez" in text) and all(n in new for n in ("27", "12")
                                                                                    if n in text)
            assert sum(w not in text.split() for w in new.split()) <= 2  # at most two edits
    if kind == "cbert":
        assert sorted({int(v) for b in aug.engine.trace for v in b.labels}) == [0, 1]
    else:
        cond = aug.mlm.conditioning
        first = {b.input_ids[r, len(aug.info.prefix_ids)].item() for b in aug.engine.trace
                 for r in range(b.input_ids.shape[0])}
        if kind == "expand":
            assert first <= {aug.mlm.tokenizer.convert_tokens_to_ids(t) for t in cond.label_tokens.values()}
        else:
            assert first <= {aug.mlm.tokenizer(y, add_special_tokens=False)["input_ids"][0] for y in cond.labels}

def test_cbert_feeds_the_label_as_token_type(tiny_model_dirs, tmp_path):
    out = tmp_path / "cb"
    finetune(TEXTS, LABELS, out, "cbert", model=str(tiny_model_dirs["wordpiece"]), max_epochs=1, progress=False)
    mlm = load_mlm(out, device="cpu")
    assert mlm.model.config.type_vocab_size == 2
    aug = Augmenter("cbert", model=mlm, n=1, seed=0)
    seen = []
    emb = mlm.model.bert.embeddings.token_type_embeddings
    handle = emb.register_forward_hook(lambda m, args, out: seen.append(args[0].clone()))
    try:
        list(aug.iter_rows([{"text": TEXTS[0]}, {"text": TEXTS[3]}], labels=["pos", "neg"]))
    finally:
        handle.remove()
    types = {int(v) for t in seen for v in t.flatten()}
    assert types == {0, 1}


def test_label_prefix_is_never_masked_in_training(tiny_mlms):
    mlm = tiny_mlms["wordpiece"]
    cond = Conditioning("prepend", ["negative", "positive"])
    rows = _encode(["a great film"], ["positive"], mlm.tokenizer, mlm.info, cond, 64)
    ids, special = rows[0]["input_ids"], rows[0]["special_tokens_mask"]
    prefix = mlm.tokenizer("positive", add_special_tokens=False)["input_ids"]
    body = mlm.tokenizer("a great film", add_special_tokens=False)["input_ids"]
    assert ids == mlm.info.wrap(prefix + body)
    assert [i for i, s in zip(ids, special) if s == 0] == body


def test_conditional_method_needs_conditioned_model_and_labels(tiny_mlms, tuned):
    with pytest.raises(ValueError, match="--conditioning prepend"):
        Augmenter("prepend", model=tiny_mlms["wordpiece"])
    kind, out, _ = tuned
    aug = Augmenter("substitute.v2", model=str(out), device="cpu")  # any method works on a conditioned model
    with pytest.raises(ValueError, match="label-conditioned"):
        list(aug.iter_rows([{"text": "a film"}]))


def test_cli_finetune_then_augment_reads_labels(tiny_model_dirs, tmp_path, capsys, write_jsonl):
    data = tmp_path / "train.jsonl"
    write_jsonl(data, [{"text": t, "label": y} for t, y in ROWS])
    model = tmp_path / "model"
    assert main(["finetune", str(data), "-o", str(model), "--conditioning", "expand", "--model",
                 str(tiny_model_dirs["wordpiece"]), "--max-epochs", "1", "--quiet"]) == 0
    out = tmp_path / "aug.jsonl"
    assert main(["augment", str(data), "-o", str(out), "--method", "expand.v1", "--model", str(model), "--quiet"]) == 0
    got = [json.loads(line) for line in out.read_text().splitlines()]
    assert [g["label"] for g in got] == LABELS and all(g["aug_method"] == "expand.v1" for g in got)
    bad = tmp_path / "bad.jsonl"
    write_jsonl(bad, [{"text": "fine", "label": "meh"}])
    assert main(["augment", str(bad), "-o", str(tmp_path / "x.jsonl"), "--method", "expand", "--model",
                 str(model), "--quiet"]) == 2
    assert f"{bad}: row 1, field 'label'" in capsys.readouterr().err


def test_cbert_without_token_types_adds_a_label_embedding(tiny_model_dirs, tmp_path):
    import torch
    from transformers import AutoTokenizer, DistilBertConfig, DistilBertForMaskedLM

    tok = AutoTokenizer.from_pretrained(str(tiny_model_dirs["wordpiece"]))
    torch.manual_seed(0)
    base = tmp_path / "distil"
    DistilBertForMaskedLM(DistilBertConfig(vocab_size=len(tok), dim=32, n_layers=1, n_heads=2, hidden_dim=64,
                                           max_position_embeddings=64)).save_pretrained(base)
    tok.save_pretrained(base)
    out = tmp_path / "cb"
    finetune(TEXTS, LABELS, out, "cbert", model=str(base), max_epochs=2, lr=5e-2, progress=False)
    cond = Conditioning.load(out)
    assert cond.label_embedding == "added" and (out / "maskaug_label_embedding.safetensors").is_file()
    mlm = load_mlm(out, device="cpu")
    table = mlm.label_embedding
    assert table.table.weight.abs().sum() > 0  # trained away from its zero start, and reloaded
    aug = Augmenter("cbert.v1", model=mlm, n=1, seed=0)
    aug.engine.trace = []
    results = list(aug.iter_rows([{"text": TEXTS[0]}, {"text": TEXTS[3]}], labels=["pos", "neg"]))
    assert all(outs for _, outs in results)
    assert sorted(int(v) for b in aug.engine.trace for v in b.labels) == [0, 1]  # each row's own label, explicitly
    batch = aug.engine.trace[0]
    one = batch.labels[:1]
    with torch.inference_mode():
        a = mlm.backend.logits(type(batch)(batch.input_ids[:1], batch.attention_mask[:1], batch.select[:1], one))
        b = mlm.backend.logits(type(batch)(batch.input_ids[:1], batch.attention_mask[:1], batch.select[:1], 1 - one))
    assert not torch.equal(a, b)  # the label changes the prediction
    emb = mlm.model.get_input_embeddings()
    assert not emb._forward_hooks and not hasattr(mlm.model, "maskaug_label_embedding")  # no state on the model


def test_python_api_passes_labels_to_a_conditioned_model(tuned):
    import pandas as pd

    from maskaug import augment

    kind, out, _ = tuned
    df = pd.DataFrame({"text": TEXTS, "label": LABELS})
    got = augment(df, method=f"{kind}.v1", model=str(out), label_column="label", seed=1)
    assert list(got["label"]) == LABELS and set(got["aug_method"]) == {f"{kind}.v1"}
    same = augment(df, method=f"{kind}.v1", model=str(out), seed=1)  # the label column the model was fine-tuned with
    assert same.equals(got)
    with pytest.raises(ValueError, match="field 'label': no such column"):
        augment(df.drop(columns="label"), method=kind, model=str(out))


def test_tiny_dev_split_without_a_masked_token_is_a_clear_error(tiny_model_dirs, tmp_path):
    # two one-word rows: the single dev row has one token, drawn for prediction 15% of the time
    with pytest.raises(ValueError, match="dev split .* no token drawn"):
        finetune(["fine", "bad"], ["x", "x"], tmp_path / "m", "prepend", model=str(tiny_model_dirs["wordpiece"]),
                 max_epochs=1, progress=False, seed=0)


def test_label_lr_trains_only_the_label_embedding_when_lr_is_zero(tiny_model_dirs, tmp_path):
    import torch

    out = tmp_path / "cb"
    finetune(TEXTS, LABELS, out, "cbert", model=str(tiny_model_dirs["wordpiece"]), max_epochs=2, patience=5,
             lr=0.0, label_lr=1e-2, progress=False)
    base = load_mlm(tiny_model_dirs["wordpiece"], device="cpu").model.state_dict()
    tuned = load_mlm(out, device="cpu").model.state_dict()
    types = tuned["bert.embeddings.token_type_embeddings.weight"]
    assert not torch.equal(types[0], types[1])  # both labels started as segment A; they moved apart
    same = [k for k in base if "token_type" not in k]
    assert same and all(torch.equal(base[k], tuned[k]) for k in same)


def test_prepend_writes_the_given_label_text_and_it_round_trips(tiny_model_dirs, tmp_path, capsys, write_jsonl):
    data = tmp_path / "train.jsonl"
    write_jsonl(data, [{"text": t, "label": y} for t, y in ROWS])
    model = tmp_path / "model"
    assert main(["finetune", str(data), "-o", str(model), "--conditioning", "prepend", "--model",
                 str(tiny_model_dirs["wordpiece"]), "--max-epochs", "1", "--quiet",
                 "--label-text", "pos=great", "--label-text", "neg=dull"]) == 0
    cond = Conditioning.load(model)
    assert cond.label_text == {"pos": "great", "neg": "dull"}
    aug = Augmenter("prepend", model=str(model), n=1, seed=0)
    aug.engine.trace = []
    list(aug.iter_rows([{"text": TEXTS[0]}], labels=["pos"]))
    want = aug.mlm.tokenizer("great", add_special_tokens=False)["input_ids"]
    ids = aug.engine.trace[0].input_ids[0, len(aug.info.prefix_ids):].tolist()
    assert ids[:len(want)] == want  # the words, not the label's name, precede the sentence
    assert main(["finetune", str(data), "-o", str(tmp_path / "m2"), "--conditioning", "prepend", "--model",
                 str(tiny_model_dirs["wordpiece"]), "--quiet", "--label-text", "good=great"]) == 2
    assert "label text given for ['good']" in capsys.readouterr().err
    assert main(["finetune", str(data), "-o", str(tmp_path / "m3"), "--conditioning", "cbert", "--quiet",
                 "--model", str(tiny_model_dirs["wordpiece"]), "--label-text", "pos=great"]) == 2
    assert "only by --conditioning prepend" in capsys.readouterr().err
