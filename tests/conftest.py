"""Tiny masked LMs built locally: WordPiece (BERT), byte-level BPE (RoBERTa), SentencePiece (XLM-R); and the one
helper that writes a test's JSONL input (``write_jsonl``)."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterable
from pathlib import Path

import pytest
from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
from transformers import (
    BertConfig,
    BertForMaskedLM,
    PreTrainedTokenizerFast,
    RobertaConfig,
    RobertaForMaskedLM,
    XLMRobertaConfig,
    XLMRobertaForMaskedLM,
)

CORPUS = [
    "The movie was great and the actors were wonderful.",
    "A dull, lifeless film with no heart at all.",
    "Who invented the telephone in the nineteenth century?",
    "What is the capital city of France?",
    "I loved every minute of this charming comedy.",
    "The plot is thin and the jokes fall flat.",
    "Play some jazz music from the seventies please.",
    "Book a table for two at an Italian restaurant tonight.",
    "How far is it from Denver to Aspen?",
    "Ein kleiner Satz auf Deutsch, mit Umlauten wie Übermut.",
    "短いテキストと絵文字 🙂 も少し。",
] * 20


BERT_SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
XLMR_SPECIALS = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]
VOCABS = Path(__file__).resolve().parent / "assets" / "tiny_vocab"  # trained once on CORPUS (make.py there)


def _bert(tmp):
    lines = (VOCABS / "wordpiece.txt").read_text(encoding="utf-8").splitlines()
    tk = Tokenizer(models.WordPiece({t: i for i, t in enumerate(lines)}, unk_token="[UNK]"))
    tk.normalizer = normalizers.BertNormalizer(lowercase=True)
    tk.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tk.decoder = decoders.WordPiece()
    tk.add_special_tokens(BERT_SPECIALS)
    tk.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B [SEP]",
        special_tokens=[("[CLS]", tk.token_to_id("[CLS]")), ("[SEP]", tk.token_to_id("[SEP]"))])
    tok = PreTrainedTokenizerFast(tokenizer_object=tk, unk_token="[UNK]", pad_token="[PAD]", cls_token="[CLS]",
                                  sep_token="[SEP]", mask_token="[MASK]", model_max_length=64)
    cfg = BertConfig(vocab_size=len(tok), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                     intermediate_size=64, max_position_embeddings=64)
    return tok, BertForMaskedLM(cfg)


def _roberta(tmp):
    tk = Tokenizer(models.BPE())
    tk.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tk.decoder = decoders.ByteLevel()
    specials = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]
    tk.train_from_iterator(CORPUS, trainers.BpeTrainer(vocab_size=500, special_tokens=specials,
                                                       initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    tk.post_processor = processors.RobertaProcessing(("</s>", tk.token_to_id("</s>")), ("<s>", tk.token_to_id("<s>")),
                                                     trim_offsets=True, add_prefix_space=False)
    tok = PreTrainedTokenizerFast(tokenizer_object=tk, bos_token="<s>", eos_token="</s>", cls_token="<s>",
                                  sep_token="</s>", unk_token="<unk>", pad_token="<pad>", mask_token="<mask>",
                                  model_max_length=62)
    cfg = RobertaConfig(vocab_size=len(tok), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=64, pad_token_id=tok.pad_token_id,
                        bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id)
    return tok, RobertaForMaskedLM(cfg)


def _xlmr(tmp):
    pieces = json.loads((VOCABS / "unigram.json").read_text(encoding="utf-8"))
    tk = Tokenizer(models.Unigram([tuple(p) for p in pieces], unk_id=XLMR_SPECIALS.index("<unk>")))
    tk.normalizer = normalizers.NFKC()
    tk.pre_tokenizer = pre_tokenizers.Metaspace()
    tk.decoder = decoders.Metaspace()
    tk.add_special_tokens(XLMR_SPECIALS)
    tk.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", pair="<s> $A </s> </s> $B </s>",
        special_tokens=[("<s>", tk.token_to_id("<s>")), ("</s>", tk.token_to_id("</s>"))])
    tok = PreTrainedTokenizerFast(tokenizer_object=tk, bos_token="<s>", eos_token="</s>", cls_token="<s>",
                                  sep_token="</s>", unk_token="<unk>", pad_token="<pad>", mask_token="<mask>",
                                  model_max_length=62)
    cfg = XLMRobertaConfig(vocab_size=len(tok), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                           intermediate_size=64, max_position_embeddings=64, pad_token_id=tok.pad_token_id)
    return tok, XLMRobertaForMaskedLM(cfg)


BUILDERS = {"wordpiece": _bert, "bytebpe": _roberta, "sentencepiece": _xlmr}


def jsonl(path: Path, rows: Iterable[dict]) -> Path:
    """``rows`` as a JSON Lines file at ``path`` (UTF-8, one object a line, non-ASCII written as it is); the path."""
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture
def dry_runs_print_what_is_shown(tmp_path, monkeypatch, capsys):
    """``check(block)``: each ``$ maskaug ...`` in a shown terminal block (at least 5), rerun from a copy of the
    repository's examples in a fresh folder, prints exactly the output the block shows under it."""
    from maskaug.cli import main

    def check(block: str) -> None:
        runs = re.findall(r"^\$ maskaug (.*?)\n(.*?)(?=^\$ |\Z)", block, re.S | re.M)
        assert len(runs) >= 5
        shutil.copytree(Path(__file__).resolve().parents[1] / "examples", tmp_path / "examples")
        monkeypatch.chdir(tmp_path)
        for command, shown in runs:
            assert main([*command.split(), "--quiet"]) == 0
            assert capsys.readouterr().out.strip() == shown.strip(), command

    return check


@pytest.fixture(scope="session")
def write_jsonl():
    """The one helper that writes a test's JSONL input: ``write_jsonl(path, rows)`` returns ``path``."""
    return jsonl


@pytest.fixture(scope="session")
def tiny_model_dirs(tmp_path_factory):
    import torch
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # "Writing model shards" bars would land in tests' captured stderr
    out = {}
    for name, build in BUILDERS.items():
        torch.manual_seed(0)
        folder = tmp_path_factory.mktemp(name)
        tok, model = build(folder)
        tok.save_pretrained(folder)
        model.save_pretrained(folder)
        out[name] = folder
    return out


@pytest.fixture(scope="session")
def tiny_mlms(tiny_model_dirs):
    from maskaug.model.loading import load_mlm

    return {name: load_mlm(path, device="cpu") for name, path in tiny_model_dirs.items()}


@pytest.fixture(scope="session")
def builtin_mlm():
    """The built-in English model, the one a job loads when no ``--model`` is named. The tiny models above are
    random: the v3 methods' probability floor refuses every fill they make, so a test of what the defaults
    write uses this model, and a plumbing test on a tiny model names a ``.v2`` method."""
    from maskaug.model.loading import load_mlm

    return load_mlm(None, device="cpu")


@pytest.fixture(params=sorted(BUILDERS))
def tiny_mlm(request, tiny_mlms):
    return tiny_mlms[request.param]


@pytest.fixture
def interrupted_cli(monkeypatch):
    """Run ``maskaug ARGV`` with the checkpoint raising KeyboardInterrupt after ``rows`` finished rows;
    returns the exit code (the checkpoint is restored afterwards)."""
    from maskaug.checkpoint import Partial
    from maskaug.cli import main

    real = Partial.add

    def run(argv: list[str], rows: int) -> int:
        done = []

        def add(self, entry):
            if len(done) == rows:
                raise KeyboardInterrupt
            done.append(entry["row"])
            real(self, entry)

        monkeypatch.setattr(Partial, "add", add)
        try:
            return main(argv)
        finally:
            monkeypatch.setattr(Partial, "add", real)

    return run
