"""Text Smoothing and masked consistency on the tiny local BERT; the Trainer example end to end."""

import importlib.util
from pathlib import Path

import pytest
import torch
from transformers import AutoModelForSequenceClassification

from maskaug.training import ConsistencyTrainer, TextSmoothing, consistency_loss, mask_tokens


@pytest.fixture(scope="module")
def parts(tiny_model_dirs, tiny_mlms):
    folder = tiny_model_dirs["wordpiece"]
    mlm = tiny_mlms["wordpiece"]
    torch.manual_seed(0)
    clf = AutoModelForSequenceClassification.from_pretrained(str(folder), num_labels=2)
    enc = mlm.tokenizer(["the movie was great", "a dull film with no heart at all"], padding=True,
                        return_tensors="pt")
    return mlm, clf, enc


def test_smoothed_rows_are_distributions_and_specials_stay_one_hot(parts):
    mlm, _clf, enc = parts
    sm = TextSmoothing(mlm.model, lam=0.3, special_ids=mlm.info.special_ids)
    dist = sm.distributions(enc["input_ids"], enc["attention_mask"])
    assert torch.allclose(dist.sum(-1), torch.ones(dist.shape[:2]), atol=1e-5)
    ids = enc["input_ids"]
    special = torch.isin(ids, torch.tensor(mlm.info.special_ids))
    picked = dist.gather(-1, ids.unsqueeze(-1)).squeeze(-1)
    assert torch.all(picked[special] == 1.0)
    assert torch.all(picked[~special] >= 0.3) and torch.any(picked[~special] < 1.0)


def test_lam_one_reproduces_the_plain_input(parts):
    mlm, clf, enc = parts
    sm = TextSmoothing(mlm.model, lam=1.0, special_ids=mlm.info.special_ids)
    embeds = sm(enc["input_ids"], clf.get_input_embeddings(), enc["attention_mask"])
    clf.eval()
    with torch.no_grad():
        a = clf(inputs_embeds=embeds, attention_mask=enc["attention_mask"]).logits
        b = clf(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"]).logits
    assert torch.allclose(a, b, atol=1e-5)


def test_gradients_reach_the_classifier_not_the_mlm(parts):
    mlm, clf, enc = parts
    sm = TextSmoothing(mlm.model, lam=0.5, special_ids=mlm.info.special_ids)
    clf.train()
    clf.zero_grad()
    out = clf(inputs_embeds=sm(enc["input_ids"], clf.get_input_embeddings(), enc["attention_mask"]),
              attention_mask=enc["attention_mask"], labels=torch.tensor([1, 0]))
    out.loss.backward()
    assert clf.get_input_embeddings().weight.grad is not None
    assert all(p.grad is None and not p.requires_grad for p in mlm.model.parameters())


def test_consistency_loss_is_zero_without_masking_and_trains_the_student(parts):
    mlm, _clf, enc = parts
    model = mlm.model
    args = dict(mask_id=mlm.info.mask_id, attention_mask=enc["attention_mask"], special_ids=mlm.info.special_ids)
    model.eval()
    zero = consistency_loss(model, enc["input_ids"], rate=0.0, **args)
    assert zero.item() == pytest.approx(0.0, abs=1e-6)
    g = torch.Generator().manual_seed(0)
    loss = consistency_loss(model, enc["input_ids"], rate=0.5, generator=g, **args)
    assert loss.item() > 0
    for p in model.parameters():
        p.requires_grad_(True)
    model.zero_grad()
    consistency_loss(model, enc["input_ids"], rate=0.5, generator=torch.Generator().manual_seed(0), **args).backward()
    assert any(p.grad is not None and p.grad.abs().sum() > 0 for p in model.parameters())


def test_mask_tokens_never_masks_specials_or_padding(parts):
    mlm, _clf, enc = parts
    ids = enc["input_ids"]
    out = mask_tokens(ids, mlm.info.mask_id, 1.0, mlm.info.special_ids, enc["attention_mask"])
    special = torch.isin(ids, torch.tensor(mlm.info.special_ids)) | (enc["attention_mask"] == 0)
    assert torch.equal(out[special], ids[special]) and torch.all(out[~special] == mlm.info.mask_id)


def _trainer(model, mlm, tmp_path, **kw):
    from transformers import TrainingArguments

    args = TrainingArguments(output_dir=str(tmp_path), report_to=[], use_cpu=True, disable_tqdm=True)
    return ConsistencyTrainer(model=model, args=args, mask_id=mlm.info.mask_id, special_ids=mlm.info.special_ids,
                              **kw)


def test_consistency_trainer_adds_the_term_and_trains_on_unlabelled_rows(parts, tiny_model_dirs, tmp_path):
    mlm, _clf, enc = parts
    torch.manual_seed(0)
    clf = AutoModelForSequenceClassification.from_pretrained(  # no dropout: the loss is a function of the masks
        str(tiny_model_dirs["wordpiece"]), num_labels=2, hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0)
    with torch.no_grad():
        clf.classifier.weight.mul_(300.0)  # a fresh head barely reacts to its input; make it react
    clf.train()
    labels = torch.tensor([1, 0])
    plain = clf(**enc, labels=labels).loss.item()
    unmasked = _trainer(clf, mlm, tmp_path, rate=0.0, weight=1.0).compute_loss(clf, {**enc, "labels": labels})
    assert unmasked.item() == pytest.approx(plain, abs=1e-6)  # identical views: no consistency term
    trainer = _trainer(clf, mlm, tmp_path, rate=0.5, weight=2.0)
    torch.manual_seed(1)
    loss = trainer.compute_loss(clf, {**enc, "labels": torch.tensor([-100, -100])})  # unlabelled rows
    torch.manual_seed(1)
    term = consistency_loss(clf, enc["input_ids"], mlm.info.mask_id, 0.5, enc["attention_mask"], mlm.info.special_ids)
    assert loss.item() == pytest.approx(2.0 * term.item(), rel=1e-5) and loss.item() > 1e-6
    clf.zero_grad()
    loss.backward()
    assert clf.get_input_embeddings().weight.grad.abs().sum() > 0


def _example():
    path = Path(__file__).parents[1] / "examples" / "trainer_augmentation.py"
    spec = importlib.util.spec_from_file_location("trainer_example", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.parametrize("method", ["smoothing", "consistency", "uda"])
def test_trainer_example_runs(tiny_model_dirs, tmp_path, method, write_jsonl):
    rows = [{"text": "the movie was great", "label": "pos"}, {"text": "a dull film", "label": "neg"}] * 4
    data = tmp_path / "train.jsonl"
    write_jsonl(data, rows)
    extra = tmp_path / "unlabelled.jsonl"
    write_jsonl(extra, [{"text": t} for t in ["a great cast", "no heart at all"]])
    folder = str(tiny_model_dirs["wordpiece"])
    argv = ["--data", str(data), "--test", str(data), "--mlm", folder, "--classifier", folder,
            "--max-steps", "3", "--batch-size", "4", "--method", method]
    if method in ("consistency", "uda"):
        argv += ["--unlabelled", str(extra)]
    res = _example().main(argv)
    assert res["train_loss"] > 0 and 0 <= res["test_accuracy"] <= 1
    if method == "uda":
        assert 0 <= res["unlabelled_pass_rate"] <= 1


def test_uda_trainer_adds_the_view_term_for_unlabelled_rows_only(parts, tiny_model_dirs, tmp_path):
    from transformers import TrainingArguments

    from maskaug.training import UdaCollator, UdaSettings, UdaTrainer, uda_loss

    mlm, _clf, _enc = parts
    torch.manual_seed(0)
    clf = AutoModelForSequenceClassification.from_pretrained(
        str(tiny_model_dirs["wordpiece"]), num_labels=2, hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0)
    with torch.no_grad():
        clf.classifier.weight.mul_(300.0)
    clf.train()
    tok = mlm.tokenizer
    rows = [("the movie was great", "the movie was great", 1), ("a dull film", "a dull film", 0),
            ("a great cast", "a dull cast", -100), ("no heart at all", "no heart at all", -100)]
    batch = UdaCollator(tok)([{"input_ids": tok(t)["input_ids"], "view_input_ids": tok(v)["input_ids"], "labels": y}
                              for t, v, y in rows])
    args = TrainingArguments(output_dir=str(tmp_path), report_to=[], use_cpu=True, disable_tqdm=True)
    trainer = UdaTrainer(model=clf, args=args, settings=UdaSettings(weight=2.0, threshold=0.0))
    loss = trainer.compute_loss(clf, dict(batch))
    with torch.no_grad():
        out = clf(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits
        view = clf(input_ids=batch["view_input_ids"], attention_mask=batch["view_attention_mask"]).logits
    sup = torch.nn.functional.cross_entropy(out[:2], batch["labels"][:2])
    term, mask = uda_loss(out[2:], view[2:], 0.4, 0.0)
    assert loss.item() == pytest.approx(sup.item() + 2.0 * term.item(), rel=1e-4)
    assert term.item() > 0 and mask.all() and trainer.unlabelled_pass_rate == 1.0
    same = UdaTrainer(model=clf, args=args, settings=UdaSettings(threshold=0.0, temperature=1.0))
    unviewed = dict(batch, view_input_ids=batch["input_ids"], view_attention_mask=batch["attention_mask"])
    # view = row, no dropout, no sharpening: nothing to learn from the unlabelled rows
    assert same.compute_loss(clf, unviewed).item() == pytest.approx(sup.item(), abs=1e-5)


def test_self_train_adds_confident_pseudo_labels_and_their_views(tiny_mlms):
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression

    from maskaug import Augmenter
    from maskaug.training import self_train

    labelled = (["the movie was great", "a great and charming film", "a dull film", "dull and flat jokes"],
                [1, 1, 0, 0])
    unlabelled = ["great fun all round", "a charming cast indeed", "flat and dull jokes", "no heart at all",
                  "great great film"]
    vec = CountVectorizer().fit(labelled[0] + unlabelled)
    fitted = []

    def fit(texts, labels):
        fitted.append(len(texts))
        return LogisticRegression(C=10).fit(vec.transform(texts), labels)

    def predict_proba(model, texts):
        return model.predict_proba(vec.transform(texts))

    aug = Augmenter("substitute.v2", model=tiny_mlms["wordpiece"], n=1, seed=0)
    res = self_train(fit, predict_proba, labelled, unlabelled, aug, threshold=0.5, per_class=2, rounds=2)
    assert len(res.rounds) == 2 and fitted[0] == 4
    for r in res.rounds:
        assert r["rows"] == 5 and 1 <= r["kept"] <= 4
        assert r["training_rows"] == r["labelled_rows"] + 2 * r["kept"]  # each kept row and its one view
    control = self_train(fit, predict_proba, labelled, unlabelled, None, threshold=0.5, per_class=2)
    assert control.rounds[0]["training_rows"] == control.rounds[0]["labelled_rows"] + control.rounds[0]["kept"]
    for bad in (dict(threshold=1.0), dict(per_class=0), dict(rounds=0)):
        with pytest.raises(ValueError):
            self_train(fit, predict_proba, labelled, unlabelled, None, **bad)


def test_self_train_takes_views_already_made_and_weights_the_pseudo_labelled_rows():
    from maskaug.training import self_train

    labelled = (["good", "bad"], [1, 0])
    unlabelled = ["fine", "awful", "meh"]
    calls = []

    def fit(texts, labels, weights=None):
        calls.append((list(texts), list(labels), weights))
        return len(calls)

    def predict_proba(model, texts):
        return [[0.05, 0.95], [0.97, 0.03], [0.5, 0.5]]  # "meh" is below the threshold

    views = {0: ["fine indeed"], 1: ["so awful"], 2: ["meh meh"]}
    res = self_train(fit, predict_proba, labelled, unlabelled, threshold=0.9, views=views, weight=0.25, rounds=2)
    assert calls[0] == (["good", "bad"], [1, 0], None)  # the first teacher: the labelled rows, unweighted
    texts, labels, weights = calls[1]
    assert texts == ["good", "bad", "good", "bad", "fine", "fine indeed", "awful", "so awful"]  # balanced, views
    assert labels == [1, 0, 1, 0, 1, 1, 0, 0] and weights == [1.0] * 4 + [0.25] * 4
    assert res.chosen == [(0, 1), (1, 0)] and res.model == 3 and len(res.rounds) == 2
    with pytest.raises(ValueError, match="not both"):
        self_train(fit, predict_proba, labelled, unlabelled, object(), views=views)
