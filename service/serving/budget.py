"""The model memory budget: the total memory loaded models' weights may take
(``model_memory_budget_mib``; 0 = no limit).

Each successful load measures the model's weights (:func:`engine_memory_bytes`).
Whenever the loaded total is over the budget, the least recently used models that have
no work are unloaded until it fits; they load again on their next use. "Work" is a
request in :meth:`ModelHandle.generate` or inside :meth:`ModelHandle.using`, from
before the load to the last output, or items queued. A model with work is never
unloaded, even if that leaves the process over the budget for a while (logged). Before
a model whose size is known (it was loaded once in this process) loads again, room is
made first, so churning between models stays under the budget; a model's first load
can overshoot by its own size. Recency is kept by the repository: every
``repository.handle(name)`` is a use.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

from service.batching.clock import Clock
from service.engines.memory import engine_memory_bytes
from service.errors import ModelBusy

if TYPE_CHECKING:
    from service.metrics import ServiceMetrics
    from service.serving.handle import ModelHandle

log = logging.getLogger(__name__)

MIB = 1024 * 1024
#: Reason label of unloads the budget makes.
REASON = "memory_budget"


class MemoryBudget:
    """LRU unloading of idle models to keep loaded weights within a limit."""

    def __init__(self, limit_bytes: int, clock: Clock,
                 metrics: ServiceMetrics | None = None) -> None:
        self.limit_bytes = limit_bytes
        self._clock = clock
        self._metrics = metrics
        #: Measured size per model; kept after an unload to make room before a reload.
        self._sizes: dict[str, int] = {}
        self._last_used: dict[str, float] = {}
        # One decision at a time: two loads must not both count the same free room.
        self._lock = asyncio.Lock()

    def touch(self, name: str) -> None:
        """``name`` is being used now (recency for LRU)."""
        self._last_used[name] = self._clock.now()

    def size_of(self, name: str) -> int | None:
        """Measured weight memory of ``name`` (``None`` until loaded once)."""
        return self._sizes.get(name)

    def loaded_bytes(self, handles: Iterable[ModelHandle]) -> int:
        """Weight memory of the models loaded now."""
        return sum(self._sizes.get(h.name, 0) for h in handles if h.loaded)

    async def before_load(self, handle: ModelHandle, handles: list[ModelHandle]) -> None:
        """Make room for ``handle`` when its size is known from an earlier load."""
        self.touch(handle.name)
        size = self._sizes.get(handle.name)
        if not self.limit_bytes or size is None:
            return
        async with self._lock:
            await self._evict(handles, keep=handle.name, incoming=size)

    async def after_load(self, handle: ModelHandle, handles: list[ModelHandle]) -> None:
        """Measure ``handle``'s weights, then unload idle models while over budget."""
        size = engine_memory_bytes(handle.engine)
        self._sizes[handle.name] = size
        self.touch(handle.name)
        if self._metrics is not None:
            self._metrics.model_loaded(handle.name, size)
        if self.limit_bytes:
            async with self._lock:
                await self._evict(handles, keep=handle.name, incoming=0)
        self._report(handles)

    async def _evict(self, handles: list[ModelHandle], *, keep: str, incoming: int) -> None:
        total = self.loaded_bytes(handles) + incoming
        if total <= self.limit_bytes:
            return
        # Only batched models: an NLI classifier's engine is used directly by callers,
        # with no in-use count to protect it.
        idle = sorted((h for h in handles if h.loaded and h.batched and h.name != keep
                       and not h.in_use),
                      key=lambda h: self._last_used.get(h.name, float("-inf")))
        for victim in idle:
            if total <= self.limit_bytes:
                break
            try:
                await victim.unload()
            except ModelBusy:
                continue  # work arrived since it was picked: keep it
            except Exception:  # noqa: BLE001 - a failed unload must not fail this load
                log.exception("unloading %s for the memory budget failed", victim.name)
                continue
            total -= self._sizes.get(victim.name, 0)
            log.info("model unloaded for the memory budget",
                     extra={"model": victim.name, "loaded_mib": round(total / MIB, 1),
                            "budget_mib": round(self.limit_bytes / MIB, 1)})
            if self._metrics is not None:
                self._metrics.model_unloaded(victim.name, REASON)
        if total > self.limit_bytes:
            log.warning("models over the memory budget: the others have work queued",
                        extra={"loaded_mib": round(total / MIB, 1),
                               "budget_mib": round(self.limit_bytes / MIB, 1)})
        self._report(handles)

    def _report(self, handles: list[ModelHandle]) -> None:
        if self._metrics is not None:
            self._metrics.set_models_memory(self.loaded_bytes(handles), self.limit_bytes)
