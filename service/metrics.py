"""Prometheus metrics for one service instance.

Every :class:`ServiceMetrics` owns its own ``CollectorRegistry`` instead of using the
process-global default one, so tests, several apps in one process and reloads never
collide on "Duplicated timeseries". The HTTP layer records requests and serves
:meth:`ServiceMetrics.render` at ``/metrics``; the batching scheduler records queue
and batch figures; the model handles record loads, unloads, load times and the
memory their weights take against the model memory budget.
"""

from __future__ import annotations

from collections.abc import Iterable

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

# Buckets chosen for this workload: batches of up to a few hundred items, waits from a
# millisecond (idle server) to a minute (bulk backlog), CPU requests of up to minutes.
_BATCH_SIZE_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256)
_RATIO_BUCKETS = (0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
_WAIT_BUCKETS = (0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
                 30.0, 60.0)
_REQUEST_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0,
                    120.0, 300.0)


class ServiceMetrics:
    """The service's collectors, registered in a registry private to this instance."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.requests_total = Counter(
            "newsroom_requests_total", "HTTP requests by route and status code.",
            ["route", "status"], registry=r)
        self.request_seconds = Histogram(
            "newsroom_request_seconds", "HTTP request latency in seconds.",
            ["route"], buckets=_REQUEST_BUCKETS, registry=r)
        self.queue_depth = Gauge(
            "newsroom_queue_depth", "Work items (sentences or chunks) waiting for a batch.",
            ["model"], registry=r)
        self.batch_size = Histogram(
            "newsroom_batch_size", "Items per generate call.",
            ["model"], buckets=_BATCH_SIZE_BUCKETS, registry=r)
        self.batch_padding_ratio = Histogram(
            "newsroom_batch_padding_ratio",
            "Share of a batch's padded input tokens that are padding (0 = none).",
            ["model"], buckets=_RATIO_BUCKETS, registry=r)
        self.queue_wait_seconds = Histogram(
            "newsroom_queue_wait_seconds", "Time an item waited in the queue before its batch ran.",
            ["model"], buckets=_WAIT_BUCKETS, registry=r)
        self.generated_tokens_total = Counter(
            "newsroom_generated_tokens_total", "Tokens generated.", ["model"], registry=r)
        self.tokens_per_second = Gauge(
            "newsroom_tokens_per_second", "Generated tokens per second of the last batch.",
            ["model"], registry=r)
        self.model_load_seconds = Gauge(
            "newsroom_model_load_seconds", "Seconds the last load of a model took.",
            ["model"], registry=r)
        self.model_loads_total = Counter(
            "newsroom_model_loads_total", "Successful model loads.", ["model"], registry=r)
        self.model_unloads_total = Counter(
            "newsroom_model_unloads_total",
            "Models unloaded while serving (reason: memory_budget).",
            ["model", "reason"], registry=r)
        self.model_memory_bytes = Gauge(
            "newsroom_model_memory_bytes", "Memory of a loaded model's weights (0: unloaded).",
            ["model"], registry=r)
        self.models_memory_bytes = Gauge(
            "newsroom_models_memory_bytes", "Memory of every loaded model's weights.",
            registry=r)
        self.model_memory_budget_bytes = Gauge(
            "newsroom_model_memory_budget_bytes",
            "The model memory budget (0: no limit).", registry=r)
        self.worker_up = Gauge(
            "newsroom_worker_up", "1 while a model's batching worker runs, else 0.",
            ["model"], registry=r)

    # --- HTTP layer -----------------------------------------------------------------
    def observe_request(self, route: str, status: int | str, seconds: float) -> None:
        """Count one finished HTTP request and its latency (``route`` is the template)."""
        self.requests_total.labels(route=route, status=str(status)).inc()
        self.request_seconds.labels(route=route).observe(seconds)

    # --- model handles --------------------------------------------------------------
    def set_model_load_seconds(self, model: str, seconds: float) -> None:
        """Record how long loading ``model`` took."""
        self.model_load_seconds.labels(model=model).set(seconds)

    def model_loaded(self, model: str, memory_bytes: int) -> None:
        """Count a load of ``model`` and record the memory its weights take."""
        self.model_loads_total.labels(model=model).inc()
        self.model_memory_bytes.labels(model=model).set(memory_bytes)

    def model_unloaded(self, model: str, reason: str) -> None:
        """Count an unload of ``model`` while serving and zero its memory."""
        self.model_unloads_total.labels(model=model, reason=reason).inc()
        self.model_memory_bytes.labels(model=model).set(0)

    def set_models_memory(self, loaded_bytes: int, budget_bytes: int) -> None:
        """Record the memory of all loaded weights and the budget (0: none)."""
        self.models_memory_bytes.set(loaded_bytes)
        self.model_memory_budget_bytes.set(budget_bytes)

    # --- batching scheduler ---------------------------------------------------------
    def set_queue_depth(self, model: str, depth: int) -> None:
        """Record the number of queued items for ``model``."""
        self.queue_depth.labels(model=model).set(depth)

    def set_worker_up(self, model: str, up: bool) -> None:
        """Record whether ``model``'s batching worker is running."""
        self.worker_up.labels(model=model).set(1 if up else 0)

    def observe_waits(self, model: str, waits: Iterable[float]) -> None:
        """Record each item's time in the queue when its batch is dispatched."""
        histogram = self.queue_wait_seconds.labels(model=model)
        for wait in waits:
            histogram.observe(max(0.0, wait))

    def observe_batch(self, model: str, *, size: int, padding_ratio: float,
                      generated_tokens: int, seconds: float) -> None:
        """Record one successful generate call."""
        self.batch_size.labels(model=model).observe(size)
        self.batch_padding_ratio.labels(model=model).observe(padding_ratio)
        self.generated_tokens_total.labels(model=model).inc(generated_tokens)
        if seconds > 0:
            self.tokens_per_second.labels(model=model).set(generated_tokens / seconds)

    # --- exposition -----------------------------------------------------------------
    def render(self) -> tuple[bytes, str]:
        """The text exposition of every collector and its content type, for ``/metrics``."""
        return generate_latest(self.registry), CONTENT_TYPE_LATEST
