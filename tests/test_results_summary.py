"""The Results page answers from stored numbers: its figure is drawn by ``benchmarks/plot_summary.py`` from
``benchmarks/results/`` (transcribed tables, or a ``maskaug evaluate`` results.json), and no number on the page or
in a transcribed table is missing from the lab notebook it was copied from."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
NOTEBOOK = (ROOT / "docs" / "lab-notebook.md").read_text(encoding="utf-8")
SUMMARY = (ROOT / "docs" / "results.md").read_text(encoding="utf-8")
STORED = sorted(RESULTS.glob("*.json"))
NUMBER = re.compile(r"(?<![\w.])[−+-]?\d[\d,]*(?:\.\d+)?")


def _script():
    spec = importlib.util.spec_from_file_location("plot_summary", ROOT / "benchmarks" / "plot_summary.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def numbers(text: str) -> set[float]:
    """Every number written in ``text``, signed ("−1.2" is -1.2; "1,006" is 1006)."""
    out = set()
    for token in NUMBER.findall(text):
        token = token.replace("−", "-").replace("+", "")
        if re.fullmatch(r"-?\d{1,3}(,\d{3})+(\.\d+)?", token) or "," not in token:
            out.add(round(float(token.replace(",", "")), 6))
        else:  # "1,2" is two numbers in a list, not one
            out.update(round(float(t), 6) for t in token.split(",") if t.strip("-"))
    return out


def section(anchor: str) -> str:
    """The notebook section a ``docs/lab-notebook.md#anchor`` link names: its text up to the next section."""
    from markdown.extensions.toc import slugify

    parts = re.split(r"^## ", NOTEBOOK, flags=re.M)
    found = [p for p in parts if slugify(p.splitlines()[0], "-") == anchor.split("#")[1]]
    assert found, f"no notebook section {anchor}"
    return found[0]


CONTEXT = ("none", "copy", "reference_accuracy")  # a row's other arms, written on other lines of the section


def _values(row: dict, keys=None) -> list[float]:
    out = []
    for key, value in row.items():
        if isinstance(value, bool) or key == "notebook" or (keys is not None and key not in keys):
            continue
        if isinstance(value, (int, float)):
            out.append(value)
        elif isinstance(value, list):
            out += [v for v in value if isinstance(v, (int, float))]
    return out


def test_the_stored_tables_are_transcribed_and_say_from_where():
    assert len(STORED) >= 5
    for path in STORED:
        data = json.loads(path.read_text(encoding="utf-8"))
        assert data["transcribed"] is True, path.name
        assert data["rows"] and data["machine"] and data["commands"], path.name
        section(data["notebook"])  # the section exists


@pytest.mark.parametrize("path", STORED, ids=[p.name for p in STORED])
def test_every_transcribed_row_is_one_line_of_its_notebook_section(path):
    """A row's own numbers all stand on one line of the section it names (its table row); the other arms it
    carries for context (none, copy, its control) stand in that section."""
    data = json.loads(path.read_text(encoding="utf-8"))
    for row in data["rows"]:
        text = section(row.get("notebook", data["notebook"]))
        own = {round(float(v), 6) for v in _values(row, [k for k in row if k not in CONTEXT])}
        assert any(own <= numbers(line) for line in text.splitlines()), f"{path.name}: no line of its section has {row}"
        missing = [v for v in _values(row, CONTEXT) if round(float(v), 6) not in numbers(text)]
        assert not missing, f"{path.name}: {row} has {missing}, not in its notebook section"


def test_every_number_on_the_results_page_is_in_the_notebook():
    """The summary's tables and sentences are copies: a number the notebook does not hold has drifted."""
    text = re.sub(r"\(lab-notebook\.md#[^)]*\)|\(figures/[^)]*\)|^---.*?---", "", SUMMARY, flags=re.S | re.M)
    missing = sorted(numbers(text) - numbers(NOTEBOOK))
    assert not missing, f"numbers on docs/results.md that the lab notebook does not have: {missing}"


def test_the_results_page_answers_each_question_with_a_table_and_what_did_not_hold():
    answers = re.split(r"^## ", SUMMARY, flags=re.M)[1:]
    assert len(answers) == 5
    for answer in answers:
        assert "\n|---" in answer and "**Did not hold:**" in answer and "lab-notebook.md#" in answer, answer[:40]
    # the two reruns, in the words
    assert ("none 81.8, copy 81.2, `selftrain:threshold=0.7` 81.6, its `view=none` 79.4\n(+2.2, not significant); the "
            "teacher passed no row at 0.9 on 2 of 5 splits") in SUMMARY
    assert "source-only 56.9, `selftrain:threshold=0.7` 54.0, its\n`view=none` 56.5" in SUMMARY


def test_the_figure_script_draws_the_stored_results(tmp_path):
    plot = _script()
    panels = plot.load([RESULTS])
    assert {r["dataset"] for r in panels["supervised"]} == {"TREC", "SST-2", "SNIPS"}
    assert {"SUBJ", "eda_sst2 → CR"} <= {r["dataset"] for r in panels["unlabelled"]}
    out = plot.draw(panels, tmp_path / "summary.png")
    assert out.stat().st_size > 10_000


def test_the_committed_figure_was_drawn_from_todays_stored_results():
    """The PNG carries the fingerprint of the rows it drew; rerun the script when benchmarks/results changes."""
    from PIL import Image

    plot = _script()
    drawn = Image.open(ROOT / "docs" / "figures" / "summary.png").text.get("Source")
    assert drawn == plot.fingerprint(plot.load([RESULTS])), "run: python benchmarks/plot_summary.py"


def test_a_maskaug_evaluate_results_json_is_paired_with_its_controls(tmp_path):
    """A results.json as ``maskaug evaluate`` writes it (runs of method, size, split, test_accuracy): each arm is
    paired with its own view=none arm when there is one, else with copy, by the report's statistics."""
    from maskaug.evaluate.stats import paired

    acc = {"none": [0.60, 0.62, 0.58], "copy": [0.63, 0.64, 0.60], "insert": [0.61, 0.66, 0.59],
           "selftrain": [0.70, 0.69, 0.66], "selftrain:view=none": [0.64, 0.65, 0.61]}
    runs = [{"method": m, "size": 10, "split": s, "test_accuracy": v}
            for m, vs in acc.items() for s, v in enumerate(vs)]
    path = tmp_path / "trec" / "results.json"
    path.parent.mkdir()
    path.write_text(json.dumps({"config": {"data": "../shared/data/trec_cased/train.jsonl", "unlabelled": "rest"},
                                "runs": runs}))
    plot = _script()
    panels = plot.load([path])
    rows = {r["method"]: r for r in panels["unlabelled"]}
    assert set(rows) == {"insert", "selftrain"} and not panels["supervised"]
    assert rows["selftrain"]["reference"] == "selftrain:view=none" and rows["insert"]["reference"] == "copy"
    want = paired([100 * v for v in acc["selftrain"]], [100 * v for v in acc["selftrain:view=none"]])
    assert rows["selftrain"]["delta"] == pytest.approx(want.mean_diff)
    assert rows["selftrain"]["delta_ci"] == pytest.approx([want.ci_lo, want.ci_hi])
    assert rows["selftrain"]["dataset"] == "trec_cased"
    assert plot.draw(panels, tmp_path / "fig.png").exists()
