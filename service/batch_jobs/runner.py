"""The batch loop: plan the records (shard, resume, duplicates), process many at once,
write each finished record durably, and stop cleanly when asked.

- Records of this shard whose id is already in the output are skipped (resume).
- A repeated id is reported in the errors file (``duplicate_id``, naming where it
  was first seen); only its first occurrence is processed.
- At most ``concurrency`` records are in flight: enough for their sentences to keep
  the model's batches full, few enough to bound memory and keep the queue short.
- A finished record is written (mirror files first, then its output line: the line
  is the commit point), so a record is either wholly in the output or not at all.
- First SIGINT/SIGTERM: feed no new record, finish those in flight, write them.
  A second one abandons the records in flight (they are simply not in the output,
  and a resumed run does them).
"""

from __future__ import annotations

import asyncio
import logging
import signal
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from service.batch_jobs.inputs import BadRecord, RecordRef
from service.batch_jobs.journal import Journal, JournalError
from service.batch_jobs.mirror import MirrorWriter
from service.batch_jobs.processors import Processor, RecordFailed, Task, failure_of, ordered
from service.batch_jobs.progress import Progress, QuietProgress, RunStats
from service.batch_jobs.sharding import Shard
from service.errors import NewsroomError

log = logging.getLogger(__name__)

#: Exit status of a run stopped by SIGINT/SIGTERM (128 + SIGINT, as shells report it).
EXIT_INTERRUPTED = 130
#: Exit status when at least one record failed (the others are in the output).
EXIT_FAILED = 1


@dataclass
class RunConfig:
    """How the runner treats records."""

    task: Task
    shard: Shard = Shard()
    concurrency: int = 64
    max_chars: int = 50_000
    mirror: Path | None = None


def exit_code(stats: RunStats) -> int:
    """130 if interrupted, 1 if any record failed, else 0."""
    if stats.interrupted:
        return EXIT_INTERRUPTED
    return EXIT_FAILED if stats.failed else 0


class BatchRunner:
    """Runs one batch over an output journal and an errors journal."""

    def __init__(self, processor: Processor, config: RunConfig, output: Journal,
                 errors: Journal, progress: Progress | None = None) -> None:
        self.processor = processor
        self.config = config
        self.output = output
        self.errors = errors
        self.progress = progress or QuietProgress()
        self.stats = RunStats()
        self._mirror = MirrorWriter(config.mirror) if config.mirror else None
        self._stopping = asyncio.Event()
        self._in_flight: set[asyncio.Task[None]] = set()
        self._fatal: BaseException | None = None

    # --- planning ------------------------------------------------------------------
    def plan(self, refs: Iterable[RecordRef]) -> list[RecordRef]:
        """Records of this shard still to do; reports duplicate ids as failures."""
        first_seen: dict[str, str] = {}
        pending: list[RecordRef] = []
        for ref in refs:
            if not self.config.shard.owns(ref.id):
                continue
            if ref.id in first_seen:
                self._fail(ref, "duplicate_id", f"id {ref.id!r} was already used by "
                                                f"{first_seen[ref.id]}; not processed again")
                continue
            first_seen[ref.id] = ref.location
            if ref.id in self.output.done:
                self.stats.skipped += 1
                continue
            pending.append(ref)
        return pending

    # --- running -------------------------------------------------------------------
    async def run(self, refs: Iterable[RecordRef]) -> RunStats:
        """Process every pending record; returns the counts (also on interruption)."""
        started = time.perf_counter()
        pending = self.plan(refs)
        self.stats.total = len(pending)
        self.progress.start(len(pending))
        slots = asyncio.Semaphore(max(1, self.config.concurrency))
        restore = self._install_signal_handlers()
        try:
            for ref in pending:
                if not await self._acquire(slots):
                    break
                task = asyncio.create_task(self._one(ref))
                self._in_flight.add(task)
                task.add_done_callback(lambda t: (self._in_flight.discard(t),
                                                  slots.release()))
            while self._in_flight:
                await asyncio.wait(set(self._in_flight))
        finally:
            restore()
            self.progress.stop()
            self.stats.seconds = time.perf_counter() - started
        if self._fatal is not None:
            raise self._fatal
        return self.stats

    def request_stop(self) -> None:
        """Stop feeding records; a second call also abandons the records in flight."""
        if self._stopping.is_set():
            for task in list(self._in_flight):
                task.cancel()
            return
        self._stopping.set()
        self.stats.interrupted = True
        self.progress.note(f"stopping: finishing {len(self._in_flight)} records in flight "
                           f"(interrupt again to abandon them)")

    async def _acquire(self, slots: asyncio.Semaphore) -> bool:
        """Wait for a free slot; False if a stop was requested meanwhile."""
        if self._stopping.is_set():
            return False
        acquire = asyncio.ensure_future(slots.acquire())
        stop = asyncio.ensure_future(self._stopping.wait())
        await asyncio.wait({acquire, stop}, return_when=asyncio.FIRST_COMPLETED)
        stop.cancel()
        if not acquire.done():
            acquire.cancel()
            return False
        if self._stopping.is_set():
            slots.release()
            return False
        return True

    async def _one(self, ref: RecordRef) -> None:
        started = time.perf_counter()
        try:
            text = ref.load(self.config.max_chars)
            fields = await self.processor.process(text, ref.fmt)
        except asyncio.CancelledError:
            raise
        except BadRecord as exc:
            self._fail(ref, exc.reason, exc.message)
            return
        except Exception as exc:  # noqa: BLE001 - one bad record must not stop the run
            if isinstance(exc, (NewsroomError, RecordFailed)):
                log.debug("record %s failed: %s", ref.id, exc)
            else:  # a bug, not bad input: keep the traceback
                log.warning("record %s failed unexpectedly", ref.id, exc_info=exc)
            self._fail(ref, *failure_of(exc))
            return
        seconds = round(time.perf_counter() - started, 3)
        record: dict[str, Any] = {"id": ref.id, "location": ref.location,
                                  "task": self.config.task.describe(), "format": ref.fmt,
                                  **ordered(fields), "seconds": seconds}
        self._write(record, self.config.task.output_format(ref.fmt))

    # --- writing -------------------------------------------------------------------
    def _write(self, record: dict[str, Any], fmt: str) -> None:
        try:
            if self._mirror is not None:
                self._mirror.write(record, fmt)
            self.output.append(record)
        except OSError as exc:
            self._abort(JournalError(f"cannot write {self.output.path}: {exc.strerror}"))
            return
        self.stats.done += 1
        self.progress.advance(True)

    def _fail(self, ref: RecordRef, reason: str, message: str) -> None:
        try:
            self.errors.append({"id": ref.id, "location": ref.location, "reason": reason,
                                "message": message})
        except OSError as exc:
            self._abort(JournalError(f"cannot write {self.errors.path}: {exc.strerror}"))
            return
        self.stats.failed += 1
        self.stats.failures[reason] = self.stats.failures.get(reason, 0) + 1
        self.progress.advance(False)

    def _abort(self, exc: BaseException) -> None:
        """A journal that cannot be written ends the run: nothing could be recorded."""
        if self._fatal is None:
            self._fatal = exc
            self._stopping.set()

    def _install_signal_handlers(self) -> Any:
        loop = asyncio.get_running_loop()
        installed: list[int] = []
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.add_signal_handler(sig, self.request_stop)
                installed.append(sig)
            except (NotImplementedError, RuntimeError, ValueError):
                pass  # not the main thread, or no signal support: no clean stop

        def restore() -> None:
            for sig in installed:
                loop.remove_signal_handler(sig)
        return restore
