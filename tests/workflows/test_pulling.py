"""Pulling models: one Hub probe that fails fast with what to do, and models that land
whole (never half a model where a server could load it)."""

from __future__ import annotations

import http.server
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from server_process import free_port

from service.engines.loader import local_weights
from service.registry import Registry
from service.workflows import pulling
from service.workflows.pulling import ModelPuller, probe_hub

CATALOGUE = Path(__file__).resolve().parents[2] / "models" / "registry.yaml"


@pytest.fixture()
def registry() -> Registry:
    return Registry.load(CATALOGUE)


@pytest.fixture()
def hub_online(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests run with HF_HUB_OFFLINE=1; these probes must actually try."""
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)


@pytest.fixture()
def fake_hub(monkeypatch: pytest.MonkeyPatch, hub_online: None) -> Iterator[list[str]]:
    """A loopback HTTP server standing in for the Hub's API: answers 404 to every HEAD
    (a real answer: the Hub is reachable). Yields the paths it was asked for."""
    from huggingface_hub import constants

    asked: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_HEAD(self) -> None:  # noqa: N802 (http.server's naming)
            asked.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setattr(constants, "ENDPOINT", f"http://127.0.0.1:{server.server_port}")
    yield asked
    server.shutdown()
    server.server_close()


def test_unreachable_hub_stops_before_any_model(registry, tmp_path, monkeypatch, hub_online):
    from huggingface_hub import constants

    closed = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    monkeypatch.setattr(constants, "ENDPOINT", closed)
    downloads: list[str] = []
    puller = ModelPuller(registry, tmp_path, download=lambda hub_id, rev, folder:
                         downloads.append(hub_id))
    progress = puller.run(["opus-mt-en-uk", "opus-mt-uk-en", "m2m100-418m"])
    assert downloads == []
    assert progress.state == "failed" and progress.failed == {}
    assert progress.as_dict(tmp_path)["pending"] == []  # nothing waits after the stop
    message = progress.message or ""
    assert message.startswith(f"The Hugging Face Hub cannot be reached at {closed} (")
    for needed in ("HF_ENDPOINT", "HF_HUB_OFFLINE=1", "Air-gapped model supply"):
        assert needed in message


def test_offline_mode_is_named_and_nothing_is_requested(monkeypatch):
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    monkeypatch.setattr(constants, "ENDPOINT", f"http://127.0.0.1:{free_port()}")
    message = probe_hub("Helsinki-NLP/opus-mt-en-uk", "main") or ""
    assert "(HF_HUB_OFFLINE is set)" in message


def test_a_reachable_hub_is_probed_once_then_each_model_lands_whole(registry, tmp_path,
                                                                    fake_hub):
    seen_while_downloading: list[Path | None] = []

    def download(hub_id: str, revision: str | None, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "config.json").write_text("{}")
        # Mid-download the model is not where the server looks for it.
        seen_while_downloading.append(local_weights(registry.get(_name(hub_id)), tmp_path))
        (folder / "model.safetensors").write_bytes(b"0" * 1000)

    landed: list[str] = []
    names = ["opus-mt-en-uk", "opus-mt-uk-en"]
    puller = ModelPuller(registry, tmp_path, download=download, on_landed=landed.append)
    progress = puller.run(names)
    assert fake_hub == ["/api/models/Helsinki-NLP/opus-mt-en-uk/revision/main"]
    assert seen_while_downloading == [None, None]
    assert landed == names and progress.pulled == names and progress.state == "done"
    for name in names:
        assert (tmp_path / name / "model.safetensors").stat().st_size == 1000
    assert list((tmp_path / pulling.PARTIAL_DIR).iterdir()) == []
    assert progress.as_dict(tmp_path)["pending"] == []


def test_only_missing_skips_local_models_without_touching_the_network(registry, tmp_path):
    for name in ("opus-mt-en-uk", "opus-mt-uk-en"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "config.json").write_text("{}")

    def no_network(*args: object) -> None:
        raise AssertionError("nothing to pull: neither probe nor download may run")

    puller = ModelPuller(registry, tmp_path, download=no_network, probe=no_network)
    progress = puller.run(["opus-mt-en-uk", "opus-mt-uk-en"], only_missing=True)
    assert progress.state == "done" and progress.local == ["opus-mt-en-uk", "opus-mt-uk-en"]


def test_a_failed_model_is_reported_and_the_rest_still_land(registry, tmp_path, fake_hub):
    def download(hub_id: str, revision: str | None, folder: Path) -> None:
        if hub_id.endswith("en-uk"):
            raise OSError("401 Client Error: repository not found\nmore detail")
        folder.mkdir(parents=True)
        (folder / "config.json").write_text("{}")

    progress = ModelPuller(registry, tmp_path, download=download).run(
        ["opus-mt-en-uk", "opus-mt-uk-en"])
    assert progress.failed == {"opus-mt-en-uk": "401 Client Error: repository not found"}
    assert progress.pulled == ["opus-mt-uk-en"] and progress.state == "failed"
    assert progress.message == "pulled 1, already local 0, failed 1 of 2 models"


def _name(hub_id: str) -> str:
    return "opus-mt-" + hub_id.rsplit("opus-mt-", 1)[1]


def test_partial_leftovers_do_not_block_landing(registry, tmp_path, fake_hub):
    (tmp_path / "opus-mt-en-uk").mkdir()  # a folder without config.json: not a model
    (tmp_path / "opus-mt-en-uk" / "stray").write_text("x")

    def download(hub_id: str, revision: str | None, folder: Path) -> None:
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        (folder / "config.json").write_text("{}")

    ModelPuller(registry, tmp_path, download=download).run(["opus-mt-en-uk"])
    assert sorted(p.name for p in (tmp_path / "opus-mt-en-uk").iterdir()) == ["config.json"]
