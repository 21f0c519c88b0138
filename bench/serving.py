"""Serving throughput, latency and memory of newsroom-mt against the engine's ceiling
and against one-request-at-a-time serving (the peers' way).

One run, one engine configuration (``--engine``, ``--beams``), or ``--all`` for the
matrix (transformers greedy, CTranslate2 int8 greedy and beam 4; each in its own server
processes). Steps:

1. a random-weight model of the exact Opus-MT base architecture with an NTREX-trained
   tokenizer (``bench/common.py``), converted to CTranslate2 int8 if asked;
   the benchmark catalogue pins ``min_new_tokens = max_new_tokens = --out-tokens``, so
   every output has the same length whatever the random weights say;
2. ``engine_ceiling``: the engine alone on the batches the scheduler forms for 32
   closed-loop clients (each bulk lane ``min(max_batch_items, 32 / lanes)`` items per
   call: 16 on CTranslate2's two lanes, 32 on the transformers bulk lane) in its own
   process, whose peak RSS is the model's footprint; measured once before the server
   starts and again in every pair of step 3b (its rates: the median of the rounds);
3. ``served``: the real server (``python -m service serve`` on 127.0.0.1) under 1, 8,
   32 and 64 closed-loop clients sending one NTREX sentence per request, and 4 clients
   sending 16-sentence requests; then (3b) ``--pairs`` adjacent rounds of the ceiling
   and of the 32-client load: served32/ceiling is the median of their ratios, the
   served rate taken in the load's steady state (its first and last round of callers
   left out), so the machine's drift between distant measurements is not read as
   serving overhead;
4. ``interactive_under_bulk``: one-sentence latency idle and while one request of
   ``--bulk-articles`` NTREX articles runs;
5. ``naive``: the same loads against ``bench/serving_naive.py`` (same model, one
   request at a time), started while the real server is still loaded and idle; then
   (5b) ``--pairs`` adjacent rounds of the real server and of the one-at-a-time server at
   32 clients: served32/one-at-a-time is the median of their ratios, whole loads on both
   sides (the single 32-client levels' ratio, minutes apart, is kept beside it);
6. memory: peak RSS (VmHWM) of the server process.

Prints one JSON line. Request counts are modest (a run takes a few minutes on 2 cores):
compare ratios within one run, not absolute numbers across machines.

``--sidebyside long|realistic|both`` runs instead the LibreTranslate side by side
(``bench/sidebyside.sh``: the real LibreTranslate 1.9.6 and newsroom-mt with its
defaults on the same random Opus-MT-base weights, CTranslate2 int8, beam 4, 32
closed-loop clients): ``long`` forces 256 output tokens, ``realistic`` serves a model
whose ``</s>`` logit rises with the position, so outputs end after ~40 tokens and the
four beams of a sentence end together (``bench/ltpeer_realistic.py``). Targets: >= 1.3x
(long) and >= 2.5x (realistic) LibreTranslate's output tokens/s, 0 failed requests,
all cores busy. The first run builds LibreTranslate's venv (~30 min).

The issue-11 figures, each the median of three runs on a quiet machine::

    python bench/serving.py --all                 # transformers + CTranslate2 ratios
    python bench/serving.py --sidebyside both     # against LibreTranslate

The runs quoted in docs/engines.md (from 2026-12-04): ``--engine transformers
--interactive-interval 5`` and ``--engine ctranslate2 --interactive-interval 2`` (at one
headline a second, the default, the CTranslate2 headlines' own CPU is ~17 % of the
machine, so the bulk cost cannot stay under 0.15 whatever the scheduler does: see
``throughput_cost_floor``).

Short smoke run (a busy machine): ``python bench/serving.py --engine ctranslate2
--sentences 64 --single-sentences 4 --samples 5 --bulk-articles 3 --skip-naive``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import yaml  # noqa: E402
from common import CACHE_DIR, DEFAULT_DATA, build_opus_base, model_info, ntrex_articles, read_ntrex  # noqa: E402
from serving_load import (  # noqa: E402
    REPO,
    ServerProcess,
    bench_env,
    closed_loop,
    free_port,
    interactive_under_bulk,
    naive_server,
    real_server,
)

from service.settings import Settings  # noqa: E402

MODEL = "bench-opus-en-uk"
SOURCE, TARGET = "en", "uk"
#: Client counts of the one-sentence loads.
LEVELS = (1, 8, 32, 64)
#: The load level compared with the engine ceiling (served32/ceiling): the ceiling runs
#: the batches the scheduler forms for this many closed-loop clients.
CEILING_CLIENTS = 32
#: The one-at-a-time server's engine: one CTranslate2 translator on all the cores
#: (LibreTranslate's way), not the lanes of one thread each that serve batches in parallel.
NAIVE_ENV = {"NEWSROOM_CT2_INTER_THREADS": "1", "NEWSROOM_INTERACTIVE_LANES": "0"}
#: The multi-sentence load: clients x sentences per request.
MULTI_CLIENTS, MULTI_SIZE = 4, 16
#: Matrix of ``--all``: (engine, beams).
MATRIX = (("transformers", 1), ("ctranslate2", 1), ("ctranslate2", 4))
#: Real LibreTranslate 1.9.6 (CTranslate2 int8, beam 4, one request at a time) at 32
#: concurrent clients on this machine type, output tokens/s (issue 8).
LIBRETRANSLATE_TOKENS_PER_S = 270.0


# --- model and catalogue ----------------------------------------------------------------

def prepare_model(cache: Path, engine: str, data_dir: Path) -> Path:
    """Build (once) the Opus-MT-base-shaped model; convert it to CTranslate2 int8 (once)
    when ``engine`` is ctranslate2. Returns the weights folder."""
    weights = build_opus_base(cache / "opus-base", data_dir=data_dir)
    if engine == "ctranslate2":
        from service.engines.ct2_convert import conversion_dir, convert_model
        from service.registry import Registry

        if not (conversion_dir(weights, "int8") / "model.bin").is_file():
            registry = Registry.load(write_registry(cache, weights, engine, 1, 32))
            convert_model(registry.get(MODEL), weights, "int8", force=True)
    return weights


def write_registry(cache: Path, weights: Path, engine: str, beams: int,
                   out_tokens: int) -> Path:
    """The benchmark catalogue: one en->uk Marian entry with forced output lengths."""
    entry = {"path": str(weights), "family": "marian", "task": "translate",
             "directions": [f"{SOURCE}-{TARGET}"], "licence": "apache-2.0",
             "commercial": True, "engine": engine,
             "generation": {"num_beams": beams, "min_new_tokens": out_tokens,
                            "max_new_tokens": out_tokens}}
    path = cache / f"registry-{engine}-beam{beams}.yaml"
    path.write_text(yaml.safe_dump({"version": 1, "models": {MODEL: entry}}), "utf-8")
    return path


# --- workload ---------------------------------------------------------------------------

def pick_sentences(data_dir: Path, count: int, seed: int = 0) -> list[str]:
    """``count`` NTREX English lines that are one sentence each (so one request of one
    line is exactly one model input), in a seeded random order."""
    from service.text.sentences import split_sentences

    lines = read_ntrex("eng.txt", data_dir)
    random.Random(seed).shuffle(lines)
    picked = []
    for line in lines:
        if len(split_sentences(line, SOURCE)) == 1:
            picked.append(line)
            if len(picked) == count:
                break
    return picked


def mean_source_tokens(weights: Path, sentences: list[str]) -> float:
    """Mean source length in tokens (``</s>`` included) under the model's tokenizer."""
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(weights))
    return round(sum(len(tokenizer(s)["input_ids"]) for s in sentences) / len(sentences), 1)


def requests_for(sentences: list[str], count: int, size: int) -> list[list[str]]:
    """``count`` sentences (cycling the pool) cut into requests of ``size``."""
    texts = [sentences[i % len(sentences)] for i in range(count)]
    return [texts[i:i + size] for i in range(0, len(texts), size)]


# --- measurements -----------------------------------------------------------------------

class CeilingProcess:
    """``bench/serving_ceiling.py --on-request`` in its own process (so its peak RSS is
    the engine's alone): the engine loaded once, measured whenever :meth:`measure` asks,
    so ceiling rounds can alternate with served rounds."""

    def __init__(self, cache: Path, registry: Path, sentences: list[str], batch: int,
                 out_tokens: int):
        sentences_file = cache / "ceiling-sentences.txt"
        sentences_file.write_text("\n".join(sentences) + "\n", "utf-8")
        self.log_path = cache / "ceiling.log"
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, str(REPO / "bench" / "serving_ceiling.py"), "--registry",
                 str(registry), "--model", MODEL, "--sentences-file", str(sentences_file),
                 "--batch", str(batch), "--source", SOURCE, "--target", TARGET,
                 "--out-tokens", str(out_tokens), "--clients", str(CEILING_CLIENTS),
                 "--on-request"],
                env=bench_env(), cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=log, text=True)
        self._read()  # {"ready": true} once loaded and warmed up

    def _read(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            self.close()
            tail = self.log_path.read_text("utf-8", errors="replace")[-3000:]
            raise RuntimeError(f"engine ceiling failed:\n{tail}")
        return json.loads(line)

    def measure(self) -> dict[str, Any]:
        """One ceiling round (``bench/serving_ceiling.py``'s JSON figures)."""
        assert self.process.stdin is not None
        self.process.stdin.write("\n")
        self.process.stdin.flush()
        return self._read()

    def close(self) -> None:
        """Let the process exit (stdin closed), killing it if it does not."""
        if self.process.poll() is None:
            assert self.process.stdin is not None
            self.process.stdin.close()
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def alternating_rounds(first: Callable[[], dict[str, Any]],
                       second: Callable[[], dict[str, Any]],
                       pairs: int) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """``pairs`` pairs of adjacent rounds, (first's figures, second's): first then second,
    and the other way round every other pair, so a steady drift favours neither."""
    rounds = []
    for index in range(pairs):
        if index % 2 == 0:
            a = first()
            b = second()
        else:
            b = second()
            a = first()
        rounds.append((a, b))
    return rounds


def _median_ratio(rounds: list[tuple[dict[str, Any], dict[str, Any]]], top: str,
                  bottom: str) -> float | None:
    """Median over the rounds of first[top] / second[bottom]."""
    values = [a[top] / b[bottom] for a, b in rounds if a.get(top) and b.get(bottom)]
    return round(statistics.median(values), 3) if values else None


def paired_rounds(server: ServerProcess, ceiling: CeilingProcess,
                  requests: list[list[str]], pairs: int, out_tokens: int) -> dict[str, Any]:
    """served32/ceiling from ``pairs`` pairs of adjacent rounds: the server at
    CEILING_CLIENTS closed-loop clients and the engine alone, each over the same sentences.

    The speed of a shared 2-core machine drifts within minutes (the same ceiling
    used 36.7 and 50.8 CPU seconds in two runs of one day, the engine's CPU per
    sentence inside the server moved from 42.7 to 50.1 ms between two runs of the same
    load): a ratio of rounds seconds apart reads serving overhead, not that drift.
    The served rate is the load's steady state (its first and last rounds of callers
    left out, see ``LoadResult.steady_sentences_per_s``); the whole-load rate is kept
    beside it."""
    rounds = alternating_rounds(
        lambda: measure_load(server, requests, CEILING_CLIENTS, out_tokens, batch_metrics=True),
        ceiling.measure, pairs)
    return {
        "pairs": pairs, "clients": CEILING_CLIENTS,
        "ceiling_sentences_per_s": [c["sentences_per_s"] for _, c in rounds],
        "served_steady_sentences_per_s": [s["steady_sentences_per_s"] for s, _ in rounds],
        "served_sentences_per_s": [s["sentences_per_s"] for s, _ in rounds],
        "served_mean_batch_size": [s.get("mean_batch_size") for s, _ in rounds],
        "served_client_cpu_s": [s["client_cpu_s"] for s, _ in rounds],
        "served_over_ceiling": _median_ratio(rounds, "steady_sentences_per_s",
                                             "sentences_per_s"),
        "served_whole_load_over_ceiling": _median_ratio(rounds, "sentences_per_s",
                                                        "sentences_per_s"),
        "served_over_ceiling_per_cpu_s": _median_ratio(rounds, "sentences_per_server_cpu_s",
                                                       "sentences_per_cpu_s"),
        "ceiling_runs": [c for _, c in rounds],
    }


def naive_paired_rounds(server: ServerProcess, peer: ServerProcess,
                        requests: list[list[str]], naive_requests: list[list[str]],
                        pairs: int, out_tokens: int) -> dict[str, Any]:
    """served32/one-at-a-time from ``pairs`` pairs of adjacent rounds at CEILING_CLIENTS
    closed-loop clients: the server, then the one-at-a-time server (both loaded, the other
    idle), for the same reason as :func:`paired_rounds`. The ratio is of whole loads
    (ramp and tail of the served load included), so it does not favour the server."""
    rounds = alternating_rounds(
        lambda: measure_load(server, requests, CEILING_CLIENTS, out_tokens, batch_metrics=True),
        lambda: measure_load(peer, naive_requests, CEILING_CLIENTS, out_tokens,
                             batch_metrics=False),
        pairs)
    return {
        "pairs": pairs, "clients": CEILING_CLIENTS,
        "served_sentences_per_s": [s["sentences_per_s"] for s, _ in rounds],
        "served_steady_sentences_per_s": [s["steady_sentences_per_s"] for s, _ in rounds],
        "naive_sentences_per_s": [n["sentences_per_s"] for _, n in rounds],
        "served_over_naive": _median_ratio(rounds, "sentences_per_s", "sentences_per_s"),
        "served_steady_over_naive": _median_ratio(rounds, "steady_sentences_per_s",
                                                  "sentences_per_s"),
    }


def _client_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _batch_totals(url: str) -> tuple[float, float]:
    """(sum, count) of the server's ``newsroom_batch_size`` histogram."""
    import re

    import httpx

    text = httpx.get(url + "/metrics", timeout=30).text
    total = sum(float(v) for v in re.findall(r"^newsroom_batch_size_sum\{[^}]*\}\s+(\S+)$",
                                             text, re.M))
    count = sum(float(v) for v in re.findall(r"^newsroom_batch_size_count\{[^}]*\}\s+(\S+)$",
                                             text, re.M))
    return total, count


def measure_load(server: ServerProcess, requests: list[list[str]], clients: int,
                 out_tokens: int, batch_metrics: bool) -> dict[str, Any]:
    """One closed-loop load against ``server``; its figures.

    Besides wall-clock rates, ``sentences_per_server_cpu_s`` divides by the server's
    own CPU time: it moves less than wall time when other processes share the cores."""
    url = server.url
    before = _batch_totals(url) if batch_metrics else None
    cpu, server_cpu = _client_cpu(), server.cpu_seconds()
    result = asyncio.run(closed_loop(url, requests, clients, SOURCE, TARGET))
    figures = result.summary(out_tokens)
    figures["client_cpu_s"] = round(_client_cpu() - cpu, 2)
    used = server.cpu_seconds()
    if used is not None and server_cpu is not None and used > server_cpu:
        figures["server_cpu_s"] = round(used - server_cpu, 2)
        figures["sentences_per_server_cpu_s"] = round(result.sentences
                                                      / (used - server_cpu), 2)
    if before is not None:
        after = _batch_totals(url)
        batches = after[1] - before[1]
        figures["mean_batch_size"] = round((after[0] - before[0]) / batches, 1) \
            if batches else None
    return figures


def run_loads(server: ServerProcess, loads: dict[str, list[list[str]]],
              clients: dict[str, int], out_tokens: int, batch_metrics: bool) -> dict[str, Any]:
    """Each named load in turn (after a short warm-up); figures per load."""
    warmup = [request[:1] for request in next(iter(loads.values()))][:8]
    asyncio.run(closed_loop(server.url, warmup, len(warmup), SOURCE, TARGET))
    return {name: measure_load(server, requests, clients[name], out_tokens, batch_metrics)
            for name, requests in loads.items()}


def run_config(args: argparse.Namespace, engine: str, beams: int) -> dict[str, Any]:
    """Every measurement for one (engine, beams) configuration."""
    # Other processes on the machine distort every figure: record how busy it was.
    args.load_start = round(os.getloadavg()[0], 2)
    cache: Path = args.cache
    cache.mkdir(parents=True, exist_ok=True)
    weights = prepare_model(cache, engine, args.data)
    registry = write_registry(cache, weights, engine, beams, args.out_tokens)
    pool = pick_sentences(args.data, max(args.sentences, 2 * max(LEVELS)))
    batch = args.max_batch_items

    loads: dict[str, list[list[str]]] = {}
    naive_loads: dict[str, list[list[str]]] = {}
    clients: dict[str, int] = {}
    for level in LEVELS:
        count = args.single_sentences if level == 1 else max(args.sentences, 2 * level)
        loads[str(level)] = requests_for(pool, count, 1)
        naive_count = args.single_sentences if level == 1 else max(args.naive_sentences, level)
        naive_loads[str(level)] = requests_for(pool, naive_count, 1)
        clients[str(level)] = level
    multi = f"{MULTI_CLIENTS}x{MULTI_SIZE}"
    loads[multi] = requests_for(pool, 2 * MULTI_CLIENTS * MULTI_SIZE, MULTI_SIZE)
    naive_loads[multi] = requests_for(pool, MULTI_CLIENTS * MULTI_SIZE, MULTI_SIZE)
    clients[multi] = MULTI_CLIENTS

    ceiling_sentences = pool[:max(args.sentences, batch)]
    ceiling_process = CeilingProcess(cache, registry, ceiling_sentences, batch, args.out_tokens)
    try:
        first_ceiling = ceiling_process.measure()  # before the server exists
        measured = serve_and_measure(args, engine, beams, registry, loads, naive_loads,
                                     clients, pool, ceiling_process)
    finally:
        ceiling_process.close()
    ceiling = ceiling_summary(first_ceiling, measured["pairs"])
    return report(args, engine, beams, weights, pool, ceiling, measured)


def serve_and_measure(args: argparse.Namespace, engine: str, beams: int, registry: Path,
                      loads: dict[str, list[list[str]]],
                      naive_loads: dict[str, list[list[str]]], clients: dict[str, int],
                      pool: list[str], ceiling_process: CeilingProcess) -> dict[str, Any]:
    """Start the real server; the load levels, the paired served/ceiling rounds,
    interactive-under-bulk, then (unless ``--skip-naive``) the one-at-a-time server's
    loads and the paired served/one-at-a-time rounds. Figures by name."""
    batch = args.max_batch_items
    # The bulk request of 50 articles runs past the default 120 s deadline when other
    # processes share the cores; the benchmark measures latency, not deadlines.
    server_env = {"NEWSROOM_MAX_BATCH_ITEMS": str(batch), "NEWSROOM_REQUEST_TIMEOUT_S": "1800"}
    if args.max_wait_ms is not None:
        server_env["NEWSROOM_MAX_WAIT_MS"] = str(args.max_wait_ms)
    for pair in args.server_env:
        name, sep, value = pair.partition("=")
        if not sep or not name.startswith("NEWSROOM_"):
            sys.exit(f"--server-env {pair!r}: expected NEWSROOM_NAME=VALUE")
        server_env[name] = value

    server = real_server(registry, MODEL, free_port(), args.cache / f"server-{engine}-{beams}.log",
                         server_env)
    server.start()
    try:
        measured: dict[str, Any] = {
            "served": run_loads(server, loads, clients, args.out_tokens, batch_metrics=True)}
        measured["pairs"] = paired_rounds(server, ceiling_process, loads[str(CEILING_CLIENTS)],
                                          args.pairs, args.out_tokens)
        measured["interactive"] = asyncio.run(interactive_under_bulk(
            server.url, pool, ntrex_articles(args.bulk_articles, joiner=" ", data_dir=args.data),
            SOURCE, TARGET, args.samples, args.interactive_interval, server.cpu_seconds))
        measured["server_rss"] = server.peak_rss_mib()
        measured.update(naive_and_paired(args, engine, beams, registry, server,
                                         loads, naive_loads, clients))
        return measured
    finally:
        server.stop()


def naive_and_paired(args: argparse.Namespace, engine: str, beams: int, registry: Path,
                     server: ServerProcess, loads: dict[str, list[list[str]]],
                     naive_loads: dict[str, list[list[str]]],
                     clients: dict[str, int]) -> dict[str, Any]:
    """The one-at-a-time server's loads, then its rounds paired with the (idle, still
    loaded) real server's at CEILING_CLIENTS clients; empty with ``--skip-naive``."""
    if args.skip_naive:
        return {"naive": {}, "naive_pairs": {}, "naive_rss": None}
    peer = naive_server(registry, MODEL, free_port(), args.cache / f"naive-{engine}-{beams}.log",
                        NAIVE_ENV)
    peer.start()
    try:
        naive = run_loads(peer, naive_loads, clients, args.out_tokens, batch_metrics=False)
        level = str(CEILING_CLIENTS)
        naive_pairs = naive_paired_rounds(server, peer, loads[level], naive_loads[level],
                                          args.pairs, args.out_tokens)
        return {"naive": naive, "naive_pairs": naive_pairs, "naive_rss": peer.peak_rss_mib()}
    finally:
        peer.stop()


def ceiling_summary(first: dict[str, Any], pairs: dict[str, Any]) -> dict[str, Any]:
    """The engine ceiling: the round before the server started, with the median of all
    rounds as its rates and the largest peak RSS."""
    runs = [first, *pairs["ceiling_runs"]]
    combined = dict(first)
    for name in ("sentences_per_s", "output_tokens_per_s", "sentences_per_cpu_s"):
        values = [run[name] for run in runs]
        combined[name] = round(statistics.median(values), 2)
        combined[f"{name}_runs"] = values
    combined["peak_rss_mib"] = max(run["peak_rss_mib"] for run in runs)
    return combined


def _ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 3) if a is not None and b else None


def report(args: argparse.Namespace, engine: str, beams: int, weights: Path,
           pool: list[str], ceiling: dict[str, Any], measured: dict[str, Any]) -> dict[str, Any]:
    """The JSON-ready result of one configuration, with the issue's ratios and targets.

    served32/ceiling and served32/one-at-a-time are medians over paired rounds
    (``paired_rounds``, ``naive_paired_rounds``), not the 32-client levels of ``served``
    and ``naive``: those are single loads minutes apart, on a VM whose speed drifts."""
    served, pairs, interactive = measured["served"], measured["pairs"], measured["interactive"]
    naive, naive_pairs = measured["naive"], measured["naive_pairs"]
    server_rss, naive_rss = measured["server_rss"], measured["naive_rss"]
    s32 = served["32"]["sentences_per_s"]
    ratios = {
        "served32_over_ceiling": pairs["served_over_ceiling"],
        "served32_whole_load_over_ceiling": pairs["served_whole_load_over_ceiling"],
        "served32_over_ceiling_per_cpu_s": pairs["served_over_ceiling_per_cpu_s"],
        "served32_over_naive32": naive_pairs.get("served_over_naive"),
        # The single 32-client levels, minutes apart (the ratio reported before the pairs).
        "served32_over_naive32_levels": _ratio(s32, naive.get("32", {}).get("sentences_per_s")),
        "interactive_p99_bulk_over_idle": _ratio(interactive["under_bulk"]["p99_ms"],
                                                 interactive["idle"]["p99_ms"]),
        "bulk_throughput_cost_of_interactive": interactive["bulk"]["throughput_cost"],
        # What the interactive requests' own CPU costs a saturated machine: the part of
        # the bulk cost no scheduler can avoid.
        "bulk_throughput_cost_floor": interactive["bulk"]["throughput_cost_floor"],
        "server_rss_over_engine_alone": _ratio(server_rss, ceiling["peak_rss_mib"]),
    }
    targets = {
        "served32_over_ceiling>=0.85": _meets(ratios["served32_over_ceiling"], 0.85),
        "served32_over_naive32>=8": _meets(ratios["served32_over_naive32"], 8),
        "interactive_p99_bulk<=3x_idle": _meets_below(
            ratios["interactive_p99_bulk_over_idle"], 3),
        "bulk_throughput_cost<=0.15": _meets_below(
            ratios["bulk_throughput_cost_of_interactive"], 0.15),
        "server_rss<=1.5x_engine_alone": _meets_below(ratios["server_rss_over_engine_alone"],
                                                       1.5),
    }
    if beams == 4 and engine == "ctranslate2":
        tokens = served["32"]["output_tokens_per_s"]
        ratios["served32_tokens_over_libretranslate_270"] = _ratio(
            tokens, LIBRETRANSLATE_TOKENS_PER_S)
        targets["served32_tokens>=2.5x_libretranslate"] = _meets(
            ratios["served32_tokens_over_libretranslate_270"], 2.5)
    return {
        "bench": "serving", "engine": engine, "beams": beams,
        # What the engine really decodes with for a plain request: differs from
        # ``beams`` if per-request defaults override the catalogue's num_beams.
        "beams_effective": ceiling.get("effective_beams"),
        "compute_type": ceiling.get("compute_type"), "device": ceiling.get("device"),
        "model": {"dir": str(weights), **model_info(weights)},
        "cpus": os.cpu_count(), "load_average_1m": {"start": args.load_start,
                                                    "end": round(os.getloadavg()[0], 2)},
        "out_tokens": args.out_tokens,
        "mean_source_tokens": mean_source_tokens(weights, pool),
        "max_batch_items": args.max_batch_items,
        "max_wait_ms": args.max_wait_ms if args.max_wait_ms is not None
        else Settings.model_fields["max_wait_ms"].default,
        "engine_ceiling": ceiling, "served": served,
        "served32_and_ceiling_paired": {k: v for k, v in pairs.items() if k != "ceiling_runs"},
        "naive": naive,
        "served32_and_naive32_paired": naive_pairs,
        "naive_kind": "bench/serving_naive.py: one request at a time under a lock, "
                      "each request's texts in one generate call (CTranslate2: one "
                      "translator on all cores)",
        "interactive_under_bulk": interactive,
        "memory": {"server_peak_rss_mib": server_rss,
                   "engine_alone_peak_rss_mib": ceiling.get("peak_rss_mib"),
                   "naive_server_peak_rss_mib": naive_rss},
        "ratios": ratios, "targets": targets,
    }


def _meets(value: float | None, floor: float) -> bool | None:
    return None if value is None else value >= floor


def _meets_below(value: float | None, ceiling: float) -> bool | None:
    return None if value is None else value <= ceiling


#: Side-by-side targets per scenario: newsroom-mt output tokens/s over LibreTranslate's.
SIDEBYSIDE_TARGETS = {"long": 1.3, "realistic": 2.5}


def sidebyside(scenario: str) -> dict[str, Any]:
    """Run ``bench/sidebyside.sh`` for ``scenario``; its summary with the targets."""
    env = dict(os.environ, SCENARIO=scenario)
    done = subprocess.run(["bash", str(REPO / "bench" / "sidebyside.sh")], env=env, cwd=REPO,
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"sidebyside {scenario} failed:\n{done.stderr[-3000:]}")
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    newsroom = summary["newsroom"]
    cores = os.cpu_count() or 1
    summary["targets"] = {
        f"tokens>={SIDEBYSIDE_TARGETS[scenario]}x_libretranslate":
            _meets(summary["ratio_out_tok_per_s"], SIDEBYSIDE_TARGETS[scenario]),
        "no_failed_requests": newsroom.get("errors") == 0,
        # "All cores busy": the server used at least 90 % of the machine's cores.
        "all_cores_busy": _meets(newsroom.get("server_cpu_cores"), 0.9 * cores),
    }
    return summary


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=("transformers", "ctranslate2"),
                        default="transformers")
    parser.add_argument("--beams", type=int, choices=(1, 4), default=1)
    parser.add_argument("--all", action="store_true",
                        help="Run " + ", ".join(f"{e} beam {b}" for e, b in MATRIX) +
                             " in turn; one JSON line with every run.")
    parser.add_argument("--out-tokens", type=int, default=32,
                        help="Forced output length (min = max new tokens).")
    parser.add_argument("--sentences", type=int, default=384,
                        help="Sentences per served load level (at least 2 per client).")
    parser.add_argument("--single-sentences", type=int, default=16,
                        help="Sentences of the 1-client level (served and naive).")
    parser.add_argument("--naive-sentences", type=int, default=32,
                        help="Sentences per naive load level (at least 1 per client).")
    parser.add_argument("--samples", type=int, default=20,
                        help="Latency samples, idle and under bulk load.")
    parser.add_argument("--bulk-articles", type=int, default=50)
    parser.add_argument("--interactive-interval", type=float, default=1.0,
                        help="Seconds between one-sentence requests while the bulk "
                             "request runs.")
    parser.add_argument("--pairs", type=int, default=3,
                        help="Adjacent (ceiling, served at 32 clients) rounds whose median "
                             "ratio is served32/ceiling; as many (served, one-at-a-time) "
                             "rounds for served32/one-at-a-time.")
    parser.add_argument("--max-batch-items", type=int, default=32)
    parser.add_argument("--max-wait-ms", type=float, default=None,
                        help="Server's batching wait (NEWSROOM_MAX_WAIT_MS); default: the "
                             "server's own default.")
    parser.add_argument("--skip-naive", action="store_true")
    parser.add_argument("--server-env", action="append", default=[], metavar="NAME=VALUE",
                        help="A setting for the newsroom-mt server (e.g. "
                             "NEWSROOM_BATCH_REGROUP_MS=250); repeatable. The server "
                             "otherwise runs with its defaults.")
    parser.add_argument("--sidebyside", choices=("long", "realistic", "both"),
                        help="Run the LibreTranslate side by side instead (see above).")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="NTREX-128 folder.")
    parser.add_argument("--cache", type=Path, default=CACHE_DIR / "serving",
                        help="Where built models and logs go (git-ignored).")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    started = time.perf_counter()
    if args.sidebyside:
        scenarios = ("long", "realistic") if args.sidebyside == "both" else (args.sidebyside,)
        print(json.dumps({"bench": "serving-sidebyside", "load_average_1m_start":
                          round(os.getloadavg()[0], 2),
                          "runs": [sidebyside(scenario) for scenario in scenarios],
                          "seconds": round(time.perf_counter() - started, 1)}))
    elif args.all:
        runs = [run_config(args, engine, beams) for engine, beams in MATRIX]
        print(json.dumps({"bench": "serving", "runs": runs,
                          "seconds": round(time.perf_counter() - started, 1)}))
    else:
        result = run_config(args, args.engine, args.beams)
        result["seconds"] = round(time.perf_counter() - started, 1)
        print(json.dumps(result))


if __name__ == "__main__":
    main()
