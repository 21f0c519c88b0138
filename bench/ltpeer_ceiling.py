"""What the engine alone can do in the LibreTranslate side by side: its ceiling.

Raw CTranslate2 (no HTTP, no scheduler) on the model LibreTranslate serves in
``bench/sidebyside.sh`` (``--scenario long``: every output 256 tokens; ``realistic``:
the ``</s>``-biased model of ``bench/ltpeer_realistic.py``), decoded as both servers
decode it (beam 4; realistic: length penalty 0.2, at most 256 tokens), on the NTREX
sentences the load generator sends, with ``--lanes`` single-threaded translators (one
per core) each taking batches of 1, 2, 4, 8 and 16 sentences.

Batch 1 is LibreTranslate's way (one sentence per translator call); the best batch size
bounds what any scheduler can reach on this model and machine, so the side-by-side
ratio a server can show is at most ``best / batch 1``.

It also reports, at batch 1, how long sentences take by their output length: in the
realistic scenario most outputs end after ~10 tokens but the beam search keeps decoding
until ``beam_size`` hypotheses have finished, often to the 256-token limit, so a short
output can cost as much as a long one.

Usage (after ``bench/sidebyside.sh`` built the models)::

    python bench/ltpeer_ceiling.py --scenario realistic --sentences 64

Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ltpeer_realistic import CT2_OUT, DATA

MODELS = {"long": Path("/tmp/perf/marian-ct2-int8"), "realistic": CT2_OUT}
SPM = Path("/tmp/perf/spm_work/m.model")
BATCHES = (1, 2, 4, 8, 16)


def options(scenario: str) -> dict[str, object]:
    """Decoding of both servers in ``scenario`` (see bench/sidebyside.sh)."""
    if scenario == "long":
        return {"beam_size": 4, "max_decoding_length": 256, "min_decoding_length": 256}
    return {"beam_size": 4, "max_decoding_length": 256, "length_penalty": 0.2}


def run(translator: object, sources: list[list[str]], batch: int, lanes: int,
        decoding: dict[str, object]) -> tuple[float, list[int], list[float]]:
    """(seconds, output lengths, per-call seconds) of ``sources`` in batches of
    ``batch`` over ``lanes`` concurrent calls."""
    chunks = [sources[i:i + batch] for i in range(0, len(sources), batch)]

    def call(chunk: list[list[str]]) -> tuple[list[int], float]:
        started = time.perf_counter()
        results = translator.translate_batch(chunk, **decoding)  # type: ignore[attr-defined]
        return [len(r.hypotheses[0]) for r in results], time.perf_counter() - started

    started = time.perf_counter()
    with ThreadPoolExecutor(lanes) as pool:
        done = list(pool.map(call, chunks))
    seconds = time.perf_counter() - started
    return seconds, [n for lengths, _ in done for n in lengths], [s for _, s in done]


def main() -> None:
    import ctranslate2
    import sentencepiece as spm

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", choices=tuple(MODELS), default="realistic")
    parser.add_argument("--sentences", type=int, default=64)
    parser.add_argument("--lanes", type=int, default=2)
    args = parser.parse_args()
    sp = spm.SentencePieceProcessor(model_file=str(SPM))
    lines = [line.strip() for line in DATA.read_text("utf-8").splitlines() if line.strip()]
    sources = [sp.encode(line, out_type=str) + ["</s>"] for line in lines[:args.sentences]]
    translator = ctranslate2.Translator(str(MODELS[args.scenario]), device="cpu",
                                        compute_type="int8", inter_threads=args.lanes,
                                        intra_threads=1)
    decoding = options(args.scenario)
    translator.translate_batch(sources[:args.lanes], **decoding)  # warm-up
    rates: dict[str, float] = {}
    by_length: dict[str, float | None] = {}
    for batch in BATCHES:
        seconds, lengths, calls = run(translator, sources, batch, args.lanes, decoding)
        rates[str(batch)] = round(sum(lengths) / seconds, 1)
        if batch == 1:
            short = [s for n, s in zip(lengths, calls) if n <= 20]
            full = [s for n, s in zip(lengths, calls) if n >= 250]
            by_length = {
                "outputs_up_to_20_tokens": len(short),
                "their_median_s": round(statistics.median(short), 2) if short else None,
                "outputs_at_256": len(full),
                "their_median_s_256": round(statistics.median(full), 2) if full else None,
                "mean_output_tokens": round(statistics.fmean(lengths), 1)}
    best = max(rates, key=lambda k: rates[k])
    print(json.dumps({"bench": "ltpeer_ceiling", "scenario": args.scenario,
                      "sentences": len(sources), "lanes": args.lanes,
                      "output_tokens_per_s_by_batch": rates, "best_batch": int(best),
                      "best_over_batch1": round(rates[best] / rates["1"], 2),
                      "batch1_seconds_by_output_length": by_length}))


if __name__ == "__main__":
    main()
