"""Operational behaviour: request ids, structured logs, metrics, readiness, offline docs,
the OpenAPI schema and cancelling work when a client disconnects."""

from __future__ import annotations

import asyncio
import json
import logging
import re

import pytest
from starlette.requests import Request

from service.errors import ModelUnavailable
from service.http.deps import until_disconnect
from service.http.errors import ClientDisconnected
from service.logs import JsonFormatter
from service.registry import Registry

# --- request id and logs ------------------------------------------------------------------


def test_request_id_is_echoed_or_generated(client):
    given = client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert given.headers["x-request-id"] == "abc-123"
    generated = client.get("/healthz")
    assert re.fullmatch(r"[0-9a-f]{32}", generated.headers["x-request-id"])
    hostile = client.get("/healthz", headers={"X-Request-ID": "x\" injected {"})
    assert re.fullmatch(r"[0-9a-f]{32}", hostile.headers["x-request-id"])


def test_error_responses_carry_the_request_id(client):
    response = client.post("/v1/translate", json={"text": "a"},
                           headers={"X-Request-ID": "req-42"})
    assert response.status_code == 400
    assert response.headers["x-request-id"] == "req-42"


def test_each_request_is_logged_as_one_json_line(client, caplog):
    with caplog.at_level(logging.INFO, logger="service.http.access"):
        client.post("/v1/detect", json={"text": "Hello world"},
                    headers={"X-Request-ID": "log-me"})
    [record] = [r for r in caplog.records if r.name == "service.http.access"]
    line = json.loads(JsonFormatter().format(record))
    assert line["msg"] == "request"
    assert {k: line[k] for k in ("request_id", "method", "path", "route", "status")} == {
        "request_id": "log-me", "method": "POST", "path": "/v1/detect",
        "route": "/v1/detect", "status": 200}
    assert line["ms"] >= 0


# --- metrics ------------------------------------------------------------------------------

def test_metrics_count_requests_by_route_and_status(client):
    client.post("/v1/translate", json={"text": "Good morning", "source": "en", "target": "uk"})
    client.post("/v1/translate", json={"text": "a"})
    client.get("/v1/does-not-exist")
    text = client.get("/metrics").text
    assert 'newsroom_requests_total{route="/v1/translate",status="200"} 1.0' in text
    assert 'newsroom_requests_total{route="/v1/translate",status="400"} 1.0' in text
    assert 'newsroom_requests_total{route="unmatched",status="404"} 1.0' in text
    assert 'newsroom_request_seconds_bucket{le="0.01",route="/v1/translate"}' in text
    for family in ("newsroom_batch_size_bucket", "newsroom_generated_tokens_total",
                   "newsroom_model_load_seconds", "newsroom_queue_depth"):
        assert family in text


# --- readiness ------------------------------------------------------------------------------

def test_readyz_names_missing_models_until_loaded(make_client, tiny_registry):
    model = Registry.load(tiny_registry).route_translation("en", "uk").models[0]
    client = make_client(required_models=[model])
    waiting = client.get("/readyz")
    assert waiting.status_code == 503
    assert waiting.json()["missing"] == [model]
    assert waiting.json()["message"] == f"models not loaded: {model}"
    client.post("/v1/translate", json={"text": "Hello", "source": "en", "target": "uk"})
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["message"] == "ready"


def test_preload_makes_the_service_ready(make_client, tiny_registry):
    client = make_client(preload=True, languages=["en", "uk"])
    # Preloading runs in the background after start-up; the lifespan's task is awaited
    # by polling readiness, which is what a Kubernetes probe does.
    state = client.app.state.http
    client.portal.call(_wait_preloaded, state.runtime)
    body = client.get("/readyz").json()
    assert body["ready"] is True and body["missing"] == []


async def _wait_preloaded(runtime) -> None:
    while runtime.readiness()["missing"]:
        await asyncio.sleep(0.01)


class WorkerKilled(BaseException):
    """Not an Exception: the scheduler treats it as fatal, as a real crash would be."""


def test_a_dead_worker_is_replaced_and_the_model_reloaded_on_next_use(client, tiny_registry):
    model = Registry.load(tiny_registry).route_translation("en", "uk").models[0]
    body = {"text": "Hi", "source": "en", "target": "uk"}
    first = client.post("/v1/translate", json=body)
    assert first.status_code == 200
    handle = client.app.state.http.runtime.models.handle(model)
    broken = handle.engine

    def crash(*args, **kwargs):
        raise WorkerKilled("engine process lost")

    # The engine fails fatally once: its worker dies with the request it was serving.
    broken.generate = crash
    failed = client.post("/v1/translate", json={**body, "text": "Again"})
    assert failed.status_code == 503
    assert failed.json()["error"]["message"] == (
        f"model {model} is unavailable: its batching worker stopped; see /readyz")
    why = "batching worker died: WorkerKilled: engine process lost"
    listed = {m["id"]: m for m in client.get("/v1/models").json()["models"]}
    assert (listed[model]["state"], listed[model]["error"]) == ("failed", why)
    # (The probe also starts reloading the model in the background.)
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["unhealthy"] == {model: why}
    assert ready.json()["message"] == f"models failed: {model} ({why})"
    # A worker death is not a reason to restart the process: the model heals.
    assert client.get("/healthz").json() == {"status": "ok"}

    # The next request loads the model again, on a new engine, and succeeds.
    again = client.post("/v1/translate", json=body)
    assert again.status_code == 200
    assert again.json() == first.json()
    assert handle.engine is not broken
    assert client.get("/readyz").status_code == 200
    listed = {m["id"]: m for m in client.get("/v1/models").json()["models"]}
    assert listed[model]["state"] == "ready" and listed[model]["error"] is None


def test_model_unavailable_is_503_naming_the_pull_command(client, monkeypatch):
    from service.serving.handle import ModelHandle

    async def missing(self):
        raise ModelUnavailable(f"Model '{self.name}' is not available. Pull it with: "
                               f"newsroom-mt models pull {self.name}", field="model")

    monkeypatch.setattr(ModelHandle, "ensure_ready", missing)
    response = client.post("/v1/translate", json={"text": "Hi", "source": "en",
                                                  "target": "uk"})
    assert response.status_code == 503
    assert "newsroom-mt models pull" in response.json()["error"]["message"]


# --- docs and schema ------------------------------------------------------------------------

def test_docs_are_served_without_any_cdn(client):
    page = client.get("/docs")
    assert page.status_code == 200
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert "/docs-static/swagger-ui-bundle.js" in assets
    assert not [url for url in assets if url.startswith(("http:", "https:", "//"))]
    assert "cdn" not in page.text.lower()
    for url in assets:
        assert client.get(url).status_code == 200


def test_openapi_documents_errors_as_400_not_422(client):
    schema = client.get("/openapi.json").json()
    translate = schema["paths"]["/v1/translate"]["post"]["responses"]
    assert {"200", "400", "429", "503"} <= set(translate)
    assert "422" not in json.dumps(schema["paths"])
    assert set(schema["paths"]) >= {"/v1/translate", "/v1/summarize", "/v1/detect",
                                    "/v1/languages", "/v1/models", "/healthz", "/readyz",
                                    "/metrics"}


# --- disconnects ------------------------------------------------------------------------------

def _request(receive) -> Request:
    return Request({"type": "http", "method": "POST", "path": "/", "headers": []}, receive)


async def test_disconnect_cancels_the_work():
    gone = asyncio.Event()
    started = asyncio.Event()
    cancelled = asyncio.Event()

    async def receive():
        await gone.wait()
        return {"type": "http.disconnect"}

    async def work():
        started.set()
        try:
            await asyncio.Event().wait()  # a translation that never finishes by itself
        except asyncio.CancelledError:
            cancelled.set()
            raise

    call = asyncio.create_task(until_disconnect(_request(receive), work()))
    await started.wait()
    gone.set()
    with pytest.raises(ClientDisconnected):
        await call
    assert cancelled.is_set()


async def test_finished_work_is_returned_while_client_stays():
    async def receive():
        await asyncio.Event().wait()
        return {"type": "http.disconnect"}

    async def work():
        return 42

    assert await until_disconnect(_request(receive), work()) == 42


def test_a_model_that_is_not_pulled_fails_its_request_not_the_probes(make_client, tiny_registry,
                                                                   tmp_path):
    # The catalogue copied elsewhere: its relative model folders do not exist there.
    catalogue = tmp_path / "registry.yaml"
    catalogue.write_text(tiny_registry.read_text(encoding="utf-8"), encoding="utf-8")
    client = make_client(registry=catalogue)
    for _ in range(2):  # a second request looks again: no backoff, no failure recorded
        response = client.post("/v1/translate", json={"text": "Hi there.", "source": "en",
                                                      "target": "uk"})
        assert response.status_code == 503
        assert "is not available: folder" in response.json()["error"]["message"]
    ready = client.get("/readyz")
    assert ready.status_code == 200, ready.json()
    assert ready.json()["unhealthy"] == {}
    assert client.get("/healthz").status_code == 200
    listed = {m["id"]: m for m in client.get("/v1/models").json()["models"]}
    assert listed["tiny-marian-en-uk"]["state"] != "failed"
