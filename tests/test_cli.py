import json
import re

import pytest

from maskaug.cli import main

CSV = 'id,text,label\n1,"The movie was great, and the actors were wonderful.",pos\n2,Who invented the telephone?,q\n'


@pytest.fixture
def data(tmp_path):
    p = tmp_path / "d.csv"
    p.write_text(CSV, encoding="utf-8")
    return p


def test_augment_writes_n_rows_with_provenance(data, tiny_model_dirs, tmp_path, capsys):
    out = tmp_path / "o.jsonl"
    before = data.read_bytes()
    rc = main(["augment", str(data), "-o", str(out), "--n", "2", "--model", str(tiny_model_dirs["wordpiece"]),
               "--keep-original", "--label-column", "label", "--quiet", "--method", "insert.v2"])
    assert rc == 0
    rows = [json.loads(x) for x in out.read_text().splitlines()]
    assert len(rows) == 6 and sum(r["aug_is_original"] for r in rows) == 2
    assert {r["id"] for r in rows} == {1, 2} and {r["label"] for r in rows} == {"pos", "q"}  # numbers stay numbers
    assert all(r["aug_method"] == "insert.v2" and r["aug_seed"] == 0 for r in rows)  # labelled rows: insert
    assert data.read_bytes() == before
    assert "4/4 outputs" in capsys.readouterr().err


def test_the_label_column_is_found_by_its_name_and_labelled_rows_get_insert(data, builtin_mlm, tmp_path, capsys):
    from maskaug.api import augment
    from maskaug.records import Options, detect
    from maskaug.settings import default_method

    model = builtin_mlm  # the defaults on the model a job loads when none is named
    for i, (extra, method, said) in enumerate((([], "insert.v6", "label column label (found by its name"),
                                               (["--label-column", "none"], "substitute.v4", "no label column"),
                                               (["--label-column", "label"], "insert.v6", "label column label;"))):
        out = tmp_path / f"{i}.jsonl"
        assert main(["augment", str(data), "-o", str(out), *extra]) == 0
        assert {json.loads(x)["aug_method"] for x in out.read_text().splitlines()} <= {method}
        summary = capsys.readouterr().err.strip().splitlines()[-1]
        assert summary.startswith(f"{method} (") and "read text (text)" in summary and said in summary, summary
    rows = [{"text": "A warm, funny and beautifully acted film.", "label": "pos"}]
    assert augment(rows, model=model)[0]["aug_method"] == "insert.v6"
    assert augment(rows, label_column="label", model=model)[0]["aug_method"] == "insert.v6"
    assert augment(rows, label_column="none", model=model)[0]["aug_method"] == "substitute.v4"
    assert augment([{"text": "A warm, funny and beautifully acted film.", "labels": 1}], model=model)[0][
        "aug_method"] == "insert.v6"
    assert augment([{"text": "the film was great fun", "y": 1}], model=model)[0]["aug_method"] == "substitute.v4"
    tagged = detect({"tokens": ["Peter", "runs"], "tags": ["B-PER", "O"], "label": "x"}, Options())
    assert default_method(tagged, "label") == "substitute"  # a token/tag record has no sentence label


def test_a_row_missing_a_label_found_by_name_says_how_to_ignore_the_column(tmp_path, tiny_model_dirs, capsys):
    src = tmp_path / "d.jsonl"
    src.write_text('{"text": "A fine film with a great cast.", "label": "pos"}\n{"text": "A dull script."}\n')
    run = ["augment", str(src), "-o", str(tmp_path / "o.jsonl"), "--model", str(tiny_model_dirs["wordpiece"])]
    assert main(run) != 0
    err = capsys.readouterr().err
    assert "row 2, field 'label': missing label" in err and "--label-column none ignores it" in err
    assert main([*run, "--label-column", "label"]) != 0
    assert "--label-column none" not in capsys.readouterr().err  # named by the user: the plain error
    assert main([*run, "--label-column", "none"]) == 0


def test_a_classlabel_column_is_the_label_in_a_dataset_and_its_parquet(builtin_mlm, tmp_path, capsys):
    from datasets import ClassLabel, Dataset, Features, Value

    from maskaug.api import augment

    model = builtin_mlm
    ds = Dataset.from_dict({"text": ["the film was great fun", "a dull and lifeless script"], "sentiment": [1, 0]},
                           features=Features({"text": Value("string"),
                                              "sentiment": ClassLabel(names=["neg", "pos"])}))
    out = augment(ds, model=model)
    assert set(out["aug_method"]) == {"insert.v6"} and out.features["sentiment"] == ds.features["sentiment"]
    ds.to_parquet(tmp_path / "d.parquet")
    assert main(["augment", str(tmp_path / "d.parquet"), "-o", str(tmp_path / "o.jsonl")]) == 0
    assert "label column sentiment (found by its name" in capsys.readouterr().err
    ds.save_to_disk(str(tmp_path / "saved"))  # a datasets output keeps the input's ClassLabel names
    assert main(["augment", str(tmp_path / "saved"), "-o", str(tmp_path / "out"), "--quiet"]) == 0
    from datasets import load_from_disk

    assert load_from_disk(str(tmp_path / "out")).features["sentiment"] == ClassLabel(names=["neg", "pos"])


def test_same_seed_same_file(data, tiny_model_dirs, tmp_path):
    outs = []
    for name in ("a.jsonl", "b.jsonl"):
        main(["augment", str(data), "-o", str(tmp_path / name), "--method", "iterative.v2", "--n", "2",
              "--model", str(tiny_model_dirs["bytebpe"]), "--quiet", "--seed", "5"])
        outs.append((tmp_path / name).read_text())
    assert outs[0] == outs[1]


def test_bad_input_is_one_line_and_exit_2(tmp_path, tiny_model_dirs, capsys):
    p = tmp_path / "bad.csv"
    p.write_text("text,label\nfine,1\n   ,0\n", encoding="utf-8")
    rc = main(["augment", str(p), "-o", str(tmp_path / "o.csv"), "--model", str(tiny_model_dirs["wordpiece"])])
    err = capsys.readouterr().err.strip().splitlines()
    assert rc == 2 and len(err) == 1
    assert "bad.csv: row 2, field 'text': empty text" in err[0]
    assert not (tmp_path / "o.csv").exists()


def test_skip_bad_rows_sets_them_aside(tmp_path, tiny_model_dirs, capsys):
    p = tmp_path / "bad.csv"
    p.write_text("text,label\nThe movie was great.,1\n,0\n", encoding="utf-8")
    rc = main(["augment", str(p), "-o", str(tmp_path / "o.csv"), "--model", str(tiny_model_dirs["wordpiece"]),
               "--skip-bad-rows", "--quiet"])
    assert rc == 0
    rejected = [json.loads(x) for x in (tmp_path / "o.csv.rejected.jsonl").read_text().splitlines()]
    assert rejected[0]["row"] == 2 and rejected[0]["field"] == "text"
    assert "1 bad row set aside" in capsys.readouterr().err


def test_unknown_model_says_how_to_pass_a_folder(data, tmp_path, capsys):
    rc = main(["augment", str(data), "-o", str(tmp_path / "o.jsonl"), "--model", str(tmp_path / "nope")])
    err = capsys.readouterr().err
    assert rc == 2 and "local folder" in err and len(err.strip().splitlines()) == 1


def test_methods_and_help(capsys):
    assert main(["methods"]) == 0
    out = capsys.readouterr().out
    for name in ("substitute", "insert", "iterative", "mask", "ssmba"):  # each method once, with its versions
        assert len(re.findall(rf"^{name} +v1", out, re.M)) == 1, name
    for cmd in (["--help"], ["augment", "--help"], ["models", "--help"]):
        with pytest.raises(SystemExit) as exc:
            main(cmd)
        assert exc.value.code == 0


def test_method_params_from_flags_and_config(data, tiny_model_dirs, tmp_path):
    cfg = tmp_path / "m.json"
    cfg.write_text(json.dumps({"method": "insert.v1", "rate": 0.5}))
    out = tmp_path / "o.jsonl"
    assert main(["augment", str(data), "-o", str(out), "--config", str(cfg), "--param", "top_k=3", "--quiet",
                 "--model", str(tiny_model_dirs["sentencepiece"])]) == 0
    rows = [json.loads(x) for x in out.read_text().splitlines()]
    assert all(r["aug_method"] == "insert.v1" for r in rows)
    assert all(e["start"] == e["end"] for r in rows for e in r["aug_edits"])


# -- issue 11: the first minute ---------------------------------------------------------------------------------
def _all_parsers():
    import argparse

    from maskaug.cli import build_parser

    root = build_parser()
    subs = [a for a in root._actions if isinstance(a, argparse._SubParsersAction)][0]
    return [root, *subs.choices.values()]


def test_every_flag_has_help_and_help_reads_well(capsys):
    import argparse

    for parser in _all_parsers():
        for action in parser._actions:
            if isinstance(action, (argparse._HelpAction, argparse._SubParsersAction)):
                continue
            assert action.help and action.help != argparse.SUPPRESS, (parser.prog, action.dest)
        text = parser.format_help()
        assert "%%" not in text and "``" not in text, parser.prog


def test_methods_fit_one_screen_and_show_rounded_values(capsys):
    assert main(["methods"]) == 0
    short = capsys.readouterr().out
    assert len(short.strip().splitlines()) <= 24 and "eda" in short
    assert re.search(r"^substitute +v1 v2 v3 v4 +Contextual substitution", short, re.M)  # one line per method
    assert main(["methods", "--verbose"]) == 0
    full = capsys.readouterr().out
    assert "0.14285714285714285" not in full and "rate = 0.143" in full
    assert "stopwords = false  -- false: stopwords are masked like any word" in full


def test_stdin_to_stdout_limit_and_dry_run(tmp_path, tiny_model_dirs):
    import subprocess
    import sys

    rows = "".join(json.dumps({"text": f"The movie number {i} was great and the actors were wonderful."}) + "\n"
                   for i in range(20))
    model = str(tiny_model_dirs["wordpiece"])
    base = [sys.executable, "-m", "maskaug.cli", "augment", "-", "-o", "-", "--model", model, "--quiet", "--n", "2",
            "--method", "substitute.v2"]
    res = subprocess.run(base + ["--limit", "5"], input=rows, capture_output=True, text=True, cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    out = [json.loads(x) for x in res.stdout.splitlines()]
    assert len(out) == 10 and {r["aug_source_row"] for r in out} == set(range(5))
    assert len(res.stderr.strip().splitlines()) == 1 and "standard output" in res.stderr
    csv_out = subprocess.run(base + ["--output-format", "csv"], input=rows, capture_output=True, text=True)
    assert csv_out.stdout.splitlines()[0].startswith("text,aug_source_row") and len(csv_out.stdout.splitlines()) == 41
    head = subprocess.run(" ".join(base) + " | head -n 3", shell=True, input=rows, capture_output=True, text=True)
    assert len(head.stdout.splitlines()) == 3 and "Error" not in head.stderr and "Traceback" not in head.stderr
    assert list(tmp_path.iterdir()) == []  # nothing written anywhere
    src = _write_rows(tmp_path, rows)
    dry = subprocess.run(base[:4] + [str(src), "-o", str(tmp_path / "o.jsonl"), "--dry-run", "2", "--model", model,
                                     "--n", "2", "--method", "substitute.v2"], capture_output=True, text=True)
    assert dry.returncode == 0 and dry.stdout.count("row ") == 2 and dry.stdout.count("  -> ") == 4
    assert not (tmp_path / "o.jsonl").exists() and "dry run: nothing written" in dry.stderr


def test_empty_standard_input_is_treated_as_an_empty_file_and_named_as_standard_input(tmp_path):
    import subprocess
    import sys

    base = [sys.executable, "-m", "maskaug.cli", "augment"]
    empty = _write_rows(tmp_path, "")
    for fmt, ok in (("jsonl", True), ("csv", False)):  # no rows: zero outputs; a CSV without a header: refused
        src = empty.with_suffix(f".{fmt}")
        empty.rename(src)
        from_file = subprocess.run(base + [str(src), "-o", str(tmp_path / f"f.{fmt}.jsonl")], capture_output=True,
                                   text=True)
        piped = subprocess.run(base + ["-", "--input-format", fmt, "-o", str(tmp_path / f"p.{fmt}.jsonl")], input="",
                               capture_output=True, text=True)
        assert (from_file.returncode == 0) == (piped.returncode == 0) == ok, (from_file.stderr, piped.stderr)
        if not ok:
            assert piped.stderr.startswith("maskaug: error: standard input: the file is empty")
            assert from_file.stderr.startswith(f"maskaug: error: {src}: the file is empty")
        empty = src


def _write_rows(folder, rows: str):
    p = folder / "in.jsonl"
    p.write_text(rows)
    return p


def test_a_datasets_output_folder_is_created(data, tiny_model_dirs, tmp_path):
    out = tmp_path / "new" / "augmented"
    assert main(["augment", str(data), "-o", str(out), "--model", str(tiny_model_dirs["wordpiece"]), "--quiet",
                 "--method", "insert.v2"]) == 0
    from datasets import load_from_disk

    assert load_from_disk(str(out)).num_rows == 2


def test_shell_completion():
    import os
    import subprocess
    import sys

    env = {**os.environ, "_ARGCOMPLETE": "1", "COMP_LINE": "maskaug augment x --dry", "COMP_POINT": "23",
           "_ARGCOMPLETE_IFS": " "}
    # argcomplete writes its completions to file descriptor 8
    res = subprocess.run(f"{sys.executable} -m maskaug.cli 8>&1 9>/dev/null", shell=True, env=env,
                         capture_output=True, text=True)
    assert "--dry-run" in res.stdout


def test_a_hub_name_offline_fails_at_once_in_one_line(tmp_path, monkeypatch, capsys, data):
    import transformers

    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")  # nothing listens there: refused at once
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))  # an empty cache
    calls = []

    def no_network(*a, **k):
        calls.append(k)
        raise OSError("offline")

    monkeypatch.setattr(transformers.AutoTokenizer, "from_pretrained", no_network)
    rc = main(["augment", str(data), "-o", str(tmp_path / "o.jsonl"), "--model", "bert-base-uncased"])
    err = capsys.readouterr().err.strip().splitlines()
    assert rc == 2 and len(err) == 1 and "hub cannot be reached" in err[0]
    assert all(k.get("local_files_only") for k in calls)  # never a download attempt with its retries
