"""An interrupted `maskaug augment` resumes without losing or duplicating rows."""

import json

import pytest

from maskaug.cli import main

ROWS = [{"text": t, "label": i % 2} for i, t in enumerate([
    "The movie was great and the actors were wonderful.", "A dull, lifeless film with no heart at all.",
    "Who invented the telephone in the nineteenth century?", "What is the capital city of France?",
    "I loved every minute of this charming comedy.", "The plot is thin and the jokes fall flat."])]


@pytest.fixture
def setup(tmp_path, tiny_model_dirs):
    data = tmp_path / "in.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in ROWS))
    args = ["--n", "2", "--model", str(tiny_model_dirs["wordpiece"]), "--seed", "3", "--quiet"]
    full = tmp_path / "full.jsonl"
    assert main(["augment", str(data), "-o", str(full), *args]) == 0
    return data, args, full.read_text()


def test_interrupted_run_resumes_to_the_uninterrupted_output(setup, tmp_path, interrupted_cli, capsys):
    data, args, full_text = setup
    out = tmp_path / "out.jsonl"
    assert interrupted_cli(["augment", str(data), "-o", str(out), *args], rows=3) == 130
    partial = out.with_name("out.jsonl.partial.jsonl")
    assert not out.exists() and partial.is_file()
    with open(partial, "a") as fh:  # a row half-written when the process died, and a torn line
        fh.write(json.dumps({"aug_source_row": 3, "text": "x"}) + "\n" + '{"aug_source_row": 3, "te')
    capsys.readouterr()
    assert main(["augment", str(data), "-o", str(out), *args[:-1]]) == 0
    assert "resuming: 3 rows" in capsys.readouterr().err
    assert out.read_text() == full_text
    assert not partial.exists() and not out.with_name("out.jsonl.partial.json").exists()


def test_partial_from_another_job_is_refused(setup, tmp_path, capsys):
    data, args, _ = setup
    out = tmp_path / "o.jsonl"
    out.with_name("o.jsonl.partial.json").write_text(json.dumps({"key": "something else"}))
    out.with_name("o.jsonl.partial.jsonl").write_text("")
    assert main(["augment", str(data), "-o", str(out), *args]) == 2
    assert "--restart" in capsys.readouterr().err
    assert main(["augment", str(data), "-o", str(out), *args, "--restart"]) == 0 and out.exists()


def test_corrupt_partial_record_is_refused_not_a_traceback(setup, tmp_path, capsys):
    data, args, _ = setup
    out = tmp_path / "c.jsonl"
    out.with_name("c.jsonl.partial.json").write_text("{not json")
    assert main(["augment", str(data), "-o", str(out), *args]) == 2
    assert "c.jsonl.partial.jsonl: partial output of a different job" in capsys.readouterr().err
