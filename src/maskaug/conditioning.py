"""Label conditioning of a fine-tuned MLM, recorded in its folder as ``maskaug_conditioning.json``.

- ``prepend`` (Kumar et al. 2020, BERTprepend): the label's name, as text, before the sentence
  (``label_text`` can give each label the words to write instead, e.g. ``{"1": "positive"}``).
- ``expand`` (Kumar et al. 2020, BERTexpand): one new vocabulary token per label before the sentence.
- ``cbert`` (Wu et al. 2019, C-BERT): the label replaces the segment (token type) embedding; the
  type-embedding table is resized to one row per label. Models without token types (DistilBERT,
  ModernBERT, ...) get an added label embedding instead (``label_embedding = "added"``): a table
  saved as ``maskaug_label_embedding.safetensors`` whose row for the label is added to every input
  embedding (``LabelEmbedding``; the backend passes the sum as ``inputs_embeds``).
- ``melm`` (Zhou et al. 2022, MELM): for token/tag (NER) records; one new vocabulary token per
  entity tag, written before and after each entity token (``maskaug.records.tagged``), and only entity
  tokens are masked when fine-tuning. The markers are in the text itself, so no row label is needed.
- ``none``: plain (domain-adaptive) MLM fine-tuning; nothing to condition on.

Label text and label tokens are never masked, never sampled as fills, and never appear in outputs.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

FILE = "maskaug_conditioning.json"
LABEL_EMBEDDING_FILE = "maskaug_label_embedding.safetensors"
KINDS = ("none", "prepend", "expand", "cbert", "melm")
ROW_LABEL_KINDS = ("prepend", "expand", "cbert")  # conditionings that need each row's label


@dataclass
class Conditioning:
    """How a fine-tuned MLM reads a row's label (or MELM's entity tags), saved in its folder."""

    kind: str
    labels: list[str]
    label_column: str = "label"
    label_tokens: dict[str, str] = field(default_factory=dict)  # expand / melm: label (tag) -> added token
    base_model: str = ""
    label_embedding: str = ""  # cbert: "token_type", or "added" for models without token types
    label_text: dict[str, str] = field(default_factory=dict)  # prepend: label -> words written for it

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown conditioning {self.kind!r}; use one of {', '.join(KINDS)}")
        unknown = sorted(set(self.label_text) - set(self.labels))
        if unknown:
            raise ValueError(f"label text given for {unknown}, which are not labels of the data ({self.labels})")
        if self.label_text and self.kind != "prepend":
            raise ValueError("label text is written before the sentence only by --conditioning prepend")

    @staticmethod
    def token_for(label: str) -> str:
        """The marker token written for ``label`` (a label token or MELM entity marker)."""
        return f"[label={label}]"

    def index(self, label: Any) -> int:
        """The model's index of ``label``, or a ValueError naming the labels it knows."""
        key = str(label)
        if key not in self.labels:
            raise KeyError(f"label {key!r} is not one the model was fine-tuned on ({', '.join(self.labels)})")
        return self.labels.index(key)

    def condition(self, label: Any, tokenizer) -> tuple[tuple[int, ...], int | None]:
        """(ids placed before the sentence, token type id) for one row's label."""
        if self.kind not in ROW_LABEL_KINDS:
            return (), None
        i = self.index(label)
        if self.kind == "cbert":
            return (), i
        lab = self.labels[i]
        text = self.label_tokens[lab] if self.kind == "expand" else self.label_text.get(lab, lab)
        return tuple(tokenizer(text, add_special_tokens=False)["input_ids"]), None

    @property
    def uses_row_label(self) -> bool:
        """Whether each row is filled conditioned on its own label."""
        return self.kind in ROW_LABEL_KINDS

    @property
    def label_input(self) -> str | None:
        """How the model takes a row's label: ``token_type`` ids, an ``added`` embedding, or not at all."""
        return (self.label_embedding or None) if self.kind == "cbert" else None

    def label_table(self, model, folder: str | Path | None = None):
        """For ``cbert`` with an added label embedding: a new table, or the one saved in ``folder``."""
        if self.kind != "cbert" or self.label_embedding != "added":
            return None
        from maskaug.model.backend import LabelEmbedding

        emb = model.get_input_embeddings()
        table = LabelEmbedding(len(self.labels), emb.weight.shape[1])
        if folder is not None:
            from safetensors.torch import load_file

            table.load_state_dict(load_file(str(Path(folder, LABEL_EMBEDDING_FILE))))
        return table.to(emb.weight.device)

    @staticmethod
    def save_label_table(table, folder: str | Path) -> None:
        """Save C-BERT's added label embedding table beside the model."""
        from safetensors.torch import save_file

        save_file({k: v.contiguous() for k, v in table.state_dict().items()}, str(Path(folder, LABEL_EMBEDDING_FILE)))

    def save(self, folder: str | Path) -> None:
        """Write this record into the model folder (``maskaug_conditioning.json``)."""
        Path(folder, FILE).write_text(json.dumps(asdict(self), indent=1, ensure_ascii=False) + "\n")

    @classmethod
    def load(cls, folder: str | Path) -> Conditioning | None:
        """The conditioning record of a model folder, or None for a plain model."""
        path = Path(folder, FILE)
        if not path.is_file():
            return None
        return cls(**json.loads(path.read_text()))


def check_fits(method: Any, conditioning: Conditioning | None, model_name: str | None) -> None:
    """A one-line ValueError unless the model's ``conditioning`` is the one ``method`` requires (its
    ``capabilities.requires``): the one check of a label-conditioned method against its model, for an
    ``Augmenter`` and for a job before any model loads (``maskaug.pipeline.bind``)."""
    need = method.capabilities.requires
    have = conditioning.kind if conditioning is not None else None
    if need and need != have:
        raise ValueError(f"method {method.name} needs a model fine-tuned with `maskaug finetune --conditioning "
                         f"{need}`; {model_name or 'the built-in model'} has conditioning {have or 'none'}")
