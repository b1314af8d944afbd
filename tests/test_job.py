"""The one job: every entry point runs it; methods are checked against record types and models once."""

from __future__ import annotations

import json

import numpy as np
import pytest

from maskaug import Augmenter, augment, augment_file
from maskaug.cli import main
from maskaug.constraints import Constraint

TEXTS = ["The movie was great and the actors were wonderful.", "A dull, lifeless film with no heart at all.",
         "Who invented the telephone in the nineteenth century?", "What is the capital city of France?"]
NER = {"tokens": ["Peter", "visited", "Paris", "on", "Monday", "."], "tags": ["B-PER", "O", "B-LOC", "O", "O", "O"]}


@pytest.fixture
def data(tmp_path, write_jsonl):
    p = tmp_path / "in.jsonl"
    write_jsonl(p, [{"text": t, "label": i % 2} for i, t in enumerate(TEXTS)])
    return p


@pytest.mark.parametrize("rows,extra,message", [
    ([{"text": TEXTS[0]}], ["--method", "melm"], "melm.v1: fills the entity tokens of token/tag (NER) records"),
    ([NER], ["--method", "insert.v2"], "insert.v2: insertion adds tokens without tags"),
    ([NER], ["--teacher"], "judge sentence labels"),
    ([{"text": TEXTS[0]}], ["--method", "cbert"], "needs a model fine-tuned with `maskaug finetune --conditioning "
                                                  "cbert`"),
])
def test_a_method_that_does_not_fit_is_one_line_before_any_work(tmp_path, tiny_model_dirs, capsys, rows, extra, message,
                                                                write_jsonl):
    src = tmp_path / "in.jsonl"
    write_jsonl(src, rows)
    rc = main(["augment", str(src), "-o", str(tmp_path / "o.jsonl"), "--model", str(tiny_model_dirs["wordpiece"]),
               "--quiet", *extra])
    err = capsys.readouterr().err.strip().splitlines()
    assert rc == 2 and len(err) == 1 and message in err[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl"]


def test_versions_resolve_numerically():
    from maskaug.methods import registry

    try:
        for v in (2, 10, 9):
            registry.register(f"zz_test.v{v}", {}, f"version {v}")(lambda **kw: None)
        assert registry.resolve("zz_test").name == "zz_test.v10"
        assert registry.resolve("zz_test.v2").name == "zz_test.v2"
    finally:
        for v in (2, 10, 9):
            registry._REGISTRY.pop(f"zz_test.v{v}", None)


def test_an_augmenter_prints_its_method_tree(tiny_mlms):
    from maskaug.constraints import EditRate

    aug = Augmenter("ssmba.v2", model=tiny_mlms["wordpiece"], n=2, constraints=[EditRate(0, 0.5)])
    text = repr(aug)
    for part in ("MaskFill(ssmba.v2", "masker=Masker(unit=token, rate=0.15", "fill=reconstruct",
                 "sampler=Sampler(sample, top_k=None, temperature=1)", "corruption=mask/random/keep 0.8/0.1/0.1",
                 "model=MaskedLM(", "n=2, seed=0", "EditRate(0 <= words edited / words <= 0.5)"):
        assert part in text, (part, text)


def test_augment_file_resumes_from_python(data, tmp_path, tiny_model_dirs, monkeypatch):
    from maskaug.checkpoint import Partial

    model = str(tiny_model_dirs["wordpiece"])
    full = augment_file(data, tmp_path / "full.jsonl", n=2, model=model, seed=3, method="insert.v2")
    assert full.written == 8 and full.report.produced == 8
    real, seen = Partial.add, []

    def add(self, entry):
        if len(seen) == 2:
            raise KeyboardInterrupt
        seen.append(entry["row"])
        real(self, entry)

    monkeypatch.setattr(Partial, "add", add)
    with pytest.raises(KeyboardInterrupt):
        augment_file(data, tmp_path / "out.jsonl", n=2, model=model, seed=3, method="insert.v2")
    monkeypatch.setattr(Partial, "add", real)
    again = augment_file(data, tmp_path / "out.jsonl", n=2, model=model, seed=3, method="insert.v2")
    assert again.resumed_rows == 2 and again.report.rows == 2
    assert (tmp_path / "out.jsonl").read_bytes() == (tmp_path / "full.jsonl").read_bytes()


class Spy(Constraint):
    """A record-level constraint that keeps everything and remembers what it was shown."""

    name = "spy"
    per_field = False

    def __init__(self):
        super().__init__()
        self.seen = []

    def keep(self, batch, mlm):
        self.seen += list(zip(batch.sources, batch.texts))
        return np.ones(len(batch.texts), dtype=bool)


def test_a_record_level_constraint_judges_a_pair_as_the_pair(tiny_mlms):
    spy = Spy()
    aug = Augmenter("substitute.v2", model=tiny_mlms["wordpiece"], n=2, constraints=[spy])
    rows = [{"premise": TEXTS[0], "hypothesis": TEXTS[1], "label": "no"}]
    out = augment(rows, augmenter=aug, text_column=["premise", "hypothesis"], label_column="label")
    assert len(out) == 2 and spy.seen
    for source, candidate in spy.seen:
        assert source == (TEXTS[0], TEXTS[1]) and isinstance(candidate, tuple) and len(candidate) == 2


def test_a_pair_teacher_trains_on_pair_features(tiny_model_dirs, tmp_path, monkeypatch):
    from maskaug.constraints import Teacher
    from maskaug.embeddings import Embedder

    emb = Embedder(str(tiny_model_dirs["wordpiece"]))
    pairs = [(TEXTS[0], TEXTS[1]), (TEXTS[2], TEXTS[3]), (TEXTS[1], TEXTS[0]), (TEXTS[3], TEXTS[2])]
    teacher = Teacher(pairs, ["a", "b", "a", "b"], embedder=emb)
    dim = emb([TEXTS[0]]).shape[1]
    assert teacher.features(pairs).shape == (4, 4 * dim) and teacher.probabilities(pairs).shape == (4, 2)


def test_the_python_api_and_the_cli_write_the_same_rows(data, tmp_path, tiny_model_dirs):
    out = tmp_path / "o.jsonl"
    assert main(["augment", str(data), "-o", str(out), "--n", "2", "--seed", "5", "--model",
                 str(tiny_model_dirs["sentencepiece"]), "--keep-original", "--quiet"]) == 0
    rows = [json.loads(x) for x in data.read_text().splitlines()]
    api = augment(rows, n=2, seed=5, model=str(tiny_model_dirs["sentencepiece"]), keep_original=True)
    assert [json.loads(x) for x in out.read_text().splitlines()] == json.loads(json.dumps(api))


# Each case fails in the checks that run before any model loads; the child process reports its exit code, its one
# line on stderr and whether PyTorch or transformers were imported by then.
CHILD = """
import contextlib, io, json, sys
from maskaug.cli import main
err = io.StringIO()
with contextlib.redirect_stderr(err):
    rc = main(sys.argv[1:])
print(json.dumps({"rc": rc, "err": err.getvalue().strip().splitlines(),
                  "imported": sorted(m for m in ("torch", "transformers") if m in sys.modules)}))
"""


def _fail_early(args: list[str], tmp_path) -> dict:
    import os
    import subprocess
    import sys
    from pathlib import Path

    import maskaug

    here = str(Path(maskaug.__file__).resolve().parents[1])  # this checkout's package, in the child too
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": os.pathsep.join([here, *sys.path])}
    proc = subprocess.run([sys.executable, "-c", CHILD, "augment", *args, "-o", str(tmp_path / "out.jsonl"),
                           "--quiet"], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_an_unloadable_model_fails_before_pytorch_is_imported(data, tmp_path):
    got = _fail_early([str(data), "--model", "no-such-org/no-such-model"], tmp_path)
    assert got["rc"] == 2 and len(got["err"]) == 1 and "cannot load masked LM" in got["err"][0]
    assert got["imported"] == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl"]


@pytest.mark.parametrize("name,content,named", [
    ("missing.jsonl", None, "missing.jsonl: no such file or folder"),
    ("bad.jsonl", '{"text": "One row."}\n{"text": "Two rows."}\n{"text": "Three\n', "bad.jsonl: row 3: invalid JSON"),
    ("cols.jsonl", '{"sentence": "No text column here."}\n', "cols.jsonl: field 'text': no such column"),
    ("empty.jsonl", '{"text": "Fine."}\n{"text": "Fine too."}\n{"text": "  "}\n', "empty.jsonl: row 3, field 'text'"),
])
def test_a_bad_input_is_named_before_any_model_loads(tmp_path, name, content, named):
    if content is not None:
        (tmp_path / name).write_text(content)
    got = _fail_early([str(tmp_path / name)], tmp_path)
    assert got["rc"] == 2 and len(got["err"]) == 1 and named in got["err"][0], got
    assert got["imported"] == []
    assert not (tmp_path / "out.jsonl").exists()
