import json

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
               "--keep-original", "--label-column", "label", "--quiet"])
    assert rc == 0
    rows = [json.loads(x) for x in out.read_text().splitlines()]
    assert len(rows) == 6 and sum(r["aug_is_original"] for r in rows) == 2
    assert {r["id"] for r in rows} == {"1", "2"} and {r["label"] for r in rows} == {"pos", "q"}
    assert all(r["aug_method"] == "substitute.v1" and r["aug_seed"] == 0 for r in rows)
    assert data.read_bytes() == before
    assert "4/4 outputs" in capsys.readouterr().err


def test_same_seed_same_file(data, tiny_model_dirs, tmp_path):
    outs = []
    for name in ("a.jsonl", "b.jsonl"):
        main(["augment", str(data), "-o", str(tmp_path / name), "--method", "iterative", "--n", "2",
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
    assert "1 bad rows set aside" in capsys.readouterr().err


def test_unknown_model_says_how_to_pass_a_folder(data, tmp_path, capsys):
    rc = main(["augment", str(data), "-o", str(tmp_path / "o.jsonl"), "--model", str(tmp_path / "nope")])
    err = capsys.readouterr().err
    assert rc == 2 and "local folder" in err and len(err.strip().splitlines()) == 1


def test_methods_and_help(capsys):
    assert main(["methods"]) == 0
    out = capsys.readouterr().out
    for name in ("substitute.v1", "insert.v1", "iterative.v1", "mask.v1", "ssmba.v1"):
        assert name in out
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
