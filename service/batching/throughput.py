"""Recent engine throughput, for the Retry-After estimate of a refused request."""

from __future__ import annotations

#: Bounds of the Retry-After estimate, in seconds: clients poll no faster than once a
#: second and are never told to go away for more than a minute.
RETRY_AFTER_MIN, RETRY_AFTER_MAX = 1.0, 60.0


class ThroughputMeter:
    """Exponential moving average of items generated per second of engine time."""

    def __init__(self, smoothing: float = 0.3) -> None:
        """``smoothing`` is the weight of the newest batch (0 < smoothing <= 1)."""
        self._smoothing = smoothing
        self.items_per_second: float | None = None

    def record(self, items: int, seconds: float) -> None:
        """Account one batch of ``items`` that took ``seconds``."""
        if seconds <= 0 or items <= 0:
            return
        rate = items / seconds
        previous = self.items_per_second
        self.items_per_second = rate if previous is None else (
            self._smoothing * rate + (1 - self._smoothing) * previous)

    def retry_after(self, excess: int) -> float:
        """Seconds until ``excess`` queued items should have been served."""
        if not self.items_per_second:
            return RETRY_AFTER_MIN
        return min(RETRY_AFTER_MAX, max(RETRY_AFTER_MIN, excess / self.items_per_second))
