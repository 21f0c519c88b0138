"""One handle per catalogue model: the only thing the application services call.

A :class:`ModelHandle` owns the model's engine, its :class:`BatchScheduler`, its load
state (unloaded -> loading -> ready, or failed) and its health, in the spirit of
KServe's ``Model`` (``load``/``ready``) and vLLM's ``EngineClient`` (``generate``,
``check_health``, ``errored``/``dead_error``).

Self-healing: a batching worker that dies turns the handle to *failed* with the
worker's error; the next use (a request, or a liveness probe) tears the dead worker
down and loads the model again. Consecutive failed loads back off exponentially
(``model_retry_backoff_s`` doubling up to ``model_retry_backoff_max_s``); meanwhile
requests fail fast with 503 and a ``Retry-After`` of the remaining wait.
``failing_since`` says since when the model has been failing without a successful
load, which the repository turns into liveness after ``unhealthy_grace_s``.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from service.batching.clock import Clock
from service.batching.queue import WorkInput
from service.batching.scheduler import BatchScheduler
from service.engines.base import BatchKey, Engine, Generated
from service.engines.loader import first_line
from service.errors import ModelBusy, ModelNotLocal, ModelUnavailable, NewsroomError
from service.registry import ModelEntry

if TYPE_CHECKING:
    from service.metrics import ServiceMetrics

log = logging.getLogger(__name__)

#: Builds an engine for an entry (blocking; runs in a worker thread).
EngineLoader = Callable[[ModelEntry], Engine]
#: Builds a (not yet started) scheduler for a freshly loaded engine.
SchedulerFactory = Callable[[Engine], BatchScheduler]


class LoadHooks(Protocol):
    """Called around every load (the model memory budget makes room before a load and
    unloads idle models after one)."""

    async def before_load(self, handle: ModelHandle) -> None: ...

    async def after_load(self, handle: ModelHandle) -> None: ...


class LoadState(str, enum.Enum):
    """Where a model is in its life."""

    UNLOADED = "unloaded"
    LOADING = "loading"
    READY = "ready"
    FAILED = "failed"


@dataclass(frozen=True)
class HandleStatus:
    """A snapshot of one handle, for ``/v1/models``, ``/readyz`` and ``/healthz``."""

    name: str
    state: LoadState
    device: str | None
    engine: str | None
    load_seconds: float | None
    error: str | None
    #: Clock time of the first failure since the last successful load.
    failing_since: float | None
    #: True once the model was ready at least once in this process.
    was_ready: bool


class ModelHandle:
    """Engine + scheduler + load state of one model; see the module docstring."""

    def __init__(self, entry: ModelEntry, *, loader: EngineLoader,
                 make_scheduler: SchedulerFactory, clock: Clock, backoff_s: float,
                 backoff_max_s: float, metrics: ServiceMetrics | None = None,
                 hooks: LoadHooks | None = None) -> None:
        self.entry = entry
        self._hooks = hooks
        self._loader = loader
        self._make_scheduler = make_scheduler
        self._clock = clock
        self._backoff = backoff_s
        self._backoff_max = backoff_max_s
        self._metrics = metrics
        self.state = LoadState.UNLOADED
        self._engine: Engine | None = None
        self._scheduler: BatchScheduler | None = None
        self._loading: asyncio.Future[None] | None = None
        self.last_error: str | None = None
        self.load_seconds: float | None = None
        self._failed_loads = 0
        self._retry_at = float("-inf")
        self.failing_since: float | None = None
        self.was_ready = False
        #: generate() calls in flight (queued or in a batch): unload refuses while > 0.
        self._in_flight = 0
        # Dead schedulers being stopped and engines being closed in the background.
        self._teardowns: set[asyncio.Task[None]] = set()

    # --- state ------------------------------------------------------------------
    @property
    def name(self) -> str:
        """Catalogue name of the model."""
        return self.entry.name

    @property
    def ready(self) -> bool:
        """Loaded with a live batching worker (checks the worker now)."""
        self._notice_dead_worker()
        return self.state is LoadState.READY

    @property
    def loaded(self) -> bool:
        """An engine is in memory (ready, or failed with its worker not yet torn down)."""
        return self._engine is not None

    @property
    def in_use(self) -> bool:
        """Requests are in flight or items queued: :meth:`unload` would refuse."""
        return bool(self._in_flight or self.queue_depth)

    @property
    def batched(self) -> bool:
        """Whether requests reach the model through a batching scheduler (every
        generating model; NLI classifiers are called directly)."""
        return self.entry.task != "nli"

    @property
    def engine(self) -> Engine:
        """The loaded engine; raises :class:`ModelUnavailable` when not loaded."""
        if self._engine is None:
            raise ModelUnavailable(f"model {self.name} is not loaded", field="model")
        return self._engine

    @property
    def scheduler(self) -> BatchScheduler | None:
        """The batching scheduler of the loaded engine, if any."""
        return self._scheduler

    @property
    def max_input_tokens(self) -> int:
        """Longest source, in tokens, the loaded model accepts."""
        return self.engine.max_input_tokens

    @property
    def queue_depth(self) -> int:
        """Items queued for the model's next batches."""
        return self._scheduler.queue_depth if self._scheduler is not None else 0

    def count_tokens(self, text: str, src_lang: str | None = None) -> int:
        """Source tokens of ``text`` as the model sees them (blocking CPU work: call
        from the text pool, not the event loop)."""
        return self.engine.count_tokens(text, src_lang)

    def status(self) -> HandleStatus:
        """A snapshot of the handle (checks the worker now)."""
        self._notice_dead_worker()
        engine = self._engine
        return HandleStatus(
            name=self.name, state=self.state,
            device=engine.device if engine is not None else None,
            engine=engine.kind if engine is not None else None,
            load_seconds=self.load_seconds, error=self.last_error,
            failing_since=self.failing_since, was_ready=self.was_ready)

    def forget_failure(self) -> None:
        """Drop a failed load's backoff (e.g. its weights have just been pulled): the
        next use tries at once."""
        self._retry_at = float("-inf")
        self._failed_loads = 0

    def retry_in(self) -> float:
        """Seconds until the next load attempt is allowed (0 when it is now)."""
        return max(0.0, self._retry_at - self._clock.now())

    # --- serving ----------------------------------------------------------------
    async def generate(self, texts: Sequence[str], key: BatchKey, *,
                       deadline: float | None = None, priority: int = 0,
                       tokens: Sequence[int] | None = None) -> list[Generated]:
        """One output per text, in order, through the model's batching scheduler,
        loading (or healing) the model first. ``deadline`` is absolute, on the
        process clock; ``tokens`` are the texts' counts from :meth:`count_tokens`."""
        if tokens is not None and len(tokens) != len(texts):
            raise ValueError(f"{len(tokens)} token counts for {len(texts)} texts")
        counts: Sequence[int | None] = tokens if tokens is not None else [None] * len(texts)
        inputs = [WorkInput(text, key, n) for text, n in zip(texts, counts)]
        # In use from before the load: the memory budget must not unload the model
        # between its load and the submission.
        self._in_flight += 1
        try:
            scheduler = await self.ensure_ready()
            # One submission: the request is one fair-share unit of the scheduler.
            return await scheduler.submit_many(inputs, deadline=deadline, priority=priority)
        finally:
            self._in_flight -= 1

    @contextlib.asynccontextmanager
    async def using(self) -> AsyncIterator[ModelHandle]:
        """Load the model and keep it loaded while the caller works with it (segmenting
        with its tokenizer, then :meth:`generate`): :meth:`unload`, and so the memory
        budget, leave a model in use alone."""
        self._in_flight += 1
        try:
            await self.ensure_ready()
            yield self
        finally:
            self._in_flight -= 1

    async def ensure_ready(self) -> BatchScheduler:
        """The live scheduler, loading the model (in a thread) when it is not loaded
        or its worker died. Raises :class:`ModelUnavailable` while a failed model
        waits for its next attempt, or when the attempt fails."""
        await self.load()
        scheduler = self._scheduler
        if scheduler is None:
            raise ModelUnavailable(f"model {self.name} ({self.entry.task}) is not served "
                                   "through batching", field="model")
        return scheduler

    async def ensure_engine(self) -> Engine:
        """The loaded engine, loading it first (for engines called directly, such as
        the NLI classifier, which has no batching worker)."""
        await self.load()
        return self.engine

    async def load(self) -> None:
        """Load the model now unless it is ready (single flight: concurrent callers
        share one load); raises :class:`ModelUnavailable`."""
        self._notice_dead_worker()
        if self.state is LoadState.READY:
            return
        if self._loading is None:
            if self.state is LoadState.FAILED and self.retry_in() > 0:
                raise self._unavailable()
            self._loading = asyncio.ensure_future(self._load())
            # Callers may all be gone (cancelled) when a load fails: mark it retrieved.
            self._loading.add_done_callback(_retrieve)
        await asyncio.shield(self._loading)

    async def unload(self, *, timeout: float | None = 0) -> None:
        """Stop the worker and free the engine. Refuses (:class:`ModelBusy`) while
        requests use the model: unloading never fails work that was accepted."""
        if self._in_flight or self.queue_depth:
            raise ModelBusy(f"model {self.name} is in use by {self._in_flight} requests; "
                            "not unloaded", field="model")
        if self._loading is not None:
            await asyncio.gather(self._loading, return_exceptions=True)
        scheduler, engine = self._scheduler, self._engine
        self._scheduler, self._engine = None, None
        self.state = LoadState.UNLOADED
        await _stop_and_close(scheduler, engine, timeout)
        log.info("model unloaded", extra={"model": self.name})

    async def reload(self) -> None:
        """Unload (refusing while busy) and load again, e.g. after new weights."""
        await self.unload()
        self._retry_at = float("-inf")
        await self.ensure_ready()

    async def close(self, timeout: float | None = None) -> None:
        """At shutdown: let queued work finish within ``timeout``, then free the model."""
        if self._loading is not None and not self._loading.done():
            self._loading.cancel()
            await asyncio.gather(self._loading, return_exceptions=True)
        scheduler, engine = self._scheduler, self._engine
        self._scheduler, self._engine = None, None
        self.state = LoadState.UNLOADED
        await _stop_and_close(scheduler, engine, timeout)
        await asyncio.gather(*self._teardowns, return_exceptions=True)

    # --- loading and healing -------------------------------------------------------
    async def _load(self) -> None:
        self.state = LoadState.LOADING
        started = self._clock.now()
        try:
            if self._hooks is not None:
                await self._hooks.before_load(self)
            try:
                engine = await asyncio.to_thread(self._loader, self.entry)
            except NewsroomError:
                raise
            except Exception as exc:  # any load crash is this model's failure, not the caller's
                log.exception("loading model %s failed", self.name)
                raise ModelUnavailable(
                    f"Model '{self.name}' could not be loaded: {type(exc).__name__}: "
                    f"{first_line(exc)}", field="model") from exc
            scheduler = self._make_scheduler(engine) if self.batched else None
            if scheduler is not None:
                await scheduler.start()
        except ModelNotLocal as exc:
            # Weights not pulled (or not converted): the operator's move, not a failed
            # load. Readiness and liveness stay as they are (the error is still shown
            # on /v1/models); the next use looks again, without backoff.
            self.state, self.last_error = LoadState.UNLOADED, exc.message
            raise
        except ModelUnavailable as exc:
            # This attempt's callers get the load error itself; later callers, until
            # the backoff passes, get it with the wait (see _unavailable).
            self._load_failed(exc.message)
            raise
        except asyncio.CancelledError:
            self.state = LoadState.UNLOADED
            raise
        finally:
            self._loading = None
        self._engine, self._scheduler = engine, scheduler
        self.state = LoadState.READY
        self.load_seconds = self._clock.now() - started
        self.last_error, self.failing_since = None, None
        self._failed_loads, self.was_ready = 0, True
        log.info("model loaded", extra={"model": self.name, "engine": engine.kind,
                                        "device": engine.device,
                                        "seconds": round(self.load_seconds, 3)})
        if self._metrics is not None:
            self._metrics.set_model_load_seconds(self.name, self.load_seconds)
        if self._hooks is not None:
            await self._hooks.after_load(self)

    def _load_failed(self, message: str) -> None:
        now = self._clock.now()
        self.state = LoadState.FAILED
        self.last_error = message
        self._failed_loads += 1
        wait = min(self._backoff_max, self._backoff * 2 ** (self._failed_loads - 1))
        self._retry_at = now + wait
        if self.failing_since is None:
            self.failing_since = now
        log.error("model load failed", extra={"model": self.name, "error": message,
                                              "retry_in_s": round(wait, 3)})

    def _notice_dead_worker(self) -> None:
        """A dead worker fails the handle; the engine is closed in the background
        and the next use loads the model again (at once: a worker death is not a
        failed load, so no backoff applies)."""
        scheduler = self._scheduler
        if self.state is not LoadState.READY or scheduler is None or scheduler.healthy:
            return
        self.state = LoadState.FAILED
        self.last_error = f"batching worker died: {scheduler.last_error or 'unknown error'}"
        self.failing_since = self._clock.now()
        self._retry_at = float("-inf")
        engine = self._engine
        self._scheduler, self._engine = None, None
        log.error("model failed; it is reloaded on next use",
                  extra={"model": self.name, "error": self.last_error})
        task = asyncio.ensure_future(_stop_and_close(scheduler, engine, 0))
        self._teardowns.add(task)
        task.add_done_callback(self._teardowns.discard)

    def _unavailable(self, message: str | None = None) -> ModelUnavailable:
        wait = self.retry_in()
        text = message or self.last_error or f"model {self.name} is unavailable"
        if wait > 0:
            text = f"{text} (next load attempt in {wait:.0f} s)"
        return ModelUnavailable(text, field="model", retry_after=wait or None)


async def _stop_and_close(scheduler: BatchScheduler | None, engine: Engine | None,
                          timeout: float | None) -> None:
    """Stop ``scheduler`` (failing what is left after ``timeout``) and then free
    ``engine`` in a thread, so a batch still running has returned first."""
    if scheduler is not None:
        await scheduler.stop(timeout)
    if engine is not None:
        await asyncio.to_thread(_close_quietly, engine)


def _retrieve(future: asyncio.Future[Any]) -> None:
    if not future.cancelled():
        future.exception()


def _close_quietly(engine: Any) -> None:
    try:
        engine.close()
    except Exception:  # a broken engine must not stop the others from closing
        log.exception("closing model %s failed", getattr(engine, "name", "?"))
