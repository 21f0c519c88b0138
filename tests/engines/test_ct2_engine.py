"""The CTranslate2 engine on the tiny models, converted through the real converter and
loaded through the real registry and model manager."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest
import yaml

pytest.importorskip("ctranslate2")

from engine_cache import EngineCache  # noqa: E402

from service.engines import ct2_engine  # noqa: E402
from service.engines.base import BatchKey, Engine, GenerationOptions  # noqa: E402
from service.engines.ct2_convert import Conversion, convert_model  # noqa: E402
from service.engines.ct2_engine import (  # noqa: E402
    CTranslate2Engine,
    cgroup_cpu_limit,
    pick_conversion,
    resolve_compute_type,
    resolve_lanes,
    resolve_threads,
)
from service.errors import EngineNotInstalled, ModelUnavailable  # noqa: E402
from service.registry import Registry  # noqa: E402
from service.settings import Settings  # noqa: E402

CONVERTED = {"tiny-marian-en-uk": ("float32", "int8"), "tiny-m2m100": ("float32", "int8")}


def _corpus() -> list[str]:
    text = resources.files("service.data").joinpath("tiny_corpus.txt").read_text("utf-8")
    return [line for line in text.splitlines() if line.strip()][:48]


@pytest.fixture(scope="module")
def ct2_dir(tiny_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private copy of the tiny models with a few of them converted (the shared
    tiny folder stays unconverted for other tests)."""
    out = tmp_path_factory.mktemp("ct2") / "tiny"
    shutil.copytree(tiny_dir, out)
    registry = Registry.load(out / "registry.yaml")
    for name, quantizations in CONVERTED.items():
        entry = registry.get(name)
        for quantization in quantizations:
            convert_model(entry, entry.local_path(), quantization)
    return out


def _manager(ct2_dir: Path, tmp_path: Path, **settings: object) -> EngineCache:
    # CPU even where a GPU exists: compute types below are the CPU ones.
    settings.setdefault("device", "cpu")
    config = Settings(registry=ct2_dir / "registry.yaml", models_dir=tmp_path, **settings)
    return EngineCache(config)


@pytest.fixture()
def managers(ct2_dir: Path, tmp_path: Path) -> tuple[EngineCache, EngineCache]:
    return (_manager(ct2_dir, tmp_path),
            _manager(ct2_dir, tmp_path, engine="ctranslate2", ct2_compute_type="float32"))


@pytest.mark.parametrize("model,src,tgt,beams", [
    ("tiny-marian-en-uk", "en", "uk", 1),
    ("tiny-m2m100", "en", "ko", 1),
    ("tiny-m2m100", "uk", "ru", 1),
    ("tiny-marian-en-uk", "en", "uk", 4),
])
def test_float32_output_equals_the_transformers_engine(
        managers: tuple[EngineCache, EngineCache], model: str, src: str, tgt: str,
        beams: int) -> None:
    torch_engine, ct2_engine = managers[0].get(model), managers[1].get(model)
    assert (torch_engine.kind, ct2_engine.kind) == ("transformers", "ctranslate2")
    assert isinstance(ct2_engine, Engine)
    texts = _corpus()
    key = BatchKey(src, tgt, GenerationOptions(num_beams=beams))
    expected = torch_engine.generate(texts, key)
    got = ct2_engine.generate(texts, key)
    # Same text and same token count (</s> included) for every input.
    assert got == expected
    assert len({g.text for g in got}) > 1
    assert [ct2_engine.count_tokens(t, src) for t in texts] == \
        [torch_engine.count_tokens(t, src) for t in texts]
    assert ct2_engine.max_input_tokens == torch_engine.max_input_tokens


def test_forced_lengths_give_exactly_that_many_tokens(
        managers: tuple[EngineCache, EngineCache]) -> None:
    key = BatchKey("en", "ko", GenerationOptions(num_beams=1, min_new_tokens=9,
                                                 max_new_tokens=9))
    for manager in managers:
        outputs = manager.get("tiny-m2m100").generate(_corpus()[:5], key)
        # The target-language token counts as one of the 9, as in generate().
        assert [g.tokens for g in outputs] == [8] * 5


def test_beams_default_to_the_catalogue_then_the_models_config(
        managers: tuple[EngineCache, EngineCache]) -> None:
    engine = managers[1].get("tiny-marian-en-uk")
    assert isinstance(engine, CTranslate2Engine)
    engine.model_generation = dict(engine.model_generation, num_beams=3)
    assert engine.decoding_options(BatchKey("en", "uk"))[0]["beam_size"] == 1  # catalogue
    engine.entry = engine.entry.model_copy(update={"generation": {}})
    assert engine.decoding_options(BatchKey("en", "uk"))[0]["beam_size"] == 3  # model
    options = GenerationOptions(num_beams=2)
    assert engine.decoding_options(BatchKey("en", "uk", options))[0]["beam_size"] == 2


def test_int8_is_the_cpu_default_and_returns_one_output_per_input(
        ct2_dir: Path, tmp_path: Path) -> None:
    manager = _manager(ct2_dir, tmp_path, engine="ctranslate2")
    texts = _corpus()
    for model, src, tgt in (("tiny-marian-en-uk", "en", "uk"), ("tiny-m2m100", "en", "ko")):
        engine = manager.get(model)
        assert isinstance(engine, CTranslate2Engine)
        assert engine.path.name.endswith("-ct2-int8")
        assert engine.compute_type == "int8_float32"  # int8 on CPU loads as int8_float32
        outputs = engine.generate(texts, BatchKey(src, tgt))
        assert len(outputs) == len(texts)
        assert all(0 < g.tokens <= 24 and g.text for g in outputs)
        assert not any("__ko__" in g.text for g in outputs)


def test_lanes_default_to_one_per_core_plus_the_interactive_lane(
        ct2_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    monkeypatch.setattr(ct2_engine, "cgroup_cpu_limit", lambda: None)
    assert resolve_lanes(0, "cpu") == 2 and resolve_lanes(0, "cuda") == 1
    assert resolve_lanes(3, "cpu") == 3
    engine = _manager(ct2_dir, tmp_path, engine="ctranslate2").get("tiny-marian-en-uk")
    # Two bulk lanes of one thread each, and one interactive lane: three translators.
    assert engine.parallel_batches == 3 == engine.translator.num_translators
    alone = _manager(ct2_dir, tmp_path, engine="ctranslate2", interactive_lanes=0,
                     ct2_inter_threads=1).get("tiny-marian-en-uk")
    assert alone.parallel_batches == 1


def test_a_container_cpu_limit_caps_the_usable_cores(tmp_path: Path) -> None:
    cpu_max = tmp_path / "cpu.max"
    cpu_max.write_text("150000 100000\n")
    assert cgroup_cpu_limit(cpu_max) == 2
    cpu_max.write_text("max 100000\n")
    assert cgroup_cpu_limit(cpu_max) is None
    assert cgroup_cpu_limit(tmp_path / "absent") is None


def test_batches_on_parallel_lanes_give_the_outputs_of_one_lane(
        ct2_dir: Path, tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    engine = _manager(ct2_dir, tmp_path, engine="ctranslate2", ct2_inter_threads=2,
                      interactive_lanes=0).get("tiny-marian-en-uk")
    texts = _corpus()
    key = BatchKey("en", "uk")
    halves = [texts[: len(texts) // 2], texts[len(texts) // 2:]]
    with ThreadPoolExecutor(2) as pool:
        together = [g for out in pool.map(lambda t: engine.generate(t, key), halves)
                    for g in out]
    assert together == [engine.generate([t], key)[0] for t in texts]


def test_registry_entry_chooses_the_engine_per_model(ct2_dir: Path, tmp_path: Path) -> None:
    catalogue = yaml.safe_load((ct2_dir / "registry.yaml").read_text("utf-8"))
    catalogue["models"]["tiny-marian-en-uk"]["engine"] = "ctranslate2"
    # Relative model paths resolve against the registry's folder: point them back.
    for body in catalogue["models"].values():
        body["path"] = str(ct2_dir / body["path"])
    (tmp_path / "registry.yaml").write_text(yaml.safe_dump(catalogue), "utf-8")
    config = Settings(registry=tmp_path / "registry.yaml", models_dir=tmp_path / "pulled")
    manager = EngineCache(config)
    assert manager.get("tiny-marian-en-uk").kind == "ctranslate2"
    assert manager.get("tiny-marian-uk-en").kind == "transformers"


async def test_unconverted_model_names_the_convert_command(ct2_dir: Path,
                                                          tmp_path: Path) -> None:
    from service.workflows.runtime import Runtime

    runtime = Runtime(Settings(registry=ct2_dir / "registry.yaml", models_dir=tmp_path,
                               engine="ctranslate2", device="cpu"))
    try:
        with pytest.raises(ModelUnavailable) as caught:
            await runtime.models.handle("tiny-marian-ko-en").load()
        assert caught.value.message == (
            "Model 'tiny-marian-ko-en' uses the CTranslate2 engine but has not been "
            "converted. Convert it with: newsroom-mt models convert tiny-marian-ko-en "
            "--quantization int8")
        status = {row.entry.name: row.status for row in runtime.models.rows()}
        # Not converted is the operator's move, not a failed load: no backoff, no probe.
        assert status["tiny-marian-ko-en"].state.value == "unloaded"
        assert status["tiny-marian-ko-en"].error == caught.value.message
    finally:
        await runtime.close()


def test_missing_package_says_how_to_install(ct2_dir: Path, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    # None in sys.modules makes "import ctranslate2" raise ImportError.
    monkeypatch.setitem(sys.modules, "ctranslate2", None)
    monkeypatch.delitem(sys.modules, "service.engines.ct2_engine")
    manager = _manager(ct2_dir, tmp_path, engine="ctranslate2")
    with pytest.raises(EngineNotInstalled) as caught:
        manager.get("tiny-marian-en-uk")
    assert caught.value.message == (
        "The CTranslate2 engine is not installed: pip install 'newsroom-mt[ct2]' "
        "(or set NEWSROOM_ENGINE=transformers).")


@pytest.mark.parametrize("setting,device,stored,expected", [
    ("auto", "cpu", "float32", "int8"),
    ("auto", "cpu", "int8", "int8"),
    ("auto", "cuda", "int8", "int8_float16"),
    ("auto", "cuda", "float16", "float16"),
    ("float32", "cpu", "int8", "float32"),
])
def test_compute_type_follows_the_device_unless_set(setting: str, device: str, stored: str,
                                                    expected: str) -> None:
    assert resolve_compute_type(setting, device, stored) == expected


def test_threads_default_to_the_usable_cores_shared_by_parallel_batches(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(8)), raising=False)
    monkeypatch.setattr(ct2_engine, "cgroup_cpu_limit", lambda: None)
    assert resolve_threads(0) == 8
    assert resolve_threads(0, inter_threads=2) == 4
    assert resolve_threads(3, inter_threads=2) == 3


def test_conversion_choice_prefers_the_matching_quantization() -> None:
    found = [Conversion(Path("m-ct2-float32"), "float32"), Conversion(Path("m-ct2-int8"), "int8"),
             Conversion(Path("m-ct2-float16"), "float16")]
    assert pick_conversion(found, "cpu", "auto").quantization == "int8"
    assert pick_conversion(found, "cuda", "auto").quantization == "float16"
    assert pick_conversion(found, "cpu", "float32").quantization == "float32"
    # No exact match: load the most precise copy and re-quantize at load time.
    assert pick_conversion(found, "cuda", "int8_float16").quantization == "float32"


def test_translate_cli_runs_on_ctranslate2_and_matches_transformers(ct2_dir: Path,
                                                                    tiny_env: dict[str, str]
                                                                    ) -> None:
    article = ("The city council approved the new budget on Tuesday.\n\n"
               "Police said the investigation was still under way.\n")
    env = dict(tiny_env, NEWSROOM_REGISTRY=str(ct2_dir / "registry.yaml"))

    def translate(extra: dict[str, str]) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "service", "translate", "--from", "en", "--to", "uk",
             "--route"], input=article, env=dict(env, **extra), capture_output=True,
            text=True, timeout=300)

    on_ct2 = translate({"NEWSROOM_ENGINE": "ctranslate2", "NEWSROOM_CT2_COMPUTE_TYPE": "float32"})
    on_torch = translate({"NEWSROOM_ENGINE": "transformers"})
    assert on_ct2.returncode == 0, on_ct2.stderr
    assert on_torch.returncode == 0, on_torch.stderr
    assert on_ct2.stdout == on_torch.stdout
    assert len(on_ct2.stdout.split("\n")) == len(article.split("\n"))


def test_server_translates_on_ctranslate2_like_on_transformers(
        ct2_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from fastapi.testclient import TestClient

    from service.http.app import create_app

    for key in list(os.environ):
        if key.startswith("NEWSROOM_"):
            monkeypatch.delenv(key, raising=False)
    texts = _corpus()[:6]

    def serve(engine: str) -> tuple[list[dict], dict, dict]:
        monkeypatch.setenv("NEWSROOM_ENGINE", engine)
        monkeypatch.setenv("NEWSROOM_CT2_COMPUTE_TYPE", "float32")
        settings = Settings(registry=ct2_dir / "registry.yaml", models_dir=tmp_path / "pulled",
                            max_wait_ms=2.0)
        with TestClient(create_app(settings), raise_server_exceptions=False) as client:
            answers = [client.post("/v1/translate", json={
                "texts": texts, "source": "en", "target": target}).json()["translations"]
                for target in ("uk", "ko")]
            missing = client.post("/v1/translate", json={
                "text": texts[0], "source": "en", "target": "ru"})
            models = {m["id"]: m for m in client.get("/v1/models").json()["models"]}
        return answers, {"status": missing.status_code, **missing.json()}, models

    on_ct2, missing, models = serve("ctranslate2")
    on_torch, _, _ = serve("transformers")
    assert [[t["text"] for t in a] for a in on_ct2] == [[t["text"] for t in a] for a in on_torch]
    assert [len(a) for a in on_ct2] == [len(texts), len(texts)]
    assert models["tiny-marian-en-uk"]["engine"] == "ctranslate2"
    assert models["tiny-marian-en-uk"]["loaded"] is True
    # en -> ru uses tiny-marian-en-ru, which was not converted.
    assert missing["status"] == 503
    assert missing["error"]["message"] == (
        "Model 'tiny-marian-en-ru' uses the CTranslate2 engine but has not been converted. "
        "Convert it with: newsroom-mt models convert tiny-marian-en-ru --quantization int8")


def test_batch_cli_translates_on_ctranslate2_like_on_transformers(
        ct2_dir: Path, tmp_path: Path, tiny_env: dict[str, str]) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    corpus = _corpus()
    for index in range(3):
        (folder / f"a{index}.txt").write_text(
            f"{corpus[2 * index]}\n\n{corpus[2 * index + 1]}\n", "utf-8")
    env = dict(tiny_env, NEWSROOM_REGISTRY=str(ct2_dir / "registry.yaml"))

    def run(engine: str) -> dict[str, str]:
        out = tmp_path / f"{engine}.jsonl"
        proc = subprocess.run(
            [sys.executable, "-m", "service", "batch", "translate", str(folder), "--to", "uk",
             "--from", "en", "--out", str(out), "-q"],
            env=dict(env, NEWSROOM_ENGINE=engine, NEWSROOM_CT2_COMPUTE_TYPE="float32"),
            capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr
        records = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
        return {r["id"]: r["translations"]["uk"] for r in records}

    on_ct2 = run("ctranslate2")
    assert sorted(on_ct2) == ["a0.txt", "a1.txt", "a2.txt"]
    assert on_ct2 == run("transformers")


def test_gpu_compute_type_on_cpu_fails_with_ctranslate2s_reason(ct2_dir: Path,
                                                                tmp_path: Path) -> None:
    manager = _manager(ct2_dir, tmp_path, engine="ctranslate2", ct2_compute_type="float16")
    with pytest.raises(ModelUnavailable) as caught:
        manager.get("tiny-marian-en-uk")
    # No float16 conversion exists: the most precise one (float32) is the one tried.
    assert caught.value.message == (
        f"Model 'tiny-marian-en-uk': CTranslate2 could not load "
        f"{ct2_dir / 'marian-en-uk-ct2-float32'} on cpu with compute type float16: "
        "Requested float16 compute type, but the target device or backend do not support "
        "efficient float16 computation.")


def test_a_cuda_without_the_libraries_ctranslate2_needs_fails_at_load(
        ct2_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Seen on a CUDA 13 GPU machine: CTranslate2 4.x loads a model, then its first
    computation fails to open cuBLAS 12. The load runs a short input, so the model fails
    to load (retried, reported by /readyz) instead of failing every request."""
    import ctranslate2

    real = ctranslate2.Translator

    class CudaWithoutCublas12:
        def __init__(self, *args: object, **kwargs: object) -> None:
            self.translator = real(*args, **kwargs)
            self.compute_type = self.translator.compute_type

        def translate_batch(self, *args: object, **kwargs: object) -> None:
            raise RuntimeError("Library libcublas.so.12 is not found or cannot be loaded")

    monkeypatch.setattr(ctranslate2, "Translator", CudaWithoutCublas12)
    manager = _manager(ct2_dir, tmp_path, engine="ctranslate2")
    with pytest.raises(ModelUnavailable) as caught:
        manager.get("tiny-marian-en-uk")
    assert caught.value.message == (
        f"Model 'tiny-marian-en-uk': CTranslate2 {ctranslate2.__version__} loaded "
        f"{ct2_dir / 'marian-en-uk-ct2-int8'} on cpu but cannot compute there: Library "
        "libcublas.so.12 is not found or cannot be loaded. This CTranslate2 needs "
        "libcublas.so.12 (CUDA 12): run on a CUDA 12 runtime (the GPU image's "
        "nvidia/cuda:12.x base, docs/deploy.md#gpu-nodes) or put a CUDA 12 libcublas on "
        "LD_LIBRARY_PATH; or serve this model on transformers "
        "(NEWSROOM_ENGINE=transformers)")
