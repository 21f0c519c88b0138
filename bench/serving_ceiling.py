"""Engine ceiling: sentences/s of the engine alone (no HTTP, no scheduler) on batches
of the size the scheduler uses, and the peak RSS of a process that only holds the
engine (the model's own footprint).

Run in its own process by ``bench/serving.py`` (so the peak RSS is the engine's alone);
prints one JSON line. Sentences come one per line in ``--sentences-file``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from service.engines.base import BatchKey  # noqa: E402
from service.engines.manager import ModelManager  # noqa: E402
from service.registry import Registry  # noqa: E402
from service.settings import Settings  # noqa: E402
from serving_load import peak_rss_mib  # noqa: E402


def measure(registry: Path, model: str, sentences: list[str], batch: int, source: str,
            target: str, out_tokens: int) -> dict:
    """Load the engine as the server does, warm it up with one batch, then time
    ``generate`` over ``sentences`` in batches of ``batch`` (in the given order)."""
    import os

    settings = Settings(registry=registry)
    engine = ModelManager(Registry.from_settings(settings), settings).get(model)
    key = BatchKey(source, target)
    engine.generate(sentences[:batch], key)
    started, cpu_started = time.perf_counter(), time.process_time()
    lengths: list[int] = []
    for start in range(0, len(sentences), batch):
        lengths.extend(g.tokens for g in engine.generate(sentences[start:start + batch], key))
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    rate = len(sentences) / seconds
    return {"sentences": len(sentences), "batch": batch, "seconds": round(seconds, 2),
            "sentences_per_s": round(rate, 2),
            "output_tokens_per_s": round(sum(lengths) / seconds, 1),
            "cpu_s": round(cpu, 2), "sentences_per_cpu_s": round(len(sentences) / cpu, 2),
            "forced_lengths_ok": all(n == out_tokens for n in lengths),
            "compute_type": getattr(engine, "compute_type", getattr(engine, "dtype", None)),
            "device": engine.device,
            "peak_rss_mib": peak_rss_mib(os.getpid())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--registry", type=Path, required=True)
    parser.add_argument("--model", required=True)
    parser.add_argument("--sentences-file", type=Path, required=True)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--source", default="en")
    parser.add_argument("--target", default="uk")
    parser.add_argument("--out-tokens", type=int, default=32)
    args = parser.parse_args()
    sentences = [s for s in args.sentences_file.read_text("utf-8").splitlines() if s]
    print(json.dumps(measure(args.registry, args.model, sentences, args.batch, args.source,
                             args.target, args.out_tokens)))


if __name__ == "__main__":
    main()
