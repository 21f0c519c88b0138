"""Fault isolation, worker crashes, shutdown and metrics of the scheduler."""

from __future__ import annotations

import asyncio

import pytest

from service.batching import BatchScheduler
from service.engines.base import BatchKey, Generated
from service.errors import GenerationFailed, ModelUnavailable, ServiceStopping
from service.metrics import ServiceMetrics
from service.settings import Settings

KEY = BatchKey(src_lang="en", tgt_lang="uk")


class OutOfMemoryError(RuntimeError):
    """Stands in for ``torch.cuda.OutOfMemoryError`` (matched by class name)."""


class EngineCrash(BaseException):
    """Escapes ``except Exception``: what kills a worker loop."""


async def test_a_failing_item_fails_only_its_own_request(make_scheduler, make_engine, wait_until):
    engine = make_engine(gated=True, fail_on=["bad input"])
    scheduler = await make_scheduler(engine)
    blocker = asyncio.create_task(scheduler.submit(["blocker"], KEY))
    await engine.started()
    broken = asyncio.create_task(scheduler.submit(["good one", "bad input"], KEY))
    fine = asyncio.create_task(scheduler.submit(["fine"], KEY))
    also_fine = asyncio.create_task(scheduler.submit(["also fine", "ok"], KEY))
    await wait_until(lambda: scheduler.queue_depth == 5)
    engine.release(100)

    with pytest.raises(GenerationFailed) as failed:
        await broken
    assert failed.value.message == "model fake failed on this input (ValueError)"
    assert await fine == [Generated("FINE", 1)]
    assert await also_fine == [Generated("ALSO FINE", 2), Generated("OK", 1)]
    await blocker
    assert scheduler.healthy
    # The batch of 5 was split until "bad input" was alone.
    assert ["bad input"] in engine.batches


async def test_out_of_memory_splits_the_batch_and_retries(make_scheduler, make_engine):
    def oom_above_two(texts: list[str]) -> BaseException | None:
        return OutOfMemoryError("CUDA out of memory") if len(texts) > 2 else None

    engine = make_engine(raise_for=oom_above_two)
    scheduler = await make_scheduler(engine)
    result = await scheduler.submit(["a b c", "d e", "f", "g h i j"], KEY)
    assert [g.text for g in result] == ["A B C", "D E", "F", "G H I J"]
    assert engine.batches == [["g h i j", "a b c", "d e", "f"], ["g h i j", "a b c"],
                              ["d e", "f"]]


async def test_a_dead_worker_is_reported_and_refuses_work(make_scheduler, make_engine):
    def crash(texts: list[str]) -> BaseException:
        return EngineCrash("boom")

    metrics = ServiceMetrics()
    scheduler = await make_scheduler(make_engine(raise_for=crash), metrics=metrics)
    assert scheduler.healthy and scheduler.last_error is None

    with pytest.raises(ModelUnavailable) as failed:
        await scheduler.submit(["x"], KEY)
    message = "model fake is unavailable: its batching worker stopped; see /readyz"
    assert failed.value.message == message
    assert not scheduler.healthy
    assert scheduler.last_error == "EngineCrash: boom"
    assert metrics.worker_up.labels(model="fake")._value.get() == 0
    with pytest.raises(ModelUnavailable):
        await scheduler.submit(["y"], KEY)


async def test_stop_finishes_queued_work_and_refuses_new(make_scheduler, make_engine,
                                                         wait_until):
    engine = make_engine(gated=True)
    scheduler = await make_scheduler(engine)
    running = asyncio.create_task(scheduler.submit(["running"], KEY))
    await engine.started()
    queued = asyncio.create_task(scheduler.submit(["queued"], KEY))
    await wait_until(lambda: scheduler.queue_depth == 1)

    stopping = asyncio.create_task(scheduler.stop(timeout=None))
    await wait_until(lambda: not scheduler.accepting)
    with pytest.raises(ServiceStopping) as refused:
        await scheduler.submit(["new"], KEY)
    assert refused.value.message == "model fake is shutting down"
    engine.release(2)
    await stopping
    assert await running == [Generated("RUNNING", 1)]
    assert await queued == [Generated("QUEUED", 1)]


async def test_stop_fails_what_is_left_after_its_timeout(make_scheduler, make_engine, clock,
                                                         wait_until):
    engine = make_engine(gated=True)
    scheduler = await make_scheduler(engine)
    running = asyncio.create_task(scheduler.submit(["running"], KEY))
    await engine.started()
    queued = asyncio.create_task(scheduler.submit(["queued"], KEY))
    await wait_until(lambda: scheduler.queue_depth == 1)

    stopping = asyncio.create_task(scheduler.stop(timeout=3.0))
    await clock.sleeping_until(3.0)
    clock.advance(3.0)
    await stopping
    for task in (running, queued):
        with pytest.raises(ServiceStopping):
            await task
    engine.release()  # the abandoned engine call ends; its result goes nowhere
    assert engine.batches == [["running"]]


async def test_batches_are_measured(make_scheduler, make_engine, clock, wait_until):
    metrics = ServiceMetrics()
    engine = make_engine(gated=True, clock=clock, seconds_per_call=2.0)
    scheduler = await make_scheduler(engine, metrics=metrics)
    blocker = asyncio.create_task(scheduler.submit(["blocker"], KEY))
    await engine.started()
    request = asyncio.create_task(scheduler.submit(["one two three", "four"], KEY))
    await wait_until(lambda: scheduler.queue_depth == 2)
    assert metrics.queue_depth.labels(model="fake")._value.get() == 2
    engine.release(2)
    await asyncio.gather(blocker, request)

    def sample(name: str) -> float | None:
        return metrics.registry.get_sample_value(name, {"model": "fake"})

    assert sample("newsroom_batch_size_count") == 2
    assert sample("newsroom_batch_size_sum") == 3
    # 4 and 2 source tokens padded to 2 x 4: a quarter is padding.
    assert sample("newsroom_batch_padding_ratio_sum") == 0.25
    assert sample("newsroom_generated_tokens_total") == 1 + 3 + 1
    assert sample("newsroom_tokens_per_second") == 4 / 2.0
    assert sample("newsroom_queue_wait_seconds_count") == 3
    # The second request waited for the blocker's 2 s of engine time.
    assert sample("newsroom_queue_wait_seconds_sum") == 4.0
    assert sample("newsroom_queue_depth") == 0
    assert sample("newsroom_worker_up") == 1


def test_from_settings_uses_the_batching_settings():
    class Engine:
        name, kind, device, max_input_tokens = "m", "fake", "cpu", 512

    settings = Settings(max_batch_items=7, max_batch_tokens=300, max_wait_ms=25,
                        max_queue_items=90)
    scheduler = BatchScheduler.from_settings(Engine(), settings)  # type: ignore[arg-type]
    assert (scheduler._max_items, scheduler._max_tokens, scheduler._max_wait,
            scheduler._max_queue) == (7, 300, 0.025, 90)


def test_from_settings_takes_lanes_from_the_engine_and_keeps_interactive_ones():
    class Engine:
        name, kind, device, max_input_tokens = "m", "fake", "cpu", 512
        parallel_batches = 3

    settings = Settings(interactive_lanes=1, max_batch_seconds=12.0)
    scheduler = BatchScheduler.from_settings(Engine(), settings)  # type: ignore[arg-type]
    assert (scheduler.lanes, scheduler._reserved, scheduler._max_seconds) == (3, 1, 12.0)
    # A one-lane engine keeps its lane for everyone.
    Engine.parallel_batches = 1
    scheduler = BatchScheduler.from_settings(Engine(), settings)  # type: ignore[arg-type]
    assert (scheduler.lanes, scheduler._reserved) == (1, 0)
