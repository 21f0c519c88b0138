"""``--server``: retries on 429/503 with Retry-After, permanent errors fail the record,
and requests in flight stay bounded. The server is stood in for by an httpx transport
that answers in the real API's shapes (the full path runs against a real server in
test_cli_batch.py)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest

from service.batch_jobs.processors import RecordFailed, Task
from service.batch_jobs.remote import RemoteProcessor


def translation(text: str) -> dict[str, Any]:
    return {"translations": [{"text": text, "source": "en", "confidence": 0.97,
                              "detected": True, "route": {"kind": "direct", "steps": [
                                  {"model": "m", "source": "en", "target": "uk"}]}}]}


def error(kind: str, message: str) -> dict[str, Any]:
    return {"error": {"type": kind, "message": message}}


async def test_busy_answers_are_retried_after_retry_after() -> None:
    answers = [httpx.Response(429, json=error("overloaded", "busy"),
                              headers={"Retry-After": "0"}),
               httpx.Response(503, json=error("shutting_down", "draining"),
                              headers={"Retry-After": "0"}),
               httpx.Response(200, json=translation("Переклад."))]
    seen: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content))
        return answers.pop(0)

    processor = RemoteProcessor("http://svc", Task(translate_to=("uk",)),
                                transport=httpx.MockTransport(handler))
    out = await processor.process("A text.", "text")
    await processor.aclose()

    assert seen == [{"text": "A text.", "source": "auto", "target": "uk",
                     "format": "text"}] * 3
    assert out == {"language": "en", "language_confidence": 0.97,
                   "translations": {"uk": "Переклад."},
                   "routes": {"uk": {"kind": "direct", "steps": [
                       {"model": "m", "source": "en", "target": "uk"}]}}}


async def test_a_missing_model_is_not_retried() -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return httpx.Response(503, json=error("model_unavailable", "pull it first"))

    processor = RemoteProcessor("http://svc", Task(translate_to=("uk",)),
                                transport=httpx.MockTransport(handler))
    with pytest.raises(RecordFailed, match="^/v1/translate answered 503: pull it first$") \
            as caught:
        await processor.process("A text.", "text")
    await processor.aclose()
    assert caught.value.reason == "model_unavailable"
    assert calls == 1


async def test_requests_in_flight_are_bounded() -> None:
    in_flight = peak = 0
    release = asyncio.Event()
    arrived = asyncio.Event()

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        arrived.set()
        await release.wait()
        in_flight -= 1
        return httpx.Response(200, json=translation("x"))

    processor = RemoteProcessor("http://svc", Task(translate_to=("uk", "ru", "ko")),
                                concurrency=2, transport=httpx.MockTransport(handler))
    jobs = asyncio.gather(*(processor.process(f"text {i}", "text") for i in range(4)))
    while in_flight < 2:
        await arrived.wait()
        arrived.clear()
    release.set()
    results = await jobs
    await processor.aclose()
    assert peak == 2
    assert all(set(r["translations"]) == {"uk", "ru", "ko"} for r in results)
