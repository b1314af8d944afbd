"""Fault injection and bad input, in the spirit of SQLite's and Jepsen's test suites (issue 15).

A matrix of formats × faults. For every case it checks what a careful user would: the exit code, one line on
stderr and no traceback, the input's bytes unchanged, every row in the output or the rejected file, and a
resumed run's output equal to an uninterrupted one's. The in-process cases run by default; the ones that
kill real processes at random moments are ``slow``.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from maskaug.cli import main

FORMATS = ["jsonl", "csv", "tsv", "parquet", "hf"]
TEXTS = ["The movie was great and the actors were wonderful.", "A dull, lifeless film with no heart at all.",
         "Who invented the telephone in the nineteenth century?", "What is the capital city of France?",
         "I loved every minute of this charming comedy.", "The plot is thin and the jokes fall flat.",
         "Play some jazz music from the seventies please.", "Book a table for two at an Italian restaurant."]


def write_input(path: Path, rows: list[dict], fmt: str) -> Path:
    if fmt == "jsonl":
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    elif fmt in ("csv", "tsv"):
        with open(path, "w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=list(rows[0]), delimiter="\t" if fmt == "tsv" else ",")
            w.writeheader()
            w.writerows(rows)
    elif fmt == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        pq.write_table(pa.Table.from_pylist(rows), path)
    else:
        from datasets import Dataset

        Dataset.from_list(rows).save_to_disk(str(path))
    return path


def digest(path: Path) -> str:
    h = hashlib.sha256()
    for f in sorted(path.rglob("*")) if path.is_dir() else [path]:
        if f.is_file():
            h.update(str(f.relative_to(path) if path.is_dir() else f.name).encode() + f.read_bytes())
    return h.hexdigest()


def read_output(path: Path) -> list[dict]:
    from maskaug.io import read_rows

    return read_rows(path)


def comparable(path: Path):
    """Bytes of a file; a datasets folder by its rows (its state.json holds a random fingerprint)."""
    return read_output(path) if path.is_dir() else path.read_bytes()


def cli(argv: list[str], capsys) -> tuple[int, list[str]]:
    capsys.readouterr()
    try:
        rc = main(argv)
    except SystemExit as exc:  # argparse
        rc = exc.code
    return rc, capsys.readouterr().err.strip().splitlines()


def assert_one_line(rc: int, err: list[str], code: int = 2) -> str:
    assert rc == code, err
    assert len(err) == 1 and "Traceback" not in err[0] and err[0].startswith("maskaug:"), err
    return err[0]


@pytest.fixture
def model(tiny_model_dirs) -> list[str]:
    # a random tiny model: v3's probability floor would refuse its every fill, so the plumbing runs a v2 method
    return ["--model", str(tiny_model_dirs["wordpiece"]), "--quiet", "--method", "insert.v2"]


def rows_with_ids(k: int = 8) -> list[dict]:
    return [{"id": str(i), "text": TEXTS[i % len(TEXTS)], "label": str(i % 2)} for i in range(k)]


# -- every option with a bad value: one line, exit 2, nothing created ---------------------------------------------
BAD_OPTIONS = [["--n", "0"], ["--n", "1001"], ["--n", "two"], ["--seed", "-1"], ["--max-attempts", "0"],
               ["--max-attempts", "1000000"], ["--token-budget", "0"], ["--rate", "2"], ["--rate", "abc"],
               ["--top-k", "0"], ["--top-p", "2"], ["--temperature", "0"], ["--unit", "sentence"],
               ["--strategy", "best"], ["--protect", "("], ["--protect", "[a-"], ["--param", "top_k=x"],
               ["--param", "rate"], ["--param", "nope=1"], ["--param", "min_count=-1"], ["--device", "gpu"],
               ["--device", "cuda:3"], ["--dtype", "fp8"], ["--min-similarity", "5"], ["--max-edit-rate", "-1"],
               ["--teacher-mode", "maybe"], ["--teacher", "/no/such/folder"], ["--method", "nope"],
               ["--config", "/no/such/config.json"], ["--label-column", "nope"], ["--text-column", "nope"],
               ["--record", "image"], ["--ray", "--workers", "0"], ["--tokens-column", "tokens",
                                                                   "--text-column", "text"]]


@pytest.mark.parametrize("bad", BAD_OPTIONS, ids=lambda b: " ".join(b))
def test_every_option_with_a_bad_value(tmp_path, model, capsys, bad):
    src = write_input(tmp_path / "in.jsonl", rows_with_ids(), "jsonl")
    before = digest(src)
    rc, err = cli(["augment", str(src), "-o", str(tmp_path / "o.jsonl"), *model, *bad], capsys)
    assert_one_line(rc, err)
    assert digest(src) == before and sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl"]


# -- hostile names -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("case", ["output is input", "output holds input", "input named like rejected file",
                                  "input named like shortfall file", "input inside side folder",
                                  "output parent is a file"])
def test_hostile_names(tmp_path, model, capsys, fmt, case):
    suffix = "" if fmt == "hf" else f".{fmt}"
    folder = tmp_path / "data"
    folder.mkdir()
    name = {"input named like rejected file": f"o{suffix}.rejected.jsonl",
            "input named like shortfall file": f"o{suffix}.shortfall.jsonl"}.get(case, f"in{suffix}")
    if case == "input inside side folder":
        (folder / f".o{suffix}.maskaug").mkdir()
        src = write_input(folder / f".o{suffix}.maskaug" / f"in{suffix}", rows_with_ids(), fmt)
    else:
        src = write_input(folder / name, rows_with_ids(), fmt if not name.endswith(".jsonl") else "jsonl")
    before = digest(src)
    out = {"output is input": src, "output holds input": folder,
           "output parent is a file": folder / name / "o.jsonl"}.get(case, folder / f"o{suffix}")
    rc, err = cli(["augment", str(src), "-o", str(out), *model, "--overwrite"], capsys)
    assert_one_line(rc, err)
    assert digest(src) == before


@pytest.mark.parametrize("name", ["ø ü 名 space.jsonl", "-dash.jsonl", "new/sub/dirs/o.jsonl", ".hidden.jsonl"])
def test_unusual_but_fine_output_names(tmp_path, model, capsys, name):
    src = write_input(tmp_path / "in.jsonl", rows_with_ids(), "jsonl")
    rc, err = cli(["augment", str(src), "-o", str(tmp_path / name), *model], capsys)
    assert rc == 0, err
    assert len(read_output(tmp_path / name)) == 8


# -- hostile columns ---------------------------------------------------------------------------------------------
HOSTILE = {"__done__": 1, "row": "r", "records": "[]", "rejected": "no", "aug_is_original": "maybe", "text ": "x",
           "ünïcödé": "✓", "a" * 300: "long"}


@pytest.mark.parametrize("fmt", FORMATS)
def test_hostile_columns_pass_through(tmp_path, model, capsys, fmt):
    rows = [{**r, **HOSTILE} for r in rows_with_ids()]
    suffix = "" if fmt == "hf" else f".{fmt}"
    src = write_input(tmp_path / f"in{suffix}", rows, fmt)
    before = digest(src)
    out = tmp_path / f"o{suffix}"
    rc, err = cli(["augment", str(src), "-o", str(out), *model, "--keep-original"], capsys)
    assert rc == 0, err
    got = read_output(out)
    assert len(got) == 16 and digest(src) == before
    originals = [r for r in got if str(r["aug_is_original"]).lower() == "true"]
    assert [str(r["id"]) for r in originals] == [r["id"] for r in rows]  # CSV: a column of plain numbers
    for r in got:
        assert str(r["__done__"]) == "1" and r["row"] == "r" and r["ünïcödé"] == "✓" and r["a" * 300] == "long"


# -- bad rows: every row in the output or the rejected file ------------------------------------------------------
@pytest.mark.parametrize("fmt", FORMATS)
def test_every_row_is_in_the_output_or_the_rejected_file(tmp_path, model, capsys, fmt):
    rows = rows_with_ids(10)
    rows[2]["text"] = ""
    rows[5]["text"] = "   "
    rows[7]["label"] = ""
    suffix = "" if fmt == "hf" else f".{fmt}"
    src = write_input(tmp_path / f"in{suffix}", rows, fmt)
    out = tmp_path / f"o{suffix}"
    rc, err = cli(["augment", str(src), "-o", str(out), *model, "--label-column", "label"], capsys)
    assert "row 3, field 'text'" in assert_one_line(rc, err)
    assert not out.exists()
    rc, err = cli(["augment", str(src), "-o", str(out), *model, "--label-column", "label", "--skip-bad-rows",
                   "--n", "2"], capsys)
    assert rc == 0, err
    rejected = [json.loads(x) for x in Path(f"{out}.rejected.jsonl").read_text().splitlines()]
    assert [r["row"] for r in rejected] == [3, 6, 8]
    got = read_output(out)
    assert sorted({int(r["aug_source_row"]) for r in got}) == [0, 1, 3, 4, 6, 8, 9]
    assert "3 bad rows set aside" in err[-1]


# -- interrupts at any row, in process: the resumed output equals an uninterrupted one ---------------------------
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("stop", [0, 3, 7])
def test_interrupt_at_a_row_then_resume(tmp_path, model, capsys, interrupted_cli, fmt, stop):
    suffix = "" if fmt == "hf" else f".{fmt}"
    src = write_input(tmp_path / f"in{suffix}", rows_with_ids(), fmt)
    before = digest(src)
    args = [*model, "--n", "2", "--method", "iterative.v2", "--keep-original"]
    full = tmp_path / f"full{suffix}"
    assert cli(["augment", str(src), "-o", str(full), *args], capsys)[0] == 0
    out = tmp_path / f"o{suffix}"
    assert interrupted_cli(["augment", str(src), "-o", str(out), *args], rows=stop) == 130
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "interrupted" in err[0]
    side = tmp_path / f".o{suffix}.maskaug"
    assert side.is_dir() == (stop > 0)  # nothing finished: nothing left behind
    rc, err = cli(["augment", str(src), "-o", str(out), *args], capsys)
    assert rc == 0, err
    assert comparable(out) == comparable(full) and digest(src) == before and not side.exists()


# -- full disk and read-only targets (a small tmpfs; needs root to mount, else skipped) ---------------------------
def _mount(where: Path, options: str) -> bool:
    where.mkdir()
    if shutil.which("mount") is None or os.geteuid() != 0:
        return False
    return subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)],
                          capture_output=True).returncode == 0


def _mounted(where: Path, options: str):
    if not _mount(where, options):
        pytest.skip("cannot mount a tmpfs here")
    yield where
    subprocess.run(["umount", str(where)])


@pytest.fixture
def small_disk(tmp_path):
    yield from _mounted(tmp_path / "small", "size=48k")


@pytest.fixture
def read_only(tmp_path):
    yield from _mounted(tmp_path / "ro", "size=64k,ro")


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_full_disk_is_one_line_and_leaves_the_input(tmp_path, small_disk, model, capsys, fmt):
    rows = [{"id": str(i), "text": f"{TEXTS[i % 8]} And take {i} of it again, with more words.", "label": "1"}
            for i in range(300)]
    suffix = "" if fmt == "hf" else f".{fmt}"
    src = write_input(tmp_path / f"in{suffix}", rows, fmt)
    before = digest(src)
    rc, err = cli(["augment", str(src), "-o", str(small_disk / f"o{suffix}"), *model, "--n", "2"], capsys)
    line = assert_one_line(rc, err)
    assert "No space left" in line and digest(src) == before
    assert not (small_disk / f"o{suffix}").exists()


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("nested", [False, True])
def test_a_read_only_target_is_one_line(tmp_path, read_only, model, capsys, fmt, nested):
    suffix = "" if fmt == "hf" else f".{fmt}"
    src = write_input(tmp_path / f"in{suffix}", rows_with_ids(), fmt)
    target = read_only / "missing" / "parents" / f"o{suffix}" if nested else read_only / f"o{suffix}"
    rc, err = cli(["augment", str(src), "-o", str(target), *model], capsys)
    assert "Read-only file system" in assert_one_line(rc, err)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([src.name, "ro"])


@pytest.mark.parametrize("fmt", FORMATS)
def test_ctrl_c_during_the_final_write_resumes(tmp_path, model, capsys, monkeypatch, fmt):
    import maskaug.io.writers as writers

    suffix = "" if fmt == "hf" else f".{fmt}"
    src = write_input(tmp_path / f"in{suffix}", rows_with_ids(), fmt)
    full, out = tmp_path / f"full{suffix}", tmp_path / f"o{suffix}"
    assert cli(["augment", str(src), "-o", str(full), *model, "--n", "2"], capsys)[0] == 0
    real = writers.write_records

    def interrupted(path, *a, **k):
        if str(path) == str(out):
            raise KeyboardInterrupt
        return real(path, *a, **k)

    monkeypatch.setattr(writers, "write_records", interrupted)
    rc, err = cli(["augment", str(src), "-o", str(out), *model, "--n", "2"], capsys)
    assert "rerun the same command to resume" in assert_one_line(rc, err, code=130)
    assert not out.exists()
    monkeypatch.setattr(writers, "write_records", real)
    rc, err = cli(["augment", str(src), "-o", str(out), *model, "--n", "2"], capsys)
    assert rc == 0 and "8 rows resumed" in err[-1] and comparable(out) == comparable(full)


def test_csv_output_takes_columns_that_only_later_rows_have(tmp_path, tiny_model_dirs, monkeypatch, capsys):
    """Found by this suite: with --keep-original and the teacher's attached labels, the first row (an original)
    lacks aug_teacher_label, and main's CSV writer failed after all the work."""
    model = str(tiny_model_dirs["wordpiece"])
    monkeypatch.setattr("maskaug.embeddings.default_encoder", lambda: model)
    src = write_input(tmp_path / "in.jsonl", rows_with_ids(), "jsonl")
    out = tmp_path / "o.csv"
    rc, err = cli(["augment", str(src), "-o", str(out), "--model", model, "--quiet", "--keep-original",
                   "--teacher", "--teacher-mode", "hard", "--method", "insert.v2"], capsys)
    assert rc == 0, err
    got = read_output(out)
    assert len(got) == 16 and {r["aug_teacher_label"] for r in got if r["aug_is_original"] == "True"} == {None}
    assert {r["aug_teacher_label"] for r in got if r["aug_is_original"] == "False"} <= {0, 1}


def test_sigterm_is_an_interrupt_that_keeps_finished_rows(tmp_path, tiny_model_dirs):
    import signal

    src = write_input(tmp_path / "in.jsonl", [{"text": f"{TEXTS[i % 8]} Take {i}."} for i in range(4000)], "jsonl")
    out = tmp_path / "o.jsonl"
    cmd = _cmd(src, out, str(tiny_model_dirs["wordpiece"]))
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True)
    partial = tmp_path / ".o.jsonl.maskaug" / "partial.jsonl"
    deadline = time.time() + 60
    while time.time() < deadline and not (partial.is_file() and partial.stat().st_size):
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and "rerun the same command to resume" in err and len(err.strip().splitlines()) == 1
    assert subprocess.run(cmd).returncode == 0 and len(read_output(out)) == 8000


# -- slow: real processes killed at random moments, and concurrent writers, per format ----------------------------
def _cmd(src: Path, out: Path, model: str) -> list[str]:
    return [sys.executable, "-m", "maskaug.cli", "augment", str(src), "-o", str(out), "--n", "2", "--model", model,
            "--method", "iterative.v2", "--quiet"]


@pytest.mark.slow
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("seed", [1, 2])
def test_kill_9_at_a_random_moment_then_resume(tmp_path, tiny_model_dirs, fmt, seed):
    rows = [{"id": str(i), "text": f"{TEXTS[i % 8]} Take {i}.", "label": "1"} for i in range(20_000)]
    suffix = "" if fmt == "hf" else f".{fmt}"
    src = write_input(tmp_path / f"in{suffix}", rows, fmt)
    before = digest(src)
    model = str(tiny_model_dirs["wordpiece"])
    full = tmp_path / f"full{suffix}"
    subprocess.run(_cmd(src, full, model), check=True, capture_output=True)
    out = tmp_path / f"o{suffix}"
    partial = tmp_path / f".o{suffix}.maskaug" / "partial.jsonl"
    rng = random.Random(seed)
    kills = 0
    for _ in range(3):  # killed up to three times, at random moments once rows are being written
        proc = subprocess.Popen(_cmd(src, out, model), stderr=subprocess.DEVNULL)
        deadline = time.time() + 60
        size = partial.stat().st_size if partial.is_file() else 0
        while time.time() < deadline and proc.poll() is None and not (partial.is_file()
                                                                      and partial.stat().st_size > size):
            time.sleep(0.02)
        time.sleep(rng.uniform(0.0, 1.5))
        if proc.poll() is not None:  # it finished first
            break
        proc.kill()
        proc.wait()
        kills += 1
    if not out.exists():
        res = subprocess.run(_cmd(src, out, model), capture_output=True, text=True)
        assert res.returncode == 0, res.stderr
    assert kills and comparable(out) == comparable(full) and digest(src) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([src.name, full.name, out.name])


@pytest.mark.slow
@pytest.mark.parametrize("fmt", FORMATS)
def test_concurrent_writers_one_wins_one_refuses(tmp_path, tiny_model_dirs, fmt):
    rows = [{"id": str(i), "text": f"{TEXTS[i % 8]} Take {i}.", "label": "1"} for i in range(1500)]
    suffix = "" if fmt == "hf" else f".{fmt}"
    src = write_input(tmp_path / f"in{suffix}", rows, fmt)
    out = tmp_path / f"o{suffix}"
    model = str(tiny_model_dirs["wordpiece"])
    procs = [subprocess.Popen(_cmd(src, out, model), stderr=subprocess.PIPE, text=True) for _ in range(3)]
    results = [(p.wait(), p.stderr.read()) for p in procs]
    codes = sorted(rc for rc, _ in results)
    assert codes[0] == 0, results
    for rc, err in results:
        if rc:
            assert rc == 2 and len(err.strip().splitlines()) == 1 and ("another maskaug run" in err
                                                                       or "already exists" in err), err
    assert len(read_output(out)) == 3000
