"""The obvious-defect checker, on the defects the insert method used to make (issue 29's examples)."""

from __future__ import annotations

import pytest

from maskaug.evaluate.defects import KINDS, defect_rates, defects


@pytest.mark.parametrize("source,output,kinds", [
    ("The ending is a cop-out.", "if The ending is a cop-out.", {"start", "lowercase_start"}),
    ("No, it's not nearly as good as any of its influences.",
     "No, it's not not nearly as good as any of both its influences.", {"repeat"}),
    ("Divine Secrets and spirited performances.", "the Divine Secrets and their spirited performances. is",
     {"start", "lowercase_start", "after_end", "dangling"}),
    ("Who was Galileo ?", "Who was Galileo the ?", {"dangling"}),
    ("But what spectacular sizzle it is!", "what spectacular sizzle it is!", {"lowercase_start"}),
    ("However, it lacks grandeur.", "However, however it lacks grandeur.", {"repeat"}),
    ("A fine film.", "A fine ##ly film.", {"artefact"}),
    ("A fine film.", "A fine  film.", {"artefact"}),
    ("The ending is a cop-out.", "The ending is a real cop-out.", set()),
    ("What county is Modesto , California in ?", "What county is Modesto , California located in ?", set()),
    ("No no no, never.", "No no no, not ever.", set()),  # the source's own repeats are not new
    ("", "", set()), ("", "the", {"dangling"}), ("...", "a ...", {"dangling"}), ("Go.", "", set()),
    ("Ça va.", "ça ça va.", {"lowercase_start", "repeat"}),
])
def test_kinds_found(source, output, kinds):
    assert set(defects(source, output)) == kinds


def test_identical_output_has_no_defect_and_rates_add_up():
    assert defects("if The ending", "if The ending") == []
    rates = defect_rates([("The ending.", "if The ending."), ("The ending.", "The real ending."),
                          ("Who was he ?", "Who was he the ?"), ("Go.", "Go.")])
    assert rates["outputs"] == 4 and rates["defective"] == 0.5
    assert rates["start"] == 0.25 and rates["dangling"] == 0.25
    assert set(KINDS) <= set(rates)
    assert defect_rates([])["defective"] == 0.0
