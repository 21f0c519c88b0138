"""The fair queue behind a scheduler: which queued items go into the next batch.

Policy, in order:

1. Only items with one :class:`BatchKey` share a batch. The key is taken from the
   first request in rotation among those of the highest priority present.
2. Priority classes (a higher ``priority`` is served first; the scheduler gives bulk
   work a turn after a run of interactive batches, with ``max_priority``). Bulk classes
   (``priority <= 0``) backfill each other's empty slots: a fuller batch raises
   throughput. An interactive class (``priority > 0``) is never backfilled with
   lower classes: on a CPU a batch's time grows with its size, so an interactive
   request's batch stays as small (and as fast) as the interactive work waiting.
3. Within a class, round robin across requests: each round takes one item from every
   request, so a one-sentence request queued behind a 2000-sentence one is in the next
   batch. The unit of fairness is the request (one ``submit`` call, all of its
   segments, whatever their number or keys). Requests that were served move to the
   back of the rotation, so when more requests wait than a batch holds, the next
   batch starts with those left out.
4. Each request's items are sorted longest first, so the many batches of a bulk
   request hold items of similar length (less padding), and long inputs that could
   run out of memory surface early.
5. A batch stops at ``max_items`` items, when its padded size (items x longest item,
   in source tokens) would exceed ``max_tokens``, or when its expected duration
   (``cost``) would exceed ``max_seconds`` or ``deadline_share`` of the time left to
   the tightest deadline among its items. A single item always fits.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from service.engines.base import BatchKey, Generated

#: ``cost(key, items, longest_source_tokens)``: expected seconds of such a batch, or
#: None when unknown.
CostFn = Callable[[BatchKey, int, int], "float | None"]


@dataclass(frozen=True)
class WorkInput:
    """One model input of a submission: its text, its key and, when the caller has
    already counted them (chunking does), its source tokens, so that no segment is
    tokenised twice."""

    text: str
    key: BatchKey
    tokens: int | None = None


@dataclass(eq=False)
class WorkItem:
    """One source text (a sentence or a chunk) of a request."""

    request: WorkRequest
    index: int
    text: str
    tokens: int
    key: BatchKey


@dataclass(eq=False)
class WorkRequest:
    """The items of one ``submit`` call and the future its caller awaits."""

    priority: int
    deadline: float | None
    enqueued_at: float
    future: asyncio.Future[list[Generated]]
    results: list[Generated | None]
    #: Items not yet dispatched, per key, longest first (keys in first-seen order).
    queued: dict[BatchKey, deque[WorkItem]] = field(default_factory=dict)
    #: Items not yet answered (queued or in a running batch).
    unanswered: int = 0

    @property
    def done(self) -> bool:
        """True once the request has its results or its error (or was cancelled)."""
        return self.future.done()

    @property
    def queued_count(self) -> int:
        """Items of this request not yet dispatched."""
        return sum(len(items) for items in self.queued.values())

    def first_key(self) -> BatchKey:
        """The key of this request served next."""
        return next(iter(self.queued))


@dataclass
class Batch:
    """Items chosen for one ``generate`` call, all with ``key``."""

    key: BatchKey
    items: list[WorkItem]
    #: True when the batch cannot grow: it hit a limit (items, tokens, time).
    full: bool
    #: When the oldest of its requests was queued.
    oldest_enqueued: float

    @property
    def longest(self) -> int:
        """Source tokens of its longest item."""
        return max((i.tokens for i in self.items), default=0)

    @property
    def padded_tokens(self) -> int:
        """Source tokens the engine processes, padding included."""
        return len(self.items) * self.longest

    @property
    def padding_ratio(self) -> float:
        """Share of the padded tokens that are padding."""
        padded = self.padded_tokens
        if padded == 0:
            return 0.0
        return 1.0 - sum(i.tokens for i in self.items) / padded


@dataclass(frozen=True)
class PlanLimits:
    """What bounds the next batch (see policy 5)."""

    max_items: int
    max_tokens: int
    cost: CostFn | None = None
    #: No batch expected to run longer than this (None: no cap).
    max_seconds: float | None = None
    #: Share of the time left to the tightest deadline a batch may be expected to take.
    deadline_share: float = 0.5
    #: The clock's time, for deadlines.
    now: float = 0.0
    #: Only requests of at least this priority (None: all).
    min_priority: int | None = None
    #: Only requests of at most this priority (None: all): a bulk turn.
    max_priority: int | None = None


class _Builder:
    """A batch being filled under ``limits``."""

    def __init__(self, key: BatchKey, limits: PlanLimits) -> None:
        self.key = key
        self.limits = limits
        self.items: list[WorkItem] = []
        self.longest = 0
        self.tightest: float | None = None

    @property
    def at_max_items(self) -> bool:
        return len(self.items) >= self.limits.max_items

    def fits(self, item: WorkItem) -> bool:
        """Whether ``item`` can join without breaking a limit (a first item always can)."""
        if not self.items:
            return True
        count = len(self.items) + 1
        longest = max(self.longest, item.tokens)
        if count * longest > self.limits.max_tokens:
            return False
        return self._within_time(count, longest, item.request.deadline)

    def _within_time(self, count: int, longest: int, deadline: float | None) -> bool:
        limits = self.limits
        if limits.cost is None:
            return True
        bound = limits.max_seconds
        tightest = self.tightest
        if deadline is not None:
            tightest = deadline if tightest is None else min(tightest, deadline)
        if tightest is not None:
            share = limits.deadline_share * max(0.0, tightest - limits.now)
            bound = share if bound is None else min(bound, share)
        if bound is None:
            return True
        seconds = limits.cost(self.key, count, longest)
        return seconds is None or seconds <= bound

    def add(self, item: WorkItem) -> None:
        self.items.append(item)
        self.longest = max(self.longest, item.tokens)
        deadline = item.request.deadline
        if deadline is not None:
            self.tightest = deadline if self.tightest is None else min(self.tightest, deadline)


class FairQueue:
    """Queued requests in round-robin rotation; see the module docstring for the policy."""

    def __init__(self) -> None:
        # Requests with queued items, in rotation order (dict keeps insertion order and
        # removes in O(1)).
        self._rotation: dict[WorkRequest, None] = {}
        self._depth = 0

    @property
    def depth(self) -> int:
        """Queued (not yet dispatched) items."""
        return self._depth

    def __bool__(self) -> bool:
        return self._depth > 0

    def requests(self) -> list[WorkRequest]:
        """Requests with queued items, in rotation order."""
        return list(self._rotation)

    def count(self, key: BatchKey, min_priority: int | None = None) -> int:
        """Queued items with ``key`` (of requests of at least ``min_priority``)."""
        return sum(len(r.queued.get(key, ())) for r in self._rotation
                   if min_priority is None or r.priority >= min_priority)

    def add(self, request: WorkRequest, items: list[WorkItem]) -> None:
        """Queue ``items`` (of ``request``) at the back of the rotation."""
        if not items:
            return
        for item in sorted(items, key=lambda i: -i.tokens):
            request.queued.setdefault(item.key, deque()).append(item)
        self._rotation[request] = None
        self._depth += len(items)

    def remove(self, request: WorkRequest) -> int:
        """Drop every queued item of ``request``; returns how many were dropped."""
        if request not in self._rotation:
            return 0
        dropped = request.queued_count
        request.queued.clear()
        del self._rotation[request]
        self._depth -= dropped
        return dropped

    def plan(self, limits: PlanLimits) -> Batch | None:
        """The batch that would be dispatched now (the queue is not changed)."""
        eligible = [r for r in self._rotation
                    if (limits.min_priority is None or r.priority >= limits.min_priority)
                    and (limits.max_priority is None or r.priority <= limits.max_priority)]
        if not eligible:
            return None
        top = max(r.priority for r in eligible)
        key = next(r.first_key() for r in eligible if r.priority == top)
        classes: dict[int, list[WorkRequest]] = {}
        for request in eligible:
            if key in request.queued:
                classes.setdefault(request.priority, []).append(request)

        builder = _Builder(key, limits)
        full = False
        for priority in sorted(classes, reverse=True):
            full = self._fill_class(builder, classes[priority])
            if full:
                break
            if priority > 0:
                # Interactive work runs without bulk items (see policy 2); the batch
                # counts as full so it is dispatched without waiting for more.
                full = any(r.priority < priority for r in eligible)
                break
        oldest = min(item.request.enqueued_at for item in builder.items)
        return Batch(key=key, items=builder.items, full=full, oldest_enqueued=oldest)

    @staticmethod
    def _fill_class(builder: _Builder, requests: list[WorkRequest]) -> bool:
        """Round robin over ``requests`` into ``builder``; True once the batch is full."""
        key = builder.key
        taken = {id(r): 0 for r in requests}
        active = list(requests)
        full = False
        while active:
            still_active = []
            for request in active:
                if builder.at_max_items:
                    return True
                pending = request.queued[key]
                item = pending[taken[id(request)]]
                if not builder.fits(item):
                    # This request's next item does not fit: the batch is full for
                    # it; others (shorter items, later deadlines) may still fit.
                    full = True
                    continue
                builder.add(item)
                taken[id(request)] += 1
                if taken[id(request)] < len(pending):
                    still_active.append(request)
            active = still_active
        return full or builder.at_max_items

    def commit(self, batch: Batch) -> None:
        """Remove ``batch``'s items from the queue and rotate the served requests back."""
        served: dict[WorkRequest, None] = {}
        for item in batch.items:
            pending = item.request.queued[batch.key]
            popped = pending.popleft()
            assert popped is item, "commit() must follow plan() with no change between"
            if not pending:
                del item.request.queued[batch.key]
            served[item.request] = None
        self._depth -= len(batch.items)
        for request in served:
            del self._rotation[request]
            if request.queued:
                self._rotation[request] = None
