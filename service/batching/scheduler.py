"""Dynamic batching for one loaded model.

Callers (any number of concurrent requests) ``submit_many`` their sentences or chunks
(one call per request: the queue's unit of fairness); one worker task merges the queued
items of all callers into batches (see :mod:`service.batching.queue` for the fairness,
padding and time policy) and runs up to ``lanes`` batches at once, each in its own
engine thread (the event loop keeps accepting work while batches run). Lanes are the
engine's parallel batches (CTranslate2's ``inter_threads`` translators: one per core
with one thread each on a CPU); ``interactive_lanes`` of them are kept for interactive
work (``priority > 0``), so a headline never waits for a bulk batch to end.

Guarantees a caller relies on:

- results come back in the order of the submitted texts;
- the queue is bounded (``max_queue_items``): past it, :class:`Overloaded` with a
  ``retry_after`` estimated from recent throughput;
- admission control: a request whose estimated wait (fair share of the queue ahead of
  it, on the lanes it may use, at the measured throughput) exceeds the time left to
  its deadline is refused at once with :class:`Overloaded` and an honest
  ``retry_after``, instead of being queued to end in a 504;
- batches are bounded in time, not only in items: a batch's expected duration (a cost
  model calibrated per model, :mod:`service.batching.cost`) stays within
  ``deadline_share`` of the time left to the tightest deadline among its items;
- a deadline that passes, or a caller that is cancelled (client gone), drops that
  request's queued items; items are checked again just before each batch runs, so no
  work is computed for a caller whose deadline has passed;
- an engine exception fails only the requests whose items caused it: a failing batch
  is split in halves and retried until the failing items are isolated (out-of-memory
  errors on an accelerator are handled the same way, after freeing cached memory);
- the worker never dies silently: if its loop fails, ``healthy`` turns False,
  ``last_error`` says why, and every waiting and later request gets
  :class:`ModelUnavailable`.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

from service.batching.clock import Clock, MonotonicClock
from service.batching.cost import CostModel
from service.batching.faults import is_out_of_memory, release_accelerator_memory
from service.batching.queue import Batch, FairQueue, PlanLimits, WorkInput, WorkItem, WorkRequest
from service.batching.throughput import RETRY_AFTER_MAX, RETRY_AFTER_MIN, ThroughputMeter
from service.engines.base import BatchKey, Decoding, Engine, Generated
from service.errors import (
    DeadlineExceeded,
    GenerationFailed,
    LimitExceeded,
    ModelUnavailable,
    NewsroomError,
    Overloaded,
    ServiceStopping,
)

if TYPE_CHECKING:
    from service.metrics import ServiceMetrics
    from service.settings import Settings

log = logging.getLogger(__name__)

#: Bulk batches stay short for this long after the last interactive submission.
INTERACTIVE_WINDOW_S = 5.0
#: Share of the time left to the tightest deadline a batch may be expected to take:
#: the cost model is an estimate, and a batch may have to run again after a split.
DEADLINE_SHARE = 0.5

#: Interactive batches that may start in a row while bulk work waits: then one bulk
#: batch goes first, so bulk work is never starved by a stream of headlines that needs
#: the whole engine (measured: one-lane transformers, one headline a second, each ~1 s
#: of engine time alone: a 50-article bulk request ran past 600 s against 85 s alone).
INTERACTIVE_STREAK = 4
#: While regrouping, once the first caller is back, a batch leaves when no caller has
#: sent work for this long: the callers a batch answered send their next inputs a few
#: milliseconds apart (32 closed-loop HTTP clients on 2 cores: spread over 100-250 ms
#: after the batch), so a pause this long means the rest are not coming soon.
REGROUP_GAP_S = 0.1

#: Items whose tokens are counted between two yields to the event loop, so a bulk
#: request's tokenisation does not stall other callers.
_COUNT_CHUNK = 128


@dataclass(eq=False)
class _Lane:
    """A batch running on one lane."""

    batch: Batch
    interactive: bool
    started: float
    expected_end: float | None


class BatchScheduler:
    """Merges many callers' work items into batches for one engine."""

    def __init__(self, engine: Engine, *, max_batch_items: int, max_batch_tokens: int,
                 max_wait_ms: float, max_queue_items: int, regroup_ms: float = 0.0,
                 bulk_items_while_interactive: int = 0,
                 interactive_window_s: float = INTERACTIVE_WINDOW_S,
                 lanes: int | None = None, interactive_lanes: int = 0,
                 max_batch_seconds: float | None = None,
                 bulk_seconds_while_interactive: float | None = None,
                 deadline_share: float = DEADLINE_SHARE,
                 metrics: ServiceMetrics | None = None, clock: Clock | None = None) -> None:
        """``max_wait_ms`` counts from the oldest queued item of the batch being formed;
        ``clock`` (default: monotonic time) also defines the scale of ``deadline``.
        ``lanes`` defaults to the engine's ``parallel_batches`` (1 if it has none);
        ``interactive_lanes`` of them never run bulk work (at most ``lanes - 1``)."""
        if max_batch_items < 1 or max_batch_tokens < 1 or max_queue_items < 1:
            raise ValueError("batch and queue limits must be positive")
        self._engine = engine
        self._max_items = max_batch_items
        self._max_tokens = max_batch_tokens
        self._max_wait = max(0.0, max_wait_ms) / 1000.0
        self._regroup = max(0.0, regroup_ms) / 1000.0
        self._bulk_cap = max(0, bulk_items_while_interactive)
        self._bulk_seconds = bulk_seconds_while_interactive
        self._max_seconds = max_batch_seconds
        self._deadline_share = deadline_share
        self._interactive_window = interactive_window_s
        self._last_interactive = float("-inf")
        self._max_queue = max_queue_items
        self._metrics = metrics
        self._clock: Clock = clock or MonotonicClock()
        self._lanes = max(1, lanes if lanes is not None
                          else int(getattr(engine, "parallel_batches", 1) or 1))
        self._reserved = max(0, min(interactive_lanes, self._lanes - 1))
        self._queue = FairQueue()
        # Every request not yet answered, queued or in a running batch: stop() and a
        # worker crash must answer all of them.
        self._live: set[WorkRequest] = set()
        self._running: dict[asyncio.Task[None], _Lane] = {}
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._executor: ThreadPoolExecutor | None = None
        self._stopping = False
        self._error: str | None = None
        self._throughput = ThroughputMeter()
        self._cost = CostModel()
        self._decodings: dict[BatchKey, Decoding] = {}
        self._engine_free_at = float("-inf")
        # Interactive batches started in a row while bulk work waited.
        self._interactive_streak = 0
        # Items queued when a lane last became free, and requests that batch
        # answered: their callers are expected back with more work soon.
        self._queued_at_free = 0
        self._answered_last = 0
        # Requests submitted since a lane last became free.
        self._arrived_since_free = 0
        self._last_arrival = float("-inf")

    @classmethod
    def from_settings(cls, engine: Engine, settings: Settings,
                      metrics: ServiceMetrics | None = None,
                      clock: Clock | None = None) -> BatchScheduler:
        """A scheduler with the batching limits of ``settings`` (the padded tokens
        per batch: the model's catalogue entry's, if it sets them); lanes are the
        engine's parallel batches. ``clock`` is the process clock that callers'
        deadlines are measured on (default: monotonic time)."""
        entry = getattr(engine, "entry", None)
        return cls(engine, max_batch_items=settings.max_batch_items,
                   max_batch_tokens=(getattr(entry, "max_batch_tokens", None)
                                     or settings.max_batch_tokens),
                   max_wait_ms=settings.max_wait_ms,
                   max_queue_items=settings.max_queue_items,
                   regroup_ms=settings.batch_regroup_ms,
                   bulk_items_while_interactive=settings.bulk_batch_items_while_interactive,
                   interactive_lanes=settings.interactive_lanes,
                   max_batch_seconds=settings.max_batch_seconds or None,
                   bulk_seconds_while_interactive=(
                       settings.bulk_batch_seconds_while_interactive or None),
                   metrics=metrics, clock=clock)

    # --- state ------------------------------------------------------------------
    @property
    def name(self) -> str:
        """The engine's model name (the ``model`` label of the metrics)."""
        return self._engine.name

    @property
    def queue_depth(self) -> int:
        """Items waiting for a batch (items in a running batch are not counted)."""
        return self._queue.depth

    @property
    def lanes(self) -> int:
        """Batches this scheduler runs at once."""
        return self._lanes

    @property
    def running_batches(self) -> int:
        """Batches in the engine now."""
        return len(self._running)

    @property
    def healthy(self) -> bool:
        """False once the worker has died; ``last_error`` says why."""
        return self._error is None

    @property
    def accepting(self) -> bool:
        """False once ``stop`` was called or the worker died."""
        return not self._stopping and self._error is None

    @property
    def last_error(self) -> str | None:
        """Why the worker died, or None."""
        return self._error

    @property
    def items_per_second(self) -> float | None:
        """Moving average of items generated per second of engine time on one lane
        (None: no batch yet)."""
        return self._throughput.items_per_second

    @property
    def cost_model(self) -> CostModel:
        """The calibrated batch-duration model (read-only use)."""
        return self._cost

    def now(self) -> float:
        """The scheduler clock's time: ``deadline`` values are on this scale."""
        return self._clock.now()

    # --- lifecycle --------------------------------------------------------------
    async def start(self) -> None:
        """Start the worker (idempotent); call from the event loop that will submit."""
        if self._task is not None:
            return
        if self._stopping:
            raise ServiceStopping(f"model {self.name} is shutting down")
        self._executor = ThreadPoolExecutor(max_workers=self._lanes,
                                            thread_name_prefix=f"engine-{self.name}")
        self._task = asyncio.get_running_loop().create_task(
            self._work(), name=f"batch-worker-{self.name}")
        self._task.add_done_callback(self._on_worker_done)
        self._set_worker_up(True)

    async def stop(self, timeout: float | None = None) -> None:
        """Refuse new work (``ServiceStopping``), let queued work finish within
        ``timeout`` seconds (None: no limit), then fail what is left with
        ``ServiceStopping``. Batches still running in engine threads are abandoned,
        not interrupted: close the engine only after they return."""
        self._stopping = True
        self._wakeup.set()
        task = self._task
        if task is not None and not task.done():
            waiters: set[asyncio.Future[None]] = {task}
            timer = None
            if timeout is not None:
                timer = asyncio.ensure_future(self._clock.sleep(timeout))
                waiters.add(timer)
            try:
                await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
            finally:
                if timer is not None:
                    timer.cancel()
            if not task.done():
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
        self._fail_all(ServiceStopping(f"model {self.name} is shutting down"))
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
        self._set_worker_up(False)

    # --- submitting -------------------------------------------------------------
    async def submit(self, texts: Sequence[str], key: BatchKey, *,
                     deadline: float | None = None, priority: int = 0) -> list[Generated]:
        """``submit_many`` for texts that share one key."""
        return await self.submit_many([WorkInput(text, key) for text in texts],
                                      deadline=deadline, priority=priority)

    async def submit_many(self, inputs: Sequence[WorkInput], *,
                          deadline: float | None = None,
                          priority: int = 0) -> list[Generated]:
        """Generate one output per input, in the order of ``inputs``.

        Submit every input of one request (all its texts and segments for this model)
        in one call: the call is the unit of the round robin, so a request of 128
        texts gets the same share as a one-sentence request. Inputs may have several
        keys. ``tokens`` given with an input is trusted (no second tokenisation).

        ``deadline`` is an absolute time on this scheduler's clock (``now()``; by
        default ``time.monotonic()``). A higher ``priority`` is served first.
        Raises :class:`Overloaded` when the queue cannot take these items or their
        estimated wait exceeds the deadline, :class:`LimitExceeded` when the queue
        never could, :class:`DeadlineExceeded`, :class:`GenerationFailed` (the engine
        failed on one of these inputs), :class:`ServiceStopping` and
        :class:`ModelUnavailable` (worker died). If the calling task is cancelled,
        its queued items are dropped.
        """
        self._check_accepting()
        count = len(inputs)
        if count == 0:
            return []
        if count > self._max_queue:
            raise LimitExceeded(
                f"this request needs {count} model inputs but the queue of model "
                f"{self.name} holds at most {self._max_queue}; send it in smaller parts",
                limit="max_queue_items")
        self._check_room(count)
        if deadline is not None and self._clock.now() >= deadline:
            raise DeadlineExceeded(self._deadline_message())
        if self._task is None:
            await self.start()
        tokens = await self._count_tokens(inputs)
        # Counting may have yielded to other callers: check again before queueing.
        self._check_accepting()
        self._check_room(count)
        self._admit(count, priority, deadline)

        if priority > 0:
            self._last_interactive = self._clock.now()
        request = WorkRequest(priority=priority, deadline=deadline,
                              enqueued_at=self._clock.now(),
                              future=asyncio.get_running_loop().create_future(),
                              results=[None] * count, unanswered=count)
        self._last_arrival = self._clock.now()
        self._arrived_since_free += 1
        self._queue.add(request, [WorkItem(request, i, item.text, n, item.key)
                                  for i, (item, n) in enumerate(zip(inputs, tokens))])
        self._live.add(request)
        self._queue_changed()
        self._wakeup.set()
        try:
            return await self._wait_for(request)
        except asyncio.CancelledError:
            # The caller went away (client disconnected): drop its queued items.
            self._queue.remove(request)
            self._queue_changed()
            request.future.cancel()
            raise
        finally:
            self._live.discard(request)

    async def _wait_for(self, request: WorkRequest) -> list[Generated]:
        if request.deadline is None:
            return await asyncio.shield(request.future)
        timer = asyncio.ensure_future(self._clock.sleep(request.deadline - self._clock.now()))
        try:
            await asyncio.wait({request.future, timer}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            timer.cancel()
        if not request.future.done():
            self._fail(request, DeadlineExceeded(self._deadline_message()))
        return request.future.result()

    async def _count_tokens(self, inputs: Sequence[WorkInput]) -> list[int]:
        """Source tokens per input as the engine will see them (counted only where the
        caller did not give them), yielding between chunks."""
        counts: list[int] = []
        cap = max(1, self._engine.max_input_tokens)
        try:
            for start in range(0, len(inputs), _COUNT_CHUNK):
                if start:
                    await asyncio.sleep(0)
                # The engine adds its prefix and truncates at max_input_tokens itself.
                counts.extend(min(item.tokens if item.tokens is not None else
                                  self._engine.count_tokens(item.text, item.key.src_lang), cap)
                              for item in inputs[start:start + _COUNT_CHUNK])
        except NewsroomError:
            raise
        except Exception as exc:
            log.exception("token counting failed for model %s", self.name)
            raise GenerationFailed(
                f"model {self.name} could not tokenize the input ({type(exc).__name__})"
            ) from exc
        return counts

    def _check_accepting(self) -> None:
        if self._error is not None:
            raise ModelUnavailable(self._unavailable_message())
        if self._stopping:
            raise ServiceStopping(f"model {self.name} is shutting down")

    def _check_room(self, count: int) -> None:
        depth = self._queue.depth
        if depth + count <= self._max_queue:
            return
        raise Overloaded(
            f"model {self.name} is busy: {depth} inputs queued, limit {self._max_queue}; "
            f"retry later",
            retry_after=self._throughput.retry_after(
                (depth + count - self._max_queue) / self._lanes))

    # --- admission control --------------------------------------------------------
    def estimated_wait(self, count: int, priority: int = 0) -> float | None:
        """Seconds until a new request of ``count`` items at ``priority`` would be
        answered, at the measured throughput (None: nothing measured yet).

        Fair share: each queued request of the same class is ahead of it by at most
        ``count`` items (round robin), higher classes by all their items, lower ones
        by nothing; plus the wait for a lane if none is free for its class."""
        rate = self._throughput.items_per_second
        if not rate:
            return None
        ahead = 0
        for request in self._queue.requests():
            if request.priority > priority:
                ahead += request.queued_count
            elif request.priority == priority:
                ahead += min(request.queued_count, count)
        lanes = self._lanes - self._reserved
        if priority > 0 and self._bulk_present():
            lanes = self._lanes
        return self._lane_wait(priority > 0) + (ahead + count) / (rate * lanes)

    def _lane_wait(self, interactive: bool) -> float:
        """Expected seconds until a lane that may take this class is free."""
        free, free_bulk = self._free_lanes()
        if free if interactive else free_bulk:
            return 0.0
        now = self._clock.now()
        ends = [max(0.0, lane.expected_end - now) for lane in self._running.values()
                if lane.expected_end is not None and (interactive or not lane.interactive)]
        return min(ends, default=0.0)

    def _admit(self, count: int, priority: int, deadline: float | None) -> None:
        """Refuse (``Overloaded``) a request that would wait past its deadline."""
        if deadline is None:
            return
        wait = self.estimated_wait(count, priority)
        if wait is None:
            return
        left = deadline - self._clock.now()
        if wait <= left:
            return
        retry = min(RETRY_AFTER_MAX, max(RETRY_AFTER_MIN, math.ceil(wait - left)))
        raise Overloaded(
            f"model {self.name} is busy: this request would wait about {wait:.0f} s for "
            f"{count} inputs, longer than the {max(0.0, left):.0f} s left to its deadline; "
            f"retry later", retry_after=float(retry))

    def _deadline_message(self) -> str:
        return f"the request did not finish within its deadline (model {self.name})"

    def _unavailable_message(self) -> str:
        return f"model {self.name} is unavailable: its batching worker stopped; see /readyz"

    # --- worker -----------------------------------------------------------------
    async def _work(self) -> None:
        try:
            while True:
                batch = await self._next_batch()
                if batch is None:
                    break
                self._start_lane(batch)
            # Stopping: let the batches still running finish.
            while self._running:
                await asyncio.wait(set(self._running))
        except asyncio.CancelledError:
            for lane_task in list(self._running):
                lane_task.cancel()
            raise
        except BaseException as exc:  # noqa: BLE001 - the worker must never die silently
            self._crashed(exc)
            if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                raise

    def _start_lane(self, batch: Batch) -> None:
        interactive = all(item.request.priority > 0 for item in batch.items)
        if not interactive:
            self._interactive_streak = 0
        elif self._bulk_queued():
            self._interactive_streak += 1
        started = self._clock.now()
        expected = self._cost.seconds(len(batch.items), batch.longest,
                                      self._decoding(batch.key))
        log.debug("model %s: batch of %d items (%s) starts beside %d, %d items queued",
                  self.name, len(batch.items), "interactive" if interactive else "bulk",
                  len(self._running), self._queue.depth)
        task = asyncio.get_running_loop().create_task(
            self._dispatch(batch), name=f"batch-lane-{self.name}")
        self._running[task] = _Lane(batch, interactive, started,
                                    None if expected is None else started + expected)
        task.add_done_callback(self._on_lane_done)

    def _on_lane_done(self, task: asyncio.Task[None]) -> None:
        self._running.pop(task, None)
        self._wakeup.set()
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None and self._error is None:
            # A bug outside the engine call (engine errors are isolated in
            # _run_isolating): the worker is no longer trustworthy.
            self._crashed(exc)
            if self._task is not None:
                self._task.cancel()

    def _interactive_recently(self) -> bool:
        return self._clock.now() - self._last_interactive < self._interactive_window

    def _free_lanes(self) -> tuple[int, int]:
        """(free lanes for any work, free lanes for bulk work).

        The reserved lanes exist so that interactive work never waits for a bulk batch.
        While there is no bulk work, interactive work keeps to the regular lanes (one
        per core on a CPU): a batch on a reserved lane would then only share a core with
        another, and split the callers into more, smaller batches (measured on 2 cores,
        32 closed-loop clients: 3 lanes gave batches of 7.8 items and 0.60 of the engine
        ceiling, one reduced run each way; see docs/engines.md)."""
        running = len(self._running)
        free = self._lanes - running
        bulk_running = sum(1 for lane in self._running.values() if not lane.interactive)
        regular = self._lanes - self._reserved
        free_bulk = max(0, min(free, regular - bulk_running))
        if not bulk_running and not self._bulk_queued():
            free = max(0, min(free, regular - running))
        return free, free_bulk

    def _bulk_present(self) -> bool:
        """True while a bulk batch runs or bulk items are queued."""
        return (any(not lane.interactive for lane in self._running.values())
                or self._bulk_queued())

    def _bulk_queued(self) -> bool:
        """True while bulk items (``priority <= 0``) wait in the queue."""
        return any(r.priority <= 0 for r in self._queue.requests())

    async def _next_batch(self) -> Batch | None:
        """Wait until a lane is free and a batch is full or its oldest item waited
        ``max_wait``; None once stopping with an empty queue."""
        while True:
            # Cleared before planning, with no await in between, so a submit or a lane
            # that finishes while we wait always wakes us.
            self._wakeup.clear()
            self._drop_expired()
            free, free_bulk = self._free_lanes()
            batch = None
            if free:
                batch = self._plan(None if free_bulk else 1, free, free_bulk)
            if batch is None:
                if self._stopping and not self._queue:
                    return None
                await self._wait_wakeup(None)
                continue
            due = batch.oldest_enqueued + self._max_wait
            expected = min(self._max_items, self._queued_at_free + self._answered_last)
            if len(batch.items) < expected:
                # Regrouping: the callers the last batch answered usually send their
                # next input within milliseconds, but after items that queued while
                # the engine ran; without this wait those would leave at once in a
                # half-full batch and closed-loop clients would split into two groups
                # alternating in half-full batches. Bounded by ``regroup_ms`` from the
                # moment a lane became free, and over once the callers pause for
                # REGROUP_GAP_S; a lone caller never waits for it.
                regroup_until = self._engine_free_at + self._regroup
                if self._last_arrival > self._engine_free_at:
                    regroup_until = min(regroup_until, self._last_arrival + REGROUP_GAP_S)
                due = max(due, regroup_until)
            if batch.full or self._stopping or self._clock.now() >= due:
                self._queue.commit(batch)
                self._queue_changed()
                return batch
            await self._wait_wakeup(due - self._clock.now())

    def _plan(self, min_priority: int | None, free: int, free_bulk: int) -> Batch | None:
        """The next batch under the current limits, shared out over the free lanes it
        may use (several free lanes each get a part of the queue, so all run)."""
        # A bulk turn after INTERACTIVE_STREAK interactive batches, if bulk may start.
        bulk_turn = (self._interactive_streak >= INTERACTIVE_STREAK and free_bulk > 0
                     and self._bulk_queued())
        top = 0 if bulk_turn else None
        limits = self._limits(min_priority, self._max_items, self._max_seconds, top)
        batch = self._queue.plan(limits)
        if batch is None:
            return None
        if not self._reserved and self._interactive_recently() \
                and all(i.request.priority <= 0 for i in batch.items):
            # Interactive requests are arriving and no lane is kept for them: keep bulk
            # batches short, since an interactive input waits for the batch already on
            # the CPU. With a reserved lane, short bulk batches would only cost the bulk
            # work (one run, CTranslate2, 2 cores: 50 articles under one headline a
            # second took 1.85x their time alone with bulk batches capped at 8 items).
            items = self._bulk_cap or self._max_items
            seconds = _min_or_none(self._max_seconds, self._bulk_seconds)
            if len(batch.items) > items or seconds is not None:
                short = self._queue.plan(self._limits(min_priority, items, seconds, top))
                assert short is not None
                short.full = short.full or len(short.items) < len(batch.items)
                batch = short
        interactive = all(i.request.priority > 0 for i in batch.items)
        lanes = free if interactive else free_bulk
        if len(batch.items) > 1:
            batch = self._share(batch, interactive, lanes, min_priority, limits, top)
        return batch

    def _share(self, batch: Batch, interactive: bool, lanes: int, min_priority: int | None,
               limits: PlanLimits, top: int | None) -> Batch:
        """``batch`` cut to its share of the queued work of its key, shared over the
        ``lanes`` free lanes and the running lanes of the same work that will end before
        it would (their callers' next inputs are part of the same work), counting the
        callers still on their way back from the lane that freed last (``_returning``).

        Counting those lanes keeps closed-loop callers in equal groups, one per lane:
        otherwise a lane that frees takes everything queued, and 32 callers on two lanes
        settle in groups of 22, 10 and 10 (a simulation with this scheduler) or batches
        of 4-16 items, ~12 on average (bench/serving.py's 32-client CTranslate2 load)
        instead of 16 and 16."""
        soon = self._ending_before(batch, interactive)
        total = lanes + len(soon)
        if total <= 1:
            return batch
        waiting = self._queue.count(batch.key, min_priority)
        in_flight = sum(len(running.items) for running in soon)
        expected = waiting + in_flight + self._returning()
        share = math.ceil(min(expected, self._max_items * total) / total)
        if share >= len(batch.items):
            return batch
        split = self._queue.plan(self._limits(min_priority, share, limits.max_seconds, top))
        assert split is not None
        # With all lanes free, the share still waits like any batch (max_wait,
        # regrouping): dispatched at once, the lanes would start with a few items each
        # while the callers' requests are still arriving. Beside a running lane, the
        # share is all this lane should take.
        split.full = batch.full or bool(soon)
        return split

    def _returning(self) -> int:
        """Callers answered by the lane that last became free and not back yet, while
        regrouping may still wait for them.

        Two lanes that free within milliseconds of each other would otherwise share out
        only the first lane's callers, who are back already: 32 closed-loop clients on
        two CTranslate2 lanes fell from 16 + 16 to 8 + 9 every few rounds (debug log,
        bench/serving.py's 32-client load) and took rounds to grow back."""
        if self._clock.now() >= self._engine_free_at + self._regroup:
            return 0
        return max(0, self._answered_last - self._arrived_since_free)

    def _ending_before(self, batch: Batch, interactive: bool) -> list[Batch]:
        """Running batches of ``batch``'s key and class expected to end before
        ``batch`` would (by the calibrated cost model; none before it is calibrated)."""
        estimate = self._batch_seconds(batch.key, len(batch.items), batch.longest)
        if estimate is None:
            return []
        ends_by = self._clock.now() + estimate
        return [lane.batch for lane in self._running.values()
                if lane.interactive == interactive and lane.batch.key == batch.key
                and lane.expected_end is not None and lane.expected_end <= ends_by]

    def _limits(self, min_priority: int | None, items: int, seconds: float | None,
                max_priority: int | None = None) -> PlanLimits:
        return PlanLimits(max_items=items, max_tokens=self._max_tokens,
                          cost=self._batch_seconds, max_seconds=seconds,
                          deadline_share=self._deadline_share, now=self._clock.now(),
                          min_priority=min_priority, max_priority=max_priority)

    def _batch_seconds(self, key: BatchKey, items: int, longest: int) -> float | None:
        return self._cost.seconds(items, longest, self._decoding(key))

    def _decoding(self, key: BatchKey) -> Decoding:
        decoding = self._decodings.get(key)
        if decoding is None:
            describe = getattr(self._engine, "decoding", None)
            try:
                decoding = describe(key) if describe is not None else Decoding()
            except Exception:  # noqa: BLE001 - an estimate only; never fail a request on it
                log.warning("model %s: no decoding description for %s", self.name, key)
                decoding = Decoding()
            self._decodings[key] = decoding
        return decoding

    async def _wait_wakeup(self, timeout: float | None) -> None:
        waiters: set[asyncio.Future[object]] = {asyncio.ensure_future(self._wakeup.wait())}
        if timeout is not None:
            waiters.add(asyncio.ensure_future(self._clock.sleep(timeout)))
        try:
            await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()

    def _drop_expired(self) -> None:
        now = self._clock.now()
        for request in self._queue.requests():
            if request.deadline is not None and now >= request.deadline:
                self._fail(request, DeadlineExceeded(self._deadline_message()))

    async def _dispatch(self, batch: Batch) -> None:
        if self._metrics is not None:
            now = self._clock.now()
            self._metrics.observe_waits(self.name, (now - item.request.enqueued_at
                                                    for item in batch.items))
        # Longest first, the order of the bisection halves too.
        items = sorted(batch.items, key=lambda i: -i.tokens)
        try:
            await self._run_isolating(batch.key, items)
        finally:
            self._engine_free_at = self._clock.now()
            self._queued_at_free = self._queue.depth
            self._answered_last = len({id(i.request) for i in items if i.request.done})
            self._arrived_since_free = 0

    async def _run_isolating(self, key: BatchKey, items: list[WorkItem]) -> None:
        """Run ``items``; on failure split in halves until the failing items are
        alone, so only their requests fail."""
        now = self._clock.now()
        for item in items:
            deadline = item.request.deadline
            if not item.request.done and deadline is not None and now >= deadline:
                self._fail(item.request, DeadlineExceeded(self._deadline_message()))
        items = [item for item in items if not item.request.done]
        if not items:
            return
        assert self._executor is not None
        started = self._clock.now()
        try:
            outputs = await asyncio.get_running_loop().run_in_executor(
                self._executor, self._engine.generate, [item.text for item in items], key)
            if len(outputs) != len(items):
                raise RuntimeError(f"engine returned {len(outputs)} outputs "
                                   f"for {len(items)} inputs")
        except Exception as exc:
            oom = is_out_of_memory(exc)
            if oom:
                release_accelerator_memory()
            if len(items) > 1:
                log.warning("model %s: batch of %d failed (%s: %s); splitting it to "
                            "isolate the failing input", self.name, len(items),
                            type(exc).__name__, exc)
                half = len(items) // 2
                await self._run_isolating(key, items[:half])
                await self._run_isolating(key, items[half:])
                return
            log.error("model %s failed on one input", self.name, exc_info=exc)
            reason = "out of memory" if oom else type(exc).__name__
            self._fail(items[0].request, GenerationFailed(
                f"model {self.name} failed on this input ({reason})"))
            return
        self._record(key, items, outputs, self._clock.now() - started)
        for item, output in zip(items, outputs):
            request = item.request
            if request.done:
                continue
            request.results[item.index] = output
            request.unanswered -= 1
            if request.unanswered == 0:
                request.future.set_result([r for r in request.results if r is not None])

    def _record(self, key: BatchKey, items: list[WorkItem], outputs: list[Generated],
                seconds: float) -> None:
        self._throughput.record(len(items), seconds)
        longest = max(item.tokens for item in items)
        self._cost.observe(len(items), longest, self._decoding(key),
                           max((o.tokens for o in outputs), default=0), seconds)
        if self._metrics is not None:
            padded = longest * len(items)
            ratio = 1.0 - sum(item.tokens for item in items) / padded if padded else 0.0
            self._metrics.observe_batch(self.name, size=len(items), padding_ratio=ratio,
                                        generated_tokens=sum(o.tokens for o in outputs),
                                        seconds=seconds)

    # --- failure paths ------------------------------------------------------------
    def _fail(self, request: WorkRequest, exc: NewsroomError) -> None:
        """Answer ``request`` with ``exc`` and drop its queued items."""
        if self._queue.remove(request):
            self._queue_changed()
        if not request.done:
            request.future.set_exception(exc)

    def _fail_all(self, exc: NewsroomError) -> None:
        for request in list(self._live):
            self._fail(request, exc)

    def _crashed(self, exc: BaseException) -> None:
        self._error = f"{type(exc).__name__}: {exc}"
        log.critical("batching worker of model %s died", self.name, exc_info=exc)
        self._set_worker_up(False)
        self._fail_all(ModelUnavailable(self._unavailable_message()))

    def _on_worker_done(self, task: asyncio.Task[None]) -> None:
        # A worker that ends while not stopping is a crash, however it ended.
        if self._stopping or self._error is not None:
            return
        exc = None if task.cancelled() else task.exception()
        self._crashed(exc or RuntimeError("the worker task ended unexpectedly"))

    # --- metrics --------------------------------------------------------------------
    def _queue_changed(self) -> None:
        if self._metrics is not None:
            self._metrics.set_queue_depth(self.name, self._queue.depth)

    def _set_worker_up(self, up: bool) -> None:
        if self._metrics is not None:
            self._metrics.set_worker_up(self.name, up)


def _min_or_none(*values: float | None) -> float | None:
    present = [v for v in values if v is not None]
    return min(present) if present else None
