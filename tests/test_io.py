import json

import pytest

from maskaug.io import InputError, OutputError, read_rows, validate, write_records


def _write(path, data: bytes):
    path.write_bytes(data)
    return path


def test_bom_and_crlf_are_read_cleanly(tmp_path):
    p = _write(tmp_path / "d.csv", b"\xef\xbb\xbftext,label\r\n\"two\r\nlines\",1\r\nplain,0\r\n")
    rows = read_rows(p)
    assert list(rows[0]) == ["text", "label"]
    assert rows[0]["text"] == "two\r\nlines" and rows[1]["text"] == "plain"


def test_invalid_utf8_names_file_and_line(tmp_path):
    p = _write(tmp_path / "d.jsonl", b'{"text": "ok"}\n{"text": "caf\xe9"}\n')
    with pytest.raises(InputError, match=r"d.jsonl: invalid UTF-8 at byte \d+ \(line 2\)"):
        read_rows(p)


def test_broken_json_names_the_row(tmp_path):
    p = _write(tmp_path / "d.jsonl", b'{"text": "ok"}\n{"text": \n')
    with pytest.raises(InputError, match="row 2"):
        read_rows(p)


@pytest.mark.parametrize("value,reason", [("", "empty"), ("   \t", "empty"), ("\u200b", "empty"),
                                          (None, "missing text"),
                                          (float("nan"), "missing text"), (3, "must be a string")])
def test_bad_text_is_named_by_row_and_field(tmp_path, value, reason):
    rows = [{"text": "fine", "label": 1}, {"text": value, "label": 0}]
    with pytest.raises(InputError, match=rf"d.csv: row 2, field 'text': .*{reason}"):
        validate(tmp_path / "d.csv", rows, ["text"])
    good, rejected = validate(tmp_path / "d.csv", rows, ["text"], skip_bad=True)
    assert good == [0] and rejected[0].row == 2 and rejected[0].field == "text"


def test_missing_label_and_missing_column(tmp_path):
    with pytest.raises(InputError, match="row 1, field 'label': missing label"):
        validate("d.csv", [{"text": "a", "label": float("nan")}], ["text"], "label")
    with pytest.raises(InputError, match=r"field 'sentence': no such column; columns are \['text'\]"):
        validate("d.csv", [{"text": "a"}], ["sentence"])


def test_unicode_text_passes_validation(tmp_path):
    rows = [{"text": t} for t in ["emoji 🙂👍🏽", "中文文本", "עברית מימין לשמאל", "ctrl\x07char\x1b"]]
    assert validate("d.jsonl", rows, ["text"])[0] == [0, 1, 2, 3]


@pytest.mark.parametrize("suffix", ["csv", "tsv", "jsonl", "parquet", "hf"])
def test_round_trip_every_format(tmp_path, suffix):
    out = tmp_path / f"out.{suffix}"
    records = [{"text": "a, \"quoted\"\ttab", "label": 1, "aug_edits": [{"start": 0, "end": 1}]},
               {"text": "b", "label": 0, "aug_edits": []}]
    fmt = "hf" if suffix == "hf" else suffix
    assert write_records(out, fmt, lambda: iter(records), tmp_path / "tmp") == 2
    back = read_rows(out)
    assert [r["text"] for r in back] == [r["text"] for r in records]
    edits = back[0]["aug_edits"]
    assert (json.loads(edits) if isinstance(edits, str) else edits) == [{"start": 0, "end": 1}]
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


def test_huge_csv_field_is_read_not_refused(tmp_path):
    big = "word " * 60_000
    p = _write(tmp_path / "d.csv", f'text\n"{big}"\n'.encode())
    assert read_rows(p)[0]["text"] == big


def test_malformed_csv_names_the_row(tmp_path):
    p = _write(tmp_path / "d.csv", b'text,label\nok,1\n"bad"x,0\n')
    with pytest.raises(InputError, match=r"d.csv: row 2: malformed CSV"):
        read_rows(p)


@pytest.mark.parametrize("name", ["d.parquet", "folder.hf"])
def test_corrupt_binary_inputs_give_one_clear_error(tmp_path, name):
    target = tmp_path / name
    if name.endswith(".hf"):
        target.mkdir()
        (target / "junk.txt").write_text("not a dataset")
    else:
        target.write_bytes(b"PAR1 this is not parquet")
    with pytest.raises(InputError, match=name):
        read_rows(target)


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


def test_conll_columns_become_token_tag_rows(tmp_path):
    p = _write(tmp_path / "d.conll", b"-DOCSTART- -X- -X- O\n\nAnna NNP B-NP B-PER\nsang VBD B-VP O\n\r\n\n"
                                      b"Paris NNP B-NP B-LOC\n")
    assert read_rows(p) == [{"tokens": ["Anna", "sang"], "tags": ["B-PER", "O"]},
                            {"tokens": ["Paris"], "tags": ["B-LOC"]}]
    bad = _write(tmp_path / "b.conll", b"Anna B-PER\nsang\n")
    with pytest.raises(InputError, match="row 1: line 2 has one column"):
        read_rows(bad)
