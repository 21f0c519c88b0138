"""Which interactive mechanism pays on an engine: a probe of the engine alone (no HTTP).

For one engine (``--engine``), on the Opus-MT-base-shaped model of ``bench/serving.py``
(forced output length), measures:

- ``idle``: one-sentence ``generate`` latency on an idle engine;
- ``bulk_alone``: sentences/s of back-to-back bulk batches of ``--bulk-batch``;
- ``second_lane``: the same bulk loop in one thread while another thread sends one
  sentence every ``--interval`` seconds through a second concurrent ``generate`` call
  (an interactive lane): their latency and the bulk rate;
- ``short_bulk``: one lane, bulk batches of ``--short-batch`` while the single sentences
  go between them (the one-lane mechanism): latency and bulk rate.

Prints one JSON line. Usage (after ``bench/serving.py`` built its model once)::

    python bench/lanes_probe.py --engine transformers --seconds 30
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from serving import MODEL, SOURCE, TARGET, pick_sentences, prepare_model, write_registry  # noqa: E402

from service.engines.base import BatchKey  # noqa: E402
from service.engines.loader import load_by_name  # noqa: E402
from service.registry import Registry  # noqa: E402
from service.settings import Settings  # noqa: E402


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(round(0.99 * len(ordered))) - 1)]


def run(args: argparse.Namespace) -> dict:
    weights = prepare_model(args.cache, args.engine, args.data)
    registry = write_registry(args.cache, weights, args.engine, args.beams, args.out_tokens)
    settings = Settings(registry=registry, interactive_lanes=1)
    engine = load_by_name(Registry.from_settings(settings), settings, MODEL)
    key = BatchKey(SOURCE, TARGET)
    pool = pick_sentences(args.data, 256)
    engine.generate(pool[:args.bulk_batch], key)

    idle = []
    for text in pool[:args.samples]:
        started = time.perf_counter()
        engine.generate([text], key)
        idle.append(time.perf_counter() - started)

    def bulk_loop(batch: int, stop: threading.Event, done: list[int],
                  between: list[str] | None = None, lat: list[float] | None = None) -> None:
        index = 0
        while not stop.is_set():
            texts = [pool[(index + i) % len(pool)] for i in range(batch)]
            index += batch
            engine.generate(texts, key)
            done[0] += batch
            if between is not None and lat is not None and between:
                started_at, text = between.pop()
                engine.generate([text], key)
                lat.append(time.perf_counter() - started_at)

    def measure(concurrent: bool, batch: int) -> dict:
        stop, done, lat = threading.Event(), [0], []
        pending: list = []
        worker = threading.Thread(target=bulk_loop, args=(
            batch, stop, done, None if concurrent else pending, None if concurrent else lat))
        started = time.perf_counter()
        worker.start()
        while time.perf_counter() - started < args.seconds:
            text = pool[len(lat) % len(pool)]
            if concurrent:
                t = time.perf_counter()
                engine.generate([text], key)
                lat.append(time.perf_counter() - t)
            else:
                pending.append((time.perf_counter(), text))
            time.sleep(args.interval)
        stop.set()
        worker.join()
        seconds = time.perf_counter() - started
        return {"bulk_sentences_per_s": round(done[0] / seconds, 2), "n": len(lat),
                "p50_ms": round(statistics.median(lat) * 1000, 1) if lat else None,
                "p99_ms": round(p99(lat) * 1000, 1) if lat else None}

    stop, done = threading.Event(), [0]
    worker = threading.Thread(target=bulk_loop, args=(args.bulk_batch, stop, done))
    started = time.perf_counter()
    worker.start()
    time.sleep(args.seconds)
    stop.set()
    worker.join()
    alone = round(done[0] / (time.perf_counter() - started), 2)
    return {"bench": "lanes_probe", "engine": args.engine, "beams": args.beams,
            "parallel_batches": getattr(engine, "parallel_batches", 1),
            "idle_p99_ms": round(p99(idle) * 1000, 1), "bulk_alone_sentences_per_s": alone,
            "second_lane": measure(True, args.bulk_batch),
            "short_bulk": measure(False, args.short_batch)}


def main() -> None:
    from common import CACHE_DIR, DEFAULT_DATA

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=("transformers", "ctranslate2"),
                        default="transformers")
    parser.add_argument("--beams", type=int, default=1)
    parser.add_argument("--out-tokens", type=int, default=32)
    parser.add_argument("--bulk-batch", type=int, default=32)
    parser.add_argument("--short-batch", type=int, default=8)
    parser.add_argument("--interval", type=float, default=1.0)
    parser.add_argument("--samples", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--cache", type=Path, default=CACHE_DIR / "serving")
    print(json.dumps(run(parser.parse_args())))


if __name__ == "__main__":
    main()
