"""CPU text work runs off the event loop: while a 50,000-character article is being
segmented, identified, counted and translated, the server still answers /healthz
within 100 ms (a real server process, probed over HTTP; see the last assertions for
what a shared, oversubscribed machine allows)."""

from __future__ import annotations

import asyncio
import re
import time

import httpx

SUBJECTS = ("The city council", "Officials in the northern region", "The ministry",
            "Police", "A group of farmers", "Scientists at the university")
ACTIONS = ("approved the plan on Tuesday after a long debate.",
           "said the bridge would reopen to traffic next month.",
           "asked witnesses to come forward after the storm damaged several houses.",
           "warned that the harvest could be smaller than last year.")
LIMIT_S = 0.1
STALL_S = 1.0


def _article(chars: int = 50_000) -> str:
    paragraphs, size, i = [], 0, 0
    while True:
        sentences = [f"{SUBJECTS[(i + k) % len(SUBJECTS)]} {ACTIONS[(i * 3 + k) % len(ACTIONS)]}"
                     for k in range(4)]
        paragraph = f"Report {i}: " + " ".join(sentences)
        if size + len(paragraph) + 2 > chars:
            return "\n\n".join(paragraphs)
        paragraphs.append(paragraph)
        size += len(paragraph) + 2
        i += 1


async def test_healthz_answers_within_100ms_while_a_50k_article_is_translated(
        live_server, server_env, tmp_path) -> None:
    article = _article()
    assert 49_000 < len(article) <= 50_000
    env = dict(server_env, NEWSROOM_REQUEST_TIMEOUT_S="600")
    with live_server(env, log_path=tmp_path / "server.log") as (_, base):
        async with httpx.AsyncClient(base_url=base, timeout=600) as client:
            warm = await client.post("/v1/translate", json={"text": "Hello.", "source": "en",
                                                             "target": "uk"})
            assert warm.status_code == 200
            before = await _batches(client)
            translation = asyncio.create_task(client.post(
                "/v1/translate", json={"text": article, "source": "auto", "target": "uk"}))
            latencies, generating = await _probe(client, translation, before)
            # The whole CPU phase (paragraphs, language id, sentences, token counts) and
            # the start of generation were probed; the rest is the model's own work.
            assert generating, "the translation ended before its generation was seen"
            if not translation.done():
                translation.cancel()  # the client goes away; the server drops the work
            await asyncio.gather(translation, return_exceptions=True)
    assert len(latencies) >= 5, latencies
    ordered = sorted(latencies)
    # The median answer is within 100 ms. Single probes can take longer on a machine
    # whose cores are oversubscribed by other processes (the OS does not run the
    # server then), but none waits for the article's text work: that used to hold the
    # event loop for seconds (segmentation alone takes over a second for 50,000
    # characters), which STALL_S would catch.
    assert ordered[len(ordered) // 2] < LIMIT_S, ordered
    assert ordered[-1] < STALL_S, ordered


async def _probe(client: httpx.AsyncClient, translation: asyncio.Task, before: float
                 ) -> tuple[list[float], bool]:
    """/healthz latencies while ``translation`` is in flight, until its generation has
    run for 20 more probes (or it ends)."""
    latencies: list[float] = []
    generating_since: int | None = None
    async with httpx.AsyncClient(base_url=str(client.base_url), timeout=10) as probe:
        await probe.get("/healthz")  # open the connection before measuring
        while not translation.done():
            started = time.perf_counter()
            answer = await probe.get("/healthz")
            elapsed = time.perf_counter() - started
            if translation.done():
                break
            assert answer.status_code == 200
            latencies.append(elapsed)
            if generating_since is None and len(latencies) % 5 == 0 \
                    and await _batches(probe) > before:
                generating_since = len(latencies)
            if generating_since is not None and len(latencies) >= generating_since + 20:
                break
            await asyncio.sleep(0.02)  # probe interval, not a synchronisation
    if translation.done():
        response = translation.result()
        assert response.status_code == 200, response.text
        assert response.json()["translations"][0]["source"] == "en"
    return latencies, generating_since is not None or translation.done()


async def _batches(client: httpx.AsyncClient) -> float:
    """Batches the server has run so far (from its metrics)."""
    text = (await client.get("/metrics")).text
    match = re.search(r'^newsroom_batch_size_count\{model="tiny-marian-en-uk"\} (\S+)$',
                      text, re.M)
    return float(match.group(1)) if match else 0.0
