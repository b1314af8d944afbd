"""An interrupted `maskaug augment` resumes without losing or duplicating rows."""

import json

import pytest

from maskaug.cli import main

ROWS = [{"text": t, "label": i % 2} for i, t in enumerate([
    "The movie was great and the actors were wonderful.", "A dull, lifeless film with no heart at all.",
    "Who invented the telephone in the nineteenth century?", "What is the capital city of France?",
    "I loved every minute of this charming comedy.", "The plot is thin and the jokes fall flat."])]


@pytest.fixture
def setup(tmp_path, tiny_model_dirs, write_jsonl):
    data = tmp_path / "in.jsonl"
    write_jsonl(data, ROWS)
    args = ["--n", "2", "--model", str(tiny_model_dirs["wordpiece"]), "--method", "insert.v2", "--seed", "3", "--quiet"]
    full = tmp_path / "full.jsonl"
    assert main(["augment", str(data), "-o", str(full), *args]) == 0
    return data, args, full.read_text()


def test_interrupted_run_resumes_to_the_uninterrupted_output(setup, tmp_path, interrupted_cli, capsys):
    data, args, full_text = setup
    out = tmp_path / "out.jsonl"
    assert interrupted_cli(["augment", str(data), "-o", str(out), *args], rows=3) == 130
    assert "rerun the same command to resume" in capsys.readouterr().err
    partial = tmp_path / ".out.jsonl.maskaug" / "partial.jsonl"
    assert not out.exists() and partial.is_file()
    with open(partial, "a") as fh:  # a torn line: the process died while writing row 4
        fh.write('{"row": 3, "records": [{"te')
    capsys.readouterr()
    assert main(["augment", str(data), "-o", str(out), *args[:-1]]) == 0
    assert "resuming: 3 rows" in capsys.readouterr().err
    assert out.read_text() == full_text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["full.jsonl", "in.jsonl", "out.jsonl"]


def test_partial_from_another_job_is_refused(setup, tmp_path, capsys):
    data, args, _ = setup
    out = tmp_path / "o.jsonl"
    side = tmp_path / ".o.jsonl.maskaug"
    side.mkdir()
    (side / "job.json").write_text(json.dumps({"key": "something else"}))
    (side / "partial.jsonl").write_text("")
    assert main(["augment", str(data), "-o", str(out), *args]) == 2
    assert "--restart" in capsys.readouterr().err
    assert (side / "partial.jsonl").exists()  # another job's partial output is kept until --restart
    assert main(["augment", str(data), "-o", str(out), *args, "--restart"]) == 0 and out.exists()
    assert not side.exists()


def test_corrupt_partial_record_is_refused_not_a_traceback(setup, tmp_path, capsys):
    data, args, _ = setup
    out = tmp_path / "c.jsonl"
    side = tmp_path / ".c.jsonl.maskaug"
    side.mkdir()
    (side / "job.json").write_text("{not json")
    (side / "partial.jsonl").write_text("")
    assert main(["augment", str(data), "-o", str(out), *args]) == 2
    assert ".c.jsonl.maskaug: partial output of a different job" in capsys.readouterr().err
