"""Unicode helpers: visible text and normalised word forms."""

import pytest

from maskaug.text import is_visible, normalize


@pytest.mark.parametrize("text,visible", [("a", True), ("  ", False), ("\u200b\u200c\u200d", False),
                                          ("\u200e\u200f\u2066", False), ("\ufeff\u00ad", False), ("x\u200b", True),
                                          ("🙂", True), ("中", True), ("\u3000", False), ("!", True)])
def test_visible(text, visible):
    assert is_visible(text) is visible


def test_normalize_ignores_case_and_width():
    assert normalize("Ｆｉｌｍ ") == normalize("film") == "film"
