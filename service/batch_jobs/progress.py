"""Progress display for batch runs: a rich progress bar (count, rate, ETA) on a
terminal, nothing otherwise, and one final summary line in every case."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import IO, Any, Protocol


@dataclass
class RunStats:
    """Counts of one run. ``skipped`` = already in the output (resume)."""

    total: int = 0
    done: int = 0
    skipped: int = 0
    failed: int = 0
    seconds: float = 0.0
    interrupted: bool = False
    failures: dict[str, int] = field(default_factory=dict)

    def summary_line(self, errors_path: str | None = None) -> str:
        """``done 120, skipped 3, failed 2 in 45.1 s (2.66 docs/s)[; errors in F]``."""
        rate = self.done / self.seconds if self.seconds > 0 else 0.0
        line = (f"{'interrupted: ' if self.interrupted else ''}done {self.done}, "
                f"skipped {self.skipped}, failed {self.failed} in {self.seconds:.1f} s "
                f"({rate:.2f} docs/s)")
        if self.failures:
            kinds = ", ".join(f"{k} {v}" for k, v in sorted(self.failures.items()))
            line += f" [{kinds}]"
        if self.failed and errors_path:
            line += f"; errors in {errors_path}"
        return line


class Progress(Protocol):
    """What the runner reports to."""

    def start(self, total: int) -> None:
        """The run has ``total`` records to process."""

    def advance(self, ok: bool) -> None:
        """One record finished (``ok``) or failed."""

    def note(self, message: str) -> None:
        """Show a message (e.g. interrupted) without breaking the bar."""

    def stop(self) -> None:
        """Remove the bar."""


class QuietProgress:
    """No bar; notes go to stderr."""

    def __init__(self, stream: IO[str] | None = None) -> None:
        self._stream = stream

    def start(self, total: int) -> None:
        """Nothing to show."""

    def advance(self, ok: bool) -> None:
        """Nothing to show."""

    def note(self, message: str) -> None:
        """Print the message."""
        print(message, file=self._stream or sys.stderr, flush=True)

    def stop(self) -> None:
        """Nothing to remove."""


class RichProgress:
    """A rich bar on stderr: count, docs/s, elapsed and ETA, failures so far."""

    def __init__(self, description: str) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )
        from rich.progress import (
            Progress as Bar,
        )

        self._console = Console(stderr=True)
        self._bar: Any = Bar(
            TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
            TextColumn("{task.fields[rate]} docs/s"), TimeElapsedColumn(),
            TextColumn("ETA"), TimeRemainingColumn(),
            TextColumn("{task.fields[failed]}"), console=self._console, transient=True)
        self._description = description
        self._task: Any = None
        self._failed = 0

    def start(self, total: int) -> None:
        """Show the bar."""
        self._bar.start()
        self._task = self._bar.add_task(self._description, total=total, rate="-",
                                        failed="")

    def advance(self, ok: bool) -> None:
        """Move the bar; rate is rich's running estimate."""
        if not ok:
            self._failed += 1
        self._bar.advance(self._task)
        speed = self._bar.tasks[0].speed
        self._bar.update(self._task, rate=f"{speed:.2f}" if speed else "-",
                         failed=f"[red]{self._failed} failed" if self._failed else "")

    def note(self, message: str) -> None:
        """Print above the bar."""
        self._console.print(message, markup=False, highlight=False)

    def stop(self) -> None:
        """Remove the bar."""
        self._bar.stop()


def make_progress(description: str, *, quiet: bool, stream: IO[str] | None = None
                  ) -> Progress:
    """A rich bar when stderr is a terminal and not ``quiet``; otherwise no bar."""
    target = stream or sys.stderr
    if quiet or not target.isatty():
        return QuietProgress(stream)
    return RichProgress(description)
