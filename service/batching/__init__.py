"""Dynamic batching: one :class:`BatchScheduler` per loaded model merges the work
items of concurrent requests into batches for its engine, on as many lanes (batches
in flight) as the engine runs at once."""

from service.batching.clock import Clock, MonotonicClock
from service.batching.queue import WorkInput
from service.batching.scheduler import BatchScheduler

__all__ = ["BatchScheduler", "Clock", "MonotonicClock", "WorkInput"]
