"""End to end with the tiny local models: protocol, classifiers, quality, report, config rerun."""

import json

import numpy as np
import pytest

from maskaug.cli import main
from maskaug.evaluate.arms import arm_for
from maskaug.evaluate.config import EvalConfig
from maskaug.evaluate.protocols import Kumar2020
from maskaug.evaluate.report import markdown
from maskaug.evaluate.runner import Evaluation


def _config(eval_config, **settings):
    """The evaluations here: three splits, no-aug and two methods, a small fluency sample."""
    return eval_config(**{"splits": 3, "methods": ["none", "substitute.v2", "ssmba.v2:rate=0.3"], "fluency_sample": 5,
                          **settings})


def checked(spec):
    """The arm a spec names, checked as a kumar2020 evaluation checks it (before any work)."""
    arm = arm_for(spec)
    arm.check(Kumar2020(EvalConfig(data="train.jsonl", classifier="finetune").resolved()))
    return arm


def test_kumar2020_end_to_end_same_splits_for_every_method(eval_config):
    res = Evaluation(_config(eval_config), progress=False).run()
    runs = res["runs"]
    assert len(runs) == 3 * 3
    by_split = {}
    for r in runs:
        by_split.setdefault(r["split"], {})[r["method"]] = r
    for split in by_split.values():
        assert split["none"]["train_examples"] == 4  # k=2 per class, two classes
        assert split["substitute.v2"]["train_examples"] == 8  # + one output per example
        assert split["none"]["dev_accuracy"] is not None
    summary = res["summary"]["2"]
    assert set(summary) == {"none", "substitute.v2", "ssmba.v2:rate=0.3"}
    diffs = [by_split[s]["substitute.v2"]["test_accuracy"] - by_split[s]["none"]["test_accuracy"] for s in by_split]
    assert summary["substitute.v2"]["vs_none"]["mean_diff"] == pytest.approx(sum(diffs) / 3)
    q = res["quality"]["substitute.v2"]
    assert q["shortfall"] == 0 and q["identical"] == 0 and 0 < q["edit_rate"] and "fluency" in q
    assert q["length_changed"] == 0  # substitute fills one word with one word
    assert 0 <= q["label_kept"] <= 1 and res["throughput"]["substitute.v2"]["rows"] > 0
    assert q["label_flip_lo"] <= q["label_flip"] <= q["label_flip_hi"] and "flip_vs_reference" not in q
    vs = res["quality"]["ssmba.v2:rate=0.3"]["flip_vs_reference"]  # substitute is the default reference
    assert vs["reference"] == "substitute.v2" and vs["n"] == q["outputs"]
    assert vs["rate_diff"] == pytest.approx(res["quality"]["ssmba.v2:rate=0.3"]["label_flip"] - q["label_flip"])
    assert "Δ flip vs substitute" in markdown(res)


def test_cached_rerun_gives_identical_numbers(tmp_path, eval_config):
    import shutil

    cfg = _config(eval_config, quality=False)
    first = Evaluation(cfg, progress=False).run()
    assert list((tmp_path / "cache" / "augment").glob("*.json"))
    shutil.rmtree(tmp_path / "cache" / "runs")  # classifiers rerun from cached augmentations: deterministic
    second = Evaluation(cfg, progress=False).run()
    assert first["runs"] == second["runs"] and second["cached_runs"] == 0
    third = Evaluation(cfg, progress=False).run()  # every classifier run read back
    assert third["runs"] == first["runs"] and third["cached_runs"] == len(first["runs"]) == 9
    assert "(9 of 9 classifier runs read from the cache)" in markdown(third)


def test_an_extended_evaluation_reruns_only_the_new_classifier_runs(eval_config):
    small = Evaluation(_config(eval_config, methods=["none", "substitute.v2"], quality=False),
                       progress=False).run()
    more = Evaluation(_config(eval_config, quality=False), progress=False).run()
    assert more["cached_runs"] == len(small["runs"]) == 6 and len(more["runs"]) == 9
    assert [r for r in more["runs"] if r["method"] != "ssmba.v2:rate=0.3"] == small["runs"]


def test_eda2019_and_finetune_classifier(eval_config):
    cfg = _config(eval_config, protocol="eda2019", sizes=[6], splits=2, n=2,
                  methods=["none", "substitute.v2"], classifier="finetune", epochs=2, quality=False)
    res = Evaluation(cfg, progress=False).run()
    assert {r["train_examples"] for r in res["runs"] if r["method"] == "none"} == {6}
    assert {r["train_examples"] for r in res["runs"] if r["method"] == "substitute.v2"} == {18}
    assert all(r["dev_accuracy"] is None and r["chosen"] == "epoch=2" for r in res["runs"])


def test_consistency_row_trains_with_the_masked_consistency_term(tiny_model_dirs, eval_config):
    cfg = _config(eval_config, splits=2, methods=["none", "consistency", "consistency:weight=3"],
                  classifier="finetune", epochs=2, quality=False)
    ev = Evaluation(cfg, progress=False)
    res = ev.run()
    by = {}
    for r in res["runs"]:
        by.setdefault(r["method"], []).append(r)
    assert set(by) == {"none", "consistency", "consistency:weight=3"}
    assert {r["train_examples"] for rs in by.values() for r in rs} == {4}  # no new rows
    keys = set()
    from maskaug.evaluate.classifiers import FineTuneClassifier

    base = FineTuneClassifier(encoder=str(tiny_model_dirs["wordpiece"]), epochs=2)
    for label in by:  # three different classifiers, three cache entries per split
        keys.add(json.dumps(arm_for(label).learner(base).settings(), sort_keys=True))
    assert len(keys) == 3 and "vs_none" in res["summary"]["2"]["consistency"]
    assert "consistency" not in res["examples"] and "consistency" not in res["quality"]
    with pytest.raises(ValueError, match="--classifier finetune"):
        Evaluation(_config(eval_config, methods=["none", "consistency"]), progress=False)


def test_method_spec_parsing_and_unknown_method():
    from maskaug.evaluate.spec import ArmSpec

    s = ArmSpec.parse("substitute.v2:rate=0.3,top_k=5,strategy=argmax")
    assert (s.method, s.params) == ("substitute.v2", {"rate": 0.3, "top_k": 5, "strategy": "argmax"})
    assert ArmSpec.parse({"label": "sub30", "method": "substitute.v2", "rate": 0.3}).label == "sub30"
    with pytest.raises(KeyError, match="unknown method"):
        checked("nope")
    with pytest.raises(ValueError, match="no parameter"):
        checked("substitute.v2:bogus=1")
    for bad in ("copy:rate=0.3", "none:top_k=5", "consistency:bogus=1"):  # an arm's own parameters are checked too
        with pytest.raises(ValueError, match="no parameter"):
            checked(bad)


def test_cli_writes_reports_and_reruns_from_config(data, tiny_model_dirs, tmp_path, capsys):
    out = tmp_path / "report"
    args = [str(data / "train.jsonl"), "--test", str(data / "test.jsonl"), "-o", str(out), "--k", "2",
            "--splits", "2", "--methods", "none,substitute.v2", "--encoder", str(tiny_model_dirs["wordpiece"]),
            "--model", str(tiny_model_dirs["wordpiece"]), "--cache-dir", str(tmp_path / "c"), "--quiet"]
    assert main(["evaluate", *args]) == 0
    md = (out / "report.md").read_text()
    assert "| substitute.v2 |" in md and "Δ vs no-aug" in md
    html = (out / "report.html").read_text()
    assert html.count("data:image/png;base64,") == 2 and "<table" in html  # accuracy; flips against gain
    first = json.loads((out / "results.json").read_text())
    assert first["config"]["k"] == [2] and len(first["runs"]) == 4
    out2 = tmp_path / "again"
    assert main(["evaluate", "--config", str(out / "config.json"), "-o", str(out2), "--quiet"]) == 0
    assert json.loads((out2 / "results.json").read_text())["runs"] == first["runs"]


def test_cli_bad_label_in_test_names_file_row_field(data, tiny_model_dirs, tmp_path, capsys):
    bad = tmp_path / "test.jsonl"
    bad.write_text('{"text": "fine", "label": "pos"}\n{"text": "odd", "label": "meh"}\n')
    code = main(["evaluate", str(data / "train.jsonl"), "--test", str(bad), "-o", str(tmp_path / "o"), "--k", "2",
                 "--splits", "1", "--methods", "none", "--encoder", str(tiny_model_dirs["wordpiece"]), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and f"{bad}: row 2, field 'label'" in err and "'meh'" in err


def test_conditional_method_fine_tunes_one_mlm_per_split(tmp_path, eval_config):
    cfg = _config(eval_config, splits=2, methods=["none", "prepend.v1"], quality=True)
    res = Evaluation(cfg, progress=False).run()
    assert {r["train_examples"] for r in res["runs"] if r["method"] == "prepend.v1"} == {8}
    models = sorted((tmp_path / "cache" / "models").glob("prepend-*"))
    assert len(models) == 2 and all((m / "maskaug_conditioning.json").is_file() for m in models)
    assert res["quality"]["prepend.v1"]["shortfall"] == 0  # the tiny model's fills are below v3's floors


def test_teacher_constraint_in_a_method_spec_is_trained_per_split(eval_config):
    cfg = _config(eval_config, splits=2, methods=["none", "substitute.v2:teacher=filter"],
                  quality=True)
    res = Evaluation(cfg, progress=False).run()
    stats = res["throughput"]["substitute.v2:teacher=filter"]
    assert stats["rows"] == 8 and "teacher" in stats["rejected"]  # two splits of 4 rows, each with its teacher
    q = res["quality"]["substitute.v2:teacher=filter"]
    assert q["outputs"] + q["shortfall"] == q["sources"] and 0 <= q["label_flip"] <= 1
    with pytest.raises(ValueError, match="teacher is 'filter'"):
        checked("substitute.v2:teacher=hard")
    checked("substitute.v2:teacher=soft")


def test_eda_baseline_runs_in_the_protocol(eval_config):
    cfg = _config(eval_config, splits=2, methods=["none", "eda"], fluency_sample=3)
    res = Evaluation(cfg, progress=False).run()
    assert {r["train_examples"] for r in res["runs"] if r["method"] == "eda"} == {8}
    assert res["throughput"]["eda"]["forward_passes"] == 0 and res["quality"]["eda"]["outputs"] > 0
    assert res["arms"]["eda"] == {"arm": "eda.v1", "role": "baseline"}


def test_report_for_a_k_sweep_plots_gain_against_k(data, tmp_path, eval_config):
    from maskaug.evaluate.report import write

    cfg = _config(eval_config, k=[1, 2], splits=2, methods=["none", "substitute.v2"],
                  quality=False)
    res = Evaluation(cfg, progress=False).run()
    assert set(res["summary"]) == {"1", "2"}
    paths = write(res, tmp_path / "r")
    html = paths["html"].read_text()
    assert html.count("data:image/png;base64,") == 3 and "Gain against k" in html
    assert "Test accuracy, k = 1" in paths["md"].read_text()
    assert json.loads(paths["json"].read_text())["config"]["k"] == [1, 2]


def test_empty_data_and_small_class_are_named(tmp_path, capsys):
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    assert main(["evaluate", str(empty), "-o", str(tmp_path / "o"), "--methods", "none", "--quiet"]) == 2
    assert f"{empty}: no rows" in capsys.readouterr().err
    few = tmp_path / "few.jsonl"
    few.write_text('{"text": "a good film", "label": "pos"}\n{"text": "a bad film", "label": "neg"}\n'
                   '{"text": "a fine film", "label": "pos"}\n')
    assert main(["evaluate", str(few), "--test", str(few), "-o", str(tmp_path / "o"), "--methods", "none", "--k", "1",
                 "--quiet"]) == 2
    assert "too few in {'neg': 1}" in capsys.readouterr().err


def test_unknown_flip_reference_is_refused_before_any_work(eval_config):
    with pytest.raises(ValueError, match=r"flip reference 'insert.v2' is not one of the methods \['substitute.v2'"):
        Evaluation(_config(eval_config, flip_reference="insert.v2"), progress=False)


def test_label_text_reaches_the_per_split_prepend_model(tmp_path, eval_config):
    from maskaug.conditioning import Conditioning

    cfg = _config(eval_config, k=[3], splits=1, methods=["none", "prepend"], quality=False,
                  label_text={"pos": "great", "neg": "dull"})
    Evaluation(cfg, progress=False).run()
    (folder,) = (tmp_path / "cache" / "models").glob("prepend-*")
    assert Conditioning.load(folder).label_text == {"pos": "great", "neg": "dull"}


def test_label_lr_in_a_cbert_spec_fine_tunes_its_own_model(tmp_path, eval_config):
    cfg = _config(eval_config, k=[3], splits=1, quality=False,
                  methods=["none", "cbert", "cbert:label_lr=0.05"])
    res = Evaluation(cfg, progress=False).run()
    assert len(list((tmp_path / "cache" / "models").glob("cbert-*"))) == 2
    assert {r["method"] for r in res["runs"]} == {"none", "cbert", "cbert:label_lr=0.05"}
    with pytest.raises(ValueError, match="fine-tuning of cbert only"):
        checked("substitute.v2:label_lr=0.01")


def test_label_text_for_an_unknown_label_is_refused_before_any_work(tmp_path, eval_config):
    cfg = _config(eval_config, methods=["none", "prepend"], label_text={"good": "great"})
    with pytest.raises(ValueError, match=r"label text given for \['good'\]"):
        Evaluation(cfg, progress=False).run()
    assert not (tmp_path / "cache" / "models").exists()


def test_label_text_without_a_prepend_method_is_refused(eval_config):
    cfg = _config(eval_config, methods=["none", "cbert"], label_text={"pos": "great"})
    with pytest.raises(ValueError, match="no prepend method is in this run"):
        Evaluation(cfg, progress=False)


def test_sentence_pairs_are_classified_and_judged_as_pairs(tiny_model_dirs, tmp_path, reviews, write_jsonl):
    pos, neg = reviews.pos, reviews.neg
    premises = pos + neg
    rows = [{"premise": p, "hypothesis": h, "label": y} for p, h, y in
            zip(premises, premises[3:] + premises[:3], ["same" if i % 2 else "other" for i in range(16)])]
    write_jsonl(tmp_path / "pairs.jsonl", rows)
    cfg = EvalConfig(data=str(tmp_path / "pairs.jsonl"), test=str(tmp_path / "pairs.jsonl"),
                     text_column=["premise", "hypothesis"], k=[2], splits=2,
                     methods=["none", "copy", "eda", "substitute.v2"], encoder=str(tiny_model_dirs["wordpiece"]),
                     model=str(tiny_model_dirs["wordpiece"]), fluency_sample=3, cache_dir=str(tmp_path / "cache"))
    res = Evaluation(cfg, progress=False).run()
    by = {(r["split"], r["method"]): r for r in res["runs"]}
    assert by[0, "none"]["train_examples"] == 4 and by[0, "copy"]["train_examples"] == 8
    assert by[0, "substitute.v2"]["train_examples"] == 8
    q = res["quality"]["substitute.v2"]
    assert q["outputs"] > 0 and 0 <= q["label_flip"] <= 1 and 0 < q["similarity"] <= 1 + 1e-6
    example = res["examples"]["substitute.v2"][0]
    assert " / " in example["source"] and " / " in example["output"]
    assert "vs_copy" in res["summary"]["2"]["substitute.v2"] and "copy" not in res["quality"]
    again = Evaluation(cfg, progress=False).run()  # outputs read back from the cache as pairs
    assert again["runs"] == res["runs"]


def test_soft_labels_from_the_teacher_train_the_classifier(tiny_model_dirs, monkeypatch, eval_config):
    from maskaug.evaluate.classifiers import soft_rows, soft_targets

    model = str(tiny_model_dirs["wordpiece"])
    monkeypatch.setattr("maskaug.embeddings.default_encoder", lambda: model)
    cfg = _config(eval_config, splits=2, methods=["none", "substitute.v2:teacher=soft"],
                  quality=False)
    ev = Evaluation(cfg, progress=False)
    res = ev.run()
    runs = [r for r in res["runs"] if r["method"] == "substitute.v2:teacher=soft"]
    assert len(runs) == 2 and all(r["train_examples"] == 8 for r in runs)
    assert res["teachers"] == {"substitute.v2:teacher=soft": "soft"}
    assert "substitute.v2:teacher=soft: the added rows train on the probabilities of a logistic" in markdown(res)
    pool = ev.protocol.load()[0]
    outs = ev.arms[1].outputs(ev.context, pool, ev.protocol.splits(pool)[2], 1)[0][0]
    soft = [o for os in outs.values() for o in os]
    assert soft and all(isinstance(o, dict) and abs(sum(o["soft"]) - 1) < 1e-3 for o in soft)
    import numpy as np

    x, y, w = soft_rows(np.eye(3), [0, [0.25, 0.75], 1])
    assert y.tolist() == [0, 0, 1, 1] and w.tolist() == [1.0, 0.25, 0.75, 1.0] and x.shape == (4, 3)
    assert soft_targets([1, [0.5, 0.5]], 2).tolist() == [[0.0, 1.0], [0.5, 0.5]]


def test_the_fine_tuned_classifier_trains_on_soft_labels(tiny_model_dirs, reviews):
    pos, neg = reviews.pos, reviews.neg
    from maskaug.evaluate.classifiers import FineTuneClassifier

    clf = FineTuneClassifier(str(tiny_model_dirs["wordpiece"]), epochs=2, batch_size=4)
    train = (pos[:4] + neg[:4] + pos[4:6], [1] * 4 + [0] * 4 + [[0.2, 0.8], [0.9, 0.1]])
    r = clf.run(train, None, (pos[6:] + neg[6:], [1, 1, 0, 0]), seed=0)
    assert 0 <= r.test_accuracy <= 1 and len(r.test_predictions) == 4


def test_step_matched_classifier_takes_the_same_steps_whatever_the_rows(tiny_model_dirs, reviews):
    pos, neg = reviews.pos, reviews.neg
    import re

    from maskaug.evaluate.classifiers import FineTuneClassifier

    test = (pos[6:] + neg[6:], [1, 1, 0, 0])
    dev = (pos[4:6] + neg[4:6], [1, 1, 0, 0])
    matched = FineTuneClassifier(str(tiny_model_dirs["wordpiece"]), epochs=3, batch_size=4, steps=7)
    for rows in (4, 12):  # 1 and 3 batches a pass: 7 steps either way, dev checked at steps 3, 6 and 7
        train = ((pos[:4] + neg[:4]) * 3, ([1] * 4 + [0] * 4) * 3)
        r = matched.run((train[0][:rows], train[1][:rows]), dev, test, seed=0)
        assert r.steps == 7 and re.fullmatch(r"step=[367]", r.chosen)
    assert matched.settings()["steps"] == 7
    by_epochs = FineTuneClassifier(str(tiny_model_dirs["wordpiece"]), epochs=2, batch_size=4)
    r = by_epochs.run((pos[:5] + neg[:5], [1] * 5 + [0] * 5), dev, test, seed=0)
    assert r.steps == 2 * 3 and re.fullmatch(r"epoch=[12]", r.chosen) and "steps" not in by_epochs.settings()
    with pytest.raises(ValueError, match="--classifier finetune"):
        from maskaug.evaluate.classifiers import make_classifier

        make_classifier("logreg", None, steps=5)


def test_row_weights_scale_the_loss_of_generated_rows(tiny_model_dirs, reviews):
    pos, neg = reviews.pos, reviews.neg
    from maskaug.embeddings import Embedder
    from maskaug.evaluate.classifiers import FineTuneClassifier, LogRegClassifier, soft_rows

    x, y, w = soft_rows(np.eye(3), [0, [0.25, 0.75], 1], weights=[1.0, 0.5, 0.2])
    assert y.tolist() == [0, 0, 1, 1] and w.tolist() == [1.0, 0.125, 0.375, 0.2]
    real = (pos[:4] + neg[:4], [1] * 4 + [0] * 4)
    test = (pos[4:] + neg[4:], [1] * 4 + [0] * 4)
    wrong = (real[0] + neg[4:], real[1] + [1] * 4)  # generated rows with the wrong label
    lr = LogRegClassifier(Embedder(str(tiny_model_dirs["wordpiece"]), progress=False))
    alone = lr.run(real, None, test)
    faint = lr.run(wrong, None, test, weights=[1.0] * 8 + [1e-9] * 4)
    loud = lr.run(wrong, None, test)
    assert faint.test_predictions == alone.test_predictions  # a near-zero weight: as if the rows were not there
    assert loud.test_predictions != alone.test_predictions
    ft = FineTuneClassifier(str(tiny_model_dirs["wordpiece"]), epochs=2, batch_size=4)
    plain, ones = ft.run(real, None, test, seed=0), ft.run(real, None, test, seed=0, weights=[1.0] * 8)
    assert plain.test_predictions == ones.test_predictions  # weight 1 everywhere is the unweighted loss


def test_a_weight_in_a_method_spec_reaches_the_classifier_not_the_method(monkeypatch, eval_config):
    from maskaug.evaluate.classifiers import LogRegClassifier

    arm = checked("substitute.v2:aug_weight=0.5,rate=0.3")
    assert arm.options.weight == 0.5 and arm.spec.method_params == {"rate": 0.3} and arm.params["rate"] == 0.3
    for bad in ("copy:aug_weight=0", "copy:aug_weight=2", "copy:aug_weight=true"):
        with pytest.raises(ValueError, match="aug_weight is a number"):
            checked(bad)
    seen = []
    run = LogRegClassifier.run

    def spy(self, train, dev, test, seed=0, weights=None, **kw):
        seen.append((len(train[0]), weights))
        return run(self, train, dev, test, seed=seed, weights=weights, **kw)

    monkeypatch.setattr(LogRegClassifier, "run", spy)
    methods = ["none", "copy", "copy:aug_weight=0.25"]
    res = Evaluation(_config(eval_config, splits=1, methods=methods, quality=False),
                     progress=False).run()
    assert [w for _, w in seen] == [None, None, [1.0] * 4 + [0.25] * 4]
    assert {r["method"] for r in res["runs"]} == {"none", "copy", "copy:aug_weight=0.25"}


def test_steps_that_are_not_a_positive_count_are_refused(data, tiny_model_dirs, tmp_path, capsys):
    from maskaug.evaluate.classifiers import FineTuneClassifier

    for bad in (0, -5):
        with pytest.raises(ValueError, match="--steps"):
            FineTuneClassifier(str(tiny_model_dirs["wordpiece"]), steps=bad)
    rc = main(["evaluate", str(data / "train.jsonl"), "--test", str(data / "test.jsonl"), "--classifier", "finetune",
               "--steps", "0", "--k", "2", "--splits", "1", "--methods", "none", "--no-quality",
               "--encoder", str(tiny_model_dirs["wordpiece"]), "--cache-dir", str(tmp_path / "c"),
               "-o", str(tmp_path / "r")])
    err = capsys.readouterr().err
    assert rc == 2 and "--steps" in err and "Traceback" not in err and not (tmp_path / "r").exists()


def test_guard_keeps_the_augmented_classifier_only_when_it_beats_no_aug_on_dev():
    from maskaug.evaluate.runner import guard

    none = {"test_accuracy": 0.6, "dev_accuracy": 0.7, "chosen": "step=10", "per_class": {}}
    better = {"test_accuracy": 0.5, "dev_accuracy": 0.8, "chosen": "step=20", "per_class": {}}
    tied = {**better, "dev_accuracy": 0.7}
    assert guard(better, none) == {**better, "guard": "augmented"}  # dev decides, not test
    assert guard(tied, none) == {**none, "guard": "none"}  # a tie keeps no-aug
    assert guard({**better, "dev_accuracy": 0.6}, none)["test_accuracy"] == 0.6
    with pytest.raises(ValueError, match="dev"):
        guard({**better, "dev_accuracy": None}, none)


def test_a_guarded_spec_reports_the_classifier_dev_chose_per_split(monkeypatch, eval_config):
    from maskaug.evaluate.classifiers import LogRegClassifier

    trained = []
    run = LogRegClassifier.run

    def spy(self, train, dev, test, seed=0, weights=None, **kw):
        trained.append(len(train[0]))
        return run(self, train, dev, test, seed=seed, weights=weights, **kw)

    monkeypatch.setattr(LogRegClassifier, "run", spy)
    methods = ["substitute.v2:rate=0.3,guard=dev", "none", "substitute.v2:rate=0.3"]
    res = Evaluation(_config(eval_config, methods=methods, quality=False), progress=False).run()
    assert len(trained) == 2 * 3  # the guarded spec reads the runs of none and substitute, it trains nothing more
    assert [r["method"] for r in res["runs"][:3]] == methods  # runs stay in the order the methods were given
    by = {(r["split"], r["method"]): r for r in res["runs"]}
    kept = 0
    for s in range(3):
        g, aug, none = by[s, methods[0]], by[s, "substitute.v2:rate=0.3"], by[s, "none"]
        pick = aug if aug["dev_accuracy"] > none["dev_accuracy"] else none
        assert g["guard"] == ("augmented" if pick is aug else "none")
        assert (g["test_accuracy"], g["dev_accuracy"], g["train_examples"]) == (
            pick["test_accuracy"], pick["dev_accuracy"], pick["train_examples"])
        kept += pick is aug
    assert res["summary"]["2"][methods[0]]["guard_kept"] == kept
    assert f"augmented kept on {methods[0]}: {kept} of 3 splits" in markdown(res)


def test_a_guard_other_than_dev_or_without_dev_rows_is_refused(eval_config):
    for bad in ("substitute.v2:guard=test", "none:guard=dev"):
        with pytest.raises(ValueError, match="guard=dev"):
            checked(bad)
    with pytest.raises(ValueError, match="kumar2020"):
        Evaluation(_config(eval_config, protocol="eda2019", sizes=[8],
                           methods=["none", "substitute.v2:guard=dev"]), progress=False)


def test_teacher_classifier_trains_generated_rows_on_the_no_aug_classifiers_probabilities(monkeypatch, eval_config):
    from maskaug.evaluate.classifiers import LogRegClassifier

    seen = []
    run = LogRegClassifier.run

    def spy(self, train, dev, test, seed=0, weights=None, **kw):
        r = run(self, train, dev, test, seed=seed, weights=weights, **kw)
        seen.append((list(train[0]), list(train[1]), dev, seed, kw.get("score"), r))
        return r

    monkeypatch.setattr(LogRegClassifier, "run", spy)
    plain, distilled = "substitute.v2:rate=0.3", "substitute.v2:rate=0.3,teacher=classifier,aug_weight=0.5"
    ev = Evaluation(_config(eval_config, splits=2, methods=["none", plain, distilled],
                            quality=False), progress=False)
    res = ev.run()
    pool = ev.protocol.load()[0]
    splits = ev.protocol.splits(pool)[2]
    assert ev.arms[2].outputs(ev.context, pool, splits, 1) == ev.arms[1].outputs(ev.context, pool, splits, 1)
    by = {(r["split"], r["method"]): r for r in res["runs"]}
    for split in splits:
        real = len(split.train)
        none = next(s for s in seen if len(s[0]) == real and s[4] is None and s[3] == split.index)
        teacher = next(s for s in seen if s[4] is not None and s[3] == split.index)
        student = next(s for s in seen if len(s[0]) > real and s[4] is None and s[3] == split.index
                       and isinstance(s[1][-1], list))
        assert teacher[:4] == none[:4]  # the teacher is the split's no-aug classifier: same rows, dev and seed
        assert teacher[5].test_predictions == none[5].test_predictions
        assert teacher[4] == student[0][real:]  # it scored exactly the generated rows
        assert student[1][:real] == none[1]  # real rows keep their labels
        probs = np.exp(np.asarray(teacher[5].scores))
        assert np.allclose(student[1][real:], probs / probs.sum(-1, keepdims=True))
        assert by[split.index, distilled]["train_examples"] == by[split.index, plain]["train_examples"]
    assert res["teachers"] == {distilled: "classifier"}
    assert f"{distilled}: the added rows train on the probabilities of the split's own no-aug" in markdown(res)
    again = Evaluation(ev.cfg, progress=False).run()  # every run, the teachers' too, read back from the cache
    assert again["runs"] == res["runs"] and again["cached_runs"] == 2 * 4  # 3 methods and a teacher per split
    assert "(8 of 8 classifier runs read from the cache)" in markdown(again)
    for bad in ("none:teacher=classifier", "consistency:teacher=classifier"):
        with pytest.raises(ValueError, match="adds no rows"):
            checked(bad)
    with pytest.raises(ValueError, match="'classifier'"):
        checked("substitute.v2:teacher=model")


def test_the_fine_tuned_classifier_scores_extra_texts_with_its_chosen_model(tiny_model_dirs, reviews):
    pos, neg = reviews.pos, reviews.neg
    from maskaug.evaluate.classifiers import FineTuneClassifier

    clf = FineTuneClassifier(str(tiny_model_dirs["wordpiece"]), epochs=2, batch_size=4)
    train, test = (pos[:4] + neg[:4], [1] * 4 + [0] * 4), (pos[4:] + neg[4:], [1] * 4 + [0] * 4)
    dev = (pos[6:] + neg[6:], [1, 1, 0, 0])
    plain = clf.run(train, dev, test, seed=3)
    scored = clf.run(train, dev, test, seed=3, score=test[0][::-1])
    assert plain.scores is None and scored.test_predictions == plain.test_predictions  # scoring changes nothing
    assert np.asarray(scored.scores).shape == (8, 2)
    assert np.asarray(scored.scores).argmax(-1).tolist() == plain.test_predictions[::-1]  # the chosen model's
    assert clf.run(train, dev, test, seed=3, score=[]).scores == []


def test_the_fine_tuned_classifier_refuses_an_empty_training_set(tiny_model_dirs, reviews):
    pos = reviews.pos
    from maskaug.evaluate.classifiers import FineTuneClassifier

    for steps in (None, 3):  # step-matched, it used to loop for ever looking for a batch
        with pytest.raises(ValueError, match="at least one training row"):
            FineTuneClassifier(str(tiny_model_dirs["wordpiece"]), steps=steps).run(([], []), None, (pos[:2], [1, 1]))


def test_soft_copies_train_on_the_teachers_probabilities_of_their_own_text(tiny_model_dirs, monkeypatch, eval_config):
    """copy:teacher=soft is the control for a soft-label method: as many added rows at the same weight, labelled
    by the same teacher, with no new text. It used to train plain copies on their hard labels, silently."""
    from maskaug.constraints import Teacher
    from maskaug.embeddings import Embedder
    from maskaug.evaluate.classifiers import LogRegClassifier

    seen = []
    run = LogRegClassifier.run

    def spy(self, train, dev, test, seed=0, weights=None, **kw):
        seen.append((list(train[0]), list(train[1]), weights, seed))
        return run(self, train, dev, test, seed=seed, weights=weights, **kw)

    monkeypatch.setattr(LogRegClassifier, "run", spy)
    soft = "copy:teacher=soft,aug_weight=0.5"
    ev = Evaluation(_config(eval_config, splits=2, methods=["none", "copy", soft],
                            quality=False), progress=False)
    res = ev.run()
    pool = ev.protocol.load()[0]
    embedder = Embedder(str(tiny_model_dirs["wordpiece"]), progress=False)
    for split in ev.protocol.splits(pool)[2]:
        real = len(split.train)
        seed = ev.protocol.run_seed(split)
        texts, labels, weights, _ = next(s for s in seen if s[3] == seed and s[2] is not None)
        plain = next(s for s in seen if s[3] == seed and len(s[0]) == 2 * real and s[2] is None)
        assert texts == plain[0]  # the copies' texts: their sources
        assert labels[:real] == plain[1][:real] and weights == [1.0] * real + [0.5] * real
        sources, rows = [pool.texts[i] for i in split.train], sorted(split.train)
        teacher = Teacher([pool.texts[i] for i in rows], [pool.classes[pool.labels[i]] for i in rows], mode="soft",
                          embedder=embedder)  # the teacher a teacher=soft method has on this split
        want = [[p[c] for c in pool.classes] for p in teacher.soft_labels(sources)]
        assert labels[real:] == want and all(abs(sum(p) - 1) < 1e-3 for p in want)
        assert any(max(p) < 1 for p in want)  # a probability, not the one-hot label
    assert res["teachers"] == {soft: "soft"}
    assert f"{soft}: the added rows train on the probabilities of a logistic regression" in markdown(res)


def test_options_a_baseline_would_ignore_are_refused(data, tiny_model_dirs, tmp_path):
    for bad in ("none:teacher=soft", "none:aug_weight=0.5", "consistency:teacher=soft", "copy:teacher=filter",
                "copy:min_similarity=0.8", "copy:label_words=true"):
        with pytest.raises(ValueError, match="ignore"):
            checked(bad)
    for fine in ("copy:teacher=soft", "copy:teacher=classifier,aug_weight=0.5", "eda:aug_weight=0.5",
                 "consistency:weight=0.5", "eda:alpha_sr=0.2",
                 "eda:teacher=filter", "eda:max_edit_rate=0.2"):  # EDA is a registered method: constraints apply
        checked(fine)


def test_a_split_with_no_generated_rows_trains_no_teacher(tmp_path, eval_config, reviews):
    pos, neg = reviews.pos, reviews.neg
    from maskaug.evaluate.arms import Context
    from maskaug.evaluate.classifiers import LogRegClassifier

    ev = Evaluation(_config(eval_config, methods=["none"], quality=False), progress=False)
    clf = LogRegClassifier(None)  # never trained: nothing to label
    ctx = Context(ev.store, ev.model_ref, None, ev.protocol, None, {})
    assert ctx.teacher_labels(clf, (pos[:2], [1, 1]), None, (neg[:2], [0, 0]), 0, []) == []
    assert ev.store.asked["runs"] == 0 and not (tmp_path / "cache" / "runs").exists()


def test_several_classifier_seeds_per_split_are_averaged_before_pairing(monkeypatch, eval_config):
    from maskaug.evaluate.classifiers import LogRegClassifier

    seeds = []
    run = LogRegClassifier.run

    def spy(self, train, dev, test, seed=0, weights=None, **kw):
        seeds.append(seed)
        return run(self, train, dev, test, seed=seed, weights=weights, **kw)

    monkeypatch.setattr(LogRegClassifier, "run", spy)
    methods = ["none", "substitute.v2:rate=0.3,guard=dev", "substitute.v2:rate=0.3"]
    ev = Evaluation(_config(eval_config, methods=methods, quality=False, seeds=2), progress=False)
    res = ev.run()
    assert len(seeds) == 3 * 2 * 2  # splits × seeds × (none, substitute); the guard reads those runs
    assert sorted(set(seeds)) == sorted({s + r * 2 ** 32 for s in range(3) for r in range(2)})
    assert len(res["runs"]) == 3 * 3  # one record per split and method: the pairing unit stays the split
    kept = 0
    for r in res["runs"]:
        accs = [s["test_accuracy"] for s in r["seed_runs"]]
        assert len(accs) == 2 and r["test_accuracy"] == pytest.approx(sum(accs) / 2)
    by = {(r["split"], r["method"]): r for r in res["runs"]}
    for s in range(3):
        for j in range(2):  # the guard compares runs of the same seed
            g, aug, none = (by[s, m]["seed_runs"][j] for m in (methods[1], methods[2], "none"))
            pick = aug if aug["dev_accuracy"] > none["dev_accuracy"] else none
            assert g["guard"] == ("augmented" if pick is aug else "none")
            assert g["test_accuracy"] == pick["test_accuracy"]
            kept += pick is aug
    entry = res["summary"]["2"][methods[1]]
    assert (entry["guard_kept"], entry["guard_runs"], entry["n"]) == (kept, 6, 3)
    assert f"augmented kept on {methods[1]}: {kept} of 6 runs" in markdown(res)
    assert "2 classifier seeds per split" in markdown(res)
    # the first seed is the one-seed evaluation's: its runs come from the same cache entries
    one = Evaluation(_config(eval_config, methods=methods, quality=False), progress=False).run()
    assert one["cached_runs"] == one["classifier_runs"]
    first = {(r["split"], r["method"]): r["seed_runs"][0]["test_accuracy"] for r in res["runs"]}
    assert {(r["split"], r["method"]): r["test_accuracy"] for r in one["runs"]} == first
    assert "seed_runs" not in one["runs"][0] and "guard_runs" not in one["summary"]["2"][methods[1]]


def test_a_seed_count_below_one_is_refused(eval_config):
    with pytest.raises(ValueError, match="seeds"):
        Evaluation(_config(eval_config, seeds=0), progress=False).run()


def test_cli_seeds_reach_the_evaluation_and_are_refused_where_they_do_nothing(data, tiny_model_dirs, tmp_path,
                                                                             capsys):
    out = tmp_path / "report"
    common = ["--encoder", str(tiny_model_dirs["wordpiece"]), "--model", str(tiny_model_dirs["wordpiece"]),
              "--cache-dir", str(tmp_path / "c"), "--quiet"]
    assert main(["evaluate", str(data / "train.jsonl"), "--test", str(data / "test.jsonl"), "-o", str(out), "--k", "2",
                 "--splits", "2", "--seeds", "2", "--methods", "none", "--no-quality", *common]) == 0
    res = json.loads((out / "results.json").read_text())
    assert res["config"]["seeds"] == 2 and all(len(r["seed_runs"]) == 2 for r in res["runs"])
    code = main(["evaluate", str(data / "train.jsonl"), "--test", str(data / "test.jsonl"), "-o", str(out),
                 "--seeds", "0", *common])
    assert code == 2 and "seeds must be a positive count" in capsys.readouterr().err
