"""Engine ceiling: sentences/s of the engine alone (no HTTP, no scheduler) on batches
of the size the scheduler uses, on as many lanes (batches in flight) as it uses, and the peak RSS of a process that only holds the
engine (the model's own footprint).

Run in its own process by ``bench/serving.py`` (so the peak RSS is the engine's alone);
prints one JSON line, or with ``--on-request`` one per line read on stdin (the engine
loaded once, measured in rounds that ``bench/serving.py`` alternates with rounds of the
served load). Sentences come one per line in ``--sentences-file``.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from serving_load import peak_rss_mib  # noqa: E402

from service.engines.base import BatchKey, Engine  # noqa: E402
from service.engines.loader import load_by_name  # noqa: E402
from service.engines.transformers_engine import merge_generation  # noqa: E402
from service.registry import Registry  # noqa: E402
from service.settings import Settings  # noqa: E402


def effective_beams(engine: Engine, key: BatchKey) -> int:
    """The beam size ``engine`` really decodes ``key`` with (catalogue defaults merged
    with the request's options, as the engines do)."""
    decoding_options = getattr(engine, "decoding_options", None)
    if decoding_options is not None:  # CTranslate2
        return int(decoding_options(key)[0]["beam_size"])
    merged = merge_generation(engine.entry.generation, key.options)  # type: ignore[attr-defined]
    beams = merged.get("num_beams") or engine.model.generation_config.num_beams  # type: ignore[attr-defined]
    return int(beams or 1)


def bulk_lanes(engine: Engine, settings: Settings) -> int:
    """Batches the server keeps in flight for bulk work: the engine's parallel batches
    less the interactive lanes (as the scheduler reserves them)."""
    total = int(getattr(engine, "parallel_batches", 1) or 1)
    return max(1, total - min(settings.interactive_lanes, total - 1))


def items_per_call(batch: int, lanes: int, clients: int | None) -> int:
    """Items per ``generate`` call on each lane: what the scheduler gives a lane when
    ``clients`` single-sentence callers keep the queue full (their share,
    ``ceil(clients / lanes)``, at most ``batch``, the per-batch cap); without
    ``clients``, ``batch`` items shared over the lanes."""
    if clients:
        return min(batch, math.ceil(clients / lanes))
    return math.ceil(batch / lanes)


class CeilingRig:
    """The engine loaded as the server loads it, warmed up, with the calls it times:
    ``sentences`` cut into ``items_per_call`` chunks, run on the engine's bulk lanes
    (one thread per lane)."""

    def __init__(self, registry: Path, model: str, sentences: list[str], batch: int,
                 source: str, target: str, out_tokens: int, clients: int | None = None):
        from concurrent.futures import ThreadPoolExecutor

        settings = Settings(registry=registry)
        self.engine = load_by_name(Registry.from_settings(settings), settings, model)
        self.lanes = bulk_lanes(self.engine, settings)
        self.per_lane = items_per_call(batch, self.lanes, clients)
        # The key the server builds for a plain request (no per-request options).
        self.key = BatchKey(source, target)
        self.sentences, self.batch, self.out_tokens = sentences, batch, out_tokens
        self.chunks = [sentences[i:i + self.per_lane]
                       for i in range(0, len(sentences), self.per_lane)]
        self.pool = ThreadPoolExecutor(max_workers=self.lanes)
        list(self.pool.map(self._generate, self.chunks[:self.lanes]))  # warm-up

    def _generate(self, texts: list[str]) -> list:
        return self.engine.generate(texts, self.key)

    def measure(self) -> dict:
        """One timed pass over the sentences; JSON-ready figures."""
        import os

        started, cpu_started = time.perf_counter(), time.process_time()
        outputs = list(self.pool.map(self._generate, self.chunks))
        seconds = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        lengths = [g.tokens for out in outputs for g in out]
        rate = len(self.sentences) / seconds
        engine = self.engine
        return {"sentences": len(self.sentences), "batch": self.batch, "lanes": self.lanes,
                "items_per_call": self.per_lane, "seconds": round(seconds, 2),
                "sentences_per_s": round(rate, 2),
                "output_tokens_per_s": round(sum(lengths) / seconds, 1),
                "cpu_s": round(cpu, 2),
                "sentences_per_cpu_s": round(len(self.sentences) / cpu, 2),
                "forced_lengths_ok": all(n == self.out_tokens for n in lengths),
                "effective_beams": effective_beams(engine, self.key),
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
    parser.add_argument("--clients", type=int, default=None,
                        help="Closed-loop clients whose batches to reproduce (each lane "
                             "takes min(batch, clients / lanes) items per call).")
    parser.add_argument("--on-request", action="store_true",
                        help="Load once, then measure once per line read on stdin "
                             "(one JSON line each) until stdin closes: lets "
                             "bench/serving.py alternate ceiling and served rounds.")
    args = parser.parse_args()
    sentences = [s for s in args.sentences_file.read_text("utf-8").splitlines() if s]
    rig = CeilingRig(args.registry, args.model, sentences, args.batch, args.source,
                     args.target, args.out_tokens, args.clients)
    if not args.on_request:
        print(json.dumps(rig.measure()))
        return
    print(json.dumps({"ready": True}), flush=True)
    for _ in sys.stdin:
        print(json.dumps(rig.measure()), flush=True)


if __name__ == "__main__":
    main()
