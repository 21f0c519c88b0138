"""Where an instruction-model summary's time goes on this machine: prefill vs each
decoding step, per batch size and KV-cache kind (transformers ``generate``).

The model is ``bench/summarize_llm.py``'s (the exact Qwen3-1.7B architecture, random
weights; built once into the bench cache) and so are the prompts (the service's real
prompts for NTREX articles of ``--words`` words). A logits processor stamps the time of
every decoding step: the first stamp ends the prefill, the gaps between stamps are the
steps. Prints one JSON line: per (batch, cache) the padded prompt length, prefill
seconds and the median step.

Cache kinds: ``dynamic`` (``generate``'s default, the padded batch prefilled at once),
``static`` (``generate``'s static cache, same prefill), and the engine's own CPU path
(``service/engines/causal_lm.py``): ``alone-dynamic`` / ``alone-static``, each prompt
prefilled on its own by ``prefill_alone`` into a dynamic cache / the engine's
``static_cache``, then one batched ``generate`` decoding from it.

    python bench/llm_step_probe.py --batches 1,2 --caches dynamic,static
    python bench/llm_step_probe.py --batches 8 --caches alone-dynamic,alone-static

Measured 2026-12-04 (2 cores, bf16, medians of three runs): batch 1 prefill 15.6 s,
step 0.388 s (static cache 0.302); batch 2 prefill 37.6 s, step 0.354 s (static 0.313):
batch 8 from the engine's path (one run each, 40 new tokens): prefill 130 s / 126 s
for the eight prompts, step 0.726 s with the dynamic cache, 0.450 s with the static one:
see docs/summaries-llm.md.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import CACHE_DIR  # noqa: E402
from summarize_llm import _load_engine, build_articles, build_model, build_prompts  # noqa: E402

from service.engines.causal_lm import cache_keyword, prefill_alone, static_cache  # noqa: E402


def probe(model, tokenizer, prompts: list[str], cache: str, new_tokens: int) -> dict:
    """One ``generate`` over ``prompts`` (one batch); prefill and median step seconds."""
    import torch
    from transformers import LogitsProcessor, LogitsProcessorList

    class Stamp(LogitsProcessor):
        def __init__(self) -> None:
            self.times: list[float] = []

        def __call__(self, input_ids, scores):  # type: ignore[no-untyped-def]
            self.times.append(time.perf_counter())
            return scores

    stamp = Stamp()
    encoded = tokenizer(prompts, return_tensors="pt", padding=True)
    kwargs = {"max_new_tokens": new_tokens, "min_new_tokens": new_tokens, "do_sample": False,
              "logits_processor": LogitsProcessorList([stamp])}
    if cache == "static":
        kwargs["cache_implementation"] = cache
    started = time.perf_counter()
    with torch.inference_mode():
        if cache.startswith("alone-"):
            kwargs[cache_keyword(model)] = _prefilled_alone(model, tokenizer, prompts,
                                                            cache, new_tokens)
        model.generate(**encoded, **kwargs)
    steps = [b - a for a, b in zip(stamp.times, stamp.times[1:])]
    return {"batch": len(prompts), "cache": cache,
            "padded_prompt_tokens": int(encoded["input_ids"].shape[1]),
            "prefill_s": round(stamp.times[0] - started, 2),
            "step_median_s": round(statistics.median(steps), 3) if steps else None,
            "total_s": round(time.perf_counter() - started, 1)}


def _prefilled_alone(model, tokenizer, prompts: list[str], cache: str,  # type: ignore[no-untyped-def]
                     new_tokens: int):
    """The engine's CPU path: each prompt prefilled alone, into a dynamic cache or
    into the engine's static cache sized for the longest prompt and the new tokens."""
    rows = tokenizer(prompts, add_special_tokens=False)["input_ids"]
    into = (static_cache(model, max(len(row) for row in rows) + new_tokens)
            if cache == "alone-static" else None)
    return prefill_alone(model, rows, "cpu", cache_keyword(model), into=into)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--batches", default="1,2", help="Batch sizes, comma-separated.")
    parser.add_argument("--caches", default="dynamic,static",
                        help="KV caches: dynamic, static, alone-dynamic, alone-static (module docs)")
    parser.add_argument("--dtype", default="bfloat16", choices=("float32", "bfloat16"))
    parser.add_argument("--layers", type=int, default=28, help="28 = the real model")
    parser.add_argument("--words", type=int, default=600)
    parser.add_argument("--new-tokens", type=int, default=21)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    batches = [int(b) for b in args.batches.split(",")]
    model_dir = build_model(args.layers, CACHE_DIR)
    prompts = build_prompts(model_dir, build_articles(max(batches), args.words))
    engine = _load_engine(f"transformers_{args.dtype}", model_dir, args.threads)
    runs = [probe(engine.model, engine.tokenizer, prompts[:batch], cache, args.new_tokens)
            for batch in batches for cache in args.caches.split(",")]
    print(json.dumps({"bench": "llm_step_probe", "dtype": args.dtype, "layers": args.layers,
                      "new_tokens": args.new_tokens, "threads": args.threads, "runs": runs}))


if __name__ == "__main__":
    main()
