"""Text records: one or more string columns; detection; pair judged as a pair."""

import pytest

from maskaug.records import Options, TaggedRecord, TextRecord, detect
from maskaug.splice import Edit


def test_detection_order():
    assert isinstance(detect({"text": "a"}), TextRecord)
    assert isinstance(detect({"tokens": ["a"], "tags": ["O"]}), TaggedRecord)
    assert isinstance(detect({"tokens": ["a"], "tags": ["O"]}, Options(text_columns=("t",))), TextRecord)
    assert detect({"a": "x", "b": "y"}, Options(text_columns=("a", "b"))).fields == ["a", "b"]
    assert isinstance(detect(None, Options(record="tagged")), TaggedRecord)
    with pytest.raises(ValueError, match="unknown record type 'image'"):
        detect({"text": "a"}, Options(record="image"))
    with pytest.raises(ValueError, match="either --text-column"):
        detect({"text": "a"}, Options(text_columns=("text",), tokens_column="tokens"))


def test_check_view_rebuild_and_judged():
    rec = TextRecord(["premise", "hypothesis"])
    row = {"premise": "A man sings.", "hypothesis": "Nobody sings.", "label": "contradiction"}
    assert rec.check(row) is None and rec.check({**row, "hypothesis": "\u200b"})[0] == "hypothesis"
    view = rec.view(row)
    edit = Edit("premise", 2, 5, "man", "woman")
    out, edits = rec.rebuild(row, view, {**view.texts, "premise": "A woman sings."}, [edit])
    assert out == {**row, "premise": "A woman sings."} and edits == [edit.as_dict()]
    assert rec.judged(view.texts) == ("A man sings.", "Nobody sings.")
    assert TextRecord().judged({"text": "x"}) == "x"
    with pytest.raises(ValueError, match="must differ"):
        TextRecord(["a", "a"])
