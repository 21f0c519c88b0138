"""Engines compared on the architecture-exact Opus-MT base model (random weights).

For the transformers engine (fp32) and the CTranslate2 engine (float32 and int8
conversions), each in its own subprocess so peak RSS is its own: sentences/s at
batch 1 and at the scheduler's batch size (32), greedy and beam 4, median of
``--runs`` after a warm-up batch. The runs are interleaved (every engine takes its turn
at each run of each setting), so background load falls on all engines alike; the 1-min
load average at start and end is reported. Sources are NTREX-128 English sentences truncated
to 32 tokens + ``</s>``; every output is forced to 32 new tokens (transformers
``min_new_tokens = max_new_tokens``; CTranslate2 ``min_decoding_length =
max_decoding_length``), so random weights do not change the work done. Both engines
are driven through the service's own engine classes (tokenization and decoding
included), with the same thread count.

Prints one JSON line; ``target_met`` says whether CTranslate2 int8 reaches 2.5x the
transformers engine's greedy throughput at batch 32.

With ``--device cuda`` the same measurement runs on the GPU with the GPU engines:
transformers float16 and bfloat16, CTranslate2 int8_float16 (speed-ups are then
against transformers float16; ``scripts/gpu-check.sh`` runs it).

    python bench/engines.py [--threads 2] [--runs 3] [--model-dir DIR] [--device cuda]
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
GPU_ENGINES = ("transformers_fp16", "transformers_bf16", "ct2_int8_float16")
#: transformers engines: the torch dtype each runs in.
TRANSFORMERS_DTYPES = {"transformers_fp32": "float32", "transformers_fp16": "float16",
                       "transformers_bf16": "bfloat16"}


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


def prepare(model_dir: Path, engines: list[str]) -> dict[str, Path]:
    """Build the model (cached) and the CTranslate2 conversions ``engines`` need;
    returns their folders."""
    from service.engines.ct2_convert import conversion_dir, convert_model

    build_opus_base(model_dir)
    entry = _entry(model_dir)
    folders = {}
    for quantization in [e.removeprefix("ct2_") for e in engines if e.startswith("ct2_")]:
        folder = conversion_dir(model_dir, quantization)
        if not (folder / "model.bin").is_file():
            convert_model(entry, model_dir, quantization, force=True)
        folders[quantization] = folder
    return folders


# --- worker: one engine, one process ------------------------------------------------
def _load(engine: str, model_dir: Path, threads: int, device: str = "cpu") -> Any:
    from service.engines.device import Placement, configure_threads

    entry = _entry(model_dir)
    if engine in TRANSFORMERS_DTYPES:
        from service.engines.transformers_engine import TransformersEngine

        configure_threads(threads)
        return TransformersEngine.load(entry, model_dir,
                                       Placement(device, TRANSFORMERS_DTYPES[engine]))
    from service.engines.ct2_convert import conversion_dir
    from service.engines.ct2_engine import CTranslate2Engine

    quantization = engine.removeprefix("ct2_")
    return CTranslate2Engine.load(entry, conversion_dir(model_dir, quantization),
                                  device=device, compute_type=quantization,
                                  intra_threads=threads)


def _key(beams: int) -> Any:
    from service.engines.base import BatchKey, GenerationOptions

    return BatchKey("en", "uk", GenerationOptions(num_beams=beams, min_new_tokens=NEW_TOKENS,
                                                  max_new_tokens=NEW_TOKENS))


def _one_run(engine: Any, texts: list[str], batch: int, beams: int) -> dict[str, float]:
    key = _key(beams)
    started = time.perf_counter()
    outputs = [g for i in range(0, len(texts), batch)
               for g in engine.generate(texts[i:i + batch], key)]
    elapsed = time.perf_counter() - started
    return {"rate": len(texts) / elapsed,
            "tokens": statistics.mean(g.tokens for g in outputs)}


def worker(args: argparse.Namespace) -> None:
    """Load one engine, then serve the parent's requests on stdin/stdout (one JSON line
    each): ``run MODE BATCH`` times one pass (a warm-up batch first time), ``rss``
    reports memory, end of input stops."""
    import torch  # noqa: F401  (the service process always has it: count it in the baseline)

    model_dir = Path(args.model_dir)
    texts = _sources(model_dir, max(args.batch_sentences, args.single_sentences))
    before = rss_mib()["rss_mib"]
    started = time.perf_counter()
    engine = _load(args.worker, model_dir, args.threads, args.device)
    load_s = time.perf_counter() - started
    # CTranslate2 engines name a compute type, transformers engines a torch dtype.
    compute = getattr(engine, "compute_type", None) or getattr(engine, "dtype", None)
    print(json.dumps({"compute_type": compute,
                      "load_s": round(load_s, 2), "rss_before_load_mib": before,
                      "rss_after_load_mib": rss_mib()["rss_mib"]}), flush=True)
    warmed: set[tuple[int, int]] = set()
    for line in sys.stdin:
        command = line.split()
        if command[0] == "rss":
            print(json.dumps(rss_mib()), flush=True)
            continue
        beams, batch = int(command[1]), int(command[2])
        sample = texts[:args.single_sentences] if batch == 1 else texts[:args.batch_sentences]
        if (beams, batch) not in warmed:
            engine.generate(sample[:batch], _key(beams))
            warmed.add((beams, batch))
        print(json.dumps(_one_run(engine, sample, batch, beams)), flush=True)


class _Worker:
    """One engine in its own process, driven line by line."""

    def __init__(self, engine: str, args: argparse.Namespace, env: dict[str, str]) -> None:
        self.name = engine
        self.proc = subprocess.Popen(
            [sys.executable, __file__, "--worker", engine, "--model-dir", args.model_dir,
             "--threads", str(args.threads), "--batch-sentences", str(args.batch_sentences),
             "--single-sentences", str(args.single_sentences), "--device", args.device],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            text=True, env=env)
        self.info = self.ask(None)

    def ask(self, command: str | None) -> dict[str, Any]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        if command is not None:
            self.proc.stdin.write(command + "\n")
            self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise SystemExit(f"{self.name} worker died (exit {self.proc.wait()})")
        return json.loads(line)

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait()


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
    parser.add_argument("--device", choices=("cpu", "cuda"), default="cpu")
    parser.add_argument("--engines", default=None,
                        help=f"Comma-separated (default: {','.join(ENGINES)} on cpu, "
                             f"{','.join(GPU_ENGINES)} on cuda).")
    parser.add_argument("--worker", choices=ENGINES + GPU_ENGINES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return
    engines = (args.engines.split(",") if args.engines
               else list(GPU_ENGINES if args.device == "cuda" else ENGINES))
    model_dir = Path(args.model_dir)
    prepare(model_dir, engines)
    env = dict(os.environ, HF_HUB_OFFLINE="1", TOKENIZERS_PARALLELISM="false",
               TRANSFORMERS_VERBOSITY="error")
    workers = [_Worker(engine, args, env) for engine in engines]
    cells = [(beams, batch) for beams in (1, 4) for batch in (1, SCHEDULER_BATCH)]
    samples: dict[tuple[str, int, int], list[dict[str, float]]] = {}
    load_before = os.getloadavg()[0]
    # Round-robin: each run of each cell is taken from every engine back to back, so a
    # change in background load affects all engines alike.
    for _ in range(args.runs):
        for beams, batch in cells:
            for w in workers:
                samples.setdefault((w.name, beams, batch), []).append(
                    w.ask(f"run {beams} {batch}"))
    results: dict[str, Any] = {}
    for w in workers:
        row = dict(w.info)
        for beams, batch in cells:
            runs = samples[(w.name, beams, batch)]
            row.setdefault("greedy" if beams == 1 else "beam4", {})[f"batch{batch}"] = {
                "sentences_per_s": round(statistics.median(r["rate"] for r in runs), 2),
                "output_tokens_per_sentence": round(
                    statistics.mean(r["tokens"] for r in runs), 2)}
        row["peak_rss_mib"] = w.ask("rss")["peak_rss_mib"]
        w.close()
        results[w.name] = row
    batch_key = f"batch{SCHEDULER_BATCH}"
    speedups = {}
    baseline = "transformers_fp16" if args.device == "cuda" else "transformers_fp32"
    if baseline in results:
        base = results[baseline]
        for engine in results:
            if engine == baseline:
                continue
            speedups[engine] = {
                f"{mode}_{batch}": round(results[engine][mode][batch]["sentences_per_s"]
                                         / base[mode][batch]["sentences_per_s"], 2)
                for mode in ("greedy", "beam4") for batch in ("batch1", batch_key)}
    int8 = speedups.get("ct2_int8", {}).get(f"greedy_{batch_key}")
    print(json.dumps({
        "bench": "engines", "device": args.device, "model": model_info(model_dir),
        "threads": args.threads,
        "input_tokens": INPUT_TOKENS, "new_tokens": NEW_TOKENS, "runs": args.runs,
        "load_average_1m": {"start": round(load_before, 2),
                            "end": round(os.getloadavg()[0], 2)},
        "sentences": {"batch1": args.single_sentences, batch_key: args.batch_sentences},
        "results": results, "speedup_vs_transformers": speedups, "baseline": baseline,
        "target": f"ct2_int8 >= {TARGET_SPEEDUP}x transformers fp32, greedy, {batch_key}",
        "target_met": None if int8 is None else int8 >= TARGET_SPEEDUP}))


if __name__ == "__main__":
    main()
