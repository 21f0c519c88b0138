"""A natural-language-inference classifier (mDeBERTa-v3 XNLI style) on transformers.

Used by the summaries' faithfulness check: ``classify`` scores (premise, hypothesis)
pairs and returns the probability of each label the checkpoint names in
``config.id2label`` (``entailment``, ``neutral``, ``contradiction``). It is not a
generator, so it has no scheduler: calls are serialised by a lock and run in the
caller's worker thread. CTranslate2 does not convert DeBERTa, so this always runs on
transformers.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from service.engines.device import Placement, torch_dtype
from service.registry import ModelEntry

#: Label names every NLI checkpoint is expected to use (lower-cased).
NLI_LABELS = ("entailment", "neutral", "contradiction")
#: The XNLI checkpoints were trained on 512-token pairs.
MAX_PAIR_TOKENS = 512


class NLIEngine:
    """A loaded sequence classifier + tokenizer."""

    kind = "transformers"

    def __init__(self, entry: ModelEntry, model: Any, tokenizer: Any, placement: Placement,
                 batch_size: int = 16) -> None:
        self.name = entry.name
        self.entry = entry
        self.model = model
        self.tokenizer = tokenizer
        self.device = placement.device
        self.batch_size = batch_size
        labels = {int(i): str(name).lower() for i, name in model.config.id2label.items()}
        missing = [name for name in NLI_LABELS if name not in labels.values()]
        if missing:
            raise ValueError(f"model labels {sorted(labels.values())} lack {missing}")
        self._labels = labels
        self.max_input_tokens = min(MAX_PAIR_TOKENS, int(getattr(
            tokenizer, "model_max_length", MAX_PAIR_TOKENS) or MAX_PAIR_TOKENS))
        self._lock = threading.Lock()

    @classmethod
    def load(cls, entry: ModelEntry, source: str | Path, placement: Placement) -> NLIEngine:
        """``from_pretrained`` on a local folder or Hub id; float32 on CPU (a classifier
        this size gains nothing from bf16 and its scores must be stable)."""
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        revision = None if Path(str(source)).is_dir() else entry.revision
        tokenizer = AutoTokenizer.from_pretrained(str(source), revision=revision)
        dtype = "float32" if placement.device == "cpu" else placement.dtype
        model = AutoModelForSequenceClassification.from_pretrained(
            str(source), revision=revision, dtype=torch_dtype(dtype))
        model.to(placement.device)
        model.eval()
        return cls(entry, model, tokenizer, placement)

    def count_tokens(self, text: str, src_lang: str | None = None) -> int:
        """Tokens of ``text`` alone, special tokens included."""
        return len(self.tokenizer(text)["input_ids"])

    def classify(self, pairs: Sequence[tuple[str, str]]) -> list[dict[str, float]]:
        """Label probabilities for each (premise, hypothesis); the premise is truncated
        when the pair is longer than the model accepts."""
        import torch

        out: list[dict[str, float]] = []
        with self._lock:
            for start in range(0, len(pairs), self.batch_size):
                chunk = pairs[start:start + self.batch_size]
                batch = self.tokenizer([p for p, _ in chunk], [h for _, h in chunk],
                                       return_tensors="pt", padding=True,
                                       truncation="only_first",
                                       max_length=self.max_input_tokens).to(self.device)
                with torch.inference_mode():
                    probs = self.model(**batch).logits.float().softmax(-1).tolist()
                out.extend({self._labels[i]: p for i, p in enumerate(row)} for row in probs)
        return out

    def close(self) -> None:
        """Drop references so the weights can be freed."""
        self.model = None
        self.tokenizer = None
