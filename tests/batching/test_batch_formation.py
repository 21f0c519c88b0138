"""How queued items become batches: limits, max wait, ordering, fairness, keys."""

from __future__ import annotations

import asyncio

from service.batching.scheduler import REGROUP_GAP_S
from service.engines.base import BatchKey, Generated, GenerationOptions

KEY = BatchKey(src_lang="en", tgt_lang="uk")


async def hold_engine(scheduler, engine) -> asyncio.Task:
    """Occupy the (gated) engine with a one-item batch so that later submits queue up."""
    blocker = asyncio.create_task(scheduler.submit(["blocker"], KEY))
    assert await engine.started() == ["blocker"]
    return blocker


async def test_results_come_back_in_the_order_of_the_texts(make_scheduler, make_engine, wait_until):
    engine = make_engine(gated=True)
    scheduler = await make_scheduler(engine)
    blocker = await hold_engine(scheduler, engine)
    texts = ["a b", "one two three four", "x", "five six seven"]
    first = asyncio.create_task(scheduler.submit(texts, KEY))
    second = asyncio.create_task(scheduler.submit(["p q r", "s"], KEY))
    await wait_until(lambda: scheduler.queue_depth == 6)
    engine.release(2)

    assert await first == [Generated("A B", 2), Generated("ONE TWO THREE FOUR", 4),
                           Generated("X", 1), Generated("FIVE SIX SEVEN", 3)]
    assert await second == [Generated("P Q R", 3), Generated("S", 1)]
    await blocker
    # Both requests shared one batch, longest first (ties in round-robin order).
    assert engine.batches[1] == ["one two three four", "p q r", "five six seven", "a b",
                                 "s", "x"]


async def test_batches_hold_at_most_max_batch_items(make_scheduler, make_engine, wait_until):
    engine = make_engine(gated=True)
    scheduler = await make_scheduler(engine, max_batch_items=4)
    blocker = await hold_engine(scheduler, engine)
    request = asyncio.create_task(scheduler.submit([f"s{i}" for i in range(10)], KEY))
    await wait_until(lambda: scheduler.queue_depth == 10)
    engine.release(4)

    assert [g.text for g in await request] == [f"S{i}" for i in range(10)]
    await blocker
    assert [len(b) for b in engine.batches] == [1, 4, 4, 2]


LONG = "w " * 9  # 10 tokens
SHORT = ["a b c d", "e f g h", "i j k l", "m n o p"]  # 5 tokens each


async def batches_of_long_and_short(scheduler, engine, wait_until) -> list[list[str]]:
    """Submit one 10-token and four 5-token texts while the (gated) engine is busy;
    the batches they were split into."""
    blocker = await hold_engine(scheduler, engine)
    request = asyncio.create_task(scheduler.submit([*SHORT, LONG], KEY))
    await wait_until(lambda: scheduler.queue_depth == 5)
    engine.release(3)
    await request
    await blocker
    return engine.batches[1:]


async def test_padded_tokens_stay_within_max_batch_tokens(make_scheduler, make_engine, wait_until):
    engine = make_engine(gated=True)
    scheduler = await make_scheduler(engine, max_batch_tokens=20)
    # 2 x 10 tokens fit in 20; a third item would pad to 30. Then 3 x 5 = 15.
    assert await batches_of_long_and_short(scheduler, engine, wait_until) == [
        [LONG, "a b c d"], ["e f g h", "i j k l", "m n o p"]]


async def test_a_catalogue_entry_sets_its_models_tokens_per_batch(make_engine, clock,
                                                                   wait_until):
    """Summarisation prompts are long: their entry raises the cap the setting sizes for
    sentences (here the other way round, so that the test stays small)."""
    from types import SimpleNamespace

    from service.batching import BatchScheduler
    from service.settings import Settings

    engine = make_engine(gated=True)
    engine.entry = SimpleNamespace(max_batch_tokens=20)
    settings = Settings(max_batch_items=32, max_batch_tokens=4096, max_wait_ms=0)
    scheduler = BatchScheduler.from_settings(engine, settings, clock=clock)
    await scheduler.start()
    try:
        # As with max_batch_tokens=20 in the settings: 2 x 10, then 3 x 5.
        assert await batches_of_long_and_short(scheduler, engine, wait_until) == [
            [LONG, "a b c d"], ["e f g h", "i j k l", "m n o p"]]
    finally:
        engine.release(1000)
        await scheduler.stop(timeout=0)


async def test_an_item_longer_than_the_token_budget_still_runs_alone(make_scheduler, make_engine):
    engine = make_engine()
    scheduler = await make_scheduler(engine, max_batch_tokens=16)
    text = " ".join(["word"] * 40)
    assert await scheduler.submit([text], KEY) == [Generated(text.upper(), 40)]
    assert engine.batches == [[text]]


async def test_a_partial_batch_waits_max_wait_from_its_first_item(
        make_scheduler, clock, make_engine, wait_until):
    engine = make_engine()
    scheduler = await make_scheduler(engine, max_wait_ms=500, max_batch_items=8)
    first = asyncio.create_task(scheduler.submit(["first"], KEY))
    await clock.sleeping_until(0.5)
    clock.advance(0.25)
    second = asyncio.create_task(scheduler.submit(["second"], KEY))
    await wait_until(lambda: scheduler.queue_depth == 2)
    # The second item does not restart the wait: still due at 0.5.
    await clock.sleeping_until(0.5)
    clock.advance(0.125)
    assert scheduler.queue_depth == 2 and engine.batches == []

    clock.advance(0.125)
    assert await engine.started() == ["first", "second"]
    assert (await first, await second) == ([Generated("FIRST", 1)], [Generated("SECOND", 1)])


async def test_items_queued_while_the_engine_ran_wait_for_more_callers(
        make_scheduler, clock, make_engine, wait_until):
    engine = make_engine(gated=True)
    scheduler = await make_scheduler(engine, max_wait_ms=500, regroup_ms=500,
                                     max_batch_items=4)
    running = [asyncio.create_task(scheduler.submit([f"r{i}"], KEY)) for i in range(4)]
    assert sorted(await engine.started()) == ["r0", "r1", "r2", "r3"]
    early = asyncio.create_task(scheduler.submit(["early"], KEY))
    await wait_until(lambda: scheduler.queue_depth == 1)
    clock.advance(2.0)  # the batch runs far longer than max_wait
    engine.release()
    await asyncio.gather(*running)
    # "early" has waited 2 s already, but the four callers just answered are expected
    # back: the next batch waits for them (regroup_ms while none is back yet), until
    # they pause for REGROUP_GAP_S...
    await clock.sleeping_until(2.5)
    clock.advance(0.03)
    late = [asyncio.create_task(scheduler.submit(["late0"], KEY))]
    await clock.sleeping_until(2.03 + REGROUP_GAP_S)
    clock.advance(0.03)
    late.append(asyncio.create_task(scheduler.submit(["late1"], KEY)))
    await clock.sleeping_until(2.06 + REGROUP_GAP_S)
    assert engine.batches == [["r0", "r1", "r2", "r3"]]
    # ...and leaves with the callers back so far once they pause.
    clock.advance(REGROUP_GAP_S)
    assert await engine.started() == ["early", "late0", "late1"]
    engine.release()
    assert await early == [Generated("EARLY", 1)]
    assert [await task for task in late] == [[Generated("LATE0", 1)], [Generated("LATE1", 1)]]


async def test_regrouping_never_waits_longer_than_regroup_ms(
        make_scheduler, clock, make_engine, wait_until):
    engine = make_engine(gated=True)
    scheduler = await make_scheduler(engine, max_wait_ms=500, regroup_ms=100,
                                     max_batch_items=8)
    running = [asyncio.create_task(scheduler.submit([f"r{i}"], KEY)) for i in range(8)]
    assert len(await engine.started()) == 8
    early = asyncio.create_task(scheduler.submit(["early"], KEY))
    await wait_until(lambda: scheduler.queue_depth == 1)
    clock.advance(1.0)
    engine.release()
    await asyncio.gather(*running)
    # Eight callers are expected back; three come, 30 ms apart (within the gap)...
    late = []
    for i in range(3):
        clock.advance(0.03)
        late.append(asyncio.create_task(scheduler.submit([f"late{i}"], KEY)))
        await wait_until(lambda n=i: scheduler.queue_depth == n + 2)
    # ...and the batch leaves regroup_ms after the engine got free, not later.
    await clock.sleeping_until(1.1)
    assert len(engine.batches) == 1
    clock.advance(0.01)
    assert await engine.started() == ["early", "late0", "late1", "late2"]
    engine.release()
    await early
    await asyncio.gather(*late)


async def test_a_lone_caller_does_not_wait_for_regrouping(
        make_scheduler, clock, make_engine, wait_until):
    engine = make_engine()
    scheduler = await make_scheduler(engine, max_wait_ms=100, regroup_ms=60_000,
                                     max_batch_items=4)
    first = asyncio.create_task(scheduler.submit(["one"], KEY))
    await clock.sleeping_until(0.1)
    clock.advance(0.1)
    assert await first == [Generated("ONE", 1)]
    # The only caller the last batch answered is back: nothing more is expected, so
    # the usual max wait applies, not the regrouping window.
    second = asyncio.create_task(scheduler.submit(["two"], KEY))
    await clock.sleeping_until(0.2)
    clock.advance(0.1)
    assert await second == [Generated("TWO", 1)]


async def test_a_full_batch_does_not_wait(make_scheduler, make_engine):
    engine = make_engine()
    scheduler = await make_scheduler(engine, max_wait_ms=60_000, max_batch_items=2)
    # The fake clock never moves: only a full batch can be dispatched. (The real-time
    # limit only turns a regression into a failure instead of a hang.)
    result = await asyncio.wait_for(scheduler.submit(["a", "b"], KEY), 10)
    assert result == [Generated("A", 1), Generated("B", 1)]


async def test_one_sentence_is_not_starved_behind_a_bulk_request(
        make_scheduler, make_engine, wait_until):
    engine = make_engine(gated=True)
    scheduler = await make_scheduler(engine, max_batch_items=8)
    blocker = await hold_engine(scheduler, engine)
    bulk = asyncio.create_task(scheduler.submit([f"bulk {i}" for i in range(2000)], KEY))
    await wait_until(lambda: scheduler.queue_depth == 2000)
    interactive = asyncio.create_task(scheduler.submit(["breaking news"], KEY))
    await wait_until(lambda: scheduler.queue_depth == 2001)
    engine.release()  # the blocker

    assert "breaking news" in await engine.started()
    engine.release()
    assert await interactive == [Generated("BREAKING NEWS", 2)]
    assert not bulk.done()
    engine.release(1000)
    assert len(await bulk) == 2000
    await blocker


async def test_requests_left_out_of_a_full_batch_go_first_next_time(
        make_scheduler, make_engine, wait_until):
    engine = make_engine(gated=True)
    scheduler = await make_scheduler(engine, max_batch_items=2)
    blocker = await hold_engine(scheduler, engine)
    bulk = asyncio.create_task(scheduler.submit([f"x{i}" for i in range(4)], KEY))
    singles = [asyncio.create_task(scheduler.submit([name], KEY)) for name in "ABC"]
    await wait_until(lambda: scheduler.queue_depth == 7)
    engine.release(5)

    await asyncio.gather(bulk, *singles, blocker)
    assert engine.batches[1:] == [["x0", "A"], ["B", "C"], ["x1", "x2"], ["x3"]]


async def test_interactive_class_is_served_first_and_never_waits_for_bulk(
        make_scheduler, make_engine, wait_until):
    engine = make_engine(gated=True)
    scheduler = await make_scheduler(engine, max_batch_items=2, max_wait_ms=60_000)
    # A full batch occupies the engine at once despite the long max wait.
    blocker = asyncio.create_task(scheduler.submit(["b0", "b1"], KEY))
    assert await engine.started() == ["b0", "b1"]
    bulk = asyncio.create_task(scheduler.submit(["x0", "x1"], KEY, priority=0))
    urgent = [asyncio.create_task(scheduler.submit([name], KEY, priority=1)) for name in "ABC"]
    await wait_until(lambda: scheduler.queue_depth == 5)
    engine.release(4)

    await asyncio.gather(bulk, *urgent, blocker)
    # "C" runs alone (not backfilled with bulk) and without waiting for max_wait.
    assert engine.batches[1:] == [["A", "B"], ["C"], ["x0", "x1"]]


async def test_bulk_batches_stay_short_while_interactive_requests_arrive(
        make_scheduler, clock, make_engine, wait_until):
    engine = make_engine(gated=True)
    scheduler = await make_scheduler(engine, max_batch_items=8,
                                     bulk_items_while_interactive=2,
                                     interactive_window_s=10.0)
    interactive = asyncio.create_task(scheduler.submit(["news"], KEY, priority=1))
    assert await engine.started() == ["news"]
    bulk = asyncio.create_task(scheduler.submit([f"b{i}" for i in range(6)], KEY, priority=0))
    await wait_until(lambda: scheduler.queue_depth == 6)
    engine.release()
    await interactive
    assert await engine.started() == ["b0", "b1"]  # capped while interactive is recent
    clock.advance(10.0)  # no interactive request for the whole window
    engine.release()
    assert await engine.started() == ["b2", "b3", "b4", "b5"]
    engine.release()
    await bulk
    assert engine.batches[1:] == [["b0", "b1"], ["b2", "b3", "b4", "b5"]]


async def test_bulk_classes_backfill_each_other(make_scheduler, make_engine, wait_until):
    engine = make_engine(gated=True)
    scheduler = await make_scheduler(engine, max_batch_items=2)
    blocker = await hold_engine(scheduler, engine)
    batch_job = asyncio.create_task(scheduler.submit(["b0", "b1"], KEY, priority=-1))
    normal = asyncio.create_task(scheduler.submit(["n0"], KEY, priority=0))
    await wait_until(lambda: scheduler.queue_depth == 3)
    engine.release(3)

    await asyncio.gather(batch_job, normal, blocker)
    assert engine.batches[1:] == [["n0", "b0"], ["b1"]]


async def test_items_with_different_keys_never_share_a_batch(
        make_scheduler, make_engine, wait_until):
    engine = make_engine(gated=True)
    scheduler = await make_scheduler(engine)
    blocker = await hold_engine(scheduler, engine)
    to_ru = BatchKey("en", "ru")
    beams = BatchKey("en", "uk", GenerationOptions(num_beams=4))
    tasks = [asyncio.create_task(scheduler.submit(["a"], KEY)),
             asyncio.create_task(scheduler.submit(["b"], to_ru)),
             asyncio.create_task(scheduler.submit(["c"], beams)),
             asyncio.create_task(scheduler.submit(["d"], KEY))]
    await wait_until(lambda: scheduler.queue_depth == 4)
    engine.release(4)

    await asyncio.gather(blocker, *tasks)
    assert [(texts, key) for texts, key in engine.calls[1:]] == [
        (["a", "d"], KEY), (["b"], to_ru), (["c"], beams)]


async def test_bulk_batches_keep_their_size_when_a_lane_is_kept_for_interactive_work(
        make_scheduler, make_engine, wait_until):
    # The short-bulk rule is for one-lane engines: with a reserved lane, a headline
    # never waits for a bulk batch, so capping bulk batches would only slow them.
    engine = make_engine(gated=True, parallel_batches=2)
    scheduler = await make_scheduler(engine, max_batch_items=8, interactive_lanes=1,
                                     bulk_items_while_interactive=2,
                                     interactive_window_s=10.0)
    interactive = asyncio.create_task(scheduler.submit(["news"], KEY, priority=1))
    assert await engine.started() == ["news"]
    engine.release()
    await interactive
    bulk = asyncio.create_task(scheduler.submit([f"b{i}" for i in range(6)], KEY))
    assert await engine.started() == [f"b{i}" for i in range(6)]
    engine.release()
    assert len(await bulk) == 6


async def test_a_stream_of_headlines_never_starves_bulk_work(
        make_scheduler, make_engine, wait_until):
    # Interactive work goes first, but after INTERACTIVE_STREAK interactive batches in a
    # row while bulk work waits, one bulk batch runs: headlines that need the whole
    # engine must not stop an archive job forever.
    from service.batching.scheduler import INTERACTIVE_STREAK

    engine = make_engine(gated=True)
    scheduler = await make_scheduler(engine, max_batch_items=1)
    blocker = await hold_engine(scheduler, engine)
    bulk = asyncio.create_task(scheduler.submit(["b0", "b1"], KEY))
    heads = [asyncio.create_task(scheduler.submit([f"h{i}"], KEY, priority=1))
             for i in range(2 * INTERACTIVE_STREAK)]
    await wait_until(lambda: scheduler.queue_depth == 2 + 2 * INTERACTIVE_STREAK)
    engine.release(100)
    await asyncio.gather(bulk, blocker, *heads)
    first = [[f"h{i}"] for i in range(INTERACTIVE_STREAK)]
    second = [[f"h{i}"] for i in range(INTERACTIVE_STREAK, 2 * INTERACTIVE_STREAK)]
    assert engine.batches[1:] == first + [["b0"]] + second + [["b1"]]
