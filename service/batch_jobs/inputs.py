"""Batch inputs: folders of article files, JSONL, CSV, or JSONL on standard input.

Every input becomes a stream of :class:`RecordRef` with a stable id:

- a folder (recursively; hidden files and folders skipped): every ``.txt``, ``.md``,
  ``.html``/``.htm`` file, id = its path relative to the folder (POSIX separators), so
  workers that mount the corpus at different places agree on ids;
- a ``.jsonl``/``.ndjson`` file, or ``-`` for JSONL on stdin: one object per line, id
  and text taken from configurable fields;
- a ``.csv`` (or ``.tsv``) file with a header row, same fields;
- a single ``.txt``/``.md``/``.html`` file: id = the path as given.

Folder and JSONL-file texts are read only when a record is processed (a year's
corpus need not fit in memory); CSV and stdin texts are kept from the scan.
A problem found while scanning (a line that is not JSON, not UTF-8, a missing field)
is carried on the ref as ``error``, so the runner reports it and goes on.
"""

from __future__ import annotations

import csv
import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Literal

#: File suffixes read from folders, and whether they are HTML.
DOCUMENT_SUFFIXES: dict[str, bool] = {".txt": False, ".md": False, ".html": True,
                                      ".htm": True}
JSONL_SUFFIXES = frozenset({".jsonl", ".ndjson"})
CSV_SUFFIXES: dict[str, str] = {".csv": ",", ".tsv": "\t"}
#: Bytes per character allowed before a file is rejected unread (UTF-8 needs <= 4).
_BYTES_PER_CHAR = 4

Format = Literal["text", "html"]


class BadRecord(Exception):
    """A record that cannot be processed; ``reason`` is a short machine-readable kind."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


@dataclass
class InputOptions:
    """How records are read."""

    id_field: str = "id"
    text_field: str = "text"
    #: Treat JSONL/CSV/stdin texts as HTML (folder files go by suffix).
    html: bool = False
    #: Longest text accepted, in characters.
    max_chars: int = 50_000


@dataclass
class RecordRef:
    """One input record: its id, where it comes from, and how to get its text."""

    id: str
    #: Human-readable origin, e.g. ``export.jsonl:17`` or ``articles/a.txt``.
    location: str
    fmt: Format = "text"
    #: Path relative to its input folder (mirror output); None for non-folder inputs.
    rel_path: str | None = None
    text: str | None = None
    loader: Callable[[], str] | None = None
    #: A problem found while scanning: (reason, message).
    error: tuple[str, str] | None = None

    def load(self, max_chars: int) -> str:
        """The record's text, checked: raises :class:`BadRecord` when it is unreadable,
        not UTF-8, empty or longer than ``max_chars``."""
        if self.error is not None:
            raise BadRecord(*self.error)
        text = self.text if self.text is not None else self.loader() if self.loader else ""
        if len(text) > max_chars:
            raise BadRecord("too_large", f"text has {len(text)} characters; "
                                         f"the limit is {max_chars}")
        if not text.strip():
            raise BadRecord("empty", "text is empty")
        return text


def check_inputs(inputs: Sequence[str]) -> None:
    """Raise ``ValueError`` (a usage error) for inputs that cannot be read at all."""
    if not inputs:
        raise ValueError("give at least one input (a folder, a .jsonl/.csv file, or -)")
    if list(inputs).count("-") > 1:
        raise ValueError("standard input (-) can be given only once")
    for item in inputs:
        if item == "-":
            continue
        path = Path(item)
        if not path.exists():
            raise ValueError(f"input not found: {item}")
        if path.is_file():
            suffix = path.suffix.lower()
            if (suffix not in DOCUMENT_SUFFIXES and suffix not in JSONL_SUFFIXES
                    and suffix not in CSV_SUFFIXES):
                raise ValueError(
                    f"cannot read {item}: expected a folder, .jsonl/.ndjson, .csv/.tsv, "
                    f".txt, .md or .html")


def iter_records(inputs: Sequence[str], options: InputOptions,
                 stdin: BinaryIO | None = None) -> Iterator[RecordRef]:
    """Records of every input, in order (folders sorted by path)."""
    for item in inputs:
        if item == "-":
            stream = stdin if stdin is not None else sys.stdin.buffer
            yield from _jsonl_stream(stream, "<stdin>", options)
            continue
        path = Path(item)
        if path.is_dir():
            yield from _folder(path, options)
            continue
        suffix = path.suffix.lower()
        if suffix in JSONL_SUFFIXES:
            yield from _jsonl_file(path, options)
        elif suffix in CSV_SUFFIXES:
            yield from _csv_file(path, CSV_SUFFIXES[suffix], options)
        else:
            yield _document(path, path.as_posix(), None, options)


# --- folders and single documents ----------------------------------------------------
def _folder(root: Path, options: InputOptions) -> Iterator[RecordRef]:
    for dirpath, dirnames, filenames in os.walk(root):
        # Sorted in place so the walk (and so the record order) is deterministic.
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith(".") or Path(name).suffix.lower() not in DOCUMENT_SUFFIXES:
                continue
            path = Path(dirpath) / name
            rel = path.relative_to(root).as_posix()
            yield _document(path, rel, rel, options)


def _document(path: Path, record_id: str, rel: str | None,
              options: InputOptions) -> RecordRef:
    html = DOCUMENT_SUFFIXES.get(path.suffix.lower(), False)
    return RecordRef(id=record_id, location=path.as_posix(), fmt="html" if html else "text",
                     rel_path=rel,
                     loader=lambda: _read_document(path, options.max_chars, html))


def _read_document(path: Path, max_chars: int, html: bool = False) -> str:
    try:
        size = path.stat().st_size
        if size > max_chars * _BYTES_PER_CHAR:
            raise BadRecord("too_large", f"file has {size} bytes; the limit is "
                                         f"{max_chars} characters")
        data = path.read_bytes()
    except OSError as exc:
        raise BadRecord("unreadable", f"cannot read {path}: {exc.strerror}") from exc
    if html:
        # Saved pages come in their site's encoding, declared or not.
        from service.text.extract import decode_html

        return decode_html(data)[0]
    return _decode(data)


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadRecord("not_utf8", f"not valid UTF-8 (byte {exc.start})") from exc


# --- JSONL -------------------------------------------------------------------------
def _jsonl_stream(stream: BinaryIO, name: str, options: InputOptions) -> Iterator[RecordRef]:
    """JSONL from a stream that cannot be re-read: texts are kept."""
    for lineno, raw in enumerate(stream, start=1):
        if raw.strip():
            ref, text = _parse_jsonl_line(raw, name, lineno, options)
            ref.text = text
            yield ref


def _jsonl_file(path: Path, options: InputOptions) -> Iterator[RecordRef]:
    """JSONL from a file: the scan keeps each line's offset; the text is re-read later."""
    name = path.as_posix()
    with path.open("rb") as fh:
        offset = 0
        for lineno, raw in enumerate(fh, start=1):
            start, offset = offset, offset + len(raw)
            if not raw.strip():
                continue
            ref, _ = _parse_jsonl_line(raw, name, lineno, options)
            if ref.error is None:
                ref.loader = _line_loader(path, start, lineno, options)
            yield ref


def _line_loader(path: Path, offset: int, lineno: int,
                 options: InputOptions) -> Callable[[], str]:
    def load() -> str:
        with path.open("rb") as fh:
            fh.seek(offset)
            raw = fh.readline()
        ref, text = _parse_jsonl_line(raw, path.as_posix(), lineno, options)
        if ref.error is not None:  # the file changed under us
            raise BadRecord(*ref.error)
        return text or ""
    return load


def _parse_jsonl_line(raw: bytes, name: str, lineno: int,
                      options: InputOptions) -> tuple[RecordRef, str | None]:
    location = f"{name}:{lineno}"
    fmt: Format = "html" if options.html else "text"
    try:
        line = raw.decode("utf-8-sig" if lineno == 1 else "utf-8")
    except UnicodeDecodeError as exc:
        return RecordRef(id=location, location=location, fmt=fmt,
                         error=("not_utf8", f"line is not valid UTF-8 (byte {exc.start})")), None
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        return RecordRef(id=location, location=location, fmt=fmt,
                         error=("bad_json", f"line is not valid JSON ({exc.msg})")), None
    if not isinstance(obj, dict):
        return RecordRef(id=location, location=location, fmt=fmt,
                         error=("bad_json", "line is not a JSON object")), None
    return _from_fields(obj, location, fmt, options)


# --- CSV ---------------------------------------------------------------------------
def _csv_file(path: Path, delimiter: str, options: InputOptions) -> Iterator[RecordRef]:
    csv.field_size_limit(sys.maxsize)
    fmt: Format = "html" if options.html else "text"
    name = path.as_posix()
    # surrogateescape keeps undecodable bytes as lone surrogates, so one bad row is
    # reported instead of the whole file failing to decode.
    with path.open("r", encoding="utf-8-sig", errors="surrogateescape", newline="") as fh:
        reader = csv.DictReader(fh, delimiter=delimiter)
        if reader.fieldnames is None:
            return
        missing = [f for f in (options.id_field, options.text_field)
                   if f not in reader.fieldnames]
        if missing:
            raise ValueError(f"{name} has no column {missing[0]!r} "
                             f"(columns: {', '.join(reader.fieldnames)})")
        for row in reader:
            location = f"{name}:{reader.line_num}"
            if any(_has_surrogates(v) for v in row.values() if isinstance(v, str)):
                yield RecordRef(id=_clean(row.get(options.id_field)) or location,
                                location=location, fmt=fmt,
                                error=("not_utf8", "row is not valid UTF-8"))
                continue
            ref, text = _from_fields(row, location, fmt, options)
            ref.text = text
            yield ref


def _has_surrogates(value: str) -> bool:
    return any("\udc80" <= ch <= "\udcff" for ch in value)


def _clean(value: object) -> str | None:
    if isinstance(value, str) and value and not _has_surrogates(value):
        return value
    return None


# --- shared field handling -----------------------------------------------------------
def _from_fields(obj: dict[str, object], location: str, fmt: Format,
                 options: InputOptions) -> tuple[RecordRef, str | None]:
    raw_id = obj.get(options.id_field)
    if isinstance(raw_id, bool) or not isinstance(raw_id, (str, int)) or raw_id == "":
        return RecordRef(id=location, location=location, fmt=fmt, error=(
            "missing_id", f"no usable id in field {options.id_field!r}")), None
    record_id = str(raw_id)
    text = obj.get(options.text_field)
    if text is None:
        return RecordRef(id=record_id, location=location, fmt=fmt, error=(
            "missing_text", f"no field {options.text_field!r}")), None
    if not isinstance(text, str):
        return RecordRef(id=record_id, location=location, fmt=fmt, error=(
            "missing_text", f"field {options.text_field!r} is not a string")), None
    return RecordRef(id=record_id, location=location, fmt=fmt), text
