"""The default engine: Hugging Face transformers seq2seq models on torch.

Per-family handling:
- Marian (Opus-MT): one model per direction, plain source text; multi-target models
  (``opus-mt-tc-big-en-zle``) get the catalogue's target token (``>>ukr<<``) in front of
  every source, which MarianTokenizer keeps as one token.
- M2M100 / NLLB: one model for many languages; the tokenizer's ``src_lang`` adds the
  source language token and ``forced_bos_token_id`` makes the decoder start with the
  target language token.
- MT5 / T5 / BART (summarisation): optional task prefix, beams, length and
  ``no_repeat_ngram_size`` from the catalogue's generation defaults.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from service.engines.base import BatchKey, Decoding, Generated, GenerationOptions
from service.engines.device import Placement, torch_dtype
from service.engines.encoder_groups import encoder_outputs_in_groups
from service.errors import ModelUnavailable
from service.languages import M2M100_CODES, NLLB_CODES
from service.registry import ModelEntry

log = logging.getLogger(__name__)

#: Families whose tokenizer takes ``src_lang`` and whose decoder needs a forced BOS.
MULTILINGUAL_FAMILIES = {"m2m100": M2M100_CODES, "nllb": NLLB_CODES}
#: Longest source any engine will accept even if a config claims more.
MAX_INPUT_CAP = 1024


def merge_generation(defaults: dict[str, Any], options: GenerationOptions) -> dict[str, Any]:
    """Catalogue generation defaults overridden by per-request options (``None`` = keep)."""
    merged = dict(defaults)
    for field in ("num_beams", "max_new_tokens", "min_new_tokens", "no_repeat_ngram_size",
                  "length_penalty"):
        value = getattr(options, field)
        if value is not None:
            merged[field] = value
    return merged


def language_code(family: str, lang: str | None) -> str | None:
    """The model's own code for ``lang`` (``uk`` -> ``ukr_Cyrl`` for NLLB)."""
    if lang is None or family not in MULTILINGUAL_FAMILIES:
        return None
    return MULTILINGUAL_FAMILIES[family].get(lang, lang)


def check_target_tokens(entry: ModelEntry, vocabulary_has: Callable[[str], bool]) -> None:
    """Refuse a model whose vocabulary lacks a target token the catalogue names: a
    misspelt token (``>>uk<<`` for ``>>ukr<<``) would be split into pieces and the
    model would pick the target language by itself."""
    missing = [token for token in entry.target_tokens.values() if not vocabulary_has(token)]
    if missing:
        raise ModelUnavailable(
            f"Model '{entry.name}': target token(s) {', '.join(missing)} from the catalogue "
            "are not in the model's vocabulary; check target_tokens against the model card.",
            field="model")


class TransformersEngine:
    """A loaded transformers model + tokenizer; implements :class:`service.engines.base.Engine`."""

    kind = "transformers"

    def __init__(self, entry: ModelEntry, model: Any, tokenizer: Any, placement: Placement) -> None:
        self.name = entry.name
        self.entry = entry
        self.family = entry.family
        self.model = model
        self.tokenizer = tokenizer
        self.device = placement.device
        self.dtype = placement.dtype
        # Tokenizers keep ``src_lang`` as state: serialise every use of it.
        self._tok_lock = threading.Lock()
        #: Batches run at once (concurrent ``generate`` calls on the one model): set by
        #: the loader to one bulk lane plus the interactive lanes.
        self.parallel_batches = 1
        self.max_input_tokens = self._max_input_tokens()
        unk = tokenizer.unk_token_id
        check_target_tokens(entry, lambda token: tokenizer.convert_tokens_to_ids(token) != unk)

    @classmethod
    def load(cls, entry: ModelEntry, source: str | Path, placement: Placement) -> TransformersEngine:
        """``from_pretrained`` on a local folder or Hub id (``HF_HUB_OFFLINE`` honoured by
        huggingface_hub). Raises whatever transformers raises; the manager turns it into a
        :class:`service.errors.ModelUnavailable`."""
        import torch
        from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

        revision = None if Path(str(source)).is_dir() else entry.revision
        tokenizer = AutoTokenizer.from_pretrained(str(source), revision=revision)
        model = AutoModelForSeq2SeqLM.from_pretrained(
            str(source), revision=revision, dtype=torch_dtype(placement.dtype))
        model.to(placement.device)
        model.eval()
        with torch.inference_mode():
            pass
        return cls(entry, model, tokenizer, placement)

    def _max_input_tokens(self) -> int:
        if self.entry.max_input_tokens:
            return min(self.entry.max_input_tokens, MAX_INPUT_CAP)
        candidates = []
        model_max = getattr(self.tokenizer, "model_max_length", None)
        if isinstance(model_max, int) and 0 < model_max < 100_000:
            candidates.append(model_max)
        positions = getattr(self.model.config, "max_position_embeddings", None)
        if isinstance(positions, int) and positions > 0:
            candidates.append(positions)
        return min(candidates + [MAX_INPUT_CAP]) if candidates else 512

    # --- tokenisation -----------------------------------------------------------
    def count_tokens(self, text: str, src_lang: str | None = None) -> int:
        """Source tokens for ``text`` with special tokens (language token, ``</s>``)."""
        with self._tok_lock:
            code = language_code(self.family, src_lang)
            if code is not None:
                self.tokenizer.src_lang = code
            return len(self.tokenizer(self.entry.counting_prefix() + text)["input_ids"])

    def _encode(self, texts: Sequence[str], key: BatchKey) -> Any:
        prefix = self.entry.source_prefix(key.tgt_lang, key.prefix)
        with self._tok_lock:
            code = language_code(self.family, key.src_lang)
            if code is not None:
                self.tokenizer.src_lang = code
            return self.tokenizer([prefix + t for t in texts], return_tensors="pt",
                                  padding=True, truncation=True,
                                  max_length=self.max_input_tokens)

    def _forced_bos(self, key: BatchKey) -> int | None:
        code = language_code(self.family, key.tgt_lang)
        if code is None:
            return None
        if self.family == "m2m100":
            return int(self.tokenizer.get_lang_id(code))
        return int(self.tokenizer.convert_tokens_to_ids(code))

    # --- generation ---------------------------------------------------------------
    def decoding(self, key: BatchKey) -> Decoding:
        """Beams and output bounds of ``key`` (for the scheduler's cost estimate)."""
        kwargs = merge_generation(self.entry.generation, key.options)
        config = getattr(self.model, "generation_config", None)
        beams = kwargs.get("num_beams") or getattr(config, "num_beams", None) or 1
        limit = kwargs.get("max_new_tokens") or getattr(config, "max_new_tokens", None)
        if not limit:
            max_length = getattr(config, "max_length", None)
            limit = max_length - 1 if max_length else None
        return Decoding(beams=int(beams), max_new_tokens=int(limit) if limit else None,
                        min_new_tokens=int(kwargs.get("min_new_tokens") or 0))

    def generate(self, texts: Sequence[str], key: BatchKey) -> list[Generated]:
        """Greedy or beam decoding of one batch (blocking; runs in a worker thread)."""
        import torch

        if not texts:
            return []
        batch = self._encode(texts, key).to(self.device)
        kwargs = merge_generation(self.entry.generation, key.options)
        forced = self._forced_bos(key)
        if forced is not None:
            kwargs["forced_bos_token_id"] = forced
        if kwargs.get("max_new_tokens") is not None:
            # Opus-MT configs carry max_length=512; max_new_tokens is what we mean.
            kwargs.setdefault("max_length", None)
        if kwargs.get("min_new_tokens"):
            # Forced output lengths (benchmarks): never stop early on EOS.
            kwargs.setdefault("suppress_tokens", None)
        with torch.inference_mode():
            if self.device == "cpu":
                # Pad positions cost a CPU encoder as much as tokens: encode rows of
                # similar lengths together (encoder_groups); None when it saves little.
                encoded = encoder_outputs_in_groups(self.model, batch["input_ids"],
                                                    batch["attention_mask"])
                if encoded is not None:
                    kwargs["encoder_outputs"] = encoded
            output = self.model.generate(**batch, **kwargs)
        pad = self.model.generation_config.pad_token_id
        start = self.model.config.decoder_start_token_id
        rows = output.tolist()
        cleaned = []
        for row in rows:
            if row and row[0] == start:
                row = row[1:]
            if forced is not None and row and row[0] == forced:
                # The target-language token is not part of the text (some tokenizers do
                # not list language codes among their special tokens).
                row = row[1:]
            cleaned.append(row)
        with self._tok_lock:  # a second lane may be encoding meanwhile
            texts_out = self.tokenizer.batch_decode(cleaned, skip_special_tokens=True)
        return [Generated(text=text.strip(), tokens=sum(1 for tok in row if tok != pad))
                for row, text in zip(cleaned, texts_out)]

    def close(self) -> None:
        """Drop references so the weights can be freed."""
        self.model = None
        self.tokenizer = None
