"""Many clients at once through the real HTTP app: every answer is the one the client
would get alone, while the scheduler merges the requests into shared batches."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Sequence

import httpx
import pytest

from service.engines.base import BatchKey, Generated
from service.http.app import create_app
from service.workflows.runtime import Runtime

MODEL = "tiny-marian-en-uk"
SUBJECTS = ("The city council", "Officials in the northern region", "The ministry",
            "Police", "A group of farmers", "The national team", "Scientists at the university",
            "The company")
ACTIONS = ("approved the plan.",
           "said the bridge would reopen to traffic next month.",
           "asked witnesses to come forward after the storm damaged several houses.",
           "published a report showing that the river is getting warmer every year, and "
           "warned that the harvest could be smaller.")
#: 32 distinct sentences of very different lengths, so shared batches carry padding.
TEXTS = [f"{subject} {action}" for subject in SUBJECTS for action in ACTIONS]


async def _until(condition: Callable[[], bool], timeout: float = 60.0) -> None:
    """Yield to the event loop until ``condition`` holds (fail after ``timeout``)."""
    loop = asyncio.get_running_loop()
    give_up = loop.time() + timeout
    while not condition():
        if loop.time() > give_up:
            raise AssertionError("the requests never all reached the scheduler")
        await asyncio.sleep(0.001)


def _translate(client: httpx.AsyncClient, text: str):
    return client.post("/v1/translate", json={"text": text, "source": "en", "target": "uk"})


async def test_32_concurrent_requests_equal_the_same_texts_one_by_one(
        tiny_settings, monkeypatch: pytest.MonkeyPatch) -> None:
    assert len(set(TEXTS)) == 32
    runtime = Runtime(tiny_settings)
    app = create_app(tiny_settings, runtime=runtime)
    async with app.router.lifespan_context(app):
        handle = runtime.models.handle(MODEL)
        scheduler = await handle.ensure_ready()
        engine = handle.engine
        # Hold the first batch in the engine until every request is queued behind it,
        # so the rest is known to share one batch (no reliance on timing).
        sizes: list[int] = []
        gate = threading.Event()
        generate = engine.generate

        def gated(texts: Sequence[str], key: BatchKey) -> list[Generated]:
            sizes.append(len(texts))
            gate.wait(timeout=60)
            return generate(texts, key)

        monkeypatch.setattr(engine, "generate", gated)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            pending = [asyncio.create_task(_translate(client, text)) for text in TEXTS]
            await _until(lambda: len(sizes) == 1 and sizes[0] + scheduler.queue_depth == 32)
            gate.set()
            together = await asyncio.gather(*pending)
            batched_sizes = list(sizes)
            alone = [await _translate(client, text) for text in TEXTS]

    assert [r.status_code for r in together] == [200] * 32
    assert [r.status_code for r in alone] == [200] * 32
    # At most two generate calls answered the 32 requests: they shared batches.
    assert sum(batched_sizes) == 32 and len(batched_sizes) <= 2
    assert sizes[len(batched_sizes):] == [1] * 32
    for response in together:
        (result,) = response.json()["translations"]
        assert result["source"] == "en"
        assert result["route"]["steps"] == [{"model": MODEL, "source": "en", "target": "uk"}]
        assert result["text"].strip()
    together_texts = [r.json()["translations"][0]["text"] for r in together]
    alone_texts = [r.json()["translations"][0]["text"] for r in alone]
    assert together_texts == alone_texts
    # Distinct inputs give distinct outputs: answers were not swapped or shared.
    assert len(set(together_texts)) == 32
