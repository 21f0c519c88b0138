"""Self-healing through the real model handles: backoff after failed loads, liveness
after the grace period (fake clock), unload refused while the model is in use."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

import pytest
import yaml
from fake_clock import FakeClock
from fastapi.testclient import TestClient

from service.engines.base import BatchKey
from service.engines.loader import PlacementChooser, load_engine
from service.errors import ModelBusy
from service.http.app import create_app
from service.registry import ModelEntry
from service.workflows.runtime import Runtime

MODEL = "tiny-marian-en-uk"


def _catalogue_with_broken_model(tiny_registry: Path, tmp_path: Path) -> Path:
    """The tiny catalogue with MODEL's folder replaced by one whose config is corrupt."""
    catalogue = yaml.safe_load(tiny_registry.read_text("utf-8"))
    for body in catalogue["models"].values():
        body["path"] = str(tiny_registry.parent / body["path"])
    broken = tmp_path / "broken-marian"
    broken.mkdir()
    (broken / "config.json").write_text("{this is not json", "utf-8")
    catalogue["models"][MODEL]["path"] = str(broken)
    path = tmp_path / "registry.yaml"
    path.write_text(yaml.safe_dump(catalogue), "utf-8")
    return path


def _wait_for(condition, limit_s: float = 60.0) -> None:
    # Bounds a broken run; the condition is state the test waits on, not a duration.
    give_up = time.monotonic() + limit_s
    while not condition():
        assert time.monotonic() < give_up, "condition never held"
        time.sleep(0.01)


def test_a_model_that_never_loads_fails_healthz_after_the_grace_period(
        tiny_settings, tiny_registry: Path, tmp_path: Path) -> None:
    settings = tiny_settings.model_copy(update={
        "registry": _catalogue_with_broken_model(tiny_registry, tmp_path),
        "required_models": [MODEL], "preload": True, "unhealthy_grace_s": 60.0,
        "model_retry_backoff_s": 10.0, "model_retry_backoff_max_s": 40.0})
    clock = FakeClock()
    placement = PlacementChooser(settings)
    attempts: list[str] = []

    def loader(entry: ModelEntry):
        attempts.append(entry.name)
        return load_engine(entry, settings, placement())  # the real loader

    runtime = Runtime(settings, clock=clock, loader=loader)
    with TestClient(create_app(settings, runtime=runtime)) as client:
        def state() -> dict:
            rows = client.get("/v1/models").json()["models"]
            return next(row for row in rows if row["id"] == MODEL)

        _wait_for(lambda: state()["state"] == "failed")  # the preload failed
        error = state()["error"]
        assert error.startswith(f"Model '{MODEL}' (") and "could not be loaded" in error
        assert client.get("/healthz").json() == {"status": "ok"}
        ready = client.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["missing"] == [MODEL]
        assert ready.json()["unhealthy"] == {MODEL: error}

        # Within the backoff, requests fail fast with the wait until the next attempt.
        refused = client.post("/v1/translate", json={"text": "Hello.", "source": "en",
                                                     "target": "uk"})
        assert refused.status_code == 503
        assert refused.headers["retry-after"] == "10"
        assert refused.json()["error"]["message"] == f"{error} (next load attempt in 10 s)"
        assert attempts == [MODEL]

        # Probing after the backoff retries the load in the background; it fails again.
        client.portal.call(clock.advance, 59.0)
        assert client.get("/healthz").json() == {"status": "ok"}
        _wait_for(lambda: len(attempts) == 2 and state()["state"] == "failed")

        client.portal.call(clock.advance, 2.0)
        failing = client.get("/healthz")
        assert failing.status_code == 503
        assert failing.json() == {"status": "failing", "failing": {
            MODEL: {"error": error, "failing_for_s": 61.0}}}


def test_a_model_not_required_and_never_loaded_does_not_fail_liveness(
        tiny_settings, tiny_registry: Path, tmp_path: Path) -> None:
    settings = tiny_settings.model_copy(update={
        "registry": _catalogue_with_broken_model(tiny_registry, tmp_path),
        "unhealthy_grace_s": 60.0})
    clock = FakeClock()
    runtime = Runtime(settings, clock=clock)
    with TestClient(create_app(settings, runtime=runtime)) as client:
        response = client.post("/v1/translate", json={"text": "Hello.", "source": "en",
                                                      "target": "uk"})
        assert response.status_code == 503
        client.portal.call(clock.advance, 3600.0)
        # A client asking for a broken optional model must not get the pod restarted.
        assert client.get("/healthz").json() == {"status": "ok"}


async def test_unload_is_refused_while_work_is_queued_and_reload_follows(tiny_settings):
    runtime = Runtime(tiny_settings)
    try:
        handle = runtime.models.handle(MODEL)
        await handle.ensure_ready()
        engine = handle.engine
        gate = threading.Event()
        generate = engine.generate

        def held(texts, key):
            gate.wait(timeout=60)
            return generate(texts, key)

        engine.generate = held  # type: ignore[method-assign]
        work = asyncio.create_task(handle.generate(["Hello there."], BatchKey("en", "uk")))
        while handle.scheduler is None or not handle._in_flight:
            await asyncio.sleep(0)
        with pytest.raises(ModelBusy, match=f"model {MODEL} is in use by 1 requests"):
            await handle.unload()
        assert handle.state.value == "ready"
        gate.set()
        (result,) = await work
        await handle.unload()
        assert handle.state.value == "unloaded" and handle.scheduler is None
        # The next use loads it again, on a new engine, with the same output.
        (again,) = await handle.generate(["Hello there."], BatchKey("en", "uk"))
        assert handle.engine is not engine and again == result
    finally:
        await runtime.close()
