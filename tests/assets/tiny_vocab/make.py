"""Write the tiny test models' WordPiece and Unigram vocabularies (``wordpiece.txt``, ``unigram.json``), trained on
``tests/conftest.py``'s CORPUS. The tokenizers library breaks ties between equally frequent merges differently in
every process, so a vocabulary trained inside each test run differs from run to run (and every tiny model with
it); the tests read these files instead. Rerun only to change the vocabularies:
``python tests/assets/tiny_vocab/make.py``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, trainers

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))
from conftest import BERT_SPECIALS, CORPUS, XLMR_SPECIALS  # noqa: E402


def main() -> None:
    wp = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    wp.normalizer = normalizers.BertNormalizer(lowercase=True)
    wp.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    wp.train_from_iterator(CORPUS, trainers.WordPieceTrainer(vocab_size=400, special_tokens=BERT_SPECIALS))
    vocab = sorted(wp.get_vocab().items(), key=lambda kv: kv[1])
    (HERE / "wordpiece.txt").write_text("".join(t + "\n" for t, _ in vocab), encoding="utf-8")

    uni = Tokenizer(models.Unigram())
    uni.normalizer = normalizers.NFKC()
    uni.pre_tokenizer = pre_tokenizers.Metaspace()
    uni.train_from_iterator(CORPUS, trainers.UnigramTrainer(vocab_size=300, special_tokens=XLMR_SPECIALS,
                                                            unk_token="<unk>"))
    pieces = json.loads(uni.to_str())["model"]["vocab"]
    lines = ",\n".join(json.dumps(p, ensure_ascii=False) for p in pieces)
    (HERE / "unigram.json").write_text("[\n" + lines + "\n]\n", encoding="utf-8")


if __name__ == "__main__":
    main()
