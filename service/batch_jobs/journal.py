"""Append-only JSONL journals: the batch output and its errors file.

Durability contract, relied on by resume:

- each record is written as ONE complete line by a single ``os.write`` on an
  ``O_APPEND`` descriptor, then ``fsync``'d. A process killed at any moment (SIGKILL
  included) has either written the whole line or none of it; only a machine crash
  can leave a torn last line;
- opening a journal for resume drops a trailing partial or unparsable last line
  (truncating the file), collects the ids already written, and refuses a file whose
  *middle* is corrupt rather than guess;
- an exclusive ``flock`` on the file stops two processes writing the same output
  (which would duplicate records).
"""

from __future__ import annotations

import fcntl
import json
import os
from pathlib import Path
from typing import Any


class JournalError(Exception):
    """The journal cannot be used (corrupt, locked, unwritable); ``message`` says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Journal:
    """One JSONL file opened for appending, with the ids it already holds."""

    def __init__(self, path: Path, fd: int, done: set[str], dropped_bytes: int,
                 *, durable: bool) -> None:
        self.path = path
        self._fd = fd
        #: Ids of the records already in the file.
        self.done = done
        #: Bytes of a torn last line removed when the journal was opened.
        self.dropped_bytes = dropped_bytes
        self._durable = durable

    @classmethod
    def open(cls, path: Path, *, fresh: bool = False, key: str = "id",
             durable: bool = True) -> Journal:
        """Open ``path`` for appending (creating it and its folder). ``fresh`` empties
        it; otherwise it is recovered and the ``key`` of every line lands in ``done``."""
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
        except OSError as exc:
            raise JournalError(f"cannot open {path}: {exc.strerror}") from exc
        try:
            _lock(fd, path)
            if fresh:
                os.ftruncate(fd, 0)
                done, dropped = set(), 0
            else:
                done, dropped = _recover(fd, path, key)
        except BaseException:
            os.close(fd)
            raise
        return cls(path, fd, done, dropped, durable=durable)

    def append(self, record: dict[str, Any]) -> None:
        """Write ``record`` as one line, durably; its ``id`` joins ``done``."""
        line = (json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
        data = line.encode("utf-8", "surrogatepass")
        written = os.write(self._fd, data)
        while written < len(data):  # short writes (full disk...) are rare but legal
            written += os.write(self._fd, data[written:])
        if self._durable:
            os.fsync(self._fd)
        record_id = record.get("id")
        if isinstance(record_id, str):
            self.done.add(record_id)

    def close(self) -> None:
        """Release the lock and the descriptor (idempotent)."""
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _lock(fd: int, path: Path) -> None:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError as exc:
        raise JournalError(f"{path} is being written by another process; give each "
                           f"worker its own --out") from exc


def _recover(fd: int, path: Path, key: str) -> tuple[set[str], int]:
    """Ids in the file; truncates a torn or unparsable last line first."""
    done: set[str] = set()
    size = os.fstat(fd).st_size
    good_end = 0  # offset just past the last line that parsed
    lineno = 0
    with open(os.dup(fd), "rb", closefd=True) as fh:
        fh.seek(0)
        offset = 0
        pending_error: str | None = None
        for raw in fh:
            lineno += 1
            end = offset + len(raw)
            if pending_error is not None:
                # A bad line followed by more lines: the middle of the file is corrupt.
                raise JournalError(pending_error)
            record = _parse(raw) if raw.endswith(b"\n") else None
            if record is None:
                pending_error = (f"{path}: line {lineno} is not a complete JSON record; "
                                 f"fix or move the file before resuming")
            else:
                value = record.get(key)
                if isinstance(value, str):
                    done.add(value)
                good_end = end
            offset = end
    if good_end < size:
        os.ftruncate(fd, good_end)
    return done, size - good_end


def _parse(raw: bytes) -> dict[str, Any] | None:
    try:
        value = json.loads(raw.decode("utf-8", "surrogatepass"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    return value if isinstance(value, dict) else None
