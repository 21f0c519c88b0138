"""The fair queue behind a scheduler: which queued items go into the next batch.

Policy, in order:

1. Only items with one :class:`BatchKey` share a batch. The key is taken from the
   first request in rotation among those of the highest priority present.
2. Strict priority classes (a higher ``priority`` is served first). Bulk classes
   (``priority <= 0``) backfill each other's empty slots: a fuller batch raises
   throughput. An interactive class (``priority > 0``) is never backfilled with
   lower classes: on a CPU a batch's time grows with its size, so an interactive
   request's batch stays as small (and as fast) as the interactive work waiting.
3. Within a class, round robin across requests: each round takes one item from every
   request, so a one-sentence request queued behind a 2000-sentence one is in the next
   batch. Requests that were served move to the back of the rotation, so when more
   requests wait than a batch holds, the next batch starts with those left out.
4. Each request's items are sorted longest first, so the many batches of a bulk
   request hold items of similar length (less padding), and long inputs that could
   run out of memory surface early.
5. A batch stops at ``max_items`` items or when its padded size (items x longest
   item, in source tokens) would exceed ``max_tokens``; a single item always fits.
"""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass, field

from service.engines.base import BatchKey, Generated


@dataclass(eq=False)
class WorkItem:
    """One source text (a sentence or a chunk) of a request."""

    request: WorkRequest
    index: int
    text: str
    tokens: int


@dataclass(eq=False)
class WorkRequest:
    """The items of one ``submit`` call and the future its caller awaits."""

    key: BatchKey
    priority: int
    deadline: float | None
    enqueued_at: float
    future: asyncio.Future[list[Generated]]
    results: list[Generated | None]
    #: Items not yet dispatched, longest first.
    queued: deque[WorkItem] = field(default_factory=deque)
    #: Items not yet answered (queued or in a running batch).
    unanswered: int = 0

    @property
    def done(self) -> bool:
        """True once the request has its results or its error (or was cancelled)."""
        return self.future.done()


@dataclass
class Batch:
    """Items chosen for one ``generate`` call, all with ``key``."""

    key: BatchKey
    items: list[WorkItem]
    #: True when the batch cannot grow: it hit max items or max padded tokens.
    full: bool
    #: When the oldest of its requests was queued.
    oldest_enqueued: float

    @property
    def padded_tokens(self) -> int:
        """Source tokens the engine processes, padding included."""
        return len(self.items) * max((i.tokens for i in self.items), default=0)

    @property
    def padding_ratio(self) -> float:
        """Share of the padded tokens that are padding."""
        padded = self.padded_tokens
        if padded == 0:
            return 0.0
        return 1.0 - sum(i.tokens for i in self.items) / padded


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

    def add(self, request: WorkRequest, items: list[WorkItem]) -> None:
        """Queue ``items`` (of ``request``) at the back of the rotation."""
        if not items:
            return
        request.queued.extend(sorted(items, key=lambda i: -i.tokens))
        self._rotation[request] = None
        self._depth += len(items)

    def remove(self, request: WorkRequest) -> int:
        """Drop every queued item of ``request``; returns how many were dropped."""
        if request not in self._rotation:
            return 0
        dropped = len(request.queued)
        request.queued.clear()
        del self._rotation[request]
        self._depth -= dropped
        return dropped

    def plan(self, max_items: int, max_tokens: int) -> Batch | None:
        """The batch that would be dispatched now (the queue is not changed)."""
        if not self._rotation:
            return None
        top = max(r.priority for r in self._rotation)
        key = next(r.key for r in self._rotation if r.priority == top)
        classes: dict[int, list[WorkRequest]] = {}
        for request in self._rotation:
            if request.key == key:
                classes.setdefault(request.priority, []).append(request)

        items: list[WorkItem] = []
        longest = 0
        full = False
        for priority in sorted(classes, reverse=True):
            taken = {id(r): 0 for r in classes[priority]}
            active = list(classes[priority])
            while active and not full:
                still_active = []
                for request in active:
                    if len(items) == max_items:
                        full = True
                        break
                    item = request.queued[taken[id(request)]]
                    new_longest = max(longest, item.tokens)
                    if items and (len(items) + 1) * new_longest > max_tokens:
                        # This request's next item does not fit: the batch is full for
                        # it; others (shorter items) may still fit.
                        full = True
                        continue
                    items.append(item)
                    longest = new_longest
                    taken[id(request)] += 1
                    if taken[id(request)] < len(request.queued):
                        still_active.append(request)
                active = still_active
            if len(items) == max_items:
                full = True
            if full:
                break
            if priority > 0:
                # Interactive work runs without bulk items (see policy 2); the batch
                # counts as full so it is dispatched without waiting for more.
                full = any(r.priority < priority for r in self._rotation)
                break
        oldest = min(item.request.enqueued_at for item in items)
        return Batch(key=key, items=items, full=full, oldest_enqueued=oldest)

    def commit(self, batch: Batch) -> None:
        """Remove ``batch``'s items from the queue and rotate the served requests back."""
        served: dict[WorkRequest, None] = {}
        for item in batch.items:
            popped = item.request.queued.popleft()
            assert popped is item, "commit() must follow plan() with no change between"
            served[item.request] = None
        self._depth -= len(batch.items)
        for request in served:
            del self._rotation[request]
            if request.queued:
                self._rotation[request] = None
