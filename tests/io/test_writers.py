"""Writing records whole or not at all, in every format."""

import json

import pytest

from maskaug.io import OutputError, read_rows, write_records


def _write(path, data: bytes):
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("suffix", ["csv", "tsv", "jsonl", "parquet", "hf"])
def test_round_trip_every_format(tmp_path, suffix):
    out = tmp_path / f"out.{suffix}"
    records = [{"text": "a, \"quoted\"\ttab", "label": 1, "aug_extra": [{"start": 0, "end": 1}]},
               {"text": "b", "label": 0, "aug_extra": []}]
    fmt = "hf" if suffix == "hf" else suffix
    assert write_records(out, fmt, lambda: iter(records), tmp_path / "tmp") == 2
    back = read_rows(out)
    assert [r["text"] for r in back] == [r["text"] for r in records]
    extra = back[0]["aug_extra"]  # nested values: JSON text in a CSV cell
    assert (json.loads(extra) if isinstance(extra, str) else extra) == [{"start": 0, "end": 1}]
    assert not list((tmp_path / "tmp").iterdir())  # no temporary files left


def test_csv_columns_are_the_union_of_every_record(tmp_path):
    out = tmp_path / "o.csv"
    write_records(out, "csv", lambda: iter([{"a": 1}, {"a": 2, "b": "x"}]), tmp_path / "tmp")
    assert out.read_text().splitlines() == ["a,b", "1,", "2,x"]


def test_a_failed_write_leaves_the_old_output(tmp_path):
    out = tmp_path / "o.jsonl"
    out.write_text("old\n")

    def broken():
        yield {"a": 1}
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_records(out, "jsonl", broken, tmp_path / "tmp")
    assert out.read_text() == "old\n" and not list((tmp_path / "tmp").iterdir())
    with pytest.raises(OutputError, match="CoNLL is read, not written"):
        write_records(tmp_path / "o.conll", "conll", lambda: iter([]), tmp_path / "tmp")


def test_write_atomically_leaves_the_old_file_when_writing_fails(tmp_path):
    import numpy as np

    from maskaug.io import write_atomically

    target = tmp_path / "sub" / "cache.npz"
    write_atomically(target, lambda tmp: np.savez(tmp, a=np.arange(3)))
    with np.load(target) as z:
        assert z["a"].tolist() == [0, 1, 2]

    def half_then_fail(tmp):
        tmp.write_bytes(b"half a file")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_atomically(target, half_then_fail)
    with np.load(target) as z:  # the earlier entry is intact, and no temporary file is left behind
        assert z["a"].tolist() == [0, 1, 2]
    assert [p.name for p in target.parent.iterdir()] == ["cache.npz"]


@pytest.mark.parametrize("name", ["o.json", "o.jsonl.gz", "o.csv.zst", "o.tsv.gz"])
def test_json_arrays_and_compressed_outputs(tmp_path, name):
    records = [{"text": "a", "aug_edits": [{"field": "text", "start": 0, "end": 1, "old": "a", "new": "b"}]},
               {"text": "c", "aug_edits": []}]
    fmt = name.split(".")[1]
    out = tmp_path / name
    write_records(out, fmt, lambda: iter(records), tmp_path / "tmp")
    back = read_rows(out)
    assert [r["text"] for r in back] == ["a", "c"]
    if fmt == "json":
        assert json.loads(out.read_text()) == records  # one JSON array
    if fmt in ("csv", "tsv"):  # edits as readable text in a CSV cell
        assert back[0]["aug_edits"] == "text[0:1] 'a' -> 'b'" and back[1]["aug_edits"] == ""
