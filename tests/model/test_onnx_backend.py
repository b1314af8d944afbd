"""The ONNX Runtime backend gives torch's logits and candidates; its export is cached by the weights' digest."""

from __future__ import annotations

import pytest
import torch

from maskaug.model import onnx_backend
from maskaug.model.backend import TorchBackend
from maskaug.model.batching import Batch
from maskaug.model.engine import FillEngine, FillRequest
from maskaug.model.loading import MaskedLM, load_mlm, pick_runtime
from maskaug.model.vocab import START

pytest.importorskip("onnxruntime")

TEXTS = ["The movie was great and the actors were wonderful.", "Who invented the telephone?", "Play some jazz.",
         "A dull, lifeless film with no heart at all, and the jokes fall flat."]


def _batch(mlm, texts, step=2):
    seqs = [mlm.info.wrap(mlm.tokenizer(t, add_special_tokens=False)["input_ids"]) for t in texts]
    return Batch.pad(seqs, mlm.info.pad_id, [list(range(1, len(s) - 1, step)) for s in seqs])


@pytest.fixture(scope="module")
def onnx_mlms(tiny_model_dirs, tmp_path_factory):
    cache = tmp_path_factory.mktemp("onnx-cache")
    mp = pytest.MonkeyPatch()
    mp.setenv("MASKAUG_CACHE", str(cache))
    try:
        yield {name: load_mlm(path, backend="onnx") for name, path in tiny_model_dirs.items()}
    finally:
        mp.undo()


@pytest.mark.parametrize("kind", ["wordpiece", "bytebpe", "sentencepiece"])
def test_logits_equal_torch_for_every_batch_shape(kind, tiny_mlms, onnx_mlms):
    torch_mlm, onnx_mlm = tiny_mlms[kind], onnx_mlms[kind]
    assert repr(onnx_mlm.backend).startswith("OnnxBackend(")
    for texts, step in [(TEXTS, 2), (TEXTS[:1], 1), (TEXTS[2:3], 3), (TEXTS[::-1] * 3, 1)]:
        batch = _batch(torch_mlm, texts, step)
        want = torch_mlm.backend.logits(batch)
        got = onnx_mlm.backend.logits(batch)
        assert got.shape == want.shape and got.dtype == torch.float32
        torch.testing.assert_close(got, want, atol=1e-4, rtol=1e-4)


@pytest.mark.parametrize("kind", ["wordpiece", "bytebpe", "sentencepiece"])
def test_fill_candidates_equal_torch(kind, tiny_mlms, onnx_mlms):
    reqs = []
    for t in TEXTS:
        ids = tiny_mlms[kind].tokenizer(t, add_special_tokens=False)["input_ids"]
        pos = list(range(0, len(ids), 3))
        reqs.append(FillRequest(ids, pos, [START] * len(pos), [True] * len(pos)))
    want = FillEngine(tiny_mlms[kind]).predict(reqs)
    got = FillEngine(onnx_mlms[kind]).predict(reqs)
    for w_row, g_row in zip(want, got):
        for (w_ids, w_lp), (g_ids, g_lp) in zip(w_row, g_row):
            # log-probabilities are rounded to 4 decimals: a tie broken the other way may swap two neighbours
            assert abs(w_lp - g_lp).max() <= 2e-4
            assert (w_ids == g_ids).mean() >= 0.95


def test_augmenter_outputs_equal_torch(tiny_model_dirs, onnx_mlms):
    from maskaug.augmenter import Augmenter

    path = tiny_model_dirs["wordpiece"]
    want = Augmenter("substitute.v2", model=str(path), n=3, seed=1).augment(TEXTS)
    got = Augmenter("substitute.v2", model=onnx_mlms["wordpiece"], n=3, seed=1).augment(TEXTS)
    assert got == want


def test_export_is_cached_by_weights_and_reused(tiny_model_dirs, tmp_path, monkeypatch):
    monkeypatch.setenv("MASKAUG_CACHE", str(tmp_path))
    exports = []
    real = onnx_backend.export
    monkeypatch.setattr(onnx_backend, "export", lambda model, path: exports.append(path) or real(model, path))
    mlm = load_mlm(tiny_model_dirs["wordpiece"], backend="onnx")
    again = load_mlm(tiny_model_dirs["wordpiece"], backend="onnx")
    assert len(exports) == 1 and again.backend.path == mlm.backend.path
    assert mlm.backend.path.parent.parent == tmp_path / "onnx" and mlm.backend.path.stat().st_mode & 0o044
    with torch.no_grad():  # retrained in place: other weights, another key, a new export
        mlm.model.get_input_embeddings().weight[5] += 1.0
    changed = MaskedLM(mlm.model, mlm.tokenizer, mlm.name, torch.device("cpu"), runtime="onnx")
    assert len(exports) == 2 and changed.backend.path != mlm.backend.path
    assert sorted(p.name for p in (tmp_path / "onnx").iterdir()) == sorted(
        [mlm.backend.path.parent.name, changed.backend.path.parent.name])
    assert not list(tmp_path.rglob("*.tmp*"))


def test_int8_is_cached_beside_fp32_and_runs(tiny_model_dirs, tiny_mlms, tmp_path, monkeypatch):
    monkeypatch.setenv("MASKAUG_CACHE", str(tmp_path))
    mlm = load_mlm(tiny_model_dirs["wordpiece"], backend="onnx", dtype="int8")
    assert mlm.backend.path.name == "model.int8.onnx" and (mlm.backend.path.parent / "model.onnx").is_file()
    assert mlm.precision == "int8" and "dtype=int8" in repr(mlm)
    batch = _batch(tiny_mlms["wordpiece"], TEXTS)
    got = mlm.backend.logits(batch)
    assert got.shape == (int(batch.select.sum()), tiny_mlms["wordpiece"].info.vocab_size)
    assert torch.isfinite(got).all()


def test_what_the_onnx_backend_refuses(onnx_mlms, tiny_mlms):
    batch = _batch(tiny_mlms["wordpiece"], TEXTS[:1])
    with pytest.raises(ValueError, match="no gradients"):
        onnx_mlms["wordpiece"].backend.logits(batch, grad=True)
    with pytest.raises(ValueError, match="label input"):
        onnx_backend.OnnxBackend(tiny_mlms["wordpiece"].model, label_input="token_type")
    with pytest.raises(ValueError, match="int8 runs on the ONNX backend"):
        pick_runtime("torch", torch.device("cpu"), "int8")
    with pytest.raises(ValueError, match="runs on the CPU"):
        pick_runtime("onnx", torch.device("cuda"), None)
    with pytest.raises(ValueError, match="fp32 or int8"):
        pick_runtime("onnx", torch.device("cpu"), "bf16")
    with pytest.raises(ValueError, match="backend must be"):
        pick_runtime("tensorrt", torch.device("cpu"), None)
    assert pick_runtime("onnx", torch.device("cpu"), "int8") == ("onnx-int8", None)


def test_bf16_runs_the_encoder_in_bf16_and_the_head_in_fp32(tiny_mlms):
    mlm = tiny_mlms["wordpiece"]
    batch = _batch(mlm, TEXTS)
    got = TorchBackend(mlm.model, "cpu", torch.bfloat16).logits(batch)
    assert got.dtype == torch.float32
    with torch.inference_mode():
        with torch.autocast("cpu", dtype=torch.bfloat16):
            hidden = mlm.model.bert(input_ids=batch.input_ids, attention_mask=batch.attention_mask)[0]
        want = mlm.model.cls(hidden.float())[batch.select]
    torch.testing.assert_close(got, want, atol=1e-5, rtol=1e-5)
    everything = TorchBackend(mlm.model, "cpu", torch.bfloat16, fp32_head=False).logits(batch)
    assert everything.dtype == torch.bfloat16
    assert "fp32 head" in repr(TorchBackend(mlm.model, "cpu", torch.bfloat16))
