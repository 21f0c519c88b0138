"""Dynamic batching: one :class:`BatchScheduler` per loaded model merges the work
items of concurrent requests into batches for its engine."""

from service.batching.clock import Clock, MonotonicClock
from service.batching.scheduler import BatchScheduler

__all__ = ["BatchScheduler", "Clock", "MonotonicClock"]
