"""Decoder-only instruction models (Qwen3) on CTranslate2's ``Generator``.

The counterpart of :class:`service.engines.causal_lm.CausalLMEngine` for a folder
written by ``newsroom-mt models convert`` (int8 weights by default): same chat
template, same rendered prompts, greedy decoding, only the new tokens returned with
any think block removed. The prompt is forwarded at once to fill the KV cache
(``include_prompt_in_result=False``), which is what makes long prompts cheap.

CTranslate2 has no left padding for decoder-only models (OpenNMT/CTranslate2#1349): in
a batch of prompts of different lengths only the shortest length is forwarded at once,
and every further prompt token costs one step of the decoding loop, about what one new
token costs. :func:`length_groups` therefore splits a batch into groups whose lengths
differ by less than a spread (:func:`group_spread`), and each group is one
``generate_batch`` call. On a GPU a step costs about the same at any batch size, so
merging two prompts saves as many steps as new tokens and the spread is that many. On
a CPU a step at batch 2 costs ~1.5x one at batch 1 (``bench/ct2_prompt_groups.py``:
0.203 / 0.303 / 0.331 s at batch 1 / 2 / 4), so a pair gains only while its lengths
differ by less than about a third of the new tokens; with the GPU's spread, batches of
8 news prompts ran 0.77x one at a time (``bench/summarize_llm.py``). The CPU spread is
a quarter of the new tokens.

Compute type follows the CTranslate2 translation engine's rule: ``int8`` on CPU,
``int8_float16`` on CUDA for an int8 conversion (``NEWSROOM_CT2_COMPUTE_TYPE``
overrides). Importing this module needs ``ctranslate2`` (ImportError otherwise, which
the engine loader reports as the install command).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import ctranslate2

from service.engines.base import BatchKey, Generated
from service.engines.causal_lm import (
    chat_prompt,
    new_tokens_until_eos,
    prompt_limit,
    strip_thinking,
)
from service.engines.ct2_convert import ConversionRecord, find_conversions
from service.engines.ct2_engine import (
    _not_converted,
    ct2_device,
    open_ct2,
    pick_conversion,
    resolve_compute_type,
    resolve_threads,
)
from service.engines.device import Placement
from service.engines.transformers_engine import merge_generation
from service.errors import ModelNotLocal
from service.registry import ModelEntry

log = logging.getLogger(__name__)


def _end_ids(folder: Path, tokenizer: Any) -> list[int]:
    """End-of-answer ids: the copied generation config's ``eos_token_id`` (a list for
    Qwen3) and the tokenizer's eos."""
    import json

    ids: list[int] = []
    try:
        value = json.loads((folder / "generation_config.json").read_text("utf-8")).get(
            "eos_token_id")
    except (OSError, ValueError, AttributeError):
        value = None
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, int):
            ids.append(item)
    if tokenizer.eos_token_id is not None and tokenizer.eos_token_id not in ids:
        ids.append(int(tokenizer.eos_token_id))
    return ids


def group_spread(new_tokens: int, device: str) -> int:
    """Largest length difference worth merging two prompts over (module docs)."""
    return max(16, new_tokens if device != "cpu" else new_tokens // 4)


def length_groups(lengths: Sequence[int], spread: int) -> list[list[int]]:
    """Indices of ``lengths`` grouped so that within a group the longest prompt is
    less than ``spread`` tokens longer than the shortest (shortest first)."""
    groups: list[list[int]] = []
    for index in sorted(range(len(lengths)), key=lambda i: lengths[i]):
        if groups and lengths[index] - lengths[groups[-1][0]] < spread:
            groups[-1].append(index)
        else:
            groups.append([index])
    return groups


class CTranslate2GeneratorEngine:
    """A CTranslate2 ``Generator`` + the model's Hugging Face tokenizer; implements
    :class:`service.engines.base.Engine` plus ``render_chat``."""

    kind = "ctranslate2"

    def __init__(self, entry: ModelEntry, generator: Any, tokenizer: Any, *, path: Path,
                 device: str, compute_type: str, max_positions: int | None = None) -> None:
        self.name = entry.name
        self.entry = entry
        self.family = entry.family
        self.generator = generator
        self.tokenizer = tokenizer
        self.path = path
        self.device = device
        self.compute_type = compute_type
        self._eos = _end_ids(path, tokenizer)
        self._tok_lock = threading.Lock()
        self.max_input_tokens = prompt_limit(entry, tokenizer, max_positions)

    @classmethod
    def load(cls, entry: ModelEntry, folder: Path, *, device: str = "cpu", device_index: int = 0,
             compute_type: str = "int8", intra_threads: int = 0,
             inter_threads: int = 1) -> CTranslate2GeneratorEngine:
        """Load a converted folder; :class:`ModelUnavailable` when CTranslate2 refuses it
        or cannot compute on ``device`` (see :func:`open_ct2`)."""
        generator, tokenizer = open_ct2(
            ctranslate2.Generator, entry, folder, device=device, device_index=device_index,
            compute_type=compute_type, intra_threads=intra_threads,
            inter_threads=inter_threads)
        record = ConversionRecord.read(folder)
        shown = device if device == "cpu" else f"{device}:{device_index}"
        return cls(entry, generator, tokenizer, path=folder, device=shown,
                   compute_type=str(generator.compute_type),
                   max_positions=record.max_positions if record else None)

    @classmethod
    def load_entry(cls, entry: ModelEntry, settings: Any, placement: Placement,
                   weights: Path | None) -> CTranslate2GeneratorEngine:
        """Find ``entry``'s converted folder and load it as the settings say;
        ``weights`` is the entry's local weights folder from the engine loader."""
        models_dir = settings.resolved_models_dir()
        conversions = find_conversions(
            entry, weights or entry.local_path() or models_dir / entry.name)
        if not conversions:
            raise ModelNotLocal(_not_converted(entry, weights), field="model")
        device, index = ct2_device(placement.device)
        chosen = pick_conversion(conversions, device, settings.ct2_compute_type)
        inter = max(1, settings.ct2_inter_threads)
        return cls.load(entry, chosen.path, device=device, device_index=index,
                        compute_type=resolve_compute_type(settings.ct2_compute_type, device,
                                                          chosen.quantization),
                        intra_threads=resolve_threads(settings.threads, inter),
                        inter_threads=inter)

    # --- prompts ----------------------------------------------------------------------
    def render_chat(self, messages: Sequence[dict[str, str]]) -> str:
        """The prompt text for ``messages`` (the model's chat template)."""
        with self._tok_lock:
            return chat_prompt(self.tokenizer, messages)

    def count_tokens(self, text: str, src_lang: str | None = None) -> int:
        """Tokens of a rendered prompt."""
        with self._tok_lock:
            return len(self.tokenizer(text, add_special_tokens=False)["input_ids"])

    # --- generation -------------------------------------------------------------------
    def decoding_options(self, key: BatchKey) -> dict[str, Any]:
        """``generate_batch`` keyword arguments: greedy unless beams are asked for."""
        params = merge_generation(self.entry.generation, key.options)
        limit = int(params.get("max_new_tokens") or 256)
        options: dict[str, Any] = {
            "beam_size": int(params.get("num_beams") or 1), "sampling_topk": 1,
            "max_length": limit, "min_length": min(int(params.get("min_new_tokens") or 0), limit),
            "end_token": list(self._eos), "return_end_token": True,
            "include_prompt_in_result": False,
        }
        if params.get("no_repeat_ngram_size"):
            options["no_repeat_ngram_size"] = int(params["no_repeat_ngram_size"])
        return options

    def generate(self, texts: Sequence[str], key: BatchKey) -> list[Generated]:
        """Continue each rendered prompt (blocking; runs in a worker thread)."""
        if not texts:
            return []
        with self._tok_lock:
            ids = self.tokenizer(list(texts), add_special_tokens=False, truncation=True,
                                 max_length=self.max_input_tokens)["input_ids"]
            prompts = [self.tokenizer.convert_ids_to_tokens(row) for row in ids]
        options = self.decoding_options(key)
        rows: list[list[int]] = [[] for _ in prompts]
        for group in length_groups([len(p) for p in prompts],
                                   group_spread(options["max_length"], self.device)):
            results = self.generator.generate_batch([prompts[i] for i in group], **options)
            for index, result in zip(group, results):
                rows[index] = new_tokens_until_eos(result.sequences_ids[0], self._eos)
        decoded = self.tokenizer.batch_decode(rows, skip_special_tokens=True)
        return [Generated(text=strip_thinking(text), tokens=len(row))
                for row, text in zip(rows, decoded)]

    def close(self) -> None:
        """Unload the model and drop references."""
        if self.generator is not None:
            self.generator.unload_model()
        self.generator = None
        self.tokenizer = None
