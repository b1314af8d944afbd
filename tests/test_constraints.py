"""Constraints on real candidates from the tiny models; rejected copies are refilled or counted."""

import json

import pytest

from maskaug.augmenter import Augmenter
from maskaug.cli import main
from maskaug.constraints import Candidates, EditRate, Fluency, Similarity, Teacher
from maskaug.embeddings import Embedder

TEXTS = ["the movie was great and the actors were wonderful", "i loved every minute of this charming comedy",
         "a dull lifeless film with no heart at all", "the plot is thin and the jokes fall flat"]
LABELS = ["pos", "pos", "neg", "neg"]


@pytest.fixture(scope="module")
def embedder(tiny_model_dirs):
    return Embedder(str(tiny_model_dirs["wordpiece"]))


def test_edit_rate_bounds_reject_and_count():
    con = EditRate(0.1, 0.3)
    ok = con(Candidates(["a b c d e"] * 3, ["a b c d e f g h", "a x c d e", "a b c d e"], ["x"] * 3), None)
    assert ok.tolist() == [False, True, False] and con.rejected == 2 and con.checked == 3


def test_similarity_threshold_uses_embedding_cosine(embedder):
    con = Similarity(0.999, embedder=embedder)
    ok = con(Candidates([TEXTS[0], TEXTS[0]], [TEXTS[0], TEXTS[2]], ["pos", "pos"]), None)
    a, b = embedder([TEXTS[0]]), embedder([TEXTS[2]])
    assert ok.tolist() == [True, bool((a * b).sum() >= 0.999)]


def test_fluency_compares_per_token_pll(tiny_mlms):
    mlm = tiny_mlms["wordpiece"]
    con = Fluency(max_drop=0.0)
    src, other = TEXTS[0], "wonderful the were actors and great was movie the"
    ok = con(Candidates([src, src], [src, other], ["pos", "pos"]), mlm)
    per = con.per_token([src, other], mlm)
    assert ok.tolist() == [True, bool(per[1] >= per[0])]


def test_teacher_filter_and_soft_labels(embedder):
    teacher = Teacher(TEXTS, LABELS, embedder=embedder)
    pred = [teacher.classes[i] for i in teacher.probabilities(TEXTS).argmax(1)]
    assert pred == LABELS  # it fits its own training rows
    ok = teacher(Candidates(TEXTS, TEXTS, ["neg", "pos", "neg", "pos"]), None)
    assert ok.tolist() == [False, True, True, False] and teacher.rejected == 2
    soft = Teacher(TEXTS, LABELS, embedder=embedder, mode="soft")
    attach = [{} for _ in TEXTS]
    assert soft(Candidates(TEXTS, TEXTS, LABELS, attach), None).all()
    assert [a["teacher_label"] for a in attach] == LABELS
    assert all(abs(sum(a["teacher_probs"].values()) - 1) < 1e-3 for a in attach)


def test_augmenter_refills_rejected_copies(tiny_mlms):
    mlm = tiny_mlms["wordpiece"]
    con = EditRate(0.0, 0.12)
    aug = Augmenter("substitute.v2", model=mlm, n=2, seed=0, max_attempts=20, constraints=[con])
    got = list(aug.iter_rows({"text": t} for t in TEXTS))
    from maskaug.metrics import edit_rate

    for (_rid, outs), src in zip(got, TEXTS):
        assert all(edit_rate(src, a.texts["text"]) <= 0.12 for a in outs)
    produced = sum(len(o) for _, o in got)
    assert produced + sum(aug.report.shortfall.values()) == 2 * len(TEXTS)
    assert con.rejected > 0 and aug.report.rejected["edit_rate"] == con.rejected
    assert f"rejected by constraints: edit_rate {con.rejected}" in aug.report.summary()


def test_teacher_needs_labels(tiny_mlms, embedder):
    aug = Augmenter("substitute.v2",
                    model=tiny_mlms["wordpiece"], constraints=[Teacher(TEXTS, LABELS, embedder=embedder)])
    with pytest.raises(ValueError, match="teacher"):
        list(aug.iter_rows([{"text": TEXTS[0]}]))


def test_cli_constraints_and_attached_teacher_labels(tiny_model_dirs, tmp_path, monkeypatch, write_jsonl):
    data = tmp_path / "d.jsonl"
    write_jsonl(data, [{"text": t, "label": y} for t, y in zip(TEXTS, LABELS)])
    out = tmp_path / "o.jsonl"
    model = str(tiny_model_dirs["wordpiece"])
    monkeypatch.setattr("maskaug.embeddings.default_encoder", lambda: model)
    assert main(["augment", str(data), "-o", str(out), "--model", model,
                 "--method", "substitute.v2", "--teacher", "--teacher-mode", "hard",
                 "--max-edit-rate", "0.5", "--quiet"]) == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == 4 and all(r["aug_teacher_label"] in ("pos", "neg") for r in rows)


def test_a_trained_teacher_pickles_without_its_encoder(embedder):
    import pickle

    teacher = Teacher(TEXTS, LABELS, embedder=embedder)
    assert embedder._model is not None
    copy = pickle.loads(pickle.dumps(teacher))  # how Ray ships constraints to its actors
    assert copy.embedder._model is None
    assert (copy.probabilities(TEXTS[::-1] + ["a new sentence"]).round(5)
            == teacher.probabilities(TEXTS[::-1] + ["a new sentence"]).round(5)).all()


def test_min_confidence_rejects_unsure_candidates_and_hard_mode_records_it(embedder):
    teacher = Teacher(TEXTS, LABELS, embedder=embedder, mode="hard", min_confidence=0.5)
    conf = teacher.probabilities(TEXTS).max(1)
    attach = [{} for _ in TEXTS]
    ok = teacher(Candidates(TEXTS, TEXTS, [None] * 4, attach=attach), None)
    assert ok.tolist() == (conf >= 0.5).tolist()
    assert [a["teacher_confidence"] for a in attach] == [round(float(c), 4) for c in conf]
    strict = Teacher(TEXTS, LABELS, embedder=embedder, mode="filter", min_confidence=float(conf.max()) + 1e-6)
    assert not strict(Candidates(TEXTS, TEXTS, LABELS), None).any()  # even the right label, if unsure
    with pytest.raises(ValueError, match="confidence"):
        Teacher(TEXTS, LABELS, embedder=embedder, min_confidence=1.5)


def test_a_teacher_file_pseudo_labels_unlabelled_input(tiny_model_dirs, tmp_path, monkeypatch, capsys, write_jsonl):
    """`maskaug augment UNLABELLED --teacher LABELLED_FILE --teacher-mode hard --min-confidence P`."""
    labelled = tmp_path / "labelled.jsonl"
    write_jsonl(labelled, [{"text": t, "label": y} for t, y in zip(TEXTS, LABELS)])
    unlabelled = tmp_path / "unlabelled.jsonl"
    write_jsonl(unlabelled, [{"text": t + " indeed"} for t in TEXTS])
    model = str(tiny_model_dirs["wordpiece"])
    monkeypatch.setattr("maskaug.embeddings.default_encoder", lambda: model)
    out = tmp_path / "o.jsonl"
    base = ["augment", str(unlabelled), "--model", model,
            "--method", "substitute.v2", "--teacher", str(labelled), "--teacher-mode", "hard",
            "--n", "2", "--quiet"]
    assert main(base + ["-o", str(out), "--min-confidence", "0.01"]) == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == 8 and all(r["aug_teacher_label"] in ("pos", "neg") for r in rows)
    assert all(0.5 <= r["aug_teacher_confidence"] <= 1 for r in rows) and "label" not in rows[0]
    capsys.readouterr()
    assert main(base + ["-o", str(tmp_path / "none.jsonl"), "--min-confidence", "1"]) == 0
    assert "teacher" in capsys.readouterr().err  # every candidate rejected: a shortfall, counted, never silent
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"text": "fine", "label": "pos"}) + "\n" + json.dumps({"text": "", "label": "neg"}))
    assert main(base[:7] + [str(bad), "-o", str(tmp_path / "b.jsonl"), "--quiet"]) == 2
    assert "unlabelled.jsonl: field 'label': no such column" in capsys.readouterr().err  # filter reads the input's
    assert main(base[:7] + [str(bad), "--teacher-mode", "hard", "-o", str(tmp_path / "b.jsonl"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "bad.jsonl" in err and "row 2" in err and "text" in err
    assert main(["augment", str(unlabelled), "--min-confidence", "0.5", "-o", str(tmp_path / "c.jsonl")]) == 2
    assert "add --teacher" in capsys.readouterr().err
