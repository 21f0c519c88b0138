"""The model memory budget on the tiny catalogue-v2-shaped models: least recently used
idle models are unloaded to stay within it, a model with work is never unloaded (even
when that leaves the process over the budget), requests racing with unloads all
succeed, and /v1/models and /metrics show what is loaded, its size, loads and unloads."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.engines.loader import PlacementChooser, load_engine
from service.engines.memory import engine_memory_bytes
from service.http.app import create_app
from service.registry import ModelEntry, Registry
from service.serving.budget import MIB
from service.settings import Settings
from service.workflows.runtime import Runtime
from service.workflows.translation import TranslationService

EN_ZLE, ZLE_EN, EN_KO, ZLE_ZLE = ("tiny-tc-big-en-zle", "tiny-tc-big-zle-en",
                                  "tiny-tc-big-en-ko", "tiny-tc-big-zle-zle")
TEXT = {"en": "The council approved the budget.", "uk": "Рада ухвалила бюджет.",
        "ru": "Совет утвердил бюджет."}


@pytest.fixture()
def v2_settings(tiny_tc_big_dir: Path, tmp_path: Path) -> Settings:
    return Settings(registry=tiny_tc_big_dir / "registry.yaml", models_dir=tmp_path / "pulled",
                    max_wait_ms=2.0, device="cpu")


def _sizes(settings: Settings) -> dict[str, int]:
    """Weight memory of each tiny translation model, measured as the budget measures."""
    registry = Registry.from_settings(settings)
    placement = PlacementChooser(settings)
    sizes = {}
    for name in (EN_ZLE, ZLE_EN, EN_KO, ZLE_ZLE):
        engine = load_engine(registry.get(name), settings, placement())
        sizes[name] = engine_memory_bytes(engine)
        engine.close()
    assert all(size > 0 for size in sizes.values())
    return sizes


def _metric(text: str, name: str, **labels: str) -> float:
    wanted = name + ("{" + ",".join(f'{k}="{v}"' for k, v in labels.items()) + "}"
                     if labels else "")
    for line in text.splitlines():
        if line.startswith(wanted + " "):
            return float(line.split()[-1])
    return 0.0


def test_least_recently_used_models_are_unloaded_to_stay_within_the_budget(
        v2_settings: Settings) -> None:
    sizes = _sizes(v2_settings)
    # Room for two of the (similar-sized) tiny models, not three.
    budget = int(2.5 * max(sizes.values()))
    settings = v2_settings.model_copy(update={"model_memory_budget_mib": budget / MIB})
    with TestClient(create_app(settings)) as client:
        def translate(src: str, tgt: str) -> None:
            response = client.post("/v1/translate", json={"text": TEXT[src], "source": src,
                                                          "target": tgt})
            assert response.status_code == 200, response.text

        def models() -> tuple[dict[str, Any], dict[str, int]]:
            body = client.get("/v1/models").json()
            return {m["id"]: m for m in body["models"]}, body["memory"]

        translate("en", "uk")   # loads en-zle
        translate("uk", "en")   # loads zle-en: two fit
        rows, memory = models()
        assert rows[EN_ZLE]["loaded"] and rows[ZLE_EN]["loaded"]
        assert memory == {"loaded_bytes": sizes[EN_ZLE] + sizes[ZLE_EN],
                          "budget_bytes": int(budget / MIB * MIB)}

        translate("en", "ko")   # loads en-ko: over budget, en-zle is the least recent
        rows, memory = models()
        assert [n for n in (EN_ZLE, ZLE_EN, EN_KO) if rows[n]["loaded"]] == [ZLE_EN, EN_KO]
        assert rows[EN_ZLE]["memory_bytes"] is None and rows[EN_ZLE]["state"] == "unloaded"
        assert rows[EN_KO]["memory_bytes"] == sizes[EN_KO]
        assert memory["loaded_bytes"] == sizes[ZLE_EN] + sizes[EN_KO] <= budget

        translate("en", "uk")   # en-zle again: its size is known, room is made first
        rows, memory = models()
        assert [n for n in (EN_ZLE, ZLE_EN, EN_KO) if rows[n]["loaded"]] == [EN_ZLE, EN_KO]
        assert memory["loaded_bytes"] <= budget

        metrics = client.get("/metrics").text
        assert _metric(metrics, "newsroom_model_loads_total", model=EN_ZLE) == 2.0
        assert _metric(metrics, "newsroom_model_loads_total", model=EN_KO) == 1.0
        for name in (EN_ZLE, ZLE_EN):
            assert _metric(metrics, "newsroom_model_unloads_total", model=name,
                           reason="memory_budget") == 1.0
        assert _metric(metrics, "newsroom_model_unloads_total", model=EN_KO,
                       reason="memory_budget") == 0.0
        assert _metric(metrics, "newsroom_model_memory_bytes", model=ZLE_EN) == 0.0
        assert _metric(metrics, "newsroom_model_memory_bytes", model=EN_KO) == sizes[EN_KO]
        assert _metric(metrics, "newsroom_model_memory_budget_bytes") == float(
            int(budget / MIB * MIB))


async def test_a_model_with_work_is_never_unloaded_and_racing_requests_all_succeed(
        v2_settings: Settings) -> None:
    sizes = _sizes(v2_settings)
    # Room for one and a half models: every second load is over budget.
    budget_mib = 1.5 * max(sizes.values()) / MIB
    settings = v2_settings.model_copy(update={"model_memory_budget_mib": budget_mib})
    placement = PlacementChooser(settings)
    entered, release = threading.Event(), threading.Event()

    def loader(entry: ModelEntry) -> Any:
        engine = load_engine(entry, settings, placement())  # the real loader
        if entry.name == EN_ZLE:
            # en-zle's first batch waits in the engine until the test releases it.
            inner = engine.generate

            def gated(texts: Any, key: Any) -> Any:
                entered.set()
                release.wait(timeout=120)
                return inner(texts, key)

            engine.generate = gated
        return engine

    runtime = Runtime(settings, loader=loader)
    service = TranslationService(runtime)
    unloads: list[str] = []
    try:
        held = asyncio.ensure_future(service.translate(TEXT["en"], source="en", target="uk"))
        while not entered.is_set():  # en-zle is loaded and busy in the engine
            assert not held.done(), held.exception()
            await asyncio.sleep(0.01)
        # Looked up without handle(), which would count as a use of the model.
        en_zle = next(h for h in runtime.models.handles() if h.name == EN_ZLE)
        assert en_zle.in_use

        # Many requests for two other models at once, each load over the budget.
        racing = [service.translate(TEXT[src], source=src, target=tgt)
                  for _ in range(3) for src, tgt in (("uk", "en"), ("en", "ko"))]
        results = await asyncio.gather(*racing)
        assert [r.route.models for r in results] == [[ZLE_EN], [EN_KO]] * 3
        # The busy model stayed, though the process is now over its budget.
        assert en_zle.loaded and en_zle.ready and not held.done()
        loaded_bytes, budget_bytes = runtime.models.memory()
        assert loaded_bytes > budget_bytes
        assert runtime.metrics.model_unloads_total.labels(
            model=EN_ZLE, reason="memory_budget")._value.get() == 0

        release.set()
        result = await held
        assert result.route.models == [EN_ZLE]

        # Idle now: the next load unloads idle models least recently used first.
        for handle in runtime.models.handles():
            def record(inner: Any = handle.unload, name: str = handle.name) -> Any:
                unloads.append(name)
                return inner()

            handle.unload = record
        await service.translate(TEXT["ru"], source="ru", target="uk")
        # Room for one model: all three go, the oldest first.
        assert unloads[0] == EN_ZLE and set(unloads) == {EN_ZLE, ZLE_EN, EN_KO}
        loaded = {h.name for h in runtime.models.handles() if h.loaded}
        assert loaded == {ZLE_ZLE}
        loaded_bytes, budget_bytes = runtime.models.memory()
        assert loaded_bytes == sizes[ZLE_ZLE] <= budget_bytes
    finally:
        release.set()
        await runtime.close()


def test_ctranslate2_weights_are_measured_in_their_compute_type(
        tiny_tc_big_dir: Path, tmp_path: Path) -> None:
    pytest.importorskip("ctranslate2")
    import shutil

    from service.engines.ct2_convert import convert_model

    models = tmp_path / "models"
    shutil.copytree(tiny_tc_big_dir, models)
    entry = Registry.load(models / "registry.yaml").get(EN_KO)
    folder = convert_model(entry, entry.local_path(), "int8")
    stored = (folder / "model.bin").stat().st_size
    for compute_type, factor in (("int8", 1), ("float32", 4)):
        settings = Settings(registry=models / "registry.yaml", models_dir=tmp_path / "pulled",
                            device="cpu", engine="ctranslate2", ct2_compute_type=compute_type)
        engine = load_engine(Registry.from_settings(settings).get(EN_KO), settings,
                             PlacementChooser(settings)())
        assert engine.kind == "ctranslate2"
        assert engine_memory_bytes(engine) == stored * factor
        engine.close()
