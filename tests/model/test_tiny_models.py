"""The tiny test models are the same in every test run: their vocabularies are read from ``tests/assets/tiny_vocab``
(the tokenizers library's trainers break ties differently in each process) and their weights are seeded."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
FINGERPRINT = """
import hashlib, sys, tempfile
from pathlib import Path
import torch
sys.path.insert(0, {tests!r})
from conftest import BUILDERS
for name in sorted(BUILDERS):
    torch.manual_seed(0)
    tok, model = BUILDERS[name](Path(tempfile.mkdtemp()))
    ids = tok("Who invented the telephone in the nineteenth century? Übermut 🙂")["input_ids"]
    weights = [round(float(p.sum()), 4) for p in model.parameters()]
    print(name, hashlib.sha256(repr((sorted(tok.get_vocab().items()), ids, weights)).encode()).hexdigest())
"""


def test_two_processes_build_the_same_tiny_models():
    code = FINGERPRINT.format(tests=str(TESTS))
    runs = [[line for line in subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                             check=True).stdout.splitlines() if line.strip()]
            for _ in range(2)]  # the byte-level BPE trainer prints blank lines
    assert runs[0] == runs[1] and len(runs[0]) == 3, runs
