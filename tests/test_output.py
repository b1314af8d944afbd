"""The output target: what may be written, one writer at a time, and what is left afterwards."""


import pytest

from maskaug.io import OutputError
from maskaug.output import OutputTarget, written_by_maskaug


def test_what_counts_as_maskaug_output(tmp_path, write_jsonl):
    ours = tmp_path / "ours.jsonl"
    write_jsonl(ours, [{"text": "x", "aug_source_row": 0}])
    theirs = tmp_path / "theirs.jsonl"
    write_jsonl(theirs, [{"text": "x"}])
    folder = tmp_path / "folder"
    folder.mkdir()
    assert written_by_maskaug(ours) and not written_by_maskaug(theirs) and not written_by_maskaug(folder)
    (folder / "maskaug.json").write_text("{}")
    assert written_by_maskaug(folder)


def test_check_refuses_the_input_and_others_files(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text("{}\n")
    with pytest.raises(OutputError, match="is the input"):
        OutputTarget(src, [src]).check()
    with pytest.raises(OutputError, match="holds the input"):
        OutputTarget(tmp_path, [src], overwrite=True).check()
    other = tmp_path / "o.jsonl"
    other.write_text("mine\n")
    with pytest.raises(OutputError, match="--overwrite"):
        OutputTarget(other, [src]).check()
    OutputTarget(other, [src], overwrite=True).check()


def test_one_holder_at_a_time_and_nothing_left_after(tmp_path):
    out = tmp_path / "o.jsonl"
    first = OutputTarget(out)
    first.acquire()
    second = OutputTarget(out)
    with pytest.raises(OutputError, match=r"another maskaug run \(pid \d+ on .*, started "):
        second.acquire()
    first.release(keep_partial=False)
    assert not first.side.exists()
    second.acquire()  # free again
    second.release(keep_partial=True)
    assert second.side.is_dir() and not (second.side / "holder.json").exists()
