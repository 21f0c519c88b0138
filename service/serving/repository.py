"""The model repository: catalogue name -> :class:`ModelHandle`, one per model, and
the process's model health (after KServe's ``ModelRepository``).

Handles are created on first mention and load lazily (or at start-up with
``preload``). Every mention counts as a use for the model memory budget
(:mod:`service.serving.budget`), which the repository applies around every load.
The repository also answers the probes:

- readiness: every required model ready (and every loaded model's worker alive);
- liveness: no model that matters has been failing for ``unhealthy_grace_s``. A model
  matters when it is required or was ready once in this process: a client asking for
  a model that was never installed must not be able to get pods restarted.
Probing is a use: it starts a background reload of a failed model that matters once
its backoff has passed, so a model heals even when no request comes.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from service.batching.clock import Clock, MonotonicClock
from service.batching.scheduler import BatchScheduler
from service.engines.base import Engine
from service.engines.loader import PlacementChooser, load_engine, local_weights, weights_available
from service.registry import ModelEntry, Registry
from service.serving.budget import MIB, MemoryBudget
from service.serving.handle import EngineLoader, HandleStatus, LoadState, ModelHandle

if TYPE_CHECKING:
    from service.metrics import ServiceMetrics
    from service.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ModelRow:
    """What ``/v1/models`` and ``models list`` show about one catalogue entry."""

    entry: ModelEntry
    status: HandleStatus
    #: Weights (or a conversion) are on local disk.
    local: bool
    #: The engine that serves (or would serve) it.
    engine: str
    #: Memory its weights take while loaded (``None`` when not loaded).
    memory_bytes: int | None = None


class ModelRepository:
    """One :class:`ModelHandle` per catalogue model; see the module docstring."""

    def __init__(self, registry: Registry, settings: Settings, *, clock: Clock | None = None,
                 metrics: ServiceMetrics | None = None,
                 loader: EngineLoader | None = None) -> None:
        """``loader`` (default: :func:`load_engine` with the process placement)
        builds an engine from a catalogue entry; tests wrap it to inject faults."""
        self.registry = registry
        self.settings = settings
        self.clock: Clock = clock or MonotonicClock()
        self._metrics = metrics
        placement = PlacementChooser(settings)
        self._loader: EngineLoader = loader or (
            lambda entry: load_engine(entry, settings, placement()))
        self._handles: dict[str, ModelHandle] = {}
        self.budget = MemoryBudget(int(settings.model_memory_budget_mib * MIB), self.clock,
                                   metrics)
        self._healing: set[asyncio.Task[Any]] = set()

    def handle(self, name: str) -> ModelHandle:
        """The handle of catalogue model ``name`` (:class:`InvalidInput` if unknown)."""
        existing = self._handles.get(name)
        if existing is not None:
            self.budget.touch(name)
            return existing
        entry = self.registry.get(name)
        handle = ModelHandle(entry, loader=self._loader, make_scheduler=self._scheduler_for,
                             clock=self.clock, metrics=self._metrics,
                             backoff_s=self.settings.model_retry_backoff_s,
                             backoff_max_s=self.settings.model_retry_backoff_max_s,
                             hooks=self)
        self._handles[name] = handle
        self.budget.touch(name)
        return handle

    # --- load hooks (the memory budget) ----------------------------------------------
    async def before_load(self, handle: ModelHandle) -> None:
        """Make room for ``handle`` under the memory budget."""
        await self.budget.before_load(handle, self.handles())

    async def after_load(self, handle: ModelHandle) -> None:
        """Measure ``handle``'s weights; unload idle models while over the budget."""
        await self.budget.after_load(handle, self.handles())

    def memory(self) -> tuple[int, int]:
        """``(loaded_bytes, budget_bytes)``: weights in memory now, and the budget
        (0: no limit)."""
        return self.budget.loaded_bytes(self.handles()), self.budget.limit_bytes

    def handles(self) -> list[ModelHandle]:
        """Handles created so far (models mentioned by a request, probe or preload)."""
        return list(self._handles.values())

    def _scheduler_for(self, engine: Engine) -> BatchScheduler:
        return BatchScheduler.from_settings(engine, self.settings, self._metrics,
                                            clock=self.clock)

    # --- availability -------------------------------------------------------------
    def available(self, name: str) -> bool:
        """Ready, or loadable without a network call (local folder, conversion, cache)."""
        handle = self._handles.get(name)
        if handle is not None and handle.ready:
            return True
        return weights_available(self.registry.get(name), self.settings)

    def engine_kind(self, entry: ModelEntry) -> str:
        """Which engine serves ``entry``: its own setting, else the global one."""
        return entry.engine or self.settings.engine

    def rows(self) -> list[ModelRow]:
        """Every catalogue entry with its handle's state."""
        models_dir = self.settings.resolved_models_dir()
        rows = []
        for entry in self.registry.all_entries():
            handle = self._handles.get(entry.name)
            status = handle.status() if handle is not None else HandleStatus(
                name=entry.name, state=LoadState.UNLOADED, device=None, engine=None,
                load_seconds=None, error=None, failing_since=None, was_ready=False)
            loaded = handle is not None and handle.loaded
            rows.append(ModelRow(entry=entry, status=status,
                                 local=local_weights(entry, models_dir) is not None,
                                 engine=status.engine or self.engine_kind(entry),
                                 memory_bytes=self.budget.size_of(entry.name) if loaded
                                 else None))
        return rows

    # --- lifecycle ----------------------------------------------------------------
    async def preload(self, names: Iterable[str]) -> None:
        """Load ``names`` one after the other; failures are kept on the handles (and
        reported by the probes), not raised."""
        for name in names:
            try:
                await self.handle(name).load()
            except Exception as exc:  # noqa: BLE001 - reported by /readyz and /healthz
                log.error("preload failed", extra={"model": name,
                                                   "error": getattr(exc, "message", str(exc))})

    async def close(self, timeout: float | None = None) -> None:
        """Let queued work finish within ``timeout`` and free every model."""
        for task in self._healing:
            task.cancel()
        await asyncio.gather(*self._healing, return_exceptions=True)
        await asyncio.gather(*(h.close(timeout) for h in self._handles.values()),
                             return_exceptions=True)

    # --- probes -------------------------------------------------------------------
    def readiness(self, required: Iterable[str]) -> tuple[list[str], dict[str, str]]:
        """``(missing, unhealthy)``: required models not ready, and models that failed
        (name -> why)."""
        required = list(required)
        unhealthy = {h.name: h.last_error or "failed" for h in self._handles.values()
                     if h.status().state is LoadState.FAILED}
        missing = [name for name in required if name not in self._handles
                   or not self._handles[name].ready]
        self.heal(required)
        return missing, unhealthy

    def liveness(self, required: Iterable[str]) -> dict[str, dict[str, Any]]:
        """Models that matter and have been failing for at least ``unhealthy_grace_s``
        (name -> error and seconds failing); empty while the process is healthy."""
        required = set(required)
        now, grace = self.clock.now(), self.settings.unhealthy_grace_s
        dead: dict[str, dict[str, Any]] = {}
        for handle in self._handles.values():
            status = handle.status()
            # A reload in progress does not reset the clock: only a successful load does.
            if status.failing_since is None or status.state is LoadState.READY:
                continue
            if not (status.was_ready or handle.name in required):
                continue
            failing_for = now - status.failing_since
            if failing_for >= grace:
                dead[handle.name] = {"error": status.error,
                                     "failing_for_s": round(failing_for, 3)}
        self.heal(required)
        return dead

    def heal(self, required: Iterable[str]) -> None:
        """Start a background reload of each failed model that matters whose backoff
        has passed (no request needs to come for it to heal)."""
        required = set(required)
        for handle in self._handles.values():
            status = handle.status()
            if status.state is not LoadState.FAILED or handle.retry_in() > 0:
                continue
            if not (status.was_ready or handle.name in required):
                continue
            task = asyncio.ensure_future(handle.load())
            self._healing.add(task)
            task.add_done_callback(_healed)
            task.add_done_callback(self._healing.discard)


def _healed(task: asyncio.Task[Any]) -> None:
    if not task.cancelled() and task.exception() is not None:
        # Already logged and recorded on the handle; retrieving it keeps asyncio quiet.
        return
