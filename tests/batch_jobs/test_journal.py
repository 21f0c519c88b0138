"""The output journal: whole lines only, resume after a torn write, one writer."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.batch_jobs.journal import Journal, JournalError


def test_reopening_collects_the_ids_written(tmp_path: Path) -> None:
    path = tmp_path / "out" / "run.jsonl"
    with Journal.open(path) as journal:
        journal.append({"id": "a", "summary": "Перше."})
        journal.append({"id": "b", "summary": "x\ny"})
    assert path.read_text("utf-8").count("\n") == 2
    with Journal.open(path) as journal:
        assert journal.done == {"a", "b"}
        assert journal.dropped_bytes == 0


def test_a_partial_last_line_is_truncated_and_writing_continues_after_it(tmp_path: Path
                                                                         ) -> None:
    path = tmp_path / "run.jsonl"
    path.write_bytes(b'{"id": "a"}\n{"id": "b"}\n{"id": "c", "summ')
    with Journal.open(path) as journal:
        assert journal.done == {"a", "b"}
        assert journal.dropped_bytes == len(b'{"id": "c", "summ')
        journal.append({"id": "c"})
    assert path.read_bytes() == b'{"id": "a"}\n{"id": "b"}\n{"id":"c"}\n'


def test_an_unparsable_complete_last_line_is_dropped_too(tmp_path: Path) -> None:
    path = tmp_path / "run.jsonl"
    path.write_bytes(b'{"id": "a"}\n\x00\x00\x00\n')
    with Journal.open(path) as journal:
        assert journal.done == {"a"}
    assert path.read_bytes() == b'{"id": "a"}\n'


def test_a_corrupt_middle_is_refused_not_guessed(tmp_path: Path) -> None:
    path = tmp_path / "run.jsonl"
    original = b'{"id": "a"}\n{"id": \n{"id": "c"}\n'
    path.write_bytes(original)
    with pytest.raises(JournalError, match=f"^{path}: line 2 is not a complete JSON record; "
                                           "fix or move the file before resuming$"):
        Journal.open(path)
    assert path.read_bytes() == original


def test_a_second_writer_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "run.jsonl"
    with Journal.open(path):
        with pytest.raises(JournalError, match="is being written by another process"):
            Journal.open(path)
    Journal.open(path).close()  # free again once the first is closed


def test_fresh_empties_the_file(tmp_path: Path) -> None:
    path = tmp_path / "errors.jsonl"
    path.write_text('{"id": "old"}\n', "utf-8")
    with Journal.open(path, fresh=True) as journal:
        assert journal.done == set()
    assert path.read_bytes() == b""
