"""The README's first run: a fresh install with no weights and no Hub serves at once.

What needs no weights answers (extractive summaries, detection, the listings, docs);
translation answers 503 naming the pull command; ``serve --pull`` probes the Hub once,
says what to do in one log line and in ``/readyz``, and nothing is logged twice.
"""

from __future__ import annotations

import json
import shutil
import threading
import time
from pathlib import Path

import httpx
import pytest
import yaml
from server_process import free_port

from service.registry import Registry
from service.workflows import pulling

CATALOGUE = Path(__file__).resolve().parents[2] / "models" / "registry.yaml"
ARTICLE = ("The city council met on Tuesday. The mayor said the budget would grow by five "
           "percent. Critics said the plan was too costly for residents. The final vote is "
           "set for next week.")


def test_fresh_install_serves_without_weights_or_hub(live_server, server_env, tmp_path):
    env = dict(server_env, NEWSROOM_REGISTRY=str(CATALOGUE),
               NEWSROOM_MODELS_DIR=str(tmp_path / "models"), NEWSROOM_LOG_JSON="true",
               HF_ENDPOINT=f"http://127.0.0.1:{free_port()}")  # a Hub that is not there
    env.pop("HF_HUB_OFFLINE", None)
    log_path = tmp_path / "server.log"
    with live_server(env, "--pull", log_path=log_path) as (proc, base):
        summary = httpx.post(f"{base}/v1/summarize", timeout=60,
                             json={"text": ARTICLE, "target": "en"})
        assert summary.status_code == 200, summary.text
        assert summary.json()["mode_used"] == "extractive"
        detected = httpx.post(f"{base}/v1/detect", json={"texts": ["Київ — столиця України."]})
        assert detected.json()["detections"][0]["language"] == "uk"
        for path in ("/v1/languages", "/v1/models", "/docs", "/openapi.json", "/healthz"):
            assert httpx.get(f"{base}{path}").status_code == 200, path

        translation = httpx.post(f"{base}/v1/translate",
                                 json={"text": "Hello", "source": "en", "target": "uk"})
        assert translation.status_code == 503
        model = Registry.load(CATALOGUE).route_translation("en", "uk").models[0]
        assert f"newsroom-mt models pull {model}" in translation.json()["error"]["message"]

        pull = _pull_state(base)
        assert pull["state"] == "failed" and pull["pulled"] == [] and pull["failed"] == {}
        for needed in ("HF_ENDPOINT", "HF_HUB_OFFLINE", "Air-gapped model supply"):
            assert needed in pull["message"]
        readyz = httpx.get(f"{base}/readyz").json()
        assert readyz["message"].startswith("model pull failed: The Hugging Face Hub cannot")
    lines = log_path.read_text("utf-8").splitlines()
    records = [json.loads(line) for line in lines]  # every line is one JSON object
    stopped = [r for r in records if r["msg"] == "model pull stopped"]
    assert len(stopped) == 1 and "HF_ENDPOINT" in stopped[0]["reason"]
    assert not any("Retry" in r["msg"] for r in records)
    assert len(lines) == len(set(lines)), "a log line was printed twice"


def _pull_state(base: str) -> dict:
    # The probe runs in a background thread right after start-up; a connection refused
    # on loopback answers at once, so this waits on the state, bounded.
    give_up = time.monotonic() + 30
    while time.monotonic() < give_up:
        pull = httpx.get(f"{base}/readyz").json()["pull"]
        if pull["state"] in ("done", "failed"):
            return pull
        time.sleep(0.05)
    raise AssertionError(f"the pull never finished: {pull}")


@pytest.fixture()
def hub_registry(tiny_dir: Path, tmp_path: Path) -> Path:
    """The tiny catalogue with en->uk as a Hub model that is not pulled yet."""
    spec = yaml.safe_load((tiny_dir / "registry.yaml").read_text("utf-8"))
    for entry in spec["models"].values():
        entry["path"] = str(tiny_dir / entry["path"])
    hub = spec["models"]["tiny-marian-en-uk"]
    del hub["path"]
    hub["hub_id"] = "example/tiny-marian-en-uk"
    path = tmp_path / "registry.yaml"
    path.write_text(yaml.safe_dump(spec), "utf-8")
    return path


def test_serve_pull_makes_a_model_usable_as_it_lands(make_client, hub_registry, tiny_dir,
                                                     tmp_path, monkeypatch):
    release = threading.Event()

    def download(hub_id: str, revision: str | None, folder: Path) -> None:
        assert hub_id == "example/tiny-marian-en-uk"
        assert release.wait(timeout=60)
        shutil.copytree(tiny_dir / "marian-en-uk", folder, dirs_exist_ok=True)

    monkeypatch.setattr(pulling, "probe_hub", lambda hub_id, revision: None)
    monkeypatch.setattr(pulling, "hub_download", download)
    client = make_client(registry=hub_registry, models_dir=tmp_path / "models", pull=True)
    request = {"text": "Hello", "source": "en", "target": "uk"}

    before = client.post("/v1/translate", json=request)
    assert before.status_code == 503
    assert "newsroom-mt models pull tiny-marian-en-uk" in before.json()["error"]["message"]
    pull = client.get("/readyz").json()["pull"]
    assert pull["state"] == "pulling" and pull["current"] == "tiny-marian-en-uk"
    assert "tiny-m2m100" in pull["local"]

    release.set()
    give_up = time.monotonic() + 60
    while client.get("/readyz").json()["pull"]["state"] == "pulling":
        assert time.monotonic() < give_up
        time.sleep(0.02)
    assert client.get("/readyz").json()["pull"]["pulled"] == ["tiny-marian-en-uk"]
    after = client.post("/v1/translate", json=request)
    assert after.status_code == 200, after.text
    assert after.json()["translations"][0]["route"]["steps"][0]["model"] == "tiny-marian-en-uk"
