"""Decoder-only instruction models (Qwen3) on transformers, and what both engines share
for them.

An instruction model is prompted, not fed raw text: the application renders chat
messages with the model's own chat template (:meth:`CausalLMEngine.render_chat`) and
submits the rendered prompts through the batching scheduler like any other text. The
engine then

- tokenizes the rendered prompts without adding special tokens (the template already
  wrote them) and pads on the **left**, so every row's last position is its own last
  prompt token and batched generation equals one-at-a-time generation;
- on a CPU, prefills prompts of different lengths **one at a time** and decodes them
  together (:func:`prefill_alone`): a padded batch computes every pad position of every
  layer, and on a CPU prefill is arithmetic-bound, so padding costs its full share
  (two news prompts of 1389 and 1535 tokens cost 1.2-1.4x more per article batched
  than apart, docs/summaries-llm.md), while a decoding step costs about the same at
  batch 2 as at batch 1. A GPU prefills the padded batch in parallel, so it keeps the
  padded batch;
- on a CPU, decodes greedily into a **static KV cache** (:func:`static_cache`, sized for
  the prompt and the new tokens): transformers' default cache concatenates each step's
  keys and values onto the whole cache, copying it every step, which on a CPU cost
  38 % of a decoding step at batch 8 with news-length prompts (0.726 -> 0.450 s, one
  run each, docs/summaries-llm.md). GPUs keep ``generate``'s own cache;
- decodes greedily (``do_sample=False``): Qwen3's generation config asks for sampling
  (temperature 0.6, top-p 0.95), which would make summaries differ from run to run;
- returns only the new tokens, with any ``<think>...</think>`` block removed.

Dtype on CPU: bfloat16 where the CPU has AVX512-BF16 or AMX (Qwen3 is stored in bf16;
these CPUs run bf16 matrix products natively), float32 elsewhere (bf16 on an AVX2-only
CPU is emulated and many times slower). ``NEWSROOM_DTYPE`` overrides; GPUs keep the
placement's half-precision dtype.
"""

from __future__ import annotations

import inspect
import re
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from service.engines.base import BatchKey, Generated
from service.engines.device import Placement, torch_dtype
from service.engines.transformers_engine import merge_generation
from service.registry import ModelEntry

#: Longest prompt accepted even if the config claims a longer context: the prompt is
#: one article plus its claims table, and attention cost grows with its square.
MAX_PROMPT_CAP = 8192
#: A think block (Qwen3 "thinking" mode); summaries are asked for without one, but a
#: model may still open one.
_THINK = re.compile(r"<think>.*?(</think>|$)", re.DOTALL)
_CPU_BF16_FLAGS = ("avx512_bf16", "amx_bf16")


def cpu_flags(path: str = "/proc/cpuinfo") -> set[str]:
    """The CPU feature flags the kernel reports (empty where there is no cpuinfo)."""
    try:
        text = Path(path).read_text("utf-8", errors="replace")
    except OSError:
        return set()
    for line in text.splitlines():
        if line.startswith("flags"):
            return set(line.partition(":")[2].split())
    return set()


def cpu_has_fast_bf16(flags: set[str] | None = None) -> bool:
    """Whether the CPU computes bfloat16 natively (AVX512-BF16 or AMX)."""
    flags = cpu_flags() if flags is None else flags
    return any(flag in flags for flag in _CPU_BF16_FLAGS)


def causal_dtype(placement: Placement, setting: str = "auto",
                 flags: set[str] | None = None) -> str:
    """The dtype an instruction model runs in (see module docs)."""
    if setting != "auto":
        return setting
    if placement.device == "cpu":
        return "bfloat16" if cpu_has_fast_bf16(flags) else "float32"
    return placement.dtype


def strip_thinking(text: str) -> str:
    """Remove ``<think>...</think>`` (or an unclosed ``<think>...``) from an output."""
    return _THINK.sub("", text).strip()


def eos_ids(model: Any, tokenizer: Any) -> list[int]:
    """Every token id that ends an answer: the generation config's (Qwen3 lists
    ``<|im_end|>`` and ``<|endoftext|>``) and the tokenizer's eos."""
    configured = getattr(model.generation_config, "eos_token_id", None) if model else None
    ids = configured if isinstance(configured, list) else [configured]
    ids = [int(i) for i in ids if i is not None]
    if tokenizer.eos_token_id is not None and tokenizer.eos_token_id not in ids:
        ids.append(int(tokenizer.eos_token_id))
    return ids


def new_tokens_until_eos(row: Sequence[int], eos: Sequence[int]) -> list[int]:
    """The generated ids up to and including the first end token (padding after it
    dropped): what counts as the output's length."""
    out: list[int] = []
    for token in row:
        out.append(int(token))
        if token in eos:
            break
    return out


def cache_keyword(model: Any) -> str:
    """The keyword the model's ``forward`` takes its KV cache by (transformers 5.25
    renamed ``past_key_values`` to ``cache``)."""
    return "cache" if "cache" in inspect.signature(model.forward).parameters \
        else "past_key_values"


def left_padded(rows: Sequence[Sequence[int]], pad: int) -> tuple[Any, Any]:
    """``input_ids`` and ``attention_mask`` of ``rows`` padded on the left."""
    import torch

    width = max(len(row) for row in rows)
    ids = [[pad] * (width - len(row)) + list(row) for row in rows]
    mask = [[0] * (width - len(row)) + [1] * len(row) for row in rows]
    return torch.tensor(ids), torch.tensor(mask)


def static_cache(model: Any, positions: int) -> Any:
    """An empty static KV cache for ``positions`` tokens per row (prompt + new tokens):
    updated in place, where the default cache copies itself at every step. Its tensors
    are allocated at the first update, with that update's batch size, dtype and device."""
    from transformers import StaticCache

    return StaticCache(config=model.config, max_cache_len=positions)


def prefill_alone(model: Any, rows: Sequence[Sequence[int]], device: str,
                  keyword: str = "cache", into: Any = None) -> Any:
    """The KV cache of every prompt in ``rows`` but its last token, each prompt computed
    on its own (no pad position is ever computed), then left-padded into one batch
    cache (``into``, e.g. a :func:`static_cache`, else a new dynamic cache), which is
    returned. ``generate`` given this cache and the left-padded prompts computes only
    the last column; position ids come from the attention mask, so every row continues
    at its own length, as it would alone (RoPE sees the same distances). ``keyword``:
    the model's :func:`cache_keyword`."""
    import torch
    from transformers import DynamicCache

    width = max(len(row) for row in rows) - 1
    caches = []
    for row in rows:
        cache = DynamicCache()
        model(torch.tensor([list(row[:-1])], device=device), use_cache=True,
              logits_to_keep=1, **{keyword: cache})
        caches.append(cache)
    merged = into if into is not None else DynamicCache()
    for layer in range(len(caches[0].layers)):
        keys, values = [], []
        for cache, row in zip(caches, rows):
            pad = (0, 0, width - (len(row) - 1), 0)  # left of the sequence axis (-2)
            keys.append(torch.nn.functional.pad(cache.layers[layer].keys, pad))
            values.append(torch.nn.functional.pad(cache.layers[layer].values, pad))
            cache.layers[layer].keys = cache.layers[layer].values = None  # free as we go
        merged.update(torch.cat(keys), torch.cat(values), layer)
    return merged


def chat_prompt(tokenizer: Any, messages: Sequence[dict[str, str]]) -> str:
    """Render ``messages`` with the model's chat template, generation prompt added and
    thinking off (Qwen3 then writes an empty think block itself)."""
    return str(tokenizer.apply_chat_template(
        list(messages), tokenize=False, add_generation_prompt=True, enable_thinking=False))


def prompt_limit(entry: ModelEntry, tokenizer: Any, positions: int | None) -> int:
    """Longest prompt in tokens: the catalogue's limit, else the model's context."""
    if entry.max_input_tokens:
        return min(entry.max_input_tokens, MAX_PROMPT_CAP)
    candidates = [MAX_PROMPT_CAP]
    model_max = getattr(tokenizer, "model_max_length", None)
    if isinstance(model_max, int) and 0 < model_max < 1_000_000:
        candidates.append(model_max)
    if positions:
        candidates.append(positions)
    return min(candidates)


class CausalLMEngine:
    """A decoder-only instruction model on transformers; implements
    :class:`service.engines.base.Engine` plus :meth:`render_chat`."""

    kind = "transformers"

    def __init__(self, entry: ModelEntry, model: Any, tokenizer: Any, placement: Placement,
                 dtype: str) -> None:
        self.name = entry.name
        self.entry = entry
        self.family = entry.family
        self.model = model
        self.tokenizer = tokenizer
        self.device = placement.device
        self.dtype = dtype
        self._eos = eos_ids(model, tokenizer)
        self._pad = (tokenizer.pad_token_id if tokenizer.pad_token_id is not None
                     else self._eos[0])
        self._tok_lock = threading.Lock()
        self._cache_keyword = cache_keyword(model)
        self.max_input_tokens = prompt_limit(
            entry, tokenizer, getattr(model.config, "max_position_embeddings", None))

    @classmethod
    def load(cls, entry: ModelEntry, source: str | Path, placement: Placement,
             dtype: str) -> CausalLMEngine:
        """``from_pretrained`` on a local folder or Hub id, in ``dtype``."""
        from transformers import AutoModelForCausalLM, AutoTokenizer

        revision = None if Path(str(source)).is_dir() else entry.revision
        tokenizer = AutoTokenizer.from_pretrained(str(source), revision=revision)
        tokenizer.padding_side = "left"
        model = AutoModelForCausalLM.from_pretrained(
            str(source), revision=revision, dtype=torch_dtype(dtype))
        model.to(placement.device)
        model.eval()
        return cls(entry, model, tokenizer, placement, dtype)

    # --- prompts ----------------------------------------------------------------
    def render_chat(self, messages: Sequence[dict[str, str]]) -> str:
        """The prompt text for ``messages`` (see :func:`chat_prompt`)."""
        with self._tok_lock:
            return chat_prompt(self.tokenizer, messages)

    def count_tokens(self, text: str, src_lang: str | None = None) -> int:
        """Tokens of a rendered prompt (the template wrote the special tokens)."""
        with self._tok_lock:
            return len(self.tokenizer(text, add_special_tokens=False)["input_ids"])

    # --- generation ---------------------------------------------------------------
    def generation_kwargs(self, key: BatchKey) -> dict[str, Any]:
        """Greedy (or beam) decoding with the catalogue's and the request's limits."""
        params = merge_generation(self.entry.generation, key.options)
        kwargs: dict[str, Any] = {
            "do_sample": False, "temperature": None, "top_p": None, "top_k": None,
            "num_beams": int(params.get("num_beams") or 1),
            "max_new_tokens": int(params.get("max_new_tokens") or 256),
            "eos_token_id": self._eos, "pad_token_id": self._pad,
        }
        if params.get("min_new_tokens"):
            kwargs["min_new_tokens"] = int(params["min_new_tokens"])
        if params.get("no_repeat_ngram_size"):
            kwargs["no_repeat_ngram_size"] = int(params["no_repeat_ngram_size"])
        return kwargs

    def generate(self, texts: Sequence[str], key: BatchKey) -> list[Generated]:
        """Continue each rendered prompt (blocking; runs in a worker thread)."""
        import torch

        if not texts:
            return []
        with self._tok_lock:
            rows = self.tokenizer(list(texts), add_special_tokens=False, truncation=True,
                                  max_length=self.max_input_tokens)["input_ids"]
        kwargs = self.generation_kwargs(key)
        input_ids, mask = left_padded(rows, self._pad)
        input_ids, mask = input_ids.to(self.device), mask.to(self.device)
        with torch.inference_mode():
            cache = self._decode_cache(rows, kwargs)
            if cache is not None:
                kwargs[self._cache_keyword] = cache
            output = self.model.generate(input_ids=input_ids, attention_mask=mask, **kwargs)
        width = input_ids.shape[1]
        rows = [new_tokens_until_eos(row, self._eos) for row in output[:, width:].tolist()]
        decoded = self.tokenizer.batch_decode(rows, skip_special_tokens=True)
        return [Generated(text=strip_thinking(text), tokens=len(row))
                for row, text in zip(rows, decoded)]

    def _decode_cache(self, rows: Sequence[Sequence[int]], kwargs: dict[str, Any]) -> Any:
        """The KV cache ``generate`` continues from, or None for its own (module docs):
        on a CPU with greedy decoding, a static cache for the longest prompt and the new
        tokens, holding the prompts prefilled alone when their lengths differ (each
        longer than one token). Beam search multiplies the rows inside ``generate``, so
        it keeps generate's cache, as do GPUs."""
        if self.device != "cpu" or kwargs["num_beams"] != 1:
            return None
        cache = static_cache(self.model, max(len(row) for row in rows)
                             + kwargs["max_new_tokens"])
        lengths = {len(row) for row in rows}
        if len(lengths) > 1 and min(lengths) > 1:
            prefill_alone(self.model, rows, self.device, self._cache_keyword, into=cache)
        return cache

    def close(self) -> None:
        """Drop references so the weights can be freed."""
        self.model = None
        self.tokenizer = None
