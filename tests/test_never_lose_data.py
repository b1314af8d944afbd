"""Issue 15: every defect seen on the write path, as a test that failed on main before the fix.

Each test runs the real CLI (``maskaug.cli.main``) on real files with a tiny local model and checks what a
careful user would: the exit code, one line on stderr and no traceback, the input's bytes unchanged, and
every row accounted for.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from maskaug.cli import main

TEXTS = ["The movie was great and the actors were wonderful.", "A dull, lifeless film with no heart at all.",
         "Who invented the telephone in the nineteenth century?", "What is the capital city of France?"]


def rows_of(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").split("\n") if x]


@pytest.fixture
def model(tiny_model_dirs) -> list[str]:
    # a random tiny model: v3's probability floor would refuse its every fill, so the plumbing runs a v2 method
    return ["--model", str(tiny_model_dirs["wordpiece"]), "--quiet", "--method", "substitute.v2"]


def run(argv: list[str], capsys) -> tuple[int, list[str]]:
    capsys.readouterr()
    rc = main(argv)
    err = capsys.readouterr().err.strip().splitlines()
    return rc, err


def one_line(err: list[str]) -> str:
    assert len(err) == 1 and "Traceback" not in err[0], err
    return err[0]


# -- the input and anything not ours are never touched ---------------------------------------------------------
def test_output_naming_the_folder_that_holds_the_input_is_refused(tmp_path, model, capsys, write_jsonl):
    folder = tmp_path / "data"
    folder.mkdir()
    src = write_jsonl(folder / "in.jsonl", [{"text": t} for t in TEXTS])
    (folder / "notes.txt").write_text("mine")
    before = src.read_bytes()
    rc, err = run(["augment", str(src), "-o", str(folder), *model], capsys)
    assert rc == 2 and "folder" in one_line(err)
    assert src.read_bytes() == before and (folder / "notes.txt").read_text() == "mine"
    rc, err = run(["augment", str(src), "-o", str(folder), "--overwrite", *model], capsys)  # not even then
    assert rc == 2 and src.read_bytes() == before and (folder / "notes.txt").exists()


def test_an_existing_file_is_not_replaced_without_overwrite(tmp_path, model, capsys, write_jsonl):
    src = write_jsonl(tmp_path / "in.jsonl", [{"text": t} for t in TEXTS])
    out = tmp_path / "precious.jsonl"
    out.write_text("my own data\n")
    rc, err = run(["augment", str(src), "-o", str(out), *model], capsys)
    assert rc == 2 and "--overwrite" in one_line(err) and out.read_text() == "my own data\n"
    assert main(["augment", str(src), "-o", str(out), "--overwrite", *model]) == 0
    assert len(rows_of(out)) == len(TEXTS)


@pytest.mark.parametrize("side", ["partial.jsonl",
                                  "rejected.jsonl", "partial.json"])
def test_an_input_named_like_a_side_file_is_never_touched(tmp_path, model, capsys, side, write_jsonl):
    src = write_jsonl(tmp_path / f"out.jsonl.{side}", [{"text": t} for t in TEXTS] + [{"text": "  "}])
    before = src.read_bytes()
    rc, _ = run(["augment", str(src), "-o", str(tmp_path / "out.jsonl"), "--skip-bad-rows", *model], capsys)
    assert src.read_bytes() == before
    if rc == 0:
        assert len([r for r in rows_of(tmp_path / "out.jsonl")]) == len(TEXTS)


def test_a_column_named_like_the_partial_files_marker_is_data(tmp_path, model, capsys, write_jsonl):
    src = write_jsonl(tmp_path / "in.jsonl", [{"text": t, "__done__": i, "row": "x"} for i, t in enumerate(TEXTS)])
    out = tmp_path / "o.jsonl"
    assert main(["augment", str(src), "-o", str(out), *model]) == 0
    got = rows_of(out)
    assert len(got) == len(TEXTS) and [r["__done__"] for r in got] == list(range(len(TEXTS)))


# -- one writer per output ----------------------------------------------------------------------------------
def test_a_second_run_on_the_same_output_refuses_naming_the_holder(tmp_path, tiny_model_dirs, capsys, write_jsonl):
    src = write_jsonl(tmp_path / "in.jsonl", [{"text": f"{t} Number {i}."} for i in range(300) for t in TEXTS[:1]])
    out = tmp_path / "o.jsonl"
    cmd = [sys.executable, "-m", "maskaug.cli", "augment", str(src), "-o", str(out), "--n", "2", "--method",
           "iterative.v2", "--model", str(tiny_model_dirs["wordpiece"]), "--quiet"]
    holder = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.time() + 60
        while not list(tmp_path.glob(".o.jsonl.maskaug/*")) and time.time() < deadline:
            time.sleep(0.05)
        rc, err = run(["augment", str(src), "-o", str(out), "--model", str(tiny_model_dirs["wordpiece"]), "--quiet"],
                      capsys)
        line = one_line(err)
        assert rc == 2 and str(holder.pid) in line and "o.jsonl" in line
    finally:
        _, holder_err = holder.communicate(timeout=120)
    assert holder.returncode == 0, holder_err
    assert len(rows_of(out)) == 600


# -- failures leave nothing that blocks the fix -------------------------------------------------------------
@pytest.mark.parametrize("bad", [["--seed", "-1"], ["--max-attempts", "0"], ["--token-budget", "0"],
                                 ["--n", "0"],
                                 ["--n", "1000000000"]])
def test_a_bad_option_fails_first_and_leaves_nothing(tmp_path, model, capsys, bad, write_jsonl):
    src = write_jsonl(tmp_path / "in.jsonl", [{"text": t} for t in TEXTS])
    out = tmp_path / "o.jsonl"
    rc, err = run(["augment", str(src), "-o", str(out), *model, *bad], capsys)
    assert rc == 2 and bad[0] in one_line(err)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl"]
    assert main(["augment", str(src), "-o", str(out), *model]) == 0


def test_a_parquet_type_conflict_is_refused_before_work_and_the_fix_runs(tmp_path, model, capsys, write_jsonl):
    src = write_jsonl(tmp_path / "in.jsonl", [{"text": TEXTS[0], "x": 1}, {"text": TEXTS[1], "x": "one"}])
    out = tmp_path / "o.parquet"
    rc, err = run(["augment", str(src), "-o", str(out), *model], capsys)
    line = one_line(err)
    assert rc == 2 and "'x'" in line and "row 2" in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl"]
    assert main(["augment", str(src), "-o", str(tmp_path / "o.jsonl"), *model]) == 0


# -- every failure is one line -------------------------------------------------------------------------------
@pytest.mark.parametrize("bad", [["--protect", "("],
                                 ["--param", "rate=abc"], ["--param", "top_k=-3"],
                                 ["--device", "cuda:7"],
                                 ["--device", "toaster"],
                                 ["--dtype", "fp8"],
                                 ["--unit", "sentence"], ["--strategy", "best"]])
def test_bad_option_values_are_one_line(tmp_path, model, capsys, bad, write_jsonl):
    src = write_jsonl(tmp_path / "in.jsonl", [{"text": t} for t in TEXTS])
    rc, err = run(["augment", str(src), "-o", str(tmp_path / "o.jsonl"), *model, *bad], capsys)
    assert rc == 2
    one_line(err)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl"]


@pytest.mark.parametrize("config", ["missing", "dir", "[1, 2]", '{"rate": "high"}', '{"method": 3}', "{not json",
                                    '{"nope": 1}'])
def test_bad_configs_are_one_line(tmp_path, model, capsys, config, write_jsonl):
    src = write_jsonl(tmp_path / "in.jsonl", [{"text": t} for t in TEXTS])
    cfg = tmp_path / "cfg.json"
    if config == "dir":
        cfg.mkdir()
    elif config != "missing":
        cfg.write_text(config)
    rc, err = run(["augment", str(src), "-o", str(tmp_path / "o.jsonl"), "--config", str(cfg), *model], capsys)
    assert rc == 2 and "cfg.json" in one_line(err)
    assert not (tmp_path / "o.jsonl").exists()


@pytest.mark.parametrize("target", ["/proc/maskaug-test/o.jsonl", "/proc/o.jsonl"])
def test_an_unwritable_output_is_one_line(tmp_path, model, capsys, target, write_jsonl):
    src = write_jsonl(tmp_path / "in.jsonl", [{"text": t} for t in TEXTS])
    rc, err = run(["augment", str(src), "-o", target, *model], capsys)
    assert rc == 2 and target.split("/")[2] in one_line(err)


def test_parquet_input_with_timestamps_and_decimals_passes_through(tmp_path, model, capsys):
    import datetime
    import decimal

    import pyarrow as pa
    import pyarrow.parquet as pq

    src = tmp_path / "in.parquet"
    pq.write_table(pa.table({"text": TEXTS[:2],
                             "when": pa.array([datetime.datetime(2024, 1, 2, 3, 4, 5)] * 2, pa.timestamp("us")),
                             "price": pa.array([decimal.Decimal("1.25"), decimal.Decimal("2.50")],
                                               pa.decimal128(5, 2)),
                             "day": pa.array([datetime.date(2024, 1, 2)] * 2)}), src)
    for out in (tmp_path / "o.jsonl", tmp_path / "o.parquet"):
        rc, err = run(["augment", str(src), "-o", str(out), *model], capsys)
        assert rc == 0, err
    got = rows_of(tmp_path / "o.jsonl")
    assert got[0]["when"] == "2024-01-02T03:04:05" and got[0]["price"] == "1.25" and got[0]["day"] == "2024-01-02"
    back = pq.read_table(tmp_path / "o.parquet")
    assert back.schema.field("when").type == pa.timestamp("us")
    assert back.schema.field("price").type == pa.decimal128(5, 2)
    assert back.column("price").to_pylist()[1] == decimal.Decimal("2.50")


def test_raw_line_separators_inside_json_strings_are_text(tmp_path, model, capsys, write_jsonl):
    texts = ["A film\u2028with a line separator.", "A plot\u2029that ends\u0085here."]
    src = tmp_path / "in.jsonl"
    write_jsonl(src, [{"text": t} for t in texts])
    assert "\u2028" in src.read_text(encoding="utf-8")  # raw, not escaped
    out = tmp_path / "o.jsonl"
    rc, err = run(["augment", str(src), "-o", str(out), "--keep-original", *model], capsys)
    assert rc == 0, err
    got = rows_of(out)
    assert [r["text"] for r in got if r["aug_is_original"]] == texts
    again = tmp_path / "again.jsonl"  # maskaug reads its own output
    assert main(["augment", str(out), "-o", str(again), *model]) == 0


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -float("inf")])
def test_output_is_standard_json_whatever_the_numbers(tmp_path, model, capsys, value, write_jsonl):
    src = tmp_path / "in.jsonl"
    write_jsonl(src, [{"text": t, "score": value} for t in TEXTS[:2]])
    out = tmp_path / "o.jsonl"
    assert main(["augment", str(src), "-o", str(out), *model]) == 0

    def strict(token):
        raise ValueError(f"non-standard JSON number {token}")

    got = [json.loads(x, parse_constant=strict) for x in out.read_text().splitlines()]
    assert [r["score"] for r in got] == [None, None]
    rc, err = run(["augment", str(src), "-o", str(tmp_path / "l.jsonl"), "--label-column", "score", *model], capsys)
    assert rc == 2 and "row 1, field 'score'" in one_line(err)
    assert math.isnan(value) or "label" in err[0]


@pytest.mark.parametrize("header", ["id,text,text", "text,,label", "text,label,"])
def test_duplicate_or_empty_csv_header_names_are_refused(tmp_path, model, capsys, header):
    src = tmp_path / "in.csv"
    src.write_text(header + "\n" + "\n".join(",".join(["1", TEXTS[0].replace(",", ""), "2"]) for _ in range(2)) + "\n")
    rc, err = run(["augment", str(src), "-o", str(tmp_path / "o.jsonl"), *model], capsys)
    line = one_line(err)
    assert rc == 2 and "in.csv" in line and "header" in line


# -- every row accounted for ---------------------------------------------------------------------------------
def test_rows_with_no_output_are_named_with_their_reason(tmp_path, model, capsys, write_jsonl):
    rows = [{"text": TEXTS[0]}, {"text": "!!! ..."}, {"text": TEXTS[1]}]
    src = write_jsonl(tmp_path / "in.jsonl", rows)
    out = tmp_path / "o.jsonl"
    rc, err = run(["augment", str(src), "-o", str(out), "--n", "2", *model], capsys)
    assert rc == 0
    summary = err[-1]
    assert "row 2" in summary and "o.jsonl.shortfall.jsonl" in summary
    short = rows_of(tmp_path / "o.jsonl.shortfall.jsonl")
    assert short[0]["row"] == 2 and short[0]["produced"] == 0 and short[0]["reason"]


@pytest.mark.parametrize("text", ["\u200b\u200b\u200b", "\u200e\u200f", "\ufeff \u2060"])
def test_texts_without_visible_characters_are_rejected_as_empty(tmp_path, model, capsys, text, write_jsonl):
    src = write_jsonl(tmp_path / "in.jsonl", [{"text": TEXTS[0]}, {"text": text}])
    rc, err = run(["augment", str(src), "-o", str(tmp_path / "o.jsonl"), *model], capsys)
    assert rc == 2 and "row 2, field 'text'" in one_line(err) and "empty" in err[0]
    assert main(["augment", str(src), "-o", str(tmp_path / "o.jsonl"), "--skip-bad-rows", *model]) == 0
    rejected = rows_of(tmp_path / "o.jsonl.rejected.jsonl")
    assert rejected[0]["row"] == 2 and "empty" in rejected[0]["reason"]


# -- interrupts -------------------------------------------------------------------------------------------
def test_ctrl_c_during_start_up_is_one_line_and_130(tmp_path, tiny_model_dirs, monkeypatch, capsys, write_jsonl):
    import transformers

    def interrupted(*a, **k):  # Ctrl-C while the model loads
        raise KeyboardInterrupt

    monkeypatch.setattr(transformers.AutoModelForMaskedLM, "from_pretrained", interrupted)
    src = write_jsonl(tmp_path / "in.jsonl", [{"text": t} for t in TEXTS])
    rc, err = run(["augment", str(src), "-o", str(tmp_path / "o.jsonl"), "--model",
                   str(tiny_model_dirs["wordpiece"])], capsys)
    assert rc == 130 and "interrupted" in one_line(err)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl"]


def test_no_temporary_folder_is_left_after_kill_9_and_resume(tmp_path, tiny_model_dirs, write_jsonl):
    src = write_jsonl(tmp_path / "in.jsonl", [{"text": f"{TEXTS[i % 4]} Take {i}."} for i in range(4000)])
    out = tmp_path / "o.jsonl"
    cmd = [sys.executable, "-m", "maskaug.cli", "augment", str(src), "-o", str(out), "--n", "2", "--model",
           str(tiny_model_dirs["wordpiece"]), "--method", "iterative.v2", "--quiet"]
    proc = subprocess.Popen(cmd, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    side = tmp_path / ".o.jsonl.maskaug"
    partials = [side / "partial.jsonl", tmp_path / "o.jsonl.partial.jsonl"]  # this layout, or main's
    while time.time() < deadline and not any(p.is_file() and p.stat().st_size for p in partials):
        time.sleep(0.05)
    time.sleep(0.1)
    assert proc.poll() is None, "the run ended before it could be killed"
    os.kill(proc.pid, 9)
    proc.wait()
    assert subprocess.run(cmd, stderr=subprocess.PIPE, text=True).returncode == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl", "o.jsonl"]
    assert len(rows_of(out)) == 8000
