"""The NER protocol end to end on tiny models: splits, MELM per split, tagger F1, paired stats, cache."""

import json

import pytest

from maskaug.cli import main
from maskaug.evaluate.ner import NerConfig, NerEvaluation, Tagger, markdown

RECORDS = [
    (["Peter", "Blackburn", "visited", "Paris", "on", "Monday", "."], ["B-PER", "I-PER", "O", "B-LOC", "O", "O", "O"]),
    (["The", "European", "Commission", "said", "it", "disagreed", "."], ["O", "B-ORG", "I-ORG", "O", "O", "O", "O"]),
    (["John", "lives", "in", "London", "with", "his", "family", "."], ["B-PER", "O", "O", "B-LOC", "O", "O", "O", "O"]),
    (["Maria", "works", "for", "Siemens", "in", "Berlin", "."], ["B-PER", "O", "O", "B-ORG", "O", "B-LOC", "O"]),
    (["Fans", "in", "Madrid", "cheered", "for", "Anna", "."], ["O", "O", "B-LOC", "O", "O", "B-PER", "O"]),
]


@pytest.fixture
def files(tmp_path):
    paths = []
    for name, recs in (("train.jsonl", RECORDS * 3), ("test.jsonl", RECORDS[::-1])):
        p = tmp_path / name
        p.write_text("".join(json.dumps({"tokens": t, "tags": g}) + "\n" for t, g in recs))
        paths.append(p)
    return paths


def test_tagger_learns_its_training_sentences(tiny_model_dirs):
    tags = sorted({t for _, ts in RECORDS for t in ts})
    tagger = Tagger(tags, str(tiny_model_dirs["wordpiece"]), epochs=40, lr=3e-3)
    score = tagger.run(RECORDS, RECORDS, seed=0)
    assert set(score) == {"f1", "precision", "recall"}
    assert score["f1"] > 0.5  # a 2-layer toy model fits five sentences it trained on


def test_ner_protocol_runs_caches_and_reports(files, tiny_model_dirs, tmp_path):
    enc = str(tiny_model_dirs["wordpiece"])
    cfg = NerConfig(data=str(files[0]), test=str(files[1]), sizes=[8], splits=2, n=1, epochs=1, encoder=enc,
                    model=enc, methods=["none", "copy", "substitute:rate=0.3", "melm"], cache_dir=str(tmp_path / "c"))
    res = NerEvaluation(cfg, progress=False).run()
    assert len(res["runs"]) == 8
    assert {r["method"] for r in res["runs"]} == {"none", "copy", "substitute:rate=0.3", "melm"}
    assert res["summary"]["melm@8"]["vs_none"]["n"] == 2 and res["summary"]["melm@8"]["vs_copy"]["n"] == 2
    assert "vs_copy" not in res["summary"]["copy@8"] and "vs_none" in res["summary"]["copy@8"]
    assert sum(a["requested"] for a in res["augmentation"]["melm@8"]) == 16
    assert len(list((tmp_path / "c" / "ner" / "models").glob("melm-*"))) == 2  # one MELM per split
    again = NerEvaluation(cfg, progress=False).run()  # everything read back from the cache
    assert [r["f1"] for r in again["runs"]] == [r["f1"] for r in res["runs"]]
    table = markdown(res)
    assert "| melm |" in table and "N = 8 training sentences" in table


def test_cli_melm2022_and_refusals(files, tiny_model_dirs, tmp_path, capsys):
    enc = str(tiny_model_dirs["wordpiece"])
    out = tmp_path / "rep"
    assert main(["evaluate", str(files[0]), "--test", str(files[1]), "--protocol", "melm2022", "--size", "6",
                 "--splits", "2", "--n", "1", "--epochs", "1", "--encoder", enc, "--model", enc, "--methods",
                 "none,substitute", "--cache-dir", str(tmp_path / "c"), "-o", str(out), "--quiet"]) == 0
    assert "| substitute |" in capsys.readouterr().out and (out / "results.json").is_file()
    assert main(["evaluate", str(files[0]), "--test", str(files[1]), "--protocol", "melm2022", "--methods",
                 "none,insert", "--model", enc, "--quiet", "-o", str(out)]) == 2
    assert "insertion adds untagged tokens" in capsys.readouterr().err
    assert main(["evaluate", str(files[0]), "--test", str(files[1]), "--protocol", "melm2022", "--size", "999",
                 "--encoder", enc, "--model", enc, "--methods", "none", "--quiet", "-o", str(out),
                 "--cache-dir", str(tmp_path / "c")]) == 2
    assert "size 999 is larger than the 15 training sentences" in capsys.readouterr().err
