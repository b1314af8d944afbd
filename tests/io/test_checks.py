"""Row checks: text fields and labels named by row and field."""

import pytest

from maskaug.io import InputError, validate


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
