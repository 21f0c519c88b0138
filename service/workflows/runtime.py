"""Everything a running process shares: settings, catalogue, loaded engines, one
batching scheduler per loaded model, the language detector and metrics.

The HTTP app, the CLI and the batch command each build one :class:`Runtime` and
pass it to the application services.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import Any

from service.batching.scheduler import BatchScheduler
from service.engines.base import Engine
from service.engines.manager import ModelManager
from service.errors import ModelUnavailable
from service.metrics import ServiceMetrics
from service.registry import Registry
from service.settings import Settings
from service.text.langid import LanguageDetector
from service.workflows.pulling import ModelPuller, default_pull_list

log = logging.getLogger(__name__)


class Runtime:
    """Process-wide services. Create inside the event loop that will use it."""

    def __init__(self, settings: Settings, *, registry: Registry | None = None,
                 metrics: ServiceMetrics | None = None) -> None:
        self.settings = settings
        self.registry = registry if registry is not None else Registry.from_settings(settings)
        self.metrics = metrics if metrics is not None else ServiceMetrics()
        self.models = ModelManager(self.registry, settings,
                                   on_loaded=self.metrics.set_model_load_seconds)
        self.detector = LanguageDetector(settings.languages)
        self._schedulers: dict[str, BatchScheduler] = {}
        self._loading: dict[str, asyncio.Future[BatchScheduler]] = {}
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

    async def scheduler(self, model: str) -> BatchScheduler:
        """The scheduler of ``model``, loading the model (in a thread) on first use."""
        existing = self._schedulers.get(model)
        if existing is not None:
            return existing
        pending = self._loading.get(model)
        if pending is None:
            pending = asyncio.get_running_loop().create_future()
            self._loading[model] = pending
            try:
                engine = await asyncio.to_thread(self.models.get, model)
                scheduler = BatchScheduler.from_settings(engine, self.settings, self.metrics)
                await scheduler.start()
                self._schedulers[model] = scheduler
                pending.set_result(scheduler)
            except BaseException as exc:
                pending.set_exception(exc)
                # Let concurrent waiters see the error; later calls retry the load.
                pending.exception()
                raise
            finally:
                self._loading.pop(model, None)
            return scheduler
        return await asyncio.shield(pending)

    async def engine(self, model: str) -> Engine:
        """The loaded engine of ``model`` (through its scheduler, so both exist)."""
        await self.scheduler(model)
        return self.models.get(model)

    async def preload(self) -> None:
        """Load every required model; errors are logged and reported by readiness."""
        for model in self.required_models():
            try:
                await self.scheduler(model)
            except ModelUnavailable as exc:
                log.error("preload failed", extra={"model": model, "error": exc.message})

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
        self.models.forget_failure(name)
        if self._stopping or not self.settings.preload or name not in self.required_models():
            return
        task = asyncio.ensure_future(self._load_landed(name))
        self._landing.add(task)
        task.add_done_callback(self._landing.discard)

    async def _load_landed(self, name: str) -> None:
        try:
            await self.scheduler(name)
        except ModelUnavailable as exc:
            log.error("loading a pulled model failed", extra={"model": name,
                                                             "error": exc.message})

    def readiness(self) -> dict[str, Any]:
        """``{"ready": bool, "missing": [...], "unhealthy": [...], "pull": {...}|None}``
        for ``/readyz``; ``pull`` is the background pull's progress (``serve --pull``)."""
        missing = [m for m in self.required_models() if m not in self._schedulers]
        unhealthy = {name: s.last_error or "worker stopped"
                     for name, s in self._schedulers.items() if not s.healthy}
        ready = not missing and not unhealthy and not self._stopping
        pull = (self.puller.progress.as_dict(self.settings.resolved_models_dir())
                if self.puller is not None else None)
        return {"ready": ready, "missing": missing, "unhealthy": unhealthy,
                "stopping": self._stopping, "pull": pull}

    def schedulers(self) -> dict[str, BatchScheduler]:
        """Schedulers of the models loaded so far."""
        return dict(self._schedulers)

    async def close(self, timeout: float | None = None) -> None:
        """Stop accepting work, let queued work finish within ``timeout``, free models."""
        self._stopping = True
        if self.puller is not None:
            self.puller.stop()
        await asyncio.gather(*(s.stop(timeout) for s in self._schedulers.values()),
                             return_exceptions=True)
        self._schedulers.clear()
        self.models.close()
