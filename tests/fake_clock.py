"""A clock that only moves when a test advances it (deadlines, backoff, grace periods),
shared by tests that drive the runtime through HTTP or the services."""

from __future__ import annotations

import asyncio


class FakeClock:
    """``now()`` stands still until :meth:`advance`; ``sleep`` wakes when due.

    Call :meth:`advance` on the event loop's thread (e.g. ``client.portal.call``)."""

    def __init__(self, start: float = 1000.0) -> None:
        self.t = start
        self._sleepers: list[tuple[float, asyncio.Future[None]]] = []
        self._changed = asyncio.Event()

    def now(self) -> float:
        return self.t

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        entry = (self.t + seconds, asyncio.get_running_loop().create_future())
        self._sleepers.append(entry)
        self._changed.set()
        try:
            await entry[1]
        finally:
            self._sleepers.remove(entry)

    def advance(self, seconds: float) -> None:
        """Move time on and wake every sleeper that is due."""
        self.t += seconds
        for when, future in list(self._sleepers):
            if when <= self.t and not future.done():
                future.set_result(None)

    async def sleeping_until(self, when: float, timeout: float = 10.0) -> None:
        """Wait until some task sleeps until ``when`` (to a nanosecond: sleeps are
        computed as ``now + (due - now)``, which rounds)."""
        async def wait() -> None:
            while not any(abs(w - when) < 1e-9 for w, f in self._sleepers if not f.done()):
                self._changed.clear()
                await self._changed.wait()
        await asyncio.wait_for(wait(), timeout)
