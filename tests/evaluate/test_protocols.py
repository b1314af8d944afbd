"""melm2022 through the one run loop on tiny models: splits, MELM per split, tagger F1, paired stats, the store,
the same report, and the settings it honours or refuses."""

import json

import pytest

from maskaug.cli import main
from maskaug.evaluate.config import EvalConfig
from maskaug.evaluate.report import markdown
from maskaug.evaluate.runner import Evaluation
from maskaug.evaluate.tagger import Tagger

RECORDS = [
    (["Peter", "Blackburn", "visited", "Paris", "on", "Monday", "."], ["B-PER", "I-PER", "O", "B-LOC", "O", "O", "O"]),
    (["The", "European", "Commission", "said", "it", "disagreed", "."], ["O", "B-ORG", "I-ORG", "O", "O", "O", "O"]),
    (["John", "lives", "in", "London", "with", "his", "family", "."], ["B-PER", "O", "O", "B-LOC", "O", "O", "O", "O"]),
    (["Maria", "works", "for", "Siemens", "in", "Berlin", "."], ["B-PER", "O", "O", "B-ORG", "O", "B-LOC", "O"]),
    (["Fans", "in", "Madrid", "cheered", "for", "Anna", "."], ["O", "O", "B-LOC", "O", "O", "B-PER", "O"]),
]


@pytest.fixture
def files(tmp_path, write_jsonl):
    paths = []
    for name, recs in (("train.jsonl", RECORDS * 3), ("test.jsonl", RECORDS[::-1])):
        p = tmp_path / name
        write_jsonl(p, [{"tokens": t, "tags": g} for t, g in recs])
        paths.append(p)
    return paths


def test_tagger_learns_its_training_sentences(tiny_model_dirs):
    tags = sorted({t for _, ts in RECORDS for t in ts})
    tagger = Tagger(tags, str(tiny_model_dirs["wordpiece"]), epochs=40, lr=3e-3)
    records = ([t for t, _ in RECORDS], [g for _, g in RECORDS])
    score = tagger.evaluate(records, None, records, seed=0)
    assert set(score) == {"f1", "precision", "recall"}
    assert score["f1"] > 0.5  # a 2-layer toy model fits five sentences it trained on
    with pytest.raises(ValueError, match="no row weights"):
        tagger.evaluate(records, None, records, weights=[1.0] * 5)


def test_a_step_matched_tagger_takes_the_same_steps_whatever_the_rows(tiny_model_dirs, monkeypatch):
    import torch

    tags = sorted({t for _, ts in RECORDS for t in ts})
    steps = []
    real = torch.optim.AdamW.step

    def count(self, *a, **kw):
        steps.append(1)
        return real(self, *a, **kw)

    monkeypatch.setattr(torch.optim.AdamW, "step", count)
    tagger = Tagger(tags, str(tiny_model_dirs["wordpiece"]), steps=5, batch_size=2)
    for rows in (2, 5):
        steps.clear()
        records = ([t for t, _ in RECORDS[:rows]], [g for _, g in RECORDS[:rows]])
        tagger.evaluate(records, None, records)
        assert len(steps) == 5
    assert tagger.settings()["steps"] == 5 and "steps" not in Tagger(tags, epochs=1).settings()


def test_ner_protocol_runs_caches_and_reports(files, tiny_model_dirs, tmp_path):
    enc = str(tiny_model_dirs["wordpiece"])
    cfg = EvalConfig(data=str(files[0]), test=str(files[1]), protocol="melm2022", sizes=[8], splits=2, n=1, epochs=1,
                     encoder=enc, model=enc, methods=["none", "copy", "substitute.v2:rate=0.3", "melm"],
                     cache_dir=str(tmp_path / "c"))
    res = Evaluation(cfg, progress=False).run()
    assert len(res["runs"]) == 8
    assert {r["method"] for r in res["runs"]} == {"none", "copy", "substitute.v2:rate=0.3", "melm"}
    summary = res["summary"]["8"]
    assert summary["melm"]["vs_none"]["n"] == 2 and summary["melm"]["vs_copy"]["n"] == 2
    assert "vs_copy" not in summary["copy"] and "vs_none" in summary["copy"]
    assert {r["train_examples"] for r in res["runs"] if r["method"] == "copy"} == {16}
    assert res["quality"]["melm"]["requested"] == 16 and 0 < res["quality"]["melm"]["outputs"] <= 16
    assert len(list((tmp_path / "c" / "models").glob("melm-*"))) == 2  # one MELM per split
    assert res["arms"]["copy"]["role"] == "control" and res["arms"]["melm"]["role"] == "method"
    again = Evaluation(cfg, progress=False).run()  # everything read back from the store
    assert [r["f1"] for r in again["runs"]] == [r["f1"] for r in res["runs"]]
    assert again["cached_runs"] == again["classifier_runs"] == 8
    table = markdown(res)
    assert "| melm |" in table and "Test F1, N = 8" in table and "training sentences N 8" in table


def test_cli_melm2022_and_refusals(files, tiny_model_dirs, tmp_path, capsys):
    enc = str(tiny_model_dirs["wordpiece"])
    out = tmp_path / "rep"
    assert main(["evaluate", str(files[0]), "--test", str(files[1]), "--protocol", "melm2022", "--size", "6",
                 "--splits", "2", "--n", "1", "--epochs", "1", "--encoder", enc, "--model", enc, "--methods",
                 "none,substitute.v2", "--cache-dir", str(tmp_path / "c"), "-o", str(out), "--quiet"]) == 0
    assert "| substitute.v2 |" in capsys.readouterr().out and (out / "results.json").is_file()
    first = json.loads((out / "results.json").read_text())
    again = tmp_path / "again"  # --config reruns a melm2022 evaluation (it used to be ignored)
    assert main(["evaluate", "--config", str(out / "config.json"), "-o", str(again), "--quiet"]) == 0
    assert json.loads((again / "results.json").read_text())["runs"] == first["runs"]
    common = ["--model", enc, "--encoder", enc, "--quiet", "-o", str(tmp_path / "no"),
              "--cache-dir", str(tmp_path / "c")]
    base = ["evaluate", str(files[0]), "--test", str(files[1]), "--protocol", "melm2022"]
    for extra, said in ((["--methods", "none,insert"], "insertion adds tokens without tags"),
                        (["--methods", "none,eda"], "eda: insertion adds tokens without tags"),
                        (["--size", "999", "--methods", "none"], "N=999 needs at least 999 training sentences"),
                        (["--classifier", "logreg"], "melm2022 trains a token tagger"),
                        (["--label-text", "B-PER=person"], "no prepend method is in this run"),
                        (["--method", "substitute.v2:aug_weight=0.5"], "melm2022's tagger takes no aug_weight"),
                        (["--method", "substitute.v2:guard=dev"], "guard=dev needs dev accuracies"),
                        (["--steps", "0"], "--steps")):
        capsys.readouterr()
        assert main([*base, *extra, *common]) == 2, extra
        err = capsys.readouterr().err
        assert said in err and "Traceback" not in err, (extra, err)
    assert not (tmp_path / "no").exists()  # refused before the report folder was made


def test_melm2022_honours_steps_seeds_and_no_quality(files, tiny_model_dirs, tmp_path):
    enc = str(tiny_model_dirs["wordpiece"])
    cfg = EvalConfig(data=str(files[0]), test=str(files[1]), protocol="melm2022", sizes=[6], splits=2, n=1,
                     steps=3, seeds=2, quality=False, encoder=enc, model=enc, methods=["none", "copy"],
                     cache_dir=str(tmp_path / "c"))
    res = Evaluation(cfg, progress=False).run()
    assert res["quality"] == {} and all(len(r["seed_runs"]) == 2 for r in res["runs"])
    assert "step-matched: 3 optimiser steps" in markdown(res)


def test_each_protocol_owns_its_defaults_and_its_quick_run():
    from maskaug.evaluate.protocols import PROTOCOLS

    quick = {name: EvalConfig(data="d", test="t", protocol=name, sizes=[500]).quick() for name in PROTOCOLS}
    assert (quick["kumar2020"].splits, quick["kumar2020"].test_limit, quick["kumar2020"].fluency_sample) == (3, 300, 30)
    assert quick["eda2019"].sizes == [200] and quick["melm2022"].sizes == [500]  # only eda2019 shrinks N
    assert (quick["melm2022"].splits, quick["melm2022"].test_limit, quick["melm2022"].classifier) == (2, 200, "tagger")
    assert EvalConfig(data="d").resolved().protocol == "kumar2020"  # a config that names none
    assert EvalConfig(data="d", splits=2).quick().splits == 2  # --quick never grows a setting
    with pytest.raises(ValueError, match="unknown protocol 'nope'; use kumar2020, eda2019, melm2022"):
        EvalConfig(data="d", protocol="nope").resolved()


def test_protocol_names_are_tested_in_protocols_py_only():
    """No code outside protocols.py compares with, lists or looks up a protocol by name (prose may name them)."""
    import ast
    from pathlib import Path

    from maskaug.evaluate.protocols import PROTOCOLS

    src = Path(__file__).resolve().parents[2] / "src" / "maskaug"
    found = [f"{p.relative_to(src)}:{node.lineno}" for p in sorted(src.rglob("*.py")) if p.name != "protocols.py"
             for node in ast.walk(ast.parse(p.read_text("utf-8")))
             if isinstance(node, ast.Constant) and node.value in PROTOCOLS]
    assert not found
