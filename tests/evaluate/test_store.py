"""One store: every cached artefact keyed by the fingerprint of the arguments that made it."""

import json

import numpy as np
import pytest

from maskaug.cli import main
from maskaug.evaluate.config import EvalConfig
from maskaug.evaluate.runner import Evaluation
from maskaug.evaluate.store import ModelRef, Store, cached
from maskaug.fingerprint import identity

ROWS = [("a great and charming film", "pos"), ("i loved the wonderful actors", "pos"), ("great fun and heart", "pos"),
        ("a charming comedy i loved", "pos"), ("a dull and flat film", "neg"), ("thin jokes and no heart", "neg"),
        ("a lifeless dull plot", "neg"), ("flat actors and thin jokes", "neg")]


def test_a_cached_function_is_keyed_by_every_argument_it_is_called_with(tmp_path):
    calls = []

    @cached("things")
    def make(store, a, b=2, *, c=None):
        calls.append((a, b, c))
        return {"sum": a + b}

    store = Store(tmp_path)
    assert make(store, 1) == make(store, 1, 2) == {"sum": 3}  # a default counts as given
    assert len(calls) == 1 and store.found["things"] == 1
    make(store, 1, c="x")  # a keyword argument is part of the key too
    make(store, 1, 3)
    assert len(calls) == 3 and len(list((tmp_path / "things").glob("*.json"))) == 3

    class Opaque:
        pass

    with pytest.raises(TypeError, match="cannot fingerprint"):  # never keyed by its address in memory
        make(store, 1, c=Opaque())


def test_identity_describes_arrays_dataclasses_and_self_describing_objects():
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    assert identity(a) == identity(a.copy()) != identity(a.astype(np.float64))
    assert identity(np.int64(3)) == 3 and identity((1, [2.0])) == [1, [2.0]]
    ref = ModelRef(None, "cpu", None)
    assert identity(ref) == ref.__fingerprint__() and ref.__fingerprint__()["device"] == "cpu"
    assert ref.__fingerprint__()["dtype"] == "fp32" and ModelRef(None, "cpu", "bf16").__fingerprint__()["dtype"] == \
        "bfloat16"


def test_the_device_of_the_mlm_is_part_of_its_key(monkeypatch):
    import torch

    cpu = identity(ModelRef(None))
    monkeypatch.setattr("maskaug.model.loading.pick_device", lambda device=None, backend=None: torch.device("cuda"))
    monkeypatch.setattr("maskaug.model.loading.pick_dtype", lambda device, dtype=None: torch.bfloat16)
    gpu = identity(ModelRef(None))
    assert (cpu["device"], gpu["device"]) == ("cpu", "cuda") and gpu["dtype"] == "bfloat16"


@pytest.fixture
def files(tmp_path, write_jsonl):
    data = tmp_path / "train.jsonl"
    write_jsonl(data, [{"text": t, "label": y} for t, y in ROWS])
    test = tmp_path / "test.jsonl"
    write_jsonl(test, [{"text": t + " indeed", "label": y} for t, y in ROWS[::3]])
    return data, test


def _config(files, tiny_model_dirs, tmp_path, **kw):
    enc = str(tiny_model_dirs["wordpiece"])
    return EvalConfig(data=str(files[0]), test=str(files[1]), k=[2], splits=2, methods=["none", "substitute.v2"],
                      encoder=enc, model=enc, quality=False, cache_dir=str(tmp_path / "cache"), **kw)


@pytest.mark.parametrize("change", [{"max_attempts": 3}, {"dtype": "bf16"}])
def test_an_augmentation_made_with_other_settings_is_not_reused(files, tiny_model_dirs, tmp_path, change):
    """The old keys named the method, n and seed but not max_attempts, dtype or device: a bf16 GPU run read an fp32
    CPU run's augmentations."""
    Evaluation(_config(files, tiny_model_dirs, tmp_path), progress=False).run()
    before = set((tmp_path / "cache" / "augment").glob("*.json"))
    Evaluation(_config(files, tiny_model_dirs, tmp_path, **change), progress=False).run()
    after = set((tmp_path / "cache" / "augment").glob("*.json"))
    assert len(before) == 1 and len(after - before) == 1  # made again, kept beside the first


def test_a_finished_evaluation_rerun_from_the_store_writes_the_same_results_json(files, tiny_model_dirs, tmp_path):
    enc = str(tiny_model_dirs["wordpiece"])
    first, second = tmp_path / "first", tmp_path / "second"
    assert main(["evaluate", str(files[0]), "--test", str(files[1]), "-o", str(first), "--k", "2", "--splits", "2",
                 "--methods", "none,copy,eda,substitute.v2", "--method", "insert.v2:teacher=soft,aug_weight=0.5",
                 "--encoder", enc, "--model", enc, "--cache-dir", str(tmp_path / "c"), "--quiet"]) == 0
    assert main(["evaluate", "--config", str(first / "config.json"), "-o", str(second), "--quiet"]) == 0
    assert (first / "results.json").read_bytes() == (second / "results.json").read_bytes()
    run = json.loads((second / "run.json").read_text())
    assert run["cached_runs"] == run["classifier_runs"] == 2 * 5 and "--config" in run["command"]
    assert "(10 of 10 classifier runs read from the cache)" in (second / "report.md").read_text()
