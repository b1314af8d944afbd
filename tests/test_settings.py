"""One routing step for every caller's keywords (maskaug.settings.route), and ConstraintSpec as the one vocabulary of
the constraints: the API, the CLI, Ray and evaluate's method specs split keywords the same way."""

from __future__ import annotations

import json

import pytest

from maskaug.cli import main
from maskaug.constraints import ConstraintSpec, EditRate
from maskaug.settings import route


def test_route_splits_job_settings_method_parameters_constraints_and_training_options():
    routed = route({"seed": 3, "rate": 1, "protect": r"\d+", "max_edit_rate": 0.3, "min_confidence": 0.6,
                    "teacher": "classifier", "aug_weight": 0.5, "label_words": True})
    assert routed.job == {"seed": 3, "label_words": True}
    assert routed.method == {"rate": 1.0, "protect": (r"\d+",)}  # values checked and normalised
    assert routed.constraints == {"max_edit_rate": 0.3, "min_confidence": 0.6}
    assert routed.training == {"teacher": "classifier", "aug_weight": 0.5}
    assert route({"teacher": "soft"}).constraints == {"teacher": "soft"}
    with pytest.raises(ValueError, match="parameter rate must be a number"):
        route({"rate": "high"})
    with pytest.raises(ValueError, match="augment\\(\\) takes no aug_weight: it is a training option"):
        route({"aug_weight": 0.5}).only("job", "method", "constraints", where="augment()")


def test_constraint_spec_reads_a_teacher_mode_as_a_teacher_trained_on_the_rows():
    spec = ConstraintSpec.from_options({"teacher": "soft", "min_confidence": 0.7})
    assert (spec.teacher, spec.teacher_mode, spec.min_confidence) == ("train", "soft", 0.7)
    assert ConstraintSpec.from_options({"teacher": "train", "teacher_mode": "hard"}).teacher_mode == "hard"
    with pytest.raises(ValueError, match="teacher_mode=hard says another"):
        ConstraintSpec.from_options({"teacher": "soft", "teacher_mode": "hard"})
    with pytest.raises(ValueError, match="min-confidence is the teacher's"):
        ConstraintSpec.from_options({"min_confidence": 0.7})
    with pytest.raises(ValueError, match="no constraint option"):
        ConstraintSpec.from_options({"max_edits": 2})


def test_an_evaluate_method_spec_routes_its_keys_and_may_set_min_confidence():
    from maskaug.evaluate.spec import ArmSpec

    spec = ArmSpec.parse("substitute:rate=0.3,teacher=filter,min_confidence=0.6,aug_weight=0.5,label_words=true")
    assert spec.method_params == {"rate": 0.3}
    assert spec.constraint_params == {"teacher": "filter", "min_confidence": 0.6, "label_words": True}
    assert spec.options.weight == 0.5 and spec.finetune_params == {}
    cons = {k: v for k, v in spec.constraint_params.items() if k != "label_words"}
    built = ConstraintSpec.from_options(cons)
    assert (built.teacher, built.teacher_mode, built.min_confidence) == ("train", "filter", 0.6)
    classifier = ArmSpec.parse("substitute:teacher=classifier,label_lr=0.01")
    assert classifier.constraint_params == {} and classifier.finetune_params == {"label_lr": 0.01}
    assert classifier.options.teacher == "classifier"


def test_the_api_builds_constraint_options_and_refuses_a_file_job_setting():
    settings, params, rows = route({"seed": 2, "rate": 0.3, "max_edit_rate": 0.5, "constraints": [EditRate(0.1)],
                                    "label_words": False}).augmenter("augment()", ("label_words",))
    assert params == {"rate": 0.3} and rows == {"label_words": False} and settings["seed"] == 2
    assert [type(c).__name__ for c in settings["constraints"]] == ["EditRate", "EditRate"]
    assert settings["constraints"][1].high == 0.5
    from maskaug import augment

    with pytest.raises(ValueError, match="augment\\(\\) takes no restart: it is a setting of a file job"):
        augment(["A quiet, moving film."], restart=True)
    with pytest.raises(ValueError, match="a teacher trained on labelled rows needs a file job"):
        augment(["A quiet, moving film."], teacher="train")


@pytest.mark.parametrize("args,message", [
    (["--param", "max_edit_rate=0.3"], "--param max_edit_rate=0.3: max_edit_rate is a constraint option, not a method "
                                       "parameter"),
    (["--method", "substitute:teacher=filter"], "--method substitute:teacher=filter: teacher is a constraint option"),
    (["--param", "rate=high"], "--param rate=high: parameter rate must be a number"),
])
def test_the_cli_routes_method_parameters_the_same_way(tmp_path, capsys, args, message, write_jsonl):
    src = tmp_path / "in.jsonl"
    write_jsonl(src, [{"text": "A quiet, moving film."}])
    assert main(["augment", str(src), "-o", str(tmp_path / "o.jsonl"), "--quiet", *args]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0], err


def test_a_config_file_may_not_hide_a_job_setting(tmp_path, capsys, write_jsonl):
    src, cfg = tmp_path / "in.jsonl", tmp_path / "method.json"
    write_jsonl(src, [{"text": "A quiet, moving film."}])
    cfg.write_text(json.dumps({"method": "substitute", "rate": 0.3, "n": 4}))
    assert main(["augment", str(src), "-o", str(tmp_path / "o.jsonl"), "--config", str(cfg), "--quiet"]) == 2
    assert f"{cfg}: n is a job setting, not a method parameter" in capsys.readouterr().err
