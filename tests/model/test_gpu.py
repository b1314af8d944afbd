"""On CUDA only (skipped elsewhere; ``benchmarks/gpu_check.sh`` runs them on a lent GPU): reduced-precision fills
agree with fp32, the out-of-memory back-off works for real, and a Ray actor takes a GPU."""

from __future__ import annotations

import pytest
import torch

pytestmark = [pytest.mark.gpu, pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")]

TEXTS = ["The movie was great and the actors were wonderful.", "A dull, lifeless film with no heart at all.",
         "Who invented the telephone in the nineteenth century?", "What is the capital city of France?"] * 25


@pytest.mark.parametrize("dtype", ["bf16", "fp16"])
def test_reduced_precision_fills_agree_with_fp32(tiny_model_dirs, dtype, record_property):
    from maskaug import Augmenter

    fp32 = Augmenter("substitute.v2", model=str(tiny_model_dirs["wordpiece"]), n=2, seed=0, device="cuda",
                     dtype="fp32").augment(TEXTS)
    low = Augmenter("substitute.v2", model=str(tiny_model_dirs["wordpiece"]), n=2, seed=0, device="cuda",
                    dtype=dtype).augment(TEXTS)
    pairs = [(a, b) for xs, ys in zip(fp32, low) for a, b in zip(xs, ys)]
    agree = sum(a == b for a, b in pairs) / len(pairs)
    record_property("agreement", agree)
    print(f"{dtype} vs fp32: {agree:.1%} of {len(pairs)} outputs identical")
    assert agree >= 0.5  # sampling from nearly equal distributions: most outputs are the same text


def test_out_of_memory_halves_and_gives_the_small_budget_output(tiny_model_dirs):
    from maskaug import Augmenter

    long = [" ".join(TEXTS[:8])] * 64
    small = Augmenter("substitute.v2", model=str(tiny_model_dirs["wordpiece"]), n=1, device="cuda",
                      token_budget=512).augment(long)
    free = torch.cuda.mem_get_info()[0]
    hog = torch.empty(int(free * 0.97), dtype=torch.uint8, device="cuda")  # leave almost nothing free
    try:
        big = Augmenter("substitute.v2", model=str(tiny_model_dirs["wordpiece"]), n=1, device="cuda",
                        token_budget=10**9)
        got = big.augment(long)
    finally:
        del hog
        torch.cuda.empty_cache()
    assert got == small


def test_a_ray_actor_runs_on_a_gpu(tiny_model_dirs, tmp_path, write_jsonl):
    ray = pytest.importorskip("ray")
    from maskaug.cli import main

    data = tmp_path / "in.jsonl"
    write_jsonl(data, [{"text": t} for t in TEXTS[:8]])
    ray.init(num_cpus=2, num_gpus=1, include_dashboard=False, log_to_driver=False)
    try:
        assert main(["augment", str(data), "-o", str(tmp_path / "o.jsonl"), "--ray", "--workers", "1",
                     "--gpus-per-worker", "1", "--model", str(tiny_model_dirs["wordpiece"]), "--quiet"]) == 0
    finally:
        ray.shutdown()
    assert len((tmp_path / "o.jsonl").read_text().splitlines()) == 8
