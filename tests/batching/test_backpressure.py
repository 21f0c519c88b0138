"""Bounded queue, deadlines and callers that go away."""

from __future__ import annotations

import asyncio

import pytest

from service.engines.base import BatchKey, Generated
from service.errors import DeadlineExceeded, LimitExceeded, Overloaded

KEY = BatchKey(src_lang="en", tgt_lang="uk")


async def test_a_full_queue_refuses_with_retry_after_from_throughput(
        make_scheduler, make_engine, clock, wait_until):
    engine = make_engine(gated=True, clock=clock, seconds_per_call=4.0)
    scheduler = await make_scheduler(engine, max_batch_items=2, max_queue_items=5)
    # No batch has run yet: the minimum estimate.
    first = asyncio.create_task(scheduler.submit(["a", "b"], KEY))
    await engine.started()
    queued = asyncio.create_task(scheduler.submit(["c", "d", "e", "f"], KEY))
    await wait_until(lambda: scheduler.queue_depth == 4)
    with pytest.raises(Overloaded) as refused:
        await scheduler.submit(["g", "h"], KEY)
    assert refused.value.message == "model fake is busy: 4 inputs queued, limit 5; retry later"
    assert refused.value.retry_after == 1.0

    engine.release()
    await first  # 2 items in 4 s of engine time: 0.5 items/s
    assert await engine.started() == ["c", "d"]
    assert scheduler.queue_depth == 2
    with pytest.raises(Overloaded) as refused:
        await scheduler.submit(["g", "h", "i", "j", "k"], KEY)
    # 2 + 5 - 5 = 2 items too many at 0.5 items/s.
    assert refused.value.retry_after == 4.0

    engine.release(2)
    assert [g.text for g in await queued] == ["C", "D", "E", "F"]


async def test_a_request_larger_than_the_queue_is_a_limit_error(make_scheduler, make_engine):
    scheduler = await make_scheduler(make_engine(), max_queue_items=3)
    with pytest.raises(LimitExceeded) as refused:
        await scheduler.submit(["a", "b", "c", "d"], KEY)
    assert refused.value.message == ("this request needs 4 model inputs but the queue of "
                                     "model fake holds at most 3; send it in smaller parts")
    assert refused.value.limit == "max_queue_items"


async def test_a_cancelled_caller_has_its_queued_items_dropped(
        make_scheduler, make_engine, wait_until):
    engine = make_engine(gated=True)
    scheduler = await make_scheduler(engine)
    blocker = asyncio.create_task(scheduler.submit(["blocker"], KEY))
    await engine.started()
    gone = asyncio.create_task(scheduler.submit(["never", "run"], KEY))
    await wait_until(lambda: scheduler.queue_depth == 2)

    gone.cancel()
    with pytest.raises(asyncio.CancelledError):
        await gone
    assert scheduler.queue_depth == 0
    engine.release(2)
    await blocker
    assert await scheduler.submit(["later"], KEY) == [Generated("LATER", 1)]
    assert engine.batches == [["blocker"], ["later"]]


async def test_a_caller_cancelled_mid_batch_does_not_disturb_the_others(
        make_scheduler, make_engine, wait_until):
    engine = make_engine(gated=True)
    scheduler = await make_scheduler(engine)
    gone = asyncio.create_task(scheduler.submit(["mine"], KEY))
    await engine.started()
    gone.cancel()
    with pytest.raises(asyncio.CancelledError):
        await gone
    engine.release(2)
    assert await scheduler.submit(["next"], KEY) == [Generated("NEXT", 1)]


async def test_a_passed_deadline_fails_the_request_and_drops_its_items(
        make_scheduler, make_engine, clock, wait_until):
    engine = make_engine(gated=True)
    scheduler = await make_scheduler(engine)
    blocker = asyncio.create_task(scheduler.submit(["blocker"], KEY))
    await engine.started()
    late = asyncio.create_task(scheduler.submit(["too", "late"], KEY, deadline=5.0))
    await wait_until(lambda: scheduler.queue_depth == 2)
    await clock.sleeping_until(5.0)

    clock.advance(5.0)
    with pytest.raises(DeadlineExceeded) as failed:
        await late
    assert failed.value.message == "the request did not finish within its deadline (model fake)"
    assert scheduler.queue_depth == 0
    engine.release(2)
    await blocker
    assert await scheduler.submit(["on time"], KEY, deadline=10.0) == [
        Generated("ON TIME", 2)]
    assert engine.batches == [["blocker"], ["on time"]]


async def test_a_deadline_already_past_is_refused_at_once(make_scheduler, make_engine, clock):
    engine = make_engine()
    scheduler = await make_scheduler(engine)
    clock.advance(3.0)
    with pytest.raises(DeadlineExceeded):
        await scheduler.submit(["x"], KEY, deadline=scheduler.now())
    assert engine.batches == []
