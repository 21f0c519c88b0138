"""Batch throughput: documents per second of ``newsroom-mt batch translate`` in-process,
against the same work sent one document at a time, measured in the same run.

- Model: a random-weight Marian of the exact Opus-MT base architecture with an
  NTREX-trained tokenizer (``bench/common.py``), served as en->uk; the benchmark
  catalogue pins ``min_new_tokens = max_new_tokens = --out-tokens`` so every sentence
  costs the same whatever the random weights say.
- Workload: NTREX-128 English articles, rebuilt from ``document_ids.tsv`` (one line per
  paragraph), written as a JSONL export.
- ``batched``: the batch runner exactly as the CLI drives it (records in flight:
  2 x max_batch_items, priority -1, journal with fsync), so sentences of many
  documents share each model batch.
- ``one_at_a_time``: the same runner and runtime with one document in flight (each
  document's own sentences still form a batch: the usual way to loop over a corpus
  calling a translate API per article).

A warm-up document runs first (untimed). Prints one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import yaml  # noqa: E402
from common import CACHE_DIR, DEFAULT_DATA, build_opus_base, model_info, ntrex_articles, rss_mib  # noqa: E402

MODEL = "bench-opus-en-uk"


def write_registry(folder: Path, weights: Path, out_tokens: int) -> Path:
    """One en->uk entry, greedy, every output exactly ``out_tokens`` long."""
    entry = {"path": str(weights), "family": "marian", "task": "translate",
             "directions": ["en-uk"], "licence": "apache-2.0", "commercial": True,
             "engine": "transformers",
             "generation": {"num_beams": 1, "min_new_tokens": out_tokens,
                            "max_new_tokens": out_tokens}}
    path = folder / "registry.yaml"
    path.write_text(yaml.safe_dump({"version": 1, "models": {MODEL: entry}}), "utf-8")
    return path


async def measure(settings: Any, articles: list[str], work: Path,
                  concurrencies: dict[str, int]) -> dict[str, Any]:
    """Run the batch runner over ``articles`` once per concurrency, sharing one runtime."""
    from service.batch_jobs.inputs import InputOptions, iter_records
    from service.batch_jobs.journal import Journal
    from service.batch_jobs.processors import LocalProcessor, Task
    from service.batch_jobs.runner import BatchRunner, RunConfig
    from service.workflows.runtime import Runtime

    export = work / "articles.jsonl"
    export.write_text("".join(json.dumps({"id": f"doc{i}", "text": text}) + "\n"
                              for i, text in enumerate(articles)), "utf-8")
    task = Task(translate_to=("uk",), source="en")
    processor = LocalProcessor(Runtime(settings), task)
    await processor.process(articles[0], "text")  # warm-up: load, first batch
    engine = processor.runtime.models.handle(MODEL).engine
    sentences = 0
    original = engine.generate

    def counting(texts: Any, key: Any) -> Any:
        nonlocal sentences
        sentences += len(texts)
        return original(texts, key)

    engine.generate = counting  # type: ignore[method-assign]
    results: dict[str, Any] = {}
    try:
        for name, concurrency in concurrencies.items():
            sentences = 0
            config = RunConfig(task=task, concurrency=concurrency,
                               max_chars=settings.max_chars_per_text)
            refs = list(iter_records([str(export)], InputOptions(max_chars=config.max_chars)))
            out = Journal.open(work / f"{name}.jsonl", fresh=True)
            errors = Journal.open(work / f"{name}.errors.jsonl", fresh=True)
            started = time.perf_counter()
            stats = await BatchRunner(processor, config, out, errors).run(refs)
            seconds = time.perf_counter() - started
            out.close()
            errors.close()
            results[name] = {"concurrency": concurrency, "documents": stats.done,
                             "failed": stats.failed, "seconds": round(seconds, 2),
                             "documents_per_s": round(stats.done / seconds, 3),
                             "sentences_per_s": round(sentences / seconds, 2)}
    finally:
        await processor.aclose()
    results["sentences"] = sentences
    return results


def main(argv: list[str] | None = None) -> None:
    """Parse options, build the model once, measure, print one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=40,
                        help="NTREX articles to translate (0: all 123).")
    parser.add_argument("--out-tokens", type=int, default=32,
                        help="Output tokens per sentence (forced).")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--cache", type=Path, default=CACHE_DIR)
    parser.add_argument("--max-batch-items", type=int, default=32)
    args = parser.parse_args(argv)

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    from service.logs import quiet_hf_progress
    from service.settings import Settings

    quiet_hf_progress()
    weights = build_opus_base(args.cache / "opus-base", data_dir=args.data)
    articles = ntrex_articles(args.articles, data_dir=args.data)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        settings = Settings(registry=write_registry(work, weights, args.out_tokens),
                            languages=["en", "uk"], max_batch_items=args.max_batch_items,
                            request_timeout_s=3600)
        results = asyncio.run(measure(settings, articles, work, {
            "batched": 2 * args.max_batch_items, "one_at_a_time": 1}))
    batched, single = results["batched"], results["one_at_a_time"]
    import torch

    print(json.dumps({
        "bench": "batch", "task": "translate en->uk", "engine": "transformers fp32 greedy",
        "model": model_info(weights), "articles": len(articles),
        "sentences": results["sentences"], "out_tokens_per_sentence": args.out_tokens,
        "max_batch_items": args.max_batch_items, "threads": torch.get_num_threads(),
        "cpus": os.cpu_count(), "batched": batched, "one_at_a_time": single,
        "speedup": round(batched["documents_per_s"] / single["documents_per_s"], 2),
        **rss_mib()}))


if __name__ == "__main__":
    main()
