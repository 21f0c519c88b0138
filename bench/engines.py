"""Engines compared on the architecture-exact Opus-MT base model (random weights).

For the transformers engine (fp32) and the CTranslate2 engine (float32 and int8
conversions), each in its own subprocess so peak RSS is its own: sentences/s at
batch 1 and at the scheduler's batch size (32), greedy and beam 4, median of
``--runs`` after a warm-up batch. Sources are NTREX-128 English sentences truncated
to 32 tokens + ``</s>``; every output is forced to 32 new tokens (transformers
``min_new_tokens = max_new_tokens``; CTranslate2 ``min_decoding_length =
max_decoding_length``), so random weights do not change the work done. Both engines
are driven through the service's own engine classes (tokenization and decoding
included), with the same thread count.

Prints one JSON line; ``target_met`` says whether CTranslate2 int8 reaches 2.5x the
transformers engine's greedy throughput at batch 32.

    python bench/engines.py [--threads 2] [--runs 3] [--model-dir DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import CACHE_DIR, build_opus_base, model_info, read_ntrex, rss_mib  # noqa: E402

INPUT_TOKENS = 32
NEW_TOKENS = 32
SCHEDULER_BATCH = 32
TARGET_SPEEDUP = 2.5
ENGINES = ("transformers_fp32", "ct2_float32", "ct2_int8")


def _entry(model_dir: Path) -> Any:
    from service.registry import ModelEntry

    # +1: the tokenizer's </s> comes on top of the 32 text tokens.
    return ModelEntry(name="opus-base-bench", path=str(model_dir), family="marian",
                      task="translate", directions=["en-uk"], licence="none (random weights)",
                      max_input_tokens=INPUT_TOKENS + 1)


def _sources(model_dir: Path, count: int) -> list[str]:
    """English NTREX lines long enough to fill 32 tokens (the engine truncates)."""
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(model_dir))
    lines = [line for line in read_ntrex("eng.txt")
             if len(tokenizer(line)["input_ids"]) > INPUT_TOKENS]
    if len(lines) < count:
        raise SystemExit(f"only {len(lines)} NTREX lines have {INPUT_TOKENS}+ tokens")
    return lines[:count]


def prepare(model_dir: Path) -> dict[str, Path]:
    """Build the model (cached) and its CTranslate2 conversions; returns their folders."""
    from service.engines.ct2_convert import conversion_dir, convert_model

    build_opus_base(model_dir)
    entry = _entry(model_dir)
    folders = {}
    for quantization in ("float32", "int8"):
        folder = conversion_dir(model_dir, quantization)
        if not (folder / "model.bin").is_file():
            convert_model(entry, model_dir, quantization, force=True)
        folders[quantization] = folder
    return folders


# --- worker: one engine, one process ------------------------------------------------
def _load(engine: str, model_dir: Path, threads: int) -> Any:
    from service.engines.device import Placement, configure_threads

    entry = _entry(model_dir)
    if engine == "transformers_fp32":
        from service.engines.transformers_engine import TransformersEngine

        configure_threads(threads)
        return TransformersEngine.load(entry, model_dir, Placement("cpu", "float32"))
    from service.engines.ct2_convert import conversion_dir
    from service.engines.ct2_engine import CTranslate2Engine

    quantization = engine.removeprefix("ct2_")
    return CTranslate2Engine.load(entry, conversion_dir(model_dir, quantization),
                                  compute_type=quantization, intra_threads=threads)


def _throughput(engine: Any, texts: list[str], batch: int, beams: int,
                runs: int) -> dict[str, float]:
    from service.engines.base import BatchKey, GenerationOptions

    key = BatchKey("en", "uk", GenerationOptions(num_beams=beams, min_new_tokens=NEW_TOKENS,
                                                 max_new_tokens=NEW_TOKENS))
    chunks = [texts[i:i + batch] for i in range(0, len(texts), batch)]
    engine.generate(chunks[0], key)  # warm-up
    rates, tokens = [], []
    for _ in range(runs):
        started = time.perf_counter()
        outputs = [g for chunk in chunks for g in engine.generate(chunk, key)]
        rates.append(len(texts) / (time.perf_counter() - started))
        tokens.extend(g.tokens for g in outputs)
    return {"sentences_per_s": round(statistics.median(rates), 2),
            "output_tokens_per_sentence": round(statistics.mean(tokens), 2)}


def worker(args: argparse.Namespace) -> None:
    """Measure one engine and print its JSON result."""
    import torch  # noqa: F401  (the service process always has it: count it in the baseline)

    model_dir = Path(args.model_dir)
    texts = _sources(model_dir, max(args.batch_sentences, args.single_sentences))
    before = rss_mib()["rss_mib"]
    started = time.perf_counter()
    engine = _load(args.worker, model_dir, args.threads)
    load_s = time.perf_counter() - started
    result: dict[str, Any] = {"compute_type": getattr(engine, "compute_type", "float32"),
                              "load_s": round(load_s, 2), "rss_before_load_mib": before,
                              "rss_after_load_mib": rss_mib()["rss_mib"]}
    for beams, name in ((1, "greedy"), (4, "beam4")):
        result[name] = {
            "batch1": _throughput(engine, texts[:args.single_sentences], 1, beams, args.runs),
            f"batch{SCHEDULER_BATCH}": _throughput(engine, texts[:args.batch_sentences],
                                                   SCHEDULER_BATCH, beams, args.runs)}
    result["peak_rss_mib"] = rss_mib()["peak_rss_mib"]
    print(json.dumps(result))


# --- parent ------------------------------------------------------------------------------
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model-dir", default=str(CACHE_DIR / "opus-base"))
    parser.add_argument("--threads", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--batch-sentences", type=int, default=64,
                        help="Sentences per run at batch 32.")
    parser.add_argument("--single-sentences", type=int, default=8,
                        help="Sentences per run at batch 1.")
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--worker", choices=ENGINES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return
    model_dir = Path(args.model_dir)
    prepare(model_dir)
    env = dict(os.environ, HF_HUB_OFFLINE="1", TOKENIZERS_PARALLELISM="false",
               TRANSFORMERS_VERBOSITY="error")
    results: dict[str, Any] = {}
    for engine in args.engines.split(","):
        proc = subprocess.run(
            [sys.executable, __file__, "--worker", engine, "--model-dir", str(model_dir),
             "--threads", str(args.threads), "--runs", str(args.runs),
             "--batch-sentences", str(args.batch_sentences),
             "--single-sentences", str(args.single_sentences)],
            capture_output=True, text=True, env=env, check=False)
        if proc.returncode != 0:
            raise SystemExit(f"{engine} failed:\n{proc.stderr[-3000:]}")
        results[engine] = json.loads(proc.stdout.strip().splitlines()[-1])
    batch_key = f"batch{SCHEDULER_BATCH}"
    speedups = {}
    if "transformers_fp32" in results:
        base = results["transformers_fp32"]
        for engine in results:
            if engine == "transformers_fp32":
                continue
            speedups[engine] = {
                f"{mode}_{batch}": round(results[engine][mode][batch]["sentences_per_s"]
                                         / base[mode][batch]["sentences_per_s"], 2)
                for mode in ("greedy", "beam4") for batch in ("batch1", batch_key)}
    int8 = speedups.get("ct2_int8", {}).get(f"greedy_{batch_key}")
    print(json.dumps({
        "bench": "engines", "model": model_info(model_dir), "threads": args.threads,
        "input_tokens": INPUT_TOKENS, "new_tokens": NEW_TOKENS, "runs": args.runs,
        "sentences": {"batch1": args.single_sentences, batch_key: args.batch_sentences},
        "results": results, "speedup_vs_transformers": speedups,
        "target": f"ct2_int8 >= {TARGET_SPEEDUP}x transformers fp32, greedy, {batch_key}",
        "target_met": None if int8 is None else int8 >= TARGET_SPEEDUP}))


if __name__ == "__main__":
    main()
