"""Fakes for scheduler tests: an engine that records its batches and can be held at a
gate, and a clock that only moves when a test advances it. Tests synchronise on
events (a batch started, a sleeper registered, items queued), never on time."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Sequence

import pytest
from fake_clock import FakeClock

from service.batching import BatchScheduler
from service.engines.base import BatchKey, Generated

#: Guard against a hung test, not a synchronisation device.
GUARD_S = 10.0


class FakeEngine:
    """Uppercases its input. One token per word plus ``</s>``.

    - ``gated``: each ``generate`` call waits for one :meth:`release`;
    - ``fail_on``: a batch containing one of these texts raises ``ValueError``;
    - ``raise_for``: a callable deciding per batch what to raise (or None);
    - ``clock`` + ``seconds_per_call`` (+ ``seconds_per_item`` x items): each call
      moves the fake clock on, so throughput is known exactly;
    - ``parallel_batches``: the lanes a scheduler gives it by default.
    """

    name = "fake"
    kind = "fake"
    device = "cpu"

    def __init__(self, *, gated: bool = False, fail_on: Sequence[str] = (),
                 raise_for: Callable[[list[str]], BaseException | None] | None = None,
                 clock: FakeClock | None = None, seconds_per_call: float = 0.0,
                 seconds_per_item: float = 0.0, max_input_tokens: int = 512,
                 parallel_batches: int = 1) -> None:
        self.max_input_tokens = max_input_tokens
        self.parallel_batches = parallel_batches
        self._per_item = seconds_per_item
        self.calls: list[tuple[list[str], BatchKey]] = []
        self.fail_on = set(fail_on)
        self.raise_for = raise_for
        self._gate = threading.Semaphore(0) if gated else None
        self._clock = clock
        self._seconds = seconds_per_call
        self._loop = asyncio.get_running_loop()
        self._started: asyncio.Queue[list[str]] = asyncio.Queue()

    @property
    def batches(self) -> list[list[str]]:
        """Texts of every generate call so far, in call order."""
        return [texts for texts, _ in self.calls]

    def count_tokens(self, text: str, src_lang: str | None = None) -> int:
        return len(text.split()) + 1

    def generate(self, texts: Sequence[str], key: BatchKey) -> list[Generated]:
        self.calls.append((list(texts), key))
        self._loop.call_soon_threadsafe(self._started.put_nowait, list(texts))
        if self._gate is not None and not self._gate.acquire(timeout=GUARD_S):
            raise TimeoutError("test never released the fake engine")
        if self._clock is not None:
            self._clock.t += self._seconds + self._per_item * len(texts)
        if self.raise_for is not None:
            exc = self.raise_for(list(texts))
            if exc is not None:
                raise exc
        for text in texts:
            if text in self.fail_on:
                raise ValueError(f"cannot translate {text!r}")
        return [Generated(text=t.upper(), tokens=len(t.split())) for t in texts]

    def close(self) -> None:
        pass

    def release(self, calls: int = 1) -> None:
        """Let ``calls`` gated generate calls proceed."""
        assert self._gate is not None
        for _ in range(calls):
            self._gate.release()

    async def started(self) -> list[str]:
        """Wait for the next generate call to start; returns its texts."""
        return await asyncio.wait_for(self._started.get(), GUARD_S)


async def until(condition: Callable[[], bool]) -> None:
    """Yield to the event loop until ``condition`` holds (other tasks run meanwhile)."""
    async def wait() -> None:
        while not condition():
            await asyncio.sleep(0)
    await asyncio.wait_for(wait(), GUARD_S)


@pytest.fixture
def make_engine():
    """``FakeEngine`` itself, as a factory (test modules import nothing from here)."""
    return FakeEngine


@pytest.fixture
def wait_until():
    """The :func:`until` helper."""
    return until


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(start=0.0)


@pytest.fixture
async def make_scheduler(clock: FakeClock):
    """Factory for started schedulers on the fake clock; stops them afterwards."""
    created: list[tuple[BatchScheduler, FakeEngine]] = []

    async def make(engine: FakeEngine, **limits: float) -> BatchScheduler:
        options = dict(max_batch_items=32, max_batch_tokens=4096, max_wait_ms=0,
                       max_queue_items=4096)
        options.update(limits)
        scheduler = BatchScheduler(engine, clock=clock, **options)  # type: ignore[arg-type]
        await scheduler.start()
        created.append((scheduler, engine))
        return scheduler

    yield make
    for scheduler, engine in created:
        if engine._gate is not None:
            engine.release(1000)  # unblock any engine thread a test left waiting
        await scheduler.stop(timeout=0)
