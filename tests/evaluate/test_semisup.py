"""Learning from unlabelled text in ``maskaug evaluate``: the pool, pseudo-labels, selftrain, uda and tapt arms."""

import json

import numpy as np
import pytest
import torch

from maskaug.cli import main
from maskaug.evaluate.data import Dataset, unlabelled_pool
from maskaug.evaluate.runner import Evaluation
from maskaug.evaluate.splits import Split
from maskaug.training.selftrain import pseudo_labels
from maskaug.training.uda import UdaSettings, uda_loss


def _config(eval_config, **settings):
    """The evaluations here: two splits, no-aug, the unlabelled file, no quality."""
    unlabelled = str(eval_config.data / "unlabelled.jsonl")
    return eval_config(**{"splits": 2, "methods": ["none"], "quality": False, "unlabelled": unlabelled, **settings})


# -- the pool ---------------------------------------------------------------------------------------------------
def test_rest_skips_each_splits_own_rows_and_every_test_text():
    pool = Dataset([f"row {i}" for i in range(20)], [i % 2 for i in range(20)], ["a", "b"])
    test = Dataset(["row 3", "unseen"], [1, 0], ["a", "b"])
    u = unlabelled_pool("rest", pool, test, "text", size=10, seed=0)
    assert u.dropped_test == 1 and "row 3" not in u.texts and len(u.texts) == 19
    split = Split(0, (0, 1, 2), (4, 5), 1)
    rows = u.rows(split)
    assert len(rows) == 10 and not {u.source[r] for r in rows} & {0, 1, 2, 4, 5}
    assert unlabelled_pool("rest", pool, test, "text", 10, 0).texts == u.texts  # a fixed draw
    assert unlabelled_pool("rest", pool, test, "text", 10, 1).texts != u.texts
    assert [u.gold[r] for r in rows] == [pool.labels[u.source[r]] for r in rows]


def test_a_file_pool_never_reads_its_labels_and_is_the_same_for_every_split(data, reviews):
    pos, more = reviews.pos, reviews.more
    pool = Dataset(pos, [0] * len(pos), ["pos"])
    test = Dataset([more[3]], [0], ["pos"])
    u = unlabelled_pool(str(data / "unlabelled.jsonl"), pool, test, "text", size=3, seed=0)
    assert u.gold is None and u.dropped_test == 1 and sorted(u.texts) == sorted(set(more) - {more[3]})
    assert u.rows(Split(0, (0,), (), 1)) == u.rows(Split(1, (5,), (), 1)) == [0, 1, 2]


# -- pseudo-labels and the UDA term -----------------------------------------------------------------------------
def test_pseudo_labels_are_confident_and_class_balanced():
    probs = np.array([[0.95, 0.05], [0.99, 0.01], [0.97, 0.03], [0.2, 0.8], [0.04, 0.96], [0.6, 0.4]])
    chosen, info = pseudo_labels(probs, threshold=0.9, per_class=2)
    assert chosen == [(1, 0), (2, 0), (4, 1)]  # the two most confident of class 0; class 1's one above 0.9
    assert info == {"rows": 6, "passed": pytest.approx(4 / 6), "kept": 3}
    assert pseudo_labels([], 0.5, 3) == ([], {"rows": 0, "passed": 0.0, "kept": 0})


def test_uda_loss_masks_unconfident_rows_and_teaches_only_the_view():
    original = torch.tensor([[4.0, 0.0], [0.1, 0.0]], requires_grad=True)
    view = torch.tensor([[0.0, 4.0], [0.0, 2.0]], requires_grad=True)
    loss, mask = uda_loss(original, view, temperature=0.4, threshold=0.8)
    assert mask.tolist() == [True, False]
    loss.backward()
    assert original.grad is None or not original.grad.any()
    assert view.grad[0].abs().sum() > 0 and not view.grad[1].any()  # the masked row teaches nothing
    same, _ = uda_loss(view.detach(), view.detach(), temperature=1.0, threshold=0.0)
    assert same.item() == pytest.approx(0.0, abs=1e-6)


def test_uda_settings_out_of_range_are_named():
    for bad, word in [(dict(ratio=0), "ratio"), (dict(temperature=0), "temperature"), (dict(threshold=1.0),
                                                                                       "threshold")]:
        with pytest.raises(ValueError, match=word):
            UdaSettings(**bad).check()


# -- the arms, end to end -----------------------------------------------------------------------------------------
def test_selftrain_adds_pseudo_labelled_rows_and_their_views(eval_config):
    cfg = _config(eval_config, methods=["none", "selftrain:threshold=0,per_class=2,view=mask",
                                       "selftrain:threshold=0,per_class=2,view=none"])
    res = Evaluation(cfg, progress=False).run()
    runs = {(r["method"], r["split"]): r for r in res["runs"]}
    assert res["unlabelled"]["dropped_test"] == 1 and res["unlabelled"]["rows_per_split"] == {"2": [5, 5]}
    for split in (0, 1):
        st = runs["selftrain:threshold=0,per_class=2,view=mask", split]
        control = runs["selftrain:threshold=0,per_class=2,view=none", split]
        kept = st["unlabelled"]["kept"]
        assert 1 <= kept <= 4 and st["unlabelled"]["rows"] == 5 and "pseudo_accuracy" not in st["unlabelled"]
        reps = max(1, round(2 * kept / 4))  # the split's 4 rows repeated to about half of the training set
        assert st["train_examples"] == control["train_examples"] == 4 * reps + 2 * kept  # each row and its view
        assert "scores" not in runs["none", split]  # the teacher's logits stay in the store
    assert res["arms"]["selftrain:threshold=0,per_class=2,view=none"]["role"] == "control"
    assert res["arms"]["selftrain:threshold=0,per_class=2,view=mask"]["role"] == "method"


def test_rest_reports_how_often_pseudo_labels_are_right(eval_config):
    cfg = _config(eval_config, unlabelled="rest", methods=["selftrain:threshold=0,view=none"])
    res = Evaluation(cfg, progress=False).run()
    st = [r for r in res["runs"] if r["method"] != "none"]
    assert all(0 <= r["unlabelled"]["pseudo_accuracy"] <= 1 for r in st)
    assert res["unlabelled"]["rows_per_split"] == {"2": [8, 8]}  # 16 rows less a split's 2 train + 2 dev per class


def test_uda_and_tapt_train_the_fine_tuned_classifier(tmp_path, eval_config):
    cfg = _config(eval_config, classifier="finetune", steps=3, epochs=1, splits=1,
                  methods=["none", "uda:ratio=2,threshold=0,view=mask", "uda:view=none,threshold=0", "tapt:epochs=1",
                           "selftrain:tapt=true,tapt_epochs=1,threshold=0,view=none"])
    res = Evaluation(cfg, progress=False).run()
    runs = {r["method"]: r for r in res["runs"]}
    assert 0 < runs["uda:ratio=2,threshold=0,view=mask"]["unlabelled_pass_rate"] <= 1
    assert runs["uda:view=none,threshold=0"]["train_examples"] == 4
    assert runs["none"]["test_accuracy"] >= 0 and runs["tapt:epochs=1"]["chosen"].startswith("step=")
    tapt = list((tmp_path / "cache").rglob("tapt*"))
    assert len(tapt) == 1  # one adapted encoder, shared by both arms that asked for one epoch
    again = Evaluation(cfg, progress=False)
    assert again.run()["runs"] == res["runs"]  # from the store


@pytest.mark.parametrize("kw,match", [
    (dict(unlabelled=None, methods=["selftrain"]), "add --unlabelled"),
    (dict(methods=["uda"]), "uda trains the fine-tuned classifier"),
    (dict(methods=["tapt"]), "--classifier finetune"),
    (dict(methods=["selftrain:view=nosuch"]), "nosuch"),
    (dict(methods=["selftrain:view=none,view_rate=0.3"]), "view=none takes no view parameters"),
    (dict(methods=["selftrain:teacher=soft"]), "ignore teacher=soft"),
    (dict(methods=["selftrain:thresold=0.5"]), "no parameter"),
    (dict(methods=["selftrain:rounds=0"]), "rounds is a count, 1 or more"),
    (dict(methods=["selftrain:threshold=1"]), r"threshold is a probability in \[0, 1\)"),
])
def test_semi_supervised_specs_that_cannot_run_are_refused_before_any_work(tmp_path, kw, match, eval_config):
    with pytest.raises(ValueError, match=match):
        Evaluation(_config(eval_config, **kw), progress=False)
    assert not (tmp_path / "cache").exists()


def test_cli_unlabelled_flags(data, tiny_model_dirs, tmp_path, capsys):
    base = ["evaluate", str(data / "train.jsonl"), "--test", str(data / "test.jsonl"), "--k", "2", "--splits", "1",
            "--encoder", str(tiny_model_dirs["wordpiece"]), "--cache-dir", str(tmp_path / "c"), "--no-quality",
            "--quiet"]
    assert main(base + ["--unlabelled-size", "5", "-o", str(tmp_path / "r1")]) == 2
    assert "add --unlabelled" in capsys.readouterr().err
    assert main(base + ["--unlabelled", str(data / "test.jsonl"), "--methods", "selftrain:view=none",
                        "-o", str(tmp_path / "r2")]) == 2
    assert "is the test file" in capsys.readouterr().err
    assert main(base + ["--unlabelled", str(data / "unlabelled.jsonl"), "--methods", "none,selftrain:view=none,"
                        "threshold=0", "-o", str(tmp_path / "r3")]) == 2
    assert "'threshold=0' is a parameter" in capsys.readouterr().err
    assert main(base + ["--unlabelled", str(data / "unlabelled.jsonl"), "--unlabelled-size", "3", "--methods",
                        "none", "--method", "selftrain:view=none,threshold=0", "-o", str(tmp_path / "r3")]) == 0
    res = json.loads((tmp_path / "r3" / "results.json").read_text())
    assert res["config"]["unlabelled_size"] == 3 and res["unlabelled"]["rows_per_split"] == {"2": [3]}
    assert "Unlabelled" in (tmp_path / "r3" / "report.md").read_text()


@pytest.mark.parametrize("content,message", [("", "no rows"), ('{"body": "x"}\n', "field 'text': no such column")])
def test_a_broken_unlabelled_file_is_named_and_leaves_no_report(data, tiny_model_dirs, tmp_path, capsys, content,
                                                                 message):
    bad = tmp_path / "pool.jsonl"
    bad.write_text(content)
    out = tmp_path / "report"
    assert main(["evaluate", str(data / "train.jsonl"), "--test", str(data / "test.jsonl"), "--k", "2", "--splits",
                 "1", "--encoder", str(tiny_model_dirs["wordpiece"]), "--cache-dir", str(tmp_path / "c"),
                 "--no-quality", "--quiet", "--unlabelled", str(bad), "--methods", "none", "--method",
                 "selftrain:view=none", "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "pool.jsonl" in err and message in err and not out.exists()
