"""One fingerprint for what a result depends on (issue 10): input bytes, the resolved method and its effective
parameters, the model's content, the record type and maskaug's version."""

from __future__ import annotations

import json
import shutil

from maskaug.cli import main

TEXTS = ["The movie was great and the actors were wonderful.", "A dull, lifeless film with no heart at all.",
         "Who invented the telephone in the nineteenth century?", "What is the capital city of France?"]


def test_a_config_whose_method_changed_does_not_resume_the_other_methods_output(tmp_path, tiny_model_dirs,
                                                                                interrupted_cli, capsys, write_jsonl):
    data = tmp_path / "in.jsonl"
    write_jsonl(data, [{"text": t} for t in TEXTS])
    cfg = tmp_path / "m.json"
    cfg.write_text(json.dumps({"method": "substitute.v1"}))
    out = tmp_path / "o.jsonl"
    args = ["augment", str(data), "-o", str(out), "--config", str(cfg), "--model", str(tiny_model_dirs["wordpiece"]),
            "--quiet"]
    assert interrupted_cli(args, rows=2) == 130
    cfg.write_text(json.dumps({"method": "insert.v1"}))
    capsys.readouterr()
    assert main(args) == 2
    assert "different job" in capsys.readouterr().err
    assert main([*args, "--restart"]) == 0
    assert {json.loads(x)["aug_method"] for x in out.read_text().splitlines()} == {"insert.v1"}


def test_a_model_retrained_into_the_same_folder_invalidates_evaluation_caches(tmp_path, tiny_model_dirs, write_jsonl):
    import torch
    from transformers import AutoModelForMaskedLM

    from maskaug.evaluate.runner import EvalConfig, Evaluation

    rows = [{"text": t, "label": i % 2} for i, t in enumerate(TEXTS * 3)]
    write_jsonl(tmp_path / "train.jsonl", rows)
    folder = tmp_path / "mlm"
    shutil.copytree(tiny_model_dirs["wordpiece"], folder)
    cfg = EvalConfig(data=str(tmp_path / "train.jsonl"), test=str(tmp_path / "train.jsonl"), k=[2], splits=2,
                     methods=["none", "substitute.v2"], encoder=str(tiny_model_dirs["wordpiece"]), model=str(folder),
                     quality=False, cache_dir=str(tmp_path / "cache"))
    Evaluation(cfg, progress=False).run()
    entries = sorted(p.name for p in (tmp_path / "cache").rglob("augment/*.json"))
    model = AutoModelForMaskedLM.from_pretrained(folder)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(0.5 * torch.randn_like(p))
    model.save_pretrained(folder)  # "retrained": same folder, other weights
    Evaluation(cfg, progress=False).run()
    after = sorted(p.name for p in (tmp_path / "cache").rglob("augment/*.json"))
    assert len(after) == 2 * len(entries)  # the new weights got their own augmentations
