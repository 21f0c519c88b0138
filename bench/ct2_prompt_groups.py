"""When does CTranslate2's ``Generator`` gain from batching prompts? A probe of the engine
alone, on the Qwen3-1.7B-shaped int8 model that ``bench/summarize_llm.py`` builds.

CTranslate2 has no left padding for decoder-only models: in a batch, only the shortest
prompt length is forwarded at once and each further prompt token costs one decoding
step of the whole batch. This measures, with random prompt tokens and forced lengths:

- ``prefill_s``: one prompt of ``--prompt`` tokens, 1 new token;
- ``step_s``: the cost of one decoding step at batch 1 and at batch 2 and 4 (equal
  prompt lengths);
- ``batch_gain``: ``n`` prompts one at a time / the same ``n`` in one call (equal lengths);
- ``spread_cost``: two prompts whose lengths differ by ``--spread`` tokens in one call /
  the two one at a time (above 1: merging them costs).

``service/engines/ct2_generator.py`` sets its grouping rule from these. Prints one JSON
line. Usage (after ``bench/summarize_llm.py`` built and converted its model)::

    python bench/ct2_prompt_groups.py --prompt 400 --new-tokens 20 --spread 20
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import CACHE_DIR  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model-dir", type=Path,
                        default=CACHE_DIR / "qwen3-1.7b-L28-ct2-int8")
    parser.add_argument("--prompt", type=int, default=400)
    parser.add_argument("--new-tokens", type=int, default=20)
    parser.add_argument("--spread", type=int, default=20)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    import ctranslate2

    if not (args.model_dir / "model.bin").is_file():
        sys.exit(f"no converted model in {args.model_dir}: run bench/summarize_llm.py first")
    generator = ctranslate2.Generator(str(args.model_dir), device="cpu", compute_type="int8",
                                      intra_threads=args.threads)
    vocabulary = json.loads((args.model_dir / "vocabulary.json").read_text("utf-8"))
    rng = random.Random(0)

    def prompt(length: int) -> list[str]:
        return [vocabulary[rng.randrange(1000, min(30000, len(vocabulary)))]
                for _ in range(length)]

    def timed(lengths: list[int], new: int) -> float:
        prompts = [prompt(n) for n in lengths]
        started = time.perf_counter()
        generator.generate_batch(prompts, max_length=new, min_length=new, beam_size=1,
                                 include_prompt_in_result=False)
        return time.perf_counter() - started

    n, new, spread = args.prompt, args.new_tokens, args.spread
    timed([50], 2)  # warm-up
    prefill = timed([n], 1)
    single = timed([n], new)
    single_long = timed([n + spread], new)
    per_batch = {b: timed([n] * b, new) for b in (2, 4)}
    merged = timed([n, n + spread], new)
    steps = new - 1
    print(json.dumps({
        "bench": "ct2_prompt_groups", "prompt_tokens": n, "new_tokens": new,
        "spread": spread, "threads": args.threads, "prefill_s": round(prefill, 2),
        "one_prompt_s": round(single, 2),
        "step_s": {"1": round((single - prefill) / steps, 3),
                   **{str(b): round((t - b * prefill) / steps, 3) for b, t in per_batch.items()}},
        "batch_gain": {str(b): round(b * single / t, 2) for b, t in per_batch.items()},
        "spread_cost": round(merged / (single + single_long), 2),
    }))


if __name__ == "__main__":
    main()
