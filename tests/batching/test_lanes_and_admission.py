"""Lanes (several batches in flight), the interactive lane, batches bounded in time,
expired items dropped between batches and admission control (429 + Retry-After)."""

from __future__ import annotations

import asyncio

import pytest

from service.batching import WorkInput
from service.engines.base import BatchKey, Generated
from service.errors import DeadlineExceeded, Overloaded

KEY = BatchKey(src_lang="en", tgt_lang="uk")
TO_RU = BatchKey(src_lang="en", tgt_lang="ru")


async def test_lanes_run_batches_at_the_same_time(make_scheduler, make_engine, wait_until):
    engine = make_engine(gated=True, parallel_batches=2)
    scheduler = await make_scheduler(engine, max_batch_items=2)
    assert scheduler.lanes == 2
    first = asyncio.create_task(scheduler.submit(["a"], KEY))
    assert await engine.started() == ["a"]
    second = asyncio.create_task(scheduler.submit(["c", "d"], KEY))
    # The second batch starts while the first is still held in the engine.
    assert await engine.started() == ["c", "d"]
    assert scheduler.running_batches == 2
    engine.release(2)
    assert [g.text for g in await first] == ["A"]
    assert [g.text for g in await second] == ["C", "D"]


async def test_work_is_shared_out_over_the_free_lanes(make_scheduler, make_engine, wait_until):
    engine = make_engine(gated=True, parallel_batches=3)
    scheduler = await make_scheduler(engine, max_batch_items=32, max_wait_ms=0)
    hold = asyncio.create_task(scheduler.submit(["hold"], KEY))
    assert await engine.started() == ["hold"]
    # Two lanes are free when these 8 items arrive together: 4 each, both lanes run.
    request = asyncio.create_task(scheduler.submit([f"s{i}" for i in range(8)], KEY))
    batches = [await engine.started(), await engine.started()]
    assert sorted(len(b) for b in batches) == [4, 4]
    engine.release(3)
    assert len(await request) == 8
    await hold


async def test_a_one_lane_scheduler_keeps_one_batch_in_flight(
        make_scheduler, make_engine, wait_until):
    engine = make_engine(gated=True)
    scheduler = await make_scheduler(engine, max_batch_items=2)
    first = asyncio.create_task(scheduler.submit(["a", "b"], KEY))
    assert await engine.started() == ["a", "b"]
    second = asyncio.create_task(scheduler.submit(["c", "d"], KEY))
    await wait_until(lambda: scheduler.queue_depth == 2)
    await asyncio.sleep(0.05)
    assert len(engine.calls) == 1
    engine.release(2)
    await asyncio.gather(first, second)


async def test_the_interactive_lane_serves_a_headline_while_bulk_fills_the_others(
        make_scheduler, make_engine, wait_until):
    engine = make_engine(gated=True, parallel_batches=2)
    scheduler = await make_scheduler(engine, max_batch_items=4, interactive_lanes=1)
    bulk = asyncio.create_task(scheduler.submit([f"b{i}" for i in range(12)], KEY))
    assert await engine.started() == ["b0", "b1", "b2", "b3"]
    # Bulk may use one lane only: the other stays free for interactive work.
    await wait_until(lambda: scheduler.queue_depth == 8)
    await asyncio.sleep(0.05)
    assert len(engine.calls) == 1
    headline = asyncio.create_task(scheduler.submit(["breaking news"], KEY, priority=1))
    assert await engine.started() == ["breaking news"]
    engine.release(1)  # whichever finishes first
    engine.release(4)
    assert await headline == [Generated("BREAKING NEWS", 2)]
    assert len(await bulk) == 12
    assert [len(b) for b in engine.batches] == [4, 1, 4, 4]


async def test_one_request_is_one_turn_whatever_its_keys_and_size(
        make_scheduler, make_engine, wait_until):
    engine = make_engine(gated=True)
    scheduler = await make_scheduler(engine, max_batch_items=2)
    hold = asyncio.create_task(scheduler.submit(["hold"], KEY))
    assert await engine.started() == ["hold"]
    inputs = [WorkInput(f"t{i}", KEY if i % 2 else TO_RU, tokens=2) for i in range(128)]
    big = asyncio.create_task(scheduler.submit_many(inputs))
    single = asyncio.create_task(scheduler.submit(["one sentence"], KEY))
    await wait_until(lambda: scheduler.queue_depth == 129)
    engine.release(1)
    # The big request's first key is en->ru; the single sentence's (en->uk) batch is
    # the next one, shared with the big request's en->uk items.
    assert await engine.started() == ["t0", "t2"]
    engine.release(1)
    second = await engine.started()
    assert "one sentence" in second and len(second) == 2
    engine.release(200)
    assert [g.text for g in await big] == [f"T{i}" for i in range(128)]
    assert await single == [Generated("ONE SENTENCE", 2)]
    await hold


async def test_given_token_counts_are_used_without_tokenising_again(
        make_scheduler, make_engine):
    engine = make_engine()
    counted: list[str] = []
    original = engine.count_tokens

    def spy(text: str, src_lang: str | None = None) -> int:
        counted.append(text)
        return original(text, src_lang)

    engine.count_tokens = spy
    scheduler = await make_scheduler(engine)
    out = await scheduler.submit_many([WorkInput("a b c", KEY, tokens=4),
                                       WorkInput("d", KEY)])
    assert [g.text for g in out] == ["A B C", "D"]
    assert counted == ["d"]


async def test_items_whose_deadline_passed_are_dropped_before_their_batch(
        make_scheduler, make_engine, clock, wait_until):
    engine = make_engine(gated=True)
    scheduler = await make_scheduler(engine, max_batch_items=2)
    hold = asyncio.create_task(scheduler.submit(["hold"], KEY))
    assert await engine.started() == ["hold"]
    late = asyncio.create_task(scheduler.submit(["x", "y", "z"], KEY, deadline=5.0))
    other = asyncio.create_task(scheduler.submit(["w"], KEY))
    await wait_until(lambda: scheduler.queue_depth == 4)
    clock.advance(6.0)  # the deadline passes while the engine is busy
    with pytest.raises(DeadlineExceeded):
        await late
    engine.release(2)
    assert await other == [Generated("W", 1)]
    await hold
    # Nothing of the expired request was ever computed.
    assert engine.batches == [["hold"], ["w"]]


async def test_batches_are_bounded_by_the_calibrated_time(
        make_scheduler, make_engine, clock, wait_until):
    engine = make_engine(clock=clock, seconds_per_item=1.0)
    scheduler = await make_scheduler(engine, max_batch_items=32, max_batch_seconds=5.0)
    # Uncalibrated: the first batch is bounded by items only.
    await scheduler.submit([f"a{i}" for i in range(4)], KEY)
    assert scheduler.cost_model.calibrated
    await scheduler.submit([f"b{i}" for i in range(20)], KEY)
    sizes = [len(b) for b in engine.batches[1:]]
    assert sum(sizes) == 20 and len(sizes) > 1
    for size in sizes[:-1] or sizes:
        assert scheduler.cost_model.seconds(size, 2, scheduler._decoding(KEY)) <= 5.0


async def test_a_batch_stays_well_inside_the_tightest_deadline(
        make_scheduler, make_engine, clock, wait_until):
    engine = make_engine(clock=clock, seconds_per_item=1.0)
    scheduler = await make_scheduler(engine, max_batch_items=32)
    await scheduler.submit([f"a{i}" for i in range(8)], KEY)  # calibrates: ~1 s an item
    decoding = scheduler._decoding(KEY)
    estimate = scheduler.cost_model.seconds
    # Half of the 40 s left to the deadline: the largest batch expected to fit in 20 s.
    fitting = max(n for n in range(1, 33) if estimate(n, 2, decoding) <= 20.0)
    assert 1 < fitting < 12
    result = await scheduler.submit([f"b{i}" for i in range(12)], KEY,
                                    deadline=clock.now() + 40.0)
    assert len(result) == 12
    assert len(engine.batches[1]) == fitting


async def test_admission_refuses_a_request_that_would_wait_past_its_deadline(
        make_scheduler, make_engine, clock, wait_until):
    engine = make_engine(gated=True, clock=clock, seconds_per_call=4.0)
    scheduler = await make_scheduler(engine, max_batch_items=2)
    first = asyncio.create_task(scheduler.submit(["a", "b"], KEY))
    await engine.started()
    engine.release()
    await first  # 2 items in 4 s: 0.5 items/s on the one lane
    hold = asyncio.create_task(scheduler.submit(["c", "d"], KEY))
    await engine.started()
    backlog = asyncio.create_task(scheduler.submit([f"q{i}" for i in range(10)], KEY))
    await wait_until(lambda: scheduler.queue_depth == 10)

    # 10 items queued ahead at most 10 fair-share turns: a 10-item request needs
    # (10 + 10) / 0.5 = 40 s (+ the running batch), but only 30 s are left.
    with pytest.raises(Overloaded) as refused:
        await scheduler.submit([f"n{i}" for i in range(10)], KEY,
                               deadline=clock.now() + 30.0)
    assert refused.value.retry_after is not None and refused.value.retry_after >= 10.0
    assert "longer than the 30 s left to its deadline" in refused.value.message
    assert scheduler.queue_depth == 10  # nothing of it was queued
    # A one-sentence request gets a fair share at once: 1 turn ahead, 4 s, admitted.
    single = asyncio.create_task(scheduler.submit(["s"], KEY, deadline=clock.now() + 30.0))
    await wait_until(lambda: scheduler.queue_depth == 11)
    engine.release(20)
    assert await single == [Generated("S", 1)]
    await asyncio.gather(hold, backlog)


async def test_without_a_deadline_or_a_measurement_everything_is_admitted(
        make_scheduler, make_engine):
    engine = make_engine()
    scheduler = await make_scheduler(engine)
    assert scheduler.estimated_wait(100) is None
    assert len(await scheduler.submit([f"x{i}" for i in range(100)], KEY, deadline=1.0)) == 100


async def test_interactive_work_keeps_to_the_regular_lanes_while_no_bulk_work_runs(
        make_scheduler, make_engine, wait_until):
    # 3 lanes, 1 reserved: with interactive work only, two batches share the 8 items
    # (one per regular lane, one per core); a third would split callers into smaller
    # batches and share a core.
    engine = make_engine(gated=True, parallel_batches=3)
    scheduler = await make_scheduler(engine, max_batch_items=32, max_wait_ms=0,
                                     interactive_lanes=1)
    request = asyncio.create_task(scheduler.submit([f"s{i}" for i in range(8)], KEY,
                                                   priority=1))
    batches = [await engine.started(), await engine.started()]
    assert sorted(len(b) for b in batches) == [4, 4]
    late = asyncio.create_task(scheduler.submit(["late"], KEY, priority=1))
    await wait_until(lambda: scheduler.queue_depth == 1)
    await asyncio.sleep(0.05)
    assert len(engine.calls) == 2  # the reserved lane stays idle
    engine.release(1)
    assert await engine.started() == ["late"]
    engine.release(2)
    assert len(await request) == 8
    assert [g.text for g in await late] == ["LATE"]


async def test_the_reserved_lane_takes_interactive_work_once_bulk_work_runs(
        make_scheduler, make_engine, wait_until):
    engine = make_engine(gated=True, parallel_batches=3)
    scheduler = await make_scheduler(engine, max_batch_items=4, max_wait_ms=0,
                                     interactive_lanes=1)
    bulk = asyncio.create_task(scheduler.submit([f"b{i}" for i in range(4)], KEY))
    # Bulk work is shared out over the two regular lanes...
    assert sorted([await engine.started(), await engine.started()]) == [["b0", "b1"],
                                                                         ["b2", "b3"]]
    # ...and the reserved lane serves the headline while they run.
    headline = asyncio.create_task(scheduler.submit(["one"], KEY, priority=1))
    assert await engine.started() == ["one"]
    assert scheduler.running_batches == 3
    engine.release(3)
    assert len(await bulk) == 4
    assert [g.text for g in await headline] == ["ONE"]


async def test_a_lane_that_frees_leaves_their_share_to_lanes_about_to_free(
        make_scheduler, make_engine, clock, wait_until):
    # Closed-loop callers stay in equal groups, one per lane: a lane that frees beside a
    # running batch expected to end before its own would takes only its share of the
    # queued and running work (without this, 32 closed-loop callers on two lanes
    # settled in groups of 22, 10 and 10 in a simulation with the real scheduler).
    engine = make_engine(gated=True, parallel_batches=2, clock=clock, seconds_per_call=1.0,
                         seconds_per_item=0.1)
    scheduler = await make_scheduler(engine, max_batch_items=16)
    calibrate = asyncio.create_task(scheduler.submit(["c"], KEY))
    assert await engine.started() == ["c"]
    engine.release()
    await calibrate
    first = asyncio.create_task(scheduler.submit([f"a{i}" for i in range(8)], KEY))
    assert [len(await engine.started()), len(await engine.started())] == [4, 4]
    queued = asyncio.create_task(scheduler.submit([f"q{i}" for i in range(12)], KEY))
    await wait_until(lambda: scheduler.queue_depth == 12)
    engine.release()  # one lane ends; the other, with 4 items, will end before 12 would
    assert len(await engine.started()) == 8
    assert scheduler.queue_depth == 4
    engine.release()  # either lane: the next one takes the 4 left
    assert len(await engine.started()) == 4
    engine.release(2)
    assert len(await first) == 8 and len(await queued) == 12


async def test_without_a_cost_estimate_a_free_lane_takes_the_whole_queue(
        make_scheduler, make_engine, wait_until):
    engine = make_engine(gated=True, parallel_batches=2)
    scheduler = await make_scheduler(engine, max_batch_items=16)
    first = asyncio.create_task(scheduler.submit([f"a{i}" for i in range(8)], KEY))
    assert [len(await engine.started()), len(await engine.started())] == [4, 4]
    queued = asyncio.create_task(scheduler.submit([f"q{i}" for i in range(12)], KEY))
    await wait_until(lambda: scheduler.queue_depth == 12)
    engine.release()
    assert len(await engine.started()) == 12
    engine.release(2)
    assert len(await first) == 8 and len(await queued) == 12


async def test_lanes_that_free_together_wait_for_the_callers_still_coming_back(
        make_scheduler, make_engine, clock, wait_until):
    # Two lanes of closed-loop callers that end within milliseconds of each other: the
    # first lane's callers are back, the second's are on their way. Sharing out only
    # the callers already back split the groups in half (32 clients on two CTranslate2
    # lanes fell from 16 + 16 to 8 + 9 every few rounds); counting those still coming
    # back keeps one full group per lane.
    engine = make_engine(gated=True, parallel_batches=2)
    scheduler = await make_scheduler(engine, max_batch_items=4, max_wait_ms=50,
                                     regroup_ms=500)

    async def submit_all(texts: list[str], depth: int) -> list[asyncio.Task]:
        tasks = []
        for text in texts:
            tasks.append(asyncio.create_task(scheduler.submit([text], KEY)))
            depth += 1
            await wait_until(lambda d=depth: scheduler.queue_depth == d)
        return tasks

    holds = []
    for name in ("h1", "h2"):  # one on each lane, so the groups below form whole
        holds.append(asyncio.create_task(scheduler.submit([name], KEY)))
        await wait_until(lambda: scheduler.queue_depth == 1)
        clock.advance(0.05)
        assert await engine.started() == [name]
    group_x = await submit_all([f"x{i}" for i in range(4)], 0)
    group_y = await submit_all([f"y{i}" for i in range(4)], 4)
    engine.release()
    assert await engine.started() == ["x0", "x1", "x2", "x3"]
    engine.release()
    assert await engine.started() == ["y0", "y1", "y2", "y3"]
    await asyncio.gather(*holds)

    engine.release()  # group x is answered; three of its callers are back...
    await asyncio.gather(*group_x)
    back_x = await submit_all(["x0'", "x1'", "x2'"], 0)
    engine.release()  # ...when group y is answered too: both lanes are free
    await asyncio.gather(*group_y)
    back_x += await submit_all(["x3'"], 3)
    # Group y's four callers are still coming back: group x keeps its lane, whole.
    assert await engine.started() == ["x0'", "x1'", "x2'", "x3'"]
    back_y = await submit_all(["y0'", "y1'", "y2'", "y3'"], 0)
    assert await engine.started() == ["y0'", "y1'", "y2'", "y3'"]
    engine.release(2)
    assert [len(await task) for task in back_x + back_y] == [1] * 8
