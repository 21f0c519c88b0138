"""Load generation and server processes for ``bench/serving.py``.

- :class:`ServerProcess`: a server subprocess (the real ``python -m service serve``
  or the benchmark's naive server), ready once ``/readyz`` answers 200, with its peak
  RSS read from ``/proc/<pid>/status`` (``VmHWM``).
- :func:`closed_loop`: N clients, each sending its next request as soon as the
  previous one is answered, until a shared list of requests is used up; the rate over
  the whole load and in its steady state (first and last rounds left out).
- :func:`interactive_under_bulk`: one-sentence latencies idle and while a bulk
  request runs.
"""

from __future__ import annotations

import asyncio
import os
import re
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import httpx

REPO = Path(__file__).resolve().parents[1]
TRANSLATE = "/v1/translate"
#: Generous: a bulk request of 50 articles takes a minute on 2 cores.
HTTP_TIMEOUT = httpx.Timeout(600.0, connect=30.0)
#: Idle pooled connections are dropped before uvicorn's keep-alive timeout (5 s) closes
#: them: reusing one the server is closing ends the request in ReadError.
KEEPALIVE_EXPIRY_S = 2.0


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def peak_rss_mib(pid: int) -> float | None:
    """Peak resident set size (``VmHWM``) of process ``pid`` in MiB (Linux only)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    match = re.search(r"VmHWM:\s+(\d+)\s+kB", status)
    return round(int(match.group(1)) / 1024, 1) if match else None


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of process ``pid`` (all its threads) so far (Linux only)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # Fields after the command name (which may hold spaces): utime and stime are the
    # 12th and 13th of them.
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class ServerProcess:
    """A server subprocess listening on 127.0.0.1:``port``."""

    argv: list[str]
    env: dict[str, str]
    port: int
    log_path: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, ready_timeout: float = 300.0) -> None:
        """Start it and wait until ``/readyz`` answers 200 (models loaded)."""
        log = self.log_path.open("wb")
        self.process = subprocess.Popen(self.argv, env=self.env, cwd=REPO, stdout=log,
                                        stderr=subprocess.STDOUT)
        log.close()
        give_up = time.monotonic() + ready_timeout
        while time.monotonic() < give_up:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}; "
                                   f"see {self.log_path}")
            try:
                if httpx.get(self.url + "/readyz", timeout=5).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"server not ready after {ready_timeout}s; see {self.log_path}")

    def peak_rss_mib(self) -> float | None:
        """Peak RSS so far (read while the process runs)."""
        return peak_rss_mib(self.process.pid) if self.process is not None else None

    def cpu_seconds(self) -> float | None:
        """CPU time used so far."""
        return cpu_seconds(self.process.pid) if self.process is not None else None

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it does not exit within 60 s."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def bench_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a benchmark subprocess: this one's without its NEWSROOM_
    settings (the process runs on defaults plus ``extra``), offline, tokenizers without
    their own threads."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSROOM_")}
    env.update({"HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"})
    env.update(extra or {})
    return env


def real_server(registry: Path, model: str, port: int, log_path: Path,
                extra_env: dict[str, str] | None = None) -> ServerProcess:
    """``python -m service serve`` on the benchmark catalogue, preloading ``model``."""
    env = bench_env({"NEWSROOM_REGISTRY": str(registry), "NEWSROOM_PRELOAD": "true",
                     "NEWSROOM_REQUIRED_MODELS": model, **(extra_env or {})})
    argv = [sys.executable, "-m", "service", "serve", "--host", "127.0.0.1",
            "--port", str(port)]
    return ServerProcess(argv, env, port, log_path)


def naive_server(registry: Path, model: str, port: int, log_path: Path,
                 extra_env: dict[str, str] | None = None) -> ServerProcess:
    """The one-request-at-a-time server of ``bench/serving_naive.py``."""
    env = bench_env(extra_env)
    argv = [sys.executable, str(REPO / "bench" / "serving_naive.py"), "--registry",
            str(registry), "--model", model, "--port", str(port)]
    return ServerProcess(argv, env, port, log_path)


# --- load -----------------------------------------------------------------------------

@dataclass
class LoadResult:
    """What one load level measured."""

    clients: int
    requests: int
    sentences: int
    seconds: float
    latencies: list[float] = field(default_factory=list)
    #: (seconds since the load started, sentences answered) per response, in order.
    completions: list[tuple[float, int]] = field(default_factory=list)

    def steady_sentences_per_s(self) -> float | None:
        """Sentences/s between the ``clients``-th response and the ``clients``-th from
        the end: the load's first round (every client arriving at once, before the
        batches regroup) and its last (fewer callers than clients left) are edges of the
        load generator, not of the server. None if the load is too short for that."""
        skip = self.clients
        if len(self.completions) <= 2 * skip + 1:
            return None
        start = self.completions[skip - 1][0]
        end = self.completions[-skip - 1][0]
        sentences = sum(n for _, n in self.completions[skip:-skip])
        return sentences / (end - start) if end > start else None

    def summary(self, out_tokens: int) -> dict[str, Any]:
        """JSON-ready figures."""
        rate = self.sentences / self.seconds
        steady = self.steady_sentences_per_s()
        return {"clients": self.clients, "requests": self.requests,
                "sentences": self.sentences, "seconds": round(self.seconds, 2),
                "sentences_per_s": round(rate, 2),
                "steady_sentences_per_s": None if steady is None else round(steady, 2),
                "output_tokens_per_s": round(rate * out_tokens, 1),
                "latency_p50_ms": _ms(percentile(self.latencies, 50)),
                "latency_p99_ms": _ms(percentile(self.latencies, 99))}


def percentile(values: Sequence[float], pct: float) -> float | None:
    """Nearest-rank percentile (with few samples, p99 is the maximum); None if empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(-(-pct * len(ordered) // 100))))
    return ordered[rank - 1]


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)


def payload(texts: Sequence[str], source: str, target: str) -> dict[str, Any]:
    """A native ``/v1/translate`` body: ``text`` for one sentence, ``texts`` for more."""
    if len(texts) == 1:
        return {"text": texts[0], "source": source, "target": target}
    return {"texts": list(texts), "source": source, "target": target}


async def _post(client: httpx.AsyncClient, body: dict[str, Any]) -> float:
    started = time.perf_counter()
    response = await client.post(TRANSLATE, json=body)
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise RuntimeError(f"{response.status_code}: {response.text[:300]}")
    _check_count(body, len(response.json()["translations"]))
    return elapsed


def _check_count(body: dict[str, Any], got: int) -> None:
    expected = len(body["texts"]) if "texts" in body else 1
    if got != expected:
        raise RuntimeError(f"expected {expected} translations, got {got}")


async def closed_loop(url: str, requests: Sequence[Sequence[str]], clients: int,
                      source: str, target: str) -> LoadResult:
    """``clients`` concurrent clients work through ``requests`` (each a list of texts).

    The clients are aiohttp, not httpx: the load generator shares the server's cores,
    and httpx spent ~2.7 ms of CPU per request against aiohttp's ~0.3 ms (1.05 vs
    0.10 CPU-s for 384 one-sentence requests, 2 cores, three runs each): time the
    server could not use, counted against it."""
    bodies = iter([payload(texts, source, target) for texts in requests])
    latencies: list[float] = []
    completions: list[tuple[float, int]] = []
    connector = aiohttp.TCPConnector(limit=clients + 4, keepalive_timeout=KEEPALIVE_EXPIRY_S)
    timeout = aiohttp.ClientTimeout(total=HTTP_TIMEOUT.read, connect=HTTP_TIMEOUT.connect)
    async with aiohttp.ClientSession(url, connector=connector, timeout=timeout) as http:
        started = time.perf_counter()

        async def client() -> None:
            for body in bodies:  # shared iterator: each client takes the next request
                sent = time.perf_counter()
                async with http.post(TRANSLATE, json=body) as response:
                    if response.status != 200:
                        raise RuntimeError(f"{response.status}: {(await response.text())[:300]}")
                    answered = len((await response.json())["translations"])
                done = time.perf_counter()
                _check_count(body, answered)
                latencies.append(done - sent)
                completions.append((done - started, answered))

        await asyncio.gather(*(client() for _ in range(clients)))
        seconds = time.perf_counter() - started
    return LoadResult(clients=clients, requests=len(requests),
                      sentences=sum(len(r) for r in requests), seconds=seconds,
                      latencies=latencies, completions=completions)


async def _queue_depth(http: httpx.AsyncClient) -> float:
    text = (await http.get("/metrics")).text
    return sum(float(m.group(1)) for m in
               re.finditer(r"^newsroom_queue_depth\{[^}]*\}\s+([0-9.eE+-]+)$", text, re.M))


async def interactive_under_bulk(url: str, sentences: Sequence[str], bulk: Sequence[str],
                                 source: str, target: str, samples: int,
                                 interval: float = 1.0,
                                 server_cpu: Callable[[], float | None] | None = None,
                                 ) -> dict[str, Any]:
    """p50/p99 latency of one-sentence requests, first on an idle server (``samples``
    sent one after another), then while one request carrying ``bulk`` (whole articles)
    runs; and what the interactive stream costs the bulk request (its time alone vs.
    with the stream).

    Under bulk the stream is paced, one request every ``interval`` seconds (newsroom
    traffic: headlines arrive, they do not queue up behind each other), for the whole
    of the bulk request, so the bulk figure includes every interruption.
    ``interactive_work_share`` is the part of the bulk time the interactive requests
    need even on an idle server (their idle mean latency x count / bulk time, on one
    core). With ``server_cpu`` (the server's CPU seconds so far), ``throughput_cost_floor``
    is the cost no scheduler can avoid on a saturated machine: the interactive
    requests' own server CPU (their idle CPU each x count) over all the machine's
    CPU during the bulk request (cores x bulk time)."""
    limits = httpx.Limits(keepalive_expiry=KEEPALIVE_EXPIRY_S)
    async with httpx.AsyncClient(base_url=url, timeout=HTTP_TIMEOUT, limits=limits) as http:
        cpu_before = server_cpu() if server_cpu else None
        idle = [await _post(http, payload([s], source, target)) for s in sentences[:samples]]
        cpu_after = server_cpu() if server_cpu else None
        bulk_alone = await _post(http, payload(bulk, source, target))

        bulk_task = asyncio.create_task(_post(http, payload(bulk, source, target)))
        # Start measuring once the bulk work is queued (its sentences are split and
        # counted first).
        while not bulk_task.done() and await _queue_depth(http) == 0:
            await asyncio.sleep(0.05)
        busy: list[float] = []

        async def one(text: str) -> None:
            latency = await _post(http, payload([text], source, target))
            if not bulk_task.done():  # count only requests that overlapped the bulk
                busy.append(latency)

        probes: list[asyncio.Task[None]] = []
        index = 0
        while not bulk_task.done():
            probes.append(asyncio.create_task(one(sentences[index % len(sentences)])))
            index += 1
            await asyncio.wait({bulk_task}, timeout=interval)
        bulk_seconds = await bulk_task
        await asyncio.gather(*probes)

    def stats(values: list[float]) -> dict[str, Any]:
        return {"n": len(values), "p50_ms": _ms(percentile(values, 50)),
                "p99_ms": _ms(percentile(values, 99)),
                "mean_ms": round(statistics.fmean(values) * 1000, 1) if values else None}

    idle_mean = statistics.fmean(idle) if idle else 0.0
    floor = None
    if cpu_before is not None and cpu_after is not None and idle:
        cpu_each = (cpu_after - cpu_before) / len(idle)
        floor = round(min(1.0, len(probes) * cpu_each / ((os.cpu_count() or 1) * bulk_seconds)), 3)
    return {"idle": stats(idle), "under_bulk": stats(busy),
            "interval_s": interval,
            "bulk": {"articles": len(bulk), "chars": sum(len(a) for a in bulk),
                     "seconds_alone": round(bulk_alone, 1),
                     "seconds": round(bulk_seconds, 1),
                     # Share of the bulk request's throughput the stream cost it.
                     "throughput_cost": round(1 - bulk_alone / bulk_seconds, 3),
                     "interactive_work_share": round(
                         min(1.0, len(probes) * idle_mean / bulk_seconds), 3),
                     "throughput_cost_floor": floor}}
