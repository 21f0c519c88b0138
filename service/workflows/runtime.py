"""Everything a running process shares: settings, catalogue, the model repository
(one handle per model), the language detector, the text-work pool, the clock that
deadlines are measured on, and metrics.

The HTTP app, the CLI and the batch command each build one :class:`Runtime` and
pass it to the application services.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import logging
import os
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from service.batching.clock import Clock, MonotonicClock
from service.errors import DeadlineExceeded, ModelUnavailable
from service.metrics import ServiceMetrics
from service.registry import Registry
from service.serving.handle import EngineLoader
from service.serving.repository import ModelRepository
from service.settings import Settings, warn_contradictions
from service.text.langid import LanguageDetector
from service.workflows.pulling import ModelPuller, default_pull_list

log = logging.getLogger(__name__)
T = TypeVar("T")

#: Default size of the text-work pool: enough to keep a few requests' segmentation
#: going while the engines use the remaining cores.
MAX_DEFAULT_TEXT_WORKERS = 4


def text_workers(settings: Settings) -> int:
    """Threads of the text-work pool: the setting, or the usable cores (at most 4)."""
    if settings.text_workers > 0:
        return settings.text_workers
    cores = (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
             else os.cpu_count() or 1)
    return max(1, min(MAX_DEFAULT_TEXT_WORKERS, cores))


class Runtime:
    """Process-wide services. Create inside the event loop that will use it."""

    def __init__(self, settings: Settings, *, registry: Registry | None = None,
                 metrics: ServiceMetrics | None = None, clock: Clock | None = None,
                 loader: EngineLoader | None = None) -> None:
        """``clock`` (default: monotonic time) measures deadlines, backoff and health
        grace periods; ``loader`` replaces the engine loader (fault-injection tests)."""
        self.settings = settings
        # Every entry point (server, CLI, batch) builds one runtime: warn here once.
        warn_contradictions(settings)
        self.registry = registry if registry is not None else Registry.from_settings(settings)
        self.metrics = metrics if metrics is not None else ServiceMetrics()
        self.clock: Clock = clock or MonotonicClock()
        self.models = ModelRepository(self.registry, settings, clock=self.clock,
                                      metrics=self.metrics, loader=loader)
        self.detector = LanguageDetector(settings.languages)
        self._text_pool = ThreadPoolExecutor(max_workers=text_workers(settings),
                                             thread_name_prefix="text-work")
        self._stopping = False
        self.puller: ModelPuller | None = None
        self._landing: set[asyncio.Task[None]] = set()

    @staticmethod
    def detector_only(settings: Settings) -> LanguageDetector:
        """A language detector without loading the catalogue (for ``detect``)."""
        return LanguageDetector(settings.languages)

    @property
    def languages(self) -> list[str]:
        """Languages this deployment serves."""
        return list(self.settings.languages)

    def required_models(self) -> list[str]:
        """Models ``/readyz`` waits for: the setting, or with ``preload`` every model the
        served directions need."""
        if self.settings.required_models:
            return list(self.settings.required_models)
        if self.settings.preload:
            return self.registry.default_models(self.languages)
        return []

    # --- requests ------------------------------------------------------------------
    def new_deadline(self) -> float:
        """The absolute deadline of a request arriving now (``request_timeout_s``
        from now on :attr:`clock`). Created once at the HTTP/CLI entry and carried
        through every stage of the request."""
        return self.clock.now() + self.settings.request_timeout_s

    async def within(self, deadline: float, work: Awaitable[T]) -> T:
        """Await ``work`` until ``deadline``; past it, cancel the work (its queued
        model inputs leave the schedulers) and raise :class:`DeadlineExceeded`."""
        task = asyncio.ensure_future(work)
        timer = asyncio.ensure_future(self.clock.sleep(deadline - self.clock.now()))
        try:
            await asyncio.wait({task, timer}, return_when=asyncio.FIRST_COMPLETED)
        except asyncio.CancelledError:
            task.cancel()
            raise
        finally:
            timer.cancel()
        if task.done() and not task.cancelled():
            if isinstance(task.exception(), DeadlineExceeded):
                # A stage saw the same deadline pass first: one message for the request.
                raise self.deadline_error() from task.exception()
            return task.result()
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        raise self.deadline_error()

    def deadline_error(self) -> DeadlineExceeded:
        """The error of a request whose deadline passed."""
        return DeadlineExceeded(
            f"the request did not finish within its deadline of "
            f"{self.settings.request_timeout_s:g} s (request_timeout_s)")

    async def off_loop(self, func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run CPU text work (segmentation, language id, token counting, summary
        analysis) in the bounded text pool, so the event loop keeps serving."""
        call = functools.partial(contextvars.copy_context().run, func, *args, **kwargs)
        return await asyncio.get_running_loop().run_in_executor(self._text_pool, call)

    # --- probes --------------------------------------------------------------------
    async def preload(self) -> None:
        """Load every required model; errors are kept on the handles and reported by
        the probes."""
        await self.models.preload(self.required_models())

    def start_pull(self) -> None:
        """Pull the default catalogue's missing models in a background thread while the
        service answers (``serve --pull``); each model is usable as soon as it lands.

        A daemon thread, not the event loop's executor: shutdown must not wait for a
        download (a partial one resumes on the next pull)."""
        loop = asyncio.get_running_loop()
        self.puller = ModelPuller(
            self.registry, self.settings.resolved_models_dir(),
            on_landed=lambda name: loop.call_soon_threadsafe(self._landed, name))
        names = default_pull_list(self.registry, self.languages)
        threading.Thread(target=self._pull, args=(self.puller, names), name="model-pull",
                         daemon=True).start()

    @staticmethod
    def _pull(puller: ModelPuller, names: list[str]) -> None:
        try:
            puller.run(names, only_missing=True)
        except Exception:  # a background thread must not die silently
            log.exception("model pull crashed")
            puller.progress.state = "failed"

    def _landed(self, name: str) -> None:
        """A pulled model is on disk: forget an earlier failure to load it, and load it
        now when ``/readyz`` waits for it."""
        self.models.handle(name).forget_failure()
        if self._stopping or not self.settings.preload or name not in self.required_models():
            return
        task = asyncio.ensure_future(self._load_landed(name))
        self._landing.add(task)
        task.add_done_callback(self._landing.discard)

    async def _load_landed(self, name: str) -> None:
        try:
            await self.models.handle(name).load()
        except ModelUnavailable as exc:
            log.error("loading a pulled model failed", extra={"model": name,
                                                             "error": exc.message})

    def readiness(self) -> dict[str, Any]:
        """``{"ready", "missing", "unhealthy", "stopping", "pull"}`` for ``/readyz``;
        ``pull`` is the background pull's progress (``serve --pull``) or None."""
        missing, unhealthy = self.models.readiness(self.required_models())
        ready = not missing and not unhealthy and not self._stopping
        pull = (self.puller.progress.as_dict(self.settings.resolved_models_dir())
                if self.puller is not None else None)
        return {"ready": ready, "missing": missing, "unhealthy": unhealthy,
                "stopping": self._stopping, "pull": pull}

    def liveness(self) -> dict[str, Any]:
        """``{"alive", "failing"}`` for ``/healthz``: not alive once a model that
        matters has been failing for ``unhealthy_grace_s`` (see the repository)."""
        failing = self.models.liveness(self.required_models())
        return {"alive": not failing, "failing": failing}

    async def close(self, timeout: float | None = None) -> None:
        """Stop accepting work, let queued work finish within ``timeout``, free models."""
        self._stopping = True
        if self.puller is not None:
            self.puller.stop()
        await self.models.close(timeout)
        self._text_pool.shutdown(wait=False, cancel_futures=True)
