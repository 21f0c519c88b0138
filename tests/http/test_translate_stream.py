"""``POST /v1/translate/stream``: server-sent events over real HTTP (in process and a
live server): event order and content, the same results as ``/v1/translate``,
refusals before the stream as plain JSON errors, an error event mid-stream, and a
client disconnect that empties the model's queue."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from server_process import catalogue_missing

from service.text.paragraphs import split_paragraphs

EN = ["Kyiv is the capital of Ukraine and its largest city.",
      "The mayor said the new bridge across the river will open in May.",
      "Officials expect heavy traffic during the first weeks."]
UK = "Опозиція заявила, що міст ще не готовий до відкриття."


def events(raw: str) -> list[tuple[str, dict]]:
    """Parse a ``text/event-stream`` body into (event, data) pairs."""
    out = []
    for block in raw.split("\n\n"):
        if not block.strip():
            continue
        lines = dict(line.split(": ", 1) for line in block.splitlines())
        out.append((lines["event"], json.loads(lines["data"])))
    return out


def stream(client: TestClient, **body) -> tuple[httpx.Response, list[tuple[str, dict]]]:
    response = client.post("/v1/translate/stream", json=body)
    return response, events(response.text) if response.status_code == 200 else []


def test_stream_sends_start_paragraphs_then_done(client: TestClient):
    text = "\n\n".join(EN)
    response, got = stream(client, text=text, target="uk")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    assert response.headers["cache-control"] == "no-cache"
    names = [name for name, _ in got]
    assert names == ["start", "paragraph", "paragraph", "paragraph", "done"]
    start = got[0][1]
    assert start["source"] == "en" and start["detected"] is True and start["target"] == "uk"
    assert [p["text"] for p in start["paragraphs"]] == EN
    assert all(p["translate"] and p["language"] == "en" for p in start["paragraphs"])
    assert start["route"]["steps"][0]["source"] == "en"
    paragraphs = [data for name, data in got if name == "paragraph"]
    assert sorted(p["index"] for p in paragraphs) == [0, 1, 2]
    assert [p["done"] for p in paragraphs] == [1, 2, 3] and {p["total"] for p in paragraphs} == {3}
    by_index = {p["index"]: p["text"] for p in paragraphs}
    done = got[-1][1]["translation"]
    # The final text is the article rebuilt around the streamed paragraphs.
    assert done["text"] == split_paragraphs(text).join([by_index[i] for i in range(3)])
    # Same workflow as the plain endpoint: the same paragraphs give the same results.
    plain = client.post("/v1/translate", json={"texts": EN, "target": "uk"}).json()
    assert [by_index[i] for i in range(3)] == [t["text"] for t in plain["translations"]]
    assert done["route"] == plain["translations"][0]["route"]


def test_mixed_article_has_per_paragraph_languages_and_keeps_target_paragraphs(
        client: TestClient):
    text = f"{EN[0]}\n{UK}\n{EN[1]}"
    response, got = stream(client, text=text, target="uk")
    assert response.status_code == 200
    start = got[0][1]
    assert [p["language"] for p in start["paragraphs"]] == ["en", "uk", "en"]
    assert [p["translate"] for p in start["paragraphs"]] == [True, False, True]
    paragraphs = {d["index"]: d["text"] for n, d in got if n == "paragraph"}
    assert paragraphs[1] == UK  # already Ukrainian: passed through unchanged
    assert paragraphs[0] != EN[0] and paragraphs[2] != EN[1]


def test_html_streams_text_nodes_and_done_has_the_markup(client: TestClient):
    html = f"<p>{EN[0]}</p><p><b>{EN[1]}</b></p>"
    response, got = stream(client, text=html, target="ru", format="html")
    assert response.status_code == 200
    start = got[0][1]
    assert start["format"] == "html"
    assert [p["text"] for p in start["paragraphs"]] == EN[:2]
    final = got[-1][1]["translation"]["text"]
    assert final.startswith("<p>") and "<b>" in final and EN[0] not in final


@pytest.mark.parametrize(("body", "field", "message"), [
    ({"text": "Hello there, friends.", "target": "zz"}, "target",
     "Unsupported language code 'zz' for target; supported: en, uk, ru, ko."),
    ({"target": "uk"}, "text", "text: field required"),
    ({"texts": ["a"], "text": "Hello.", "target": "uk"}, "texts", "texts: unknown field"),
])
def test_bad_requests_are_refused_before_the_stream(client: TestClient, body, field,
                                                    message):
    response = client.post("/v1/translate/stream", json=body)
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/json"
    error = response.json()["error"]
    assert (error["field"], error["message"]) == (field, message)


def test_rate_limit_is_a_429_with_retry_after_before_the_stream(make_client):
    client = make_client(rate_limit_rpm=1)
    assert client.post("/v1/translate/stream", json={"text": EN[0], "target": "uk"}
                       ).status_code == 200
    response = client.post("/v1/translate/stream", json={"text": EN[0], "target": "uk"})
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) >= 1
    assert response.json()["error"]["type"] == "rate_limited"


def test_missing_model_is_a_503_naming_the_pull_command(make_client, tiny_dir: Path,
                                                         tmp_path: Path):
    registry = catalogue_missing(tiny_dir, tmp_path, "tiny-marian-en-uk")
    client = make_client(registry=registry)
    response = client.post("/v1/translate/stream", json={"text": EN[0], "target": "uk"})
    assert response.status_code == 503
    error = response.json()["error"]
    assert error["type"] == "model_unavailable"
    assert "newsroom-mt models pull tiny-marian-en-uk" in error["message"]


def test_a_failure_mid_stream_is_an_error_event(make_client):
    # A deadline that has passed when the first paragraph reaches the queue.
    client = make_client(request_timeout_s=1e-6)
    response, got = stream(client, text="\n".join(EN), target="uk")
    assert response.status_code == 200
    assert [name for name, _ in got] == ["start", "error"]
    error = got[-1][1]
    assert error["status"] == 504 and error["error"]["type"] == "timeout"
    assert error["error"]["message"]


def test_openapi_documents_the_event_stream(client: TestClient):
    schema = client.get("/openapi.json").json()
    operation = schema["paths"]["/v1/translate/stream"]["post"]
    assert "text/event-stream" in operation["responses"]["200"]["content"]
    assert {"400", "429", "503"} <= set(operation["responses"])
    request = schema["components"]["schemas"]["TranslateStreamRequest"]
    assert request["properties"]["target"]["enum"] == ["en", "uk", "ru", "ko"]


# --- a live server: a client that goes away cancels its queued paragraphs ---------------

def metric(base: str, name: str, model: str) -> float:
    text = httpx.get(f"{base}/metrics", timeout=10).text
    match = re.search(rf'^{name}{{model="{model}"}} ([0-9.e+]+)$', text, re.M)
    return float(match.group(1)) if match else 0.0


def test_disconnect_cancels_queued_paragraphs(live_server, server_env, tmp_path: Path):
    env = dict(server_env, NEWSROOM_MAX_BATCH_ITEMS="1")
    # 600 paragraphs of two sentences: 1,200 one-item batches if nothing were cancelled.
    # Paragraphs share the engine round robin, so the second paragraph is streamed after
    # ~600 batches, and the server may need a write or two more to notice the closed
    # connection: 725 batches ran in one run of four (before that, under 600).
    count = 600
    text = "\n".join(f"{EN[i % 3]} Paragraph {i}." for i in range(count))
    model = "tiny-marian-en-uk"
    with live_server(env, log_path=tmp_path / "server.log") as (_proc, base):
        with httpx.Client(base_url=base, timeout=300) as http:
            with http.stream("POST", "/v1/translate/stream",
                             json={"text": text, "source": "en", "target": "uk"}) as response:
                assert response.status_code == 200
                seen = []
                for line in response.iter_lines():
                    if line.startswith("event: "):
                        seen.append(line.removeprefix("event: "))
                    if seen.count("paragraph") == 2:
                        break
            # Leaving the block closed the connection mid-stream.
        # The server notices the disconnect and drops the queued paragraphs: the queue
        # empties before the 1,200 one-item batches have run.
        give_up = time.monotonic() + 60
        while metric(base, "newsroom_queue_depth", model) > 0 and time.monotonic() < give_up:
            time.sleep(0.2)
        assert metric(base, "newsroom_queue_depth", model) == 0
        batches = metric(base, "newsroom_batch_size_count", model)
        assert 1 <= batches < 2 * count

