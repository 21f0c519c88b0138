"""Time source for the scheduler: injectable so tests drive max-wait and deadlines
deterministically instead of sleeping."""

from __future__ import annotations

import asyncio
import time
from typing import Protocol


class Clock(Protocol):
    """Monotonic seconds and a coroutine that sleeps on the same time scale."""

    def now(self) -> float:
        """Current time in seconds (monotonic; only differences matter)."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Return once ``seconds`` have passed on this clock."""
        ...


class MonotonicClock:
    """The real clock: ``time.monotonic`` and ``asyncio.sleep``."""

    def now(self) -> float:
        """``time.monotonic()``."""
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        """``asyncio.sleep(seconds)`` (negative values return at once)."""
        await asyncio.sleep(max(0.0, seconds))
