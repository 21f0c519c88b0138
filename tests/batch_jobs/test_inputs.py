"""Batch inputs: folders, JSONL, CSV and stdin become records with stable ids."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from service.batch_jobs.inputs import BadRecord, InputOptions, check_inputs, iter_records

OPTS = InputOptions(max_chars=1000)


def test_folder_is_read_recursively_with_relative_ids_and_html_by_suffix(tmp_path: Path
                                                                         ) -> None:
    (tmp_path / "b" / "c").mkdir(parents=True)
    (tmp_path / "a.txt").write_text("Alpha text.", "utf-8")
    (tmp_path / "b" / "c" / "d.html").write_text("<p>Delta text.</p>", "utf-8")
    (tmp_path / "b" / "e.md").write_text("Echo text.", "utf-8")
    (tmp_path / "b" / "notes.pdf").write_bytes(b"%PDF")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "x.txt").write_text("hidden", "utf-8")

    refs = list(iter_records([str(tmp_path)], OPTS))

    assert [r.id for r in refs] == ["a.txt", "b/e.md", "b/c/d.html"]
    assert [r.fmt for r in refs] == ["text", "text", "html"]
    assert [r.load(1000) for r in refs] == ["Alpha text.", "Echo text.", "<p>Delta text.</p>"]
    assert refs[2].rel_path == "b/c/d.html"


def test_jsonl_with_configured_fields_keeps_ids_and_reports_bad_lines(tmp_path: Path) -> None:
    path = tmp_path / "export.jsonl"
    path.write_bytes(b"\n".join([
        json.dumps({"slug": "first", "body": "First article."}).encode(),
        b"",
        b"{not json",
        json.dumps({"slug": 42, "body": "Numeric id."}).encode(),
        json.dumps({"body": "No id."}).encode(),
        json.dumps({"slug": "bytes", "body": "x"}).encode()[:-3] + b"\xff\"}",
        json.dumps({"slug": "nobody"}).encode(),
    ]) + b"\n")

    refs = list(iter_records([str(path)], InputOptions(id_field="slug", text_field="body")))

    assert [r.id for r in refs] == ["first", f"{path.as_posix()}:3", "42",
                                    f"{path.as_posix()}:5", f"{path.as_posix()}:6", "nobody"]
    assert refs[0].load(100) == "First article."
    assert refs[2].load(100) == "Numeric id."
    reasons = {r.id: r.error[0] for r in refs if r.error}
    assert reasons == {f"{path.as_posix()}:3": "bad_json", f"{path.as_posix()}:5": "missing_id",
                       f"{path.as_posix()}:6": "not_utf8", "nobody": "missing_text"}
    with pytest.raises(BadRecord, match="no field 'body'"):
        refs[5].load(100)


def test_csv_with_configured_columns_and_a_row_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes("key,content\r\n"
                     "k1,\"Line one,\nstill one.\"\r\n".encode("utf-8")
                     + b"k2,caf\xe9\r\n" + "k3,Третій.\r\n".encode("utf-8"))

    refs = list(iter_records([str(path)], InputOptions(id_field="key", text_field="content")))

    assert [r.id for r in refs] == ["k1", "k2", "k3"]
    assert refs[0].load(100) == "Line one,\nstill one."
    assert refs[1].error == ("not_utf8", "row is not valid UTF-8")
    assert refs[2].load(100) == "Третій."


def test_csv_without_the_text_column_is_a_usage_error(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("id,body\n1,x\n", "utf-8")
    with pytest.raises(ValueError, match=r"has no column 'text' \(columns: id, body\)"):
        list(iter_records([str(path)], OPTS))


def test_stdin_is_jsonl() -> None:
    stream = io.BytesIO(b'{"id": "s1", "text": "From stdin."}\n{"id": "s2", "text": "Two."}\n')
    refs = list(iter_records(["-"], OPTS, stdin=stream))
    assert [(r.id, r.load(100)) for r in refs] == [("s1", "From stdin."), ("s2", "Two.")]


def test_empty_too_large_and_undecodable_files_are_bad_records(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_text(" \n\t", "utf-8")
    (tmp_path / "huge.txt").write_text("x" * 50, "utf-8")
    (tmp_path / "latin1.txt").write_bytes("café".encode("latin-1"))
    (tmp_path / "giant.txt").write_text("y" * 500, "utf-8")
    refs = {r.id: r for r in iter_records([str(tmp_path)], InputOptions(max_chars=40))}

    with pytest.raises(BadRecord, match="^text is empty$"):
        refs["empty.txt"].load(40)
    with pytest.raises(BadRecord, match="^text has 50 characters; the limit is 40$"):
        refs["huge.txt"].load(40)
    with pytest.raises(BadRecord, match=r"^not valid UTF-8 \(byte 3\)$"):
        refs["latin1.txt"].load(40)
    # Far over the limit: rejected from its size, without reading it.
    with pytest.raises(BadRecord, match="^file has 500 bytes; the limit is 40 characters$"):
        refs["giant.txt"].load(40)


def test_check_inputs_names_the_problem(tmp_path: Path) -> None:
    (tmp_path / "a.pdf").write_bytes(b"%PDF")
    with pytest.raises(ValueError, match="^input not found: nowhere$"):
        check_inputs(["nowhere"])
    with pytest.raises(ValueError, match="can be given only once"):
        check_inputs(["-", "-"])
    with pytest.raises(ValueError, match="expected a folder, .jsonl/.ndjson, .csv/.tsv"):
        check_inputs([str(tmp_path / "a.pdf")])
