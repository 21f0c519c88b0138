"""``newsroom-mt batch`` run as a user would: real subprocesses over the tiny models.

Covers every input kind, the output schema, bad records, sharding, SIGKILL and SIGINT
in the middle of a run followed by a resume (every record exactly once, every line
parses), and ``--server``.
"""

from __future__ import annotations

import csv
import json
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest
from batch_helpers import article, cli, live_server, popen, read_jsonl, write_folder

from service.batch_jobs.journal import Journal
from service.summarize.neutrality.report import CHECK_NAMES

SUMMARY_FIELDS = {"summary", "summary_language", "summary_mode", "neutrality", "enforcement",
                  "claims", "disputes", "furniture"}
BASE_FIELDS = {"id", "location", "task", "format", "language", "language_confidence",
               "routes", "seconds"}


def wait_for_lines(path: Path, count: int, proc: subprocess.Popen[str],
                   limit_s: float = 300.0) -> None:
    """Wait until ``path`` holds ``count`` complete lines. Polling is the only signal a
    separate process gives; the limit only bounds a broken run."""
    give_up = time.monotonic() + limit_s
    while time.monotonic() < give_up:
        if path.exists() and path.read_bytes().count(b"\n") >= count:
            return
        if proc.poll() is not None:
            raise AssertionError(f"batch exited early ({proc.returncode}): "
                                 f"{proc.stderr.read() if proc.stderr else ''}")
        time.sleep(0.02)
    raise AssertionError(f"{path} never reached {count} lines")


def test_folder_jsonl_csv_and_stdin_keep_their_ids_with_the_documented_schema(
        tmp_path: Path, batch_env: dict[str, str]) -> None:
    folder = tmp_path / "articles"
    folder_ids = write_folder(folder, 3)
    (folder / "web").mkdir()
    (folder / "web" / "page.html").write_text(f"<h1>Budget</h1><p>{article('en', 7)}</p>",
                                              "utf-8")
    jsonl = tmp_path / "export.jsonl"
    jsonl.write_text("".join(json.dumps({"slug": f"j{i}", "body": article("uk", i)},
                                        ensure_ascii=False) + "\n" for i in range(2)), "utf-8")
    table = tmp_path / "export.csv"
    with table.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["slug", "body"])
        writer.writerow(["c0", article("ru", 0)])
    stdin = json.dumps({"slug": "s0", "body": article("en", 3)}) + "\n"
    out = tmp_path / "out.jsonl"

    result = cli(["batch", "summarize", str(folder), str(jsonl), str(table), "-",
                  "--translate-to", "uk", "--id-field", "slug", "--text-field", "body",
                  "--out", str(out), "--mirror", str(tmp_path / "mirror")],
                 batch_env, stdin=stdin)

    assert result.returncode == 0, result.stderr
    records = {r["id"]: r for r in read_jsonl(out)}
    expected = {*folder_ids, "web/page.html", "j0", "j1", "c0", "s0"}
    assert set(records) == expected
    assert result.stderr.strip().splitlines()[-1].startswith(
        f"done {len(expected)}, skipped 0, failed 0 in ")
    for record in records.values():
        page = {"article"} if record["format"] == "html" else set()
        # summary_notes and source_summary appear only when there is something to say.
        assert set(record) - {"summary_notes", "source_summary"} == \
            BASE_FIELDS | SUMMARY_FIELDS | {"translations"} | page
        assert record["task"] == "summarize+translate"
        assert record["summary"].strip()
        # An abstractive candidate was also checked by the (local) NLI model.
        faithfulness = record["enforcement"].get("faithfulness", {}).get("checked")
        assert set(record["neutrality"]["checks"]) == set(CHECK_NAMES) | (
            {"faithfulness"} if faithfulness else set())
        assert set(record["translations"]) == {"uk"}
        assert set(record["routes"]) == {"summary", "uk"}
    assert {i: records[i]["language"] for i in ("j0", "c0", "s0", folder_ids[0])} == \
        {"j0": "uk", "c0": "ru", "s0": "en", folder_ids[0]: "en"}
    # An English article goes to Ukrainian through the en-uk model; a Ukrainian one
    # is already in the target language and passes through unchanged.
    assert records["s0"]["routes"]["uk"] == {"kind": "direct", "steps": [
        {"model": "tiny-marian-en-uk", "source": "en", "target": "uk"}]}
    assert records["s0"]["translations"]["uk"] != article("en", 3)
    assert records["j0"]["translations"]["uk"] == article("uk", 0)
    assert records["web/page.html"]["format"] == "html"
    # A page's extracted article is translated as text (--whole-page keeps markup).
    assert "<" not in records["web/page.html"]["translations"]["uk"]
    assert records["web/page.html"]["translations"]["uk"].strip()
    assert records["j1"]["location"] == f"{jsonl.as_posix()}:2"
    # The mirror follows the folder tree.
    first = tmp_path / "mirror" / folder_ids[0]
    assert json.loads(first.with_name(first.name + ".json").read_text("utf-8")) == \
        records[folder_ids[0]]
    assert (first.parent / (first.stem + ".uk.txt")).read_text("utf-8") == \
        records[folder_ids[0]]["translations"]["uk"]


def test_bad_records_are_reported_and_the_rest_done(tmp_path: Path,
                                                    batch_env: dict[str, str]) -> None:
    folder = tmp_path / "in"
    good = write_folder(folder, 2)
    (folder / "empty.txt").write_text("\n \n", "utf-8")
    (folder / "latin1.txt").write_bytes("Le café est fermé.".encode("latin-1"))
    (folder / "long.txt").write_text(article("en", 1, sentences=20), "utf-8")
    (folder / "french.txt").write_text("Le conseil municipal a approuvé le nouveau budget "
                                       "mardi, selon les responsables de la ville.", "utf-8")
    out = tmp_path / "out.jsonl"

    result = cli(["batch", "summarize", str(folder), "--out", str(out), "--mode",
                  "extractive", "--max-chars", "400"], batch_env)

    assert result.returncode == 1, result.stderr
    assert sorted(r["id"] for r in read_jsonl(out)) == sorted(good)
    errors = {e["id"]: (e["reason"], e["message"])
              for e in read_jsonl(tmp_path / "out.errors.jsonl")}
    assert errors["empty.txt"] == ("empty", "text is empty")
    assert errors["latin1.txt"] == ("not_utf8", "not valid UTF-8 (byte 6)")
    assert errors["long.txt"][0] == "too_large"
    assert errors["french.txt"][0] == "unknown_language"
    assert set(errors) == {"empty.txt", "latin1.txt", "long.txt", "french.txt"}
    summary = result.stderr.strip().splitlines()[-1]
    assert summary.startswith("done 2, skipped 0, failed 4 in ")
    assert summary.endswith(f"; errors in {tmp_path / 'out.errors.jsonl'}")


def test_shards_together_cover_the_input_exactly(tmp_path: Path,
                                                 batch_env: dict[str, str]) -> None:
    jsonl = tmp_path / "in.jsonl"
    jsonl.write_text("".join(json.dumps({"id": f"a{i}", "text": article("en", i)}) + "\n"
                             for i in range(24)), "utf-8")
    seen: list[str] = []
    for index in range(3):
        out = tmp_path / f"shard{index}.jsonl"
        result = cli(["batch", "summarize", str(jsonl), "--mode", "extractive", "--shard",
                      f"{index}/3", "--out", str(out)], batch_env)
        assert result.returncode == 0, result.stderr
        seen += [r["id"] for r in read_jsonl(out)]
    assert sorted(seen) == sorted(f"a{i}" for i in range(24))


def test_duplicate_ids_are_reported_not_merged(tmp_path: Path,
                                               batch_env: dict[str, str]) -> None:
    stdin = "".join(json.dumps({"id": i, "text": article("en", n)}) + "\n"
                    for n, i in enumerate(["x", "y", "x"]))
    out = tmp_path / "out.jsonl"
    result = cli(["batch", "summarize", "-", "--mode", "extractive", "--out", str(out)],
                 batch_env, stdin=stdin)
    assert result.returncode == 1
    assert sorted(r["id"] for r in read_jsonl(out)) == ["x", "y"]
    assert read_jsonl(tmp_path / "out.errors.jsonl") == [{
        "id": "x", "location": "<stdin>:3", "reason": "duplicate_id",
        "message": "id 'x' was already used by <stdin>:1; not processed again"}]


@pytest.mark.parametrize("how", ["SIGKILL", "SIGINT"])
def test_a_run_stopped_midway_resumes_with_every_record_exactly_once(
        how: str, tmp_path: Path, batch_env: dict[str, str]) -> None:
    folder = tmp_path / "in"
    ids = write_folder(folder, 24)
    out = tmp_path / "out.jsonl"
    args = ["batch", "translate", str(folder), "--to", "uk", "--from", "en", "-j", "2",
            "--out", str(out)]
    proc = popen(args, batch_env)
    try:
        wait_for_lines(out, 3, proc)
        proc.send_signal(getattr(signal, how))
        _, stderr = proc.communicate(timeout=300)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    first = read_jsonl(out)
    if how == "SIGKILL":
        assert proc.returncode == -signal.SIGKILL
    else:
        # SIGINT finishes the records in flight, writes them and says so.
        assert proc.returncode == 130, stderr
        assert stderr.strip().splitlines()[-1].startswith(f"interrupted: done {len(first)},")
    assert 3 <= len(first) < len(ids), "the run must have been stopped midway"

    resumed = cli(args, batch_env)

    assert resumed.returncode == 0, resumed.stderr
    assert f"skipped {len(first)}," in resumed.stderr.strip().splitlines()[-1]
    final = read_jsonl(out)
    assert Counter(r["id"] for r in final) == Counter(ids)
    assert all(r["translations"]["uk"] for r in final)


def test_a_second_writer_of_the_same_output_is_refused(tmp_path: Path,
                                                      batch_env: dict[str, str]) -> None:
    folder = tmp_path / "in"
    write_folder(folder, 2)
    out = tmp_path / "out.jsonl"
    with Journal.open(out):  # this test process plays the worker already writing it
        second = cli(["batch", "summarize", str(folder), "--mode", "extractive", "--out",
                      str(out)], batch_env)
    assert second.returncode == 2
    assert second.stderr.strip() == (f"error: {out} is being written by another process; "
                                     f"give each worker its own --out")
    assert out.read_bytes() == b""


def test_server_mode_sends_records_to_a_running_service(tmp_path: Path,
                                                        batch_env: dict[str, str]) -> None:
    folder = tmp_path / "in"
    ids = write_folder(folder, 4)
    (folder / "empty.txt").write_text(" ", "utf-8")
    out = tmp_path / "out.jsonl"
    with live_server(batch_env) as base:
        result = cli(["batch", "translate", str(folder), "--to", "uk,ru", "--summarize",
                      "--server", base, "--out", str(out)], batch_env)
    assert result.returncode == 1, result.stderr
    records = {r["id"]: r for r in read_jsonl(out)}
    assert set(records) == set(ids)
    for record in records.values():
        page = {"article"} if record["format"] == "html" else set()
        # summary_notes and source_summary appear only when there is something to say.
        assert set(record) - {"summary_notes", "source_summary"} == \
            BASE_FIELDS | SUMMARY_FIELDS | {"translations"} | page
        assert set(record["translations"]) == {"uk", "ru"}
        assert record["language"] == "en"
        assert record["routes"]["ru"]["steps"] == [
            {"model": "tiny-marian-en-ru", "source": "en", "target": "ru"}]
    assert [e["reason"] for e in read_jsonl(tmp_path / "out.errors.jsonl")] == ["empty"]
