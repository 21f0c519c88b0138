"""The engines on a CUDA device, through the real manager: transformers in float16 and
bfloat16, CTranslate2 in int8_float16. Marked ``gpu``: skipped where torch sees no CUDA
device; ``scripts/gpu-check.sh`` runs them on a GPU machine."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from engine_cache import EngineCache

from service.engines.base import BatchKey, GenerationOptions
from service.errors import ModelUnavailable
from service.registry import Registry
from service.settings import Settings

torch = pytest.importorskip("torch")

pytestmark = [pytest.mark.gpu,
              pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device")]

MODEL = "tiny-marian-en-uk"
KEY = BatchKey("en", "uk", GenerationOptions(num_beams=1, max_new_tokens=8))
TEXTS = ["Kyiv is the capital of Ukraine.", "The council met on Tuesday."]


def _manager(tiny_registry: Path, tmp_path: Path, **settings: str) -> EngineCache:
    config = Settings(registry=tiny_registry, models_dir=tmp_path, device="cuda", **settings)
    return EngineCache(config)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_transformers_runs_in_half_precision_on_cuda(tiny_registry, tmp_path, dtype):
    if dtype == "bfloat16" and not torch.cuda.is_bf16_supported():
        pytest.skip("this GPU has no bfloat16")
    manager = _manager(tiny_registry, tmp_path, dtype=dtype)
    engine = manager.get(MODEL)
    try:
        assert engine.kind == "transformers" and engine.device.startswith("cuda")
        assert next(engine.model.parameters()).dtype == getattr(torch, dtype)
        outputs = engine.generate(TEXTS, KEY)
        assert len(outputs) == 2 and all(0 < o.tokens <= 8 and o.text for o in outputs)
    finally:
        manager.close()


def test_ctranslate2_runs_int8_float16_on_cuda(tiny_dir, tiny_registry, tmp_path):
    ctranslate2 = pytest.importorskip("ctranslate2")
    if "int8_float16" not in ctranslate2.get_supported_compute_types("cuda"):
        pytest.skip("this GPU has no int8_float16 in CTranslate2")
    from service.engines.ct2_convert import convert_model

    # A private copy: the conversion lands beside the weights, and the shared tiny
    # models must not grow a GPU conversion that CPU tests could pick up.
    weights = tmp_path / "marian-en-uk"
    shutil.copytree(tiny_dir / "marian-en-uk", weights)
    spec = yaml.safe_load(tiny_registry.read_text("utf-8"))
    spec["models"] = {MODEL: dict(spec["models"][MODEL], path=str(weights))}
    registry_path = tmp_path / "registry.yaml"
    registry_path.write_text(yaml.safe_dump(spec), "utf-8")
    convert_model(Registry.load(registry_path).get(MODEL), weights, "int8_float16")
    manager = _manager(registry_path, tmp_path, engine="ctranslate2",
                       ct2_compute_type="int8_float16")
    try:
        engine = manager.get(MODEL)
    except ModelUnavailable as exc:
        # A CUDA without the libraries this CTranslate2 wheel was built for (CUDA 13
        # only, for a CUDA 12 wheel) fails the load, naming the library: not this test's
        # subject (tests/engines/test_ct2_engine.py checks the message).
        manager.close()
        if "cannot compute there" in exc.message:
            pytest.skip(exc.message)
        raise
    try:
        assert engine.kind == "ctranslate2" and engine.device.startswith("cuda")
        assert engine.compute_type == "int8_float16"
        outputs = engine.generate(TEXTS, KEY)
        assert len(outputs) == 2 and all(0 < o.tokens <= 8 and o.text for o in outputs)
    finally:
        manager.close()


def test_an_instruction_model_batches_on_cuda_with_generates_own_cache(tiny_registry,
                                                                       tmp_path):
    """On a GPU the padded batch is prefilled at once and decoded with ``generate``'s
    own cache (the CPU's prefill-alone and static cache are CPU-only); in float32 the
    batch of prompts of different lengths equals one prompt at a time."""
    manager = _manager(tiny_registry, tmp_path, dtype="float32")
    engine = manager.get("tiny-qwen3")
    try:
        assert engine.device.startswith("cuda")
        texts = ("Kyiv.", TEXTS[1], "Officials said on Tuesday that the bridge over the "
                 "river would reopen to traffic next month, after two years of repairs.")
        prompts = [engine.render_chat([{"role": "user", "content": text}]) for text in texts]
        assert len({engine.count_tokens(p) for p in prompts}) == 3  # padding matters
        key = BatchKey(None, None, GenerationOptions(max_new_tokens=8))
        caches = []
        forward = engine.model.forward

        def recording(*args, **kwargs):
            caches.append(type(kwargs.get("past_key_values", kwargs.get("cache"))).__name__)
            return forward(*args, **kwargs)

        engine.model.forward = recording
        batched = engine.generate(prompts, key)
        assert "StaticCache" not in caches and len(caches) <= 8  # one prefill, then steps
        assert batched == [engine.generate([p], key)[0] for p in prompts]
        assert all(0 < o.tokens <= 8 for o in batched)
    finally:
        manager.close()
