"""Reading rows: encodings, line endings, malformed files named by file, row and line."""

import pytest

from maskaug.io import InputError, Rows, read_rows


def _write(path, data: bytes):
    path.write_bytes(data)
    return path

def test_bom_and_crlf_are_read_cleanly(tmp_path):
    p = _write(tmp_path / "d.csv", b"\xef\xbb\xbftext,label\r\n\"two\r\nlines\",1\r\nplain,0\r\n")
    rows = read_rows(p)
    assert list(rows[0]) == ["text", "label"]
    assert rows[0]["text"] == "two\r\nlines" and rows[1]["text"] == "plain"


def test_a_csv_mixing_cr_lf_and_crlf_line_endings_is_read(tmp_path):
    """A lone CR ends a line as LF and CRLF do (a defect: the csv module refused it as "new-line character seen in
    unquoted field"); a CR inside a quoted field stays in the value."""
    p = _write(tmp_path / "d.csv", b'text,label\r\none,pos\ntwo,neg\rthree,pos\r"four\rlines",neg\n')
    rows = read_rows(p)
    assert [(r["text"], r["label"]) for r in rows] == [("one", "pos"), ("two", "neg"), ("three", "pos"),
                                                       ("four\rlines", "neg")]


def test_invalid_utf8_names_file_and_line(tmp_path):
    p = _write(tmp_path / "d.jsonl", b'{"text": "ok"}\n{"text": "caf\xe9"}\n')
    with pytest.raises(InputError, match=r"d.jsonl: invalid UTF-8 at byte \d+ \(line 2\)"):
        read_rows(p)


def test_broken_json_names_the_row(tmp_path):
    p = _write(tmp_path / "d.jsonl", b'{"text": "ok"}\n{"text": \n')
    with pytest.raises(InputError, match="row 2"):
        read_rows(p)


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


def test_conll_columns_become_token_tag_rows(tmp_path):
    p = _write(tmp_path / "d.conll", b"-DOCSTART- -X- -X- O\n\nAnna NNP B-NP B-PER\nsang VBD B-VP O\n\r\n\n"
                                      b"Paris NNP B-NP B-LOC\n")
    assert read_rows(p) == [{"tokens": ["Anna", "sang"], "tags": ["B-PER", "O"]},
                            {"tokens": ["Paris"], "tags": ["B-LOC"]}]
    bad = _write(tmp_path / "b.conll", b"Anna B-PER\nsang\n")
    with pytest.raises(InputError, match="row 1: line 2 has one column"):
        read_rows(bad)


def test_rows_are_read_lazily_and_again_from_the_start(tmp_path):
    p = _write(tmp_path / "d.jsonl", b"".join(b'{"text": "row %d"}\n' % i for i in range(5000)))
    rows = Rows(p)
    it = iter(rows)
    assert next(it) == {"text": "row 0"}  # a generator: nothing else read yet
    assert sum(1 for _ in rows) == 5000 and next(iter(rows)) == {"text": "row 0"}


def test_reading_a_large_file_keeps_memory_flat(tmp_path):
    import tracemalloc

    p = tmp_path / "big.jsonl"
    with open(p, "w") as fh:
        for i in range(60_000):
            fh.write(f'{{"text": "a sentence of moderate length, number {i}", "label": 1}}\n')
    tracemalloc.start()
    count = sum(1 for _ in Rows(p))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert count == 60_000 and peak < 2_000_000  # the file is 4 MB; rows are not held


def test_csv_columns_of_plain_numbers_are_numbers_and_the_rest_text(tmp_path):
    p = _write(tmp_path / "d.csv", b"id,score,code,mixed,text\n1,0.5,007,1,a\n2,,010,x,b\n-3,1.25,1,2,c\n")
    rows = read_rows(p)
    assert [r["id"] for r in rows] == [1, 2, -3] and [r["score"] for r in rows] == [0.5, None, 1.25]
    assert [r["code"] for r in rows] == ["007", "010", "1"]  # leading zeros: would not read back the same
    assert [r["mixed"] for r in rows] == ["1", "x", "2"] and rows[0]["text"] == "a"


@pytest.mark.parametrize("suffix", [".jsonl.gz", ".jsonl.zst", ".csv.gz"])
def test_compressed_text_formats(tmp_path, suffix):
    import gzip

    import zstandard

    raw = b'{"text": "a"}\n{"text": "b"}\n' if ".jsonl" in suffix else b"text\na\nb\n"
    p = tmp_path / f"d{suffix}"
    p.write_bytes(gzip.compress(raw) if suffix.endswith(".gz") else zstandard.ZstdCompressor().compress(raw))
    assert [r["text"] for r in read_rows(p)] == ["a", "b"]
    bad = _write(tmp_path / "bad.jsonl.gz", b"not gzip at all")
    with pytest.raises(InputError, match="bad.jsonl.gz: not a readable .gz stream"):
        read_rows(bad)


def test_json_files_are_arrays_or_json_lines(tmp_path):
    arr = _write(tmp_path / "a.json", b'[{"text": "x"},\n {"text": "y"}]\n')
    assert [r["text"] for r in read_rows(arr)] == ["x", "y"]
    lines = _write(tmp_path / "l.json", b'{"text": "x"}\n{"text": "y"}\n')
    assert [r["text"] for r in read_rows(lines)] == ["x", "y"]
    with pytest.raises(InputError, match="item 2 of the array is not a JSON object"):
        read_rows(_write(tmp_path / "b.json", b'[{"text": "x"}, 3]'))
