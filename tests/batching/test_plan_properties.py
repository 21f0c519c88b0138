"""Property tests of the fair queue's plan: whatever the queue holds, batches respect
their limits (items, padded tokens, expected time), requests share batches round robin
whatever their size, nothing starves, and every item is dispatched exactly once."""

from __future__ import annotations

import asyncio
import math

from hypothesis import given, settings
from hypothesis import strategies as st

from service.batching.queue import Batch, FairQueue, PlanLimits, WorkItem, WorkRequest
from service.engines.base import BatchKey

KEYS = [BatchKey("en", "uk"), BatchKey("en", "ru"), BatchKey("uk", "en")]

#: One request: priority, deadline (None or seconds from now) and items (key, tokens).
request_spec = st.tuples(
    st.sampled_from([-1, 0, 0, 1]),
    st.one_of(st.none(), st.floats(min_value=0.5, max_value=100.0)),
    st.lists(st.tuples(st.integers(0, len(KEYS) - 1), st.integers(1, 60)),
             min_size=1, max_size=40),
)
queue_spec = st.lists(request_spec, min_size=1, max_size=12)
limits_spec = st.tuples(st.integers(1, 16), st.integers(16, 400),
                        st.one_of(st.none(), st.floats(min_value=0.05, max_value=5.0)))


def cost(key: BatchKey, items: int, longest: int) -> float:
    """A plausible decode-time model: per step fixed + per row."""
    return longest * (0.004 + 0.001 * items)


def build(spec, loop: asyncio.AbstractEventLoop) -> tuple[FairQueue, list[WorkRequest]]:
    queue = FairQueue()
    requests = []
    for order, (priority, deadline, items) in enumerate(spec):
        request = WorkRequest(priority=priority, deadline=deadline, enqueued_at=float(order),
                              future=loop.create_future(), results=[None] * len(items),
                              unanswered=len(items))
        queue.add(request, [WorkItem(request, i, f"r{order}i{i}", tokens, KEYS[k])
                            for i, (k, tokens) in enumerate(items)])
        requests.append(request)
    return queue, requests


def limits_of(max_items: int, max_tokens: int, max_seconds: float | None,
              timed: bool = True) -> PlanLimits:
    return PlanLimits(max_items=max_items, max_tokens=max_tokens,
                      cost=cost if timed else None, max_seconds=max_seconds, now=0.0)


def check_limits(batch: Batch, limits: PlanLimits) -> None:
    assert 1 <= len(batch.items) <= limits.max_items
    assert len({item.key for item in batch.items}) == 1 and batch.items[0].key == batch.key
    if len(batch.items) > 1:
        assert batch.padded_tokens <= limits.max_tokens
        seconds = cost(batch.key, len(batch.items), batch.longest)
        if limits.max_seconds is not None:
            assert seconds <= limits.max_seconds
        deadlines = [i.request.deadline for i in batch.items if i.request.deadline is not None]
        if deadlines:
            assert seconds <= limits.deadline_share * (min(deadlines) - limits.now)


def drain(queue: FairQueue, limits: PlanLimits) -> list[Batch]:
    batches = []
    while (batch := queue.plan(limits)) is not None:
        check_limits(batch, limits)
        queue.commit(batch)
        batches.append(batch)
    return batches


@settings(max_examples=150, deadline=None)
@given(queue_spec, limits_spec)
def test_every_batch_respects_items_tokens_and_time_and_every_item_runs_once(spec, limits):
    loop = asyncio.new_event_loop()
    try:
        queue, requests = build(spec, loop)
        plan_limits = limits_of(*limits)
        batches = drain(queue, plan_limits)
        dispatched = [item for batch in batches for item in batch.items]
        assert len(dispatched) == len({id(i) for i in dispatched})
        assert len(dispatched) == sum(len(items) for _, _, items in spec)
        assert queue.depth == 0 and not queue.requests()
    finally:
        loop.close()


@settings(max_examples=150, deadline=None)
@given(queue_spec, st.integers(1, 16))
def test_requests_of_one_class_get_equal_turns_whatever_their_size(spec, max_items):
    """Without token or time limits, round robin: in any batch, two requests of the
    class being served differ by at most one item, unless the smaller ran out of items
    with that key."""
    loop = asyncio.new_event_loop()
    try:
        queue, _ = build(spec, loop)
        limits = PlanLimits(max_items=max_items, max_tokens=10**9)
        while (batch := queue.plan(limits)) is not None:
            before = {id(r): len(r.queued.get(batch.key, ())) for r in queue.requests()}
            taken: dict[int, int] = {}
            for item in batch.items:
                taken[id(item.request)] = taken.get(id(item.request), 0) + 1
            top = max(item.request.priority for item in batch.items)
            peers = [r for r in queue.requests()
                     if r.priority == top and batch.key in r.queued]
            most = max(taken.values())
            for request in peers:
                got = taken.get(id(request), 0)
                assert got >= min(before[id(request)], most - 1), (got, most, before)
            queue.commit(batch)
    finally:
        loop.close()


@settings(max_examples=150, deadline=None)
@given(queue_spec, limits_spec)
def test_no_request_starves_behind_others_of_its_class(spec, limits):
    """With one priority class, the request at place k of the rotation is in one of the
    first k + 1 batches, however many items the requests before it hold."""
    spec = [(0, None, items) for _, _, items in spec]
    loop = asyncio.new_event_loop()
    try:
        queue, requests = build(spec, loop)
        plan_limits = limits_of(*limits)
        first_served: dict[int, int] = {}
        for number, batch in enumerate(drain(queue, plan_limits)):
            for item in batch.items:
                first_served.setdefault(id(item.request), number)
        for place, request in enumerate(requests):
            assert first_served[id(request)] <= place
    finally:
        loop.close()


@settings(max_examples=100, deadline=None)
@given(st.integers(2, 128), st.integers(1, 32))
def test_a_one_sentence_request_shares_the_next_batch_with_a_128_text_request(texts, max_items):
    loop = asyncio.new_event_loop()
    try:
        queue, (bulk, single) = build([(0, None, [(0, 20)] * texts), (0, None, [(0, 5)])],
                                      loop)
        batch = queue.plan(PlanLimits(max_items=max_items, max_tokens=10**9))
        assert batch is not None
        served = [item.request for item in batch.items]
        if max_items == 1:
            assert served == [bulk]
            queue.commit(batch)
            batch = queue.plan(PlanLimits(max_items=max_items, max_tokens=10**9))
            assert batch is not None and [i.request for i in batch.items] == [single]
        else:
            assert served.count(single) == 1
            assert served.count(bulk) == min(texts, max_items - 1)
            assert math.isclose(batch.oldest_enqueued, 0.0)
    finally:
        loop.close()


@settings(max_examples=100, deadline=None)
@given(queue_spec)
def test_the_interactive_only_plan_never_takes_bulk_items(spec):
    loop = asyncio.new_event_loop()
    try:
        queue, _ = build(spec, loop)
        batch = queue.plan(PlanLimits(max_items=8, max_tokens=10**9, min_priority=1))
        if any(priority > 0 for priority, _, _ in spec):
            assert batch is not None
            assert all(item.request.priority > 0 for item in batch.items)
        else:
            assert batch is None
    finally:
        loop.close()
