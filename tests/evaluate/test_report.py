"""The report people paste into a paper: names not paths, no Markdown in the HTML, intervals, warnings, figures."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from maskaug.evaluate.report import dataset_name, figures, html_page, markdown, marked
from maskaug.evaluate.stats import paired

VOID = {"meta", "img", "br", "hr", "link", "input"}


def _summary(accs: dict[str, list[float]]) -> dict:
    from maskaug.evaluate.runner import summarize

    runs = [{"size": 10, "split": i, "method": m, "test_accuracy": a, "per_class": {"0": a - 0.05, "1": a + 0.05}}
            for m, xs in accs.items() for i, a in enumerate(xs)]
    return summarize(runs, 10, list(accs), {"none": "none", "copy": "copy"})


def results(splits: int = 3) -> dict:
    accs = {"none": [0.60, 0.62, 0.58, 0.61, 0.59][:splits], "copy": [0.63, 0.64, 0.60, 0.62, 0.61][:splits],
            "substitute.v2": [0.66, 0.65, 0.61, 0.64, 0.62][:splits]}
    return {
        "config": {"data": "../shared/data/sst2_cased/train.jsonl", "test": "../shared/data/sst2_cased/test.jsonl",
                   "protocol": "kumar2020", "splits": splits, "seed": 0, "classifier": "finetune", "n": None,
                   "model": None},
        "classes": ["0", "1"], "test_size": 1821, "runs": [], "summary": {"10": _summary(accs)},
        "quality": {"substitute.v2": {"label_kept": 0.81, "oracle_on_sources": 0.9, "label_flip": 0.12,
                                   "label_flip_lo": 0.11, "label_flip_hi": 0.13, "edit_rate": 0.16}},
        "throughput": {"substitute.v2": {"rows_per_s": 120.0}}, "machine": {"cpu": "AMD EPYC", "torch_threads": 2},
        "maskaug": "0.1.0", "model": "maskaug/minilm-l6-mlm (built-in)",
        "command": "maskaug evaluate ../shared/data/sst2_cased/train.jsonl --splits 3 --classifier finetune",
        "examples": {"substitute.v2": [{"source": "a warm and funny film", "output": "a warm and moving film",
                                     "label": "1"}]},
        "timings_s": {"total": 123.0}, "cached_runs": 0,
        "arms": {"none": {"arm": "none", "role": "control"}, "copy": {"arm": "copy", "role": "control"},
                 "substitute": {"arm": "substitute.v2", "role": "method"}},
    }


class Checker(HTMLParser):
    """A real HTML parser: every element closed in order; the text nodes collected."""

    def __init__(self):
        super().__init__()
        self.stack, self.text, self.tags, self.errors = [], [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1] if self.stack else 'nothing'}")
        else:
            self.stack.pop()

    def handle_data(self, data):
        if self.stack and self.stack[-1] not in ("style", "code"):
            self.text.append(data)


def test_html_is_well_formed_and_has_no_markdown_left():
    page = html_page(results())
    c = Checker()
    c.feed(page)
    c.close()
    assert not c.errors and not c.stack
    text = " ".join(c.text)
    for md in ("**", "`", "|---", "## ", "> "):
        assert md not in text, md
    assert "../shared" not in text  # a path only inside the command
    assert "sst2_cased/train" in text and "sst2_cased/test, 1821 rows" in text
    for fact in ("maskaug", "0.1.0", "maskaug/minilm-l6-mlm (built-in)", "finetune", "outputs per row (n)"):
        assert fact in text, fact
    assert "maskaug evaluate ../shared/data/sst2_cased/train.jsonl --splits 3" in page  # the command, in <code>
    imgs = [a for t, a in c.tags if t == "img"]
    assert len(imgs) == 2 and all(a["alt"] and a["src"].startswith("data:image/png;base64,") for a in imgs)
    assert [t for t, a in c.tags if t == "mark"]  # the example's changed word is marked


def test_intervals_power_warning_per_class_and_oracle():
    res = results(splits=3)
    md = markdown(res)
    assert "Low power: 3 splits" in md and "0.25" in md
    assert "Low power" in markdown(results(splits=5))
    e = res["summary"]["10"]["substitute.v2"]
    assert e["ci_lo"] < e["mean"] < e["ci_hi"] and e["vs_copy"]["ci_lo"] <= e["vs_copy"]["mean_diff"]
    assert "Δ vs copy [95% CI], p (t)" in md and "accuracy % [95% CI]" in md
    assert "Per-class accuracy" in md and "| 0 % | 1 % |" in md
    assert "oracle on sources" in md and "90.0%" in md


def test_figures_start_at_zero_and_have_legends():
    figs = dict(figures(results()))
    acc = figs["Test accuracy per method (k = 10)"].axes[0]
    assert acc.get_ylim()[0] == 0 and acc.get_legend() is not None and "95% CI" in acc.get_ylabel()
    flips = figs["Label flips against gain"].axes[0]
    assert flips.get_xlim()[0] == 0 and flips.get_legend() is not None


def test_dataset_names_and_marked_changes():
    assert dataset_name("../shared/data/sst2_cased/train.jsonl") == "sst2_cased/train"
    assert dataset_name("train.jsonl.gz") == "train"
    left, right = marked("a warm and funny film", "a warm and moving film")
    assert ("funny", True) in left and ("moving", True) in right and ("a warm and", False) in right


def test_paired_differences_carry_a_95_interval():
    d = paired([0.66, 0.65, 0.61], [0.60, 0.62, 0.58])
    assert d.ci_lo < d.mean_diff < d.ci_hi
    assert d.ci_lo == pytest.approx(0.04 - 4.303 * 0.017320508 / 3 ** 0.5, abs=1e-4)


@pytest.mark.slow
def test_the_page_renders_in_a_real_headless_browser(tmp_path):
    """Debian's chromium renders report.html: its DOM has the tables and the decoded figures, and the
    screenshot is not blank."""
    import shutil
    import subprocess

    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("chromium not installed (apt-get install chromium)")
    page = tmp_path / "report.html"
    page.write_text(html_page(results()))
    flags = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1200,2400"]
    script = tmp_path / "check.html"  # the report in an iframe, measured once it has loaded
    script.write_text(
        "<!doctype html><body><script>const f=document.createElement('iframe');f.src='report.html';"
        "f.style.width='1200px';f.style.height='2400px';f.onload=()=>{const d=f.contentDocument;"
        "const imgs=[...d.images];document.title=JSON.stringify({tables:d.querySelectorAll('table').length,"
        "imgs:imgs.length,decoded:imgs.filter(i=>i.complete&&i.naturalWidth>100).length,"
        "marks:d.querySelectorAll('mark').length,warn:d.querySelectorAll('.warn').length})};"
        "document.body.appendChild(f);</script></body>")
    dom = subprocess.run(flags + ["--allow-file-access-from-files", "--virtual-time-budget=5000", "--dump-dom",
                                  f"file://{script}"], capture_output=True, text=True, timeout=120)
    import json
    import re

    found = re.search(r"<title>(.*?)</title>", dom.stdout)
    assert found, dom.stderr[-2000:]
    facts = json.loads(found.group(1).replace("&quot;", '"'))
    assert facts["tables"] >= 5 and facts["imgs"] == 2 and facts["decoded"] == 2 and facts["marks"] >= 2
    assert facts["warn"] == 1
    shot = tmp_path / "shot.png"
    subprocess.run(flags + [f"--screenshot={shot}", f"file://{page}"], capture_output=True, timeout=120)
    from PIL import Image

    img = Image.open(shot).convert("RGB")
    assert img.size == (1200, 2400) and len(img.getcolors(1 << 20) or []) > 50  # text, tables, plots


def test_comparisons_are_with_the_reference_arms_whatever_their_labels():
    from maskaug.evaluate.arms import arm_for, references
    from maskaug.evaluate.runner import summarize

    arms = [arm_for(s) for s in ["none", "copy:teacher=soft", "copy", "eda.v1", "substitute",
                                 {"label": "EDA, alpha 0.2", "method": "eda", "alpha_sr": 0.2}]]
    refs = references(arms)
    assert refs == {"none": "none", "copy": "copy", "eda": "eda.v1"}  # the plain arm of each reference class
    assert [a.role for a in arms] == ["control", "control", "control", "baseline", "method", "baseline"]
    accs = [0.6, 0.62, 0.58]
    runs = [{"size": 10, "split": i, "method": a.label, "test_accuracy": x + 0.01 * j}
            for j, a in enumerate(arms) for i, x in enumerate(accs)]
    summary = summarize(runs, 10, [a.label for a in arms], refs)
    assert [k for k in summary["none"] if k.startswith("vs_")] == []
    assert [k for k in summary["copy"] if k.startswith("vs_")] == ["vs_none"]
    assert [k for k in summary["eda.v1"] if k.startswith("vs_")] == ["vs_none", "vs_copy"]
    for label in ("copy:teacher=soft", "substitute", "EDA, alpha 0.2"):
        assert [k for k in summary[label] if k.startswith("vs_")] == ["vs_none", "vs_copy", "vs_eda"]
