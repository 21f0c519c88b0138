"""The batch loop with a stand-in processor: planning, failures, clean stops.

The processor here only measures its input: these tests are about which records are
processed and written, not about models (tests/batch_jobs/test_cli_batch.py runs the real
ones)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from batch_helpers import read_jsonl

from service.batch_jobs.inputs import RecordRef
from service.batch_jobs.journal import Journal
from service.batch_jobs.processors import RecordFailed, Task
from service.batch_jobs.runner import BatchRunner, RunConfig, exit_code
from service.batch_jobs.sharding import Shard


class MeasuringProcessor:
    """Returns the length of each text; ``gate`` (if set) holds every record until
    released; texts starting with ``FAIL`` fail."""

    def __init__(self, gate: asyncio.Event | None = None) -> None:
        self.gate = gate
        self.started: list[str] = []
        self.entered = asyncio.Event()

    async def process(self, text: str, fmt: str) -> dict[str, Any]:
        self.started.append(text)
        self.entered.set()
        if self.gate is not None:
            await self.gate.wait()
        if text.startswith("FAIL"):
            raise RecordFailed("unknown_language", "could not identify the language")
        return {"chars": len(text)}

    async def aclose(self) -> None:
        pass


def refs(*pairs: tuple[str, str]) -> list[RecordRef]:
    return [RecordRef(id=i, location=f"in:{n}", text=t) for n, (i, t) in enumerate(pairs, 1)]


def make_runner(tmp_path: Path, processor: Any, **config: Any) -> BatchRunner:
    out = Journal.open(tmp_path / "out.jsonl", durable=False)
    errors = Journal.open(tmp_path / "out.errors.jsonl", fresh=True, durable=False)
    return BatchRunner(processor, RunConfig(task=Task(summarize=True), **config), out, errors)


async def test_every_record_is_written_once_and_failures_go_to_the_errors_file(
        tmp_path: Path) -> None:
    runner = make_runner(tmp_path, MeasuringProcessor())
    stats = await runner.run(refs(("a", "Alpha"), ("b", "FAIL me"), ("c", "  "),
                                  ("a", "Again"), ("d", "Delta!")))

    out = read_jsonl(tmp_path / "out.jsonl")
    assert sorted((r["id"], r["chars"]) for r in out) == [("a", 5), ("d", 6)]
    assert {r["id"]: r["task"] for r in out} == {"a": "summarize", "d": "summarize"}
    errors = {e["id"]: e for e in read_jsonl(tmp_path / "out.errors.jsonl")
              if e["reason"] != "duplicate_id"}
    assert errors["b"]["reason"] == "unknown_language"
    assert errors["c"] == {"id": "c", "location": "in:3", "reason": "empty",
                           "message": "text is empty"}
    duplicate = [e for e in read_jsonl(tmp_path / "out.errors.jsonl")
                 if e["reason"] == "duplicate_id"]
    assert duplicate == [{"id": "a", "location": "in:4", "reason": "duplicate_id",
                          "message": "id 'a' was already used by in:1; not processed again"}]
    assert (stats.done, stats.failed, stats.skipped) == (2, 3, 0)
    assert exit_code(stats) == 1


async def test_resume_skips_done_records(tmp_path: Path) -> None:
    records = refs(("a", "Alpha"), ("b", "Beta"), ("c", "Gamma"))
    (tmp_path / "out.jsonl").write_text('{"id": "b", "chars": 4}\n', "utf-8")
    processor = MeasuringProcessor()
    stats = await make_runner(tmp_path, processor).run(records)
    assert sorted(processor.started) == ["Alpha", "Gamma"]
    assert (stats.done, stats.skipped, exit_code(stats)) == (2, 1, 0)
    assert sorted(r["id"] for r in read_jsonl(tmp_path / "out.jsonl")) == ["a", "b", "c"]


async def test_shards_together_process_the_input_exactly(tmp_path: Path) -> None:
    records = refs(*[(f"id-{i}", f"text {i}") for i in range(60)])
    seen: list[str] = []
    for index in range(3):
        folder = tmp_path / str(index)
        folder.mkdir()
        await make_runner(folder, MeasuringProcessor(), shard=Shard(index, 3)).run(records)
        seen += [r["id"] for r in read_jsonl(folder / "out.jsonl")]
    assert sorted(seen) == sorted(r.id for r in records)


async def test_stop_finishes_records_in_flight_and_feeds_no_more(tmp_path: Path) -> None:
    gate = asyncio.Event()
    processor = MeasuringProcessor(gate)
    runner = make_runner(tmp_path, processor, concurrency=3)
    run = asyncio.create_task(runner.run(refs(*[(f"r{i}", f"text {i}") for i in range(10)])))
    while len(processor.started) < 3:
        await processor.entered.wait()
        processor.entered.clear()
    runner.request_stop()
    gate.set()
    stats = await run
    assert sorted(r["id"] for r in read_jsonl(tmp_path / "out.jsonl")) == ["r0", "r1", "r2"]
    assert stats.interrupted and stats.done == 3
    assert exit_code(stats) == 130


async def test_second_stop_abandons_records_in_flight_without_writing_them(tmp_path: Path
                                                                           ) -> None:
    processor = MeasuringProcessor(asyncio.Event())  # never released
    runner = make_runner(tmp_path, processor, concurrency=2)
    run = asyncio.create_task(runner.run(refs(("a", "A"), ("b", "B"), ("c", "C"))))
    while len(processor.started) < 2:
        await processor.entered.wait()
        processor.entered.clear()
    runner.request_stop()
    runner.request_stop()
    stats = await run
    assert read_jsonl(tmp_path / "out.jsonl") == []
    assert (stats.done, stats.failed, stats.interrupted) == (0, 0, True)
