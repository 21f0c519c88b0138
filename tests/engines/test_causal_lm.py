"""Decoder-only instruction models (tiny Qwen3) through the real registry, model manager
and both engines: chat template, left padding, batched generation, CTranslate2
Generator conversion and compute types, and the CPU dtype rule."""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from engine_cache import EngineCache

from service.engines.base import BatchKey, Engine, GenerationOptions
from service.engines.causal_lm import CausalLMEngine, causal_dtype, strip_thinking
from service.engines.device import Placement
from service.settings import Settings

ARTICLES = [
    "Officials said the bridge would reopen to traffic next month.",
    "Міська рада у вівторок ухвалила новий бюджет після тривалої дискусії. "
    "Посадовці заявили, що міст знову відкриють для руху наступного місяця. "
    "За даними міністерства, з району евакуювали понад 1200 людей.",
    "시의회는 긴 토론 끝에 화요일에 새 예산을 승인했다. 관계자들은 다리가 다시 개통될 것이라고 밝혔다.",
    "Городской совет во вторник утвердил новый бюджет после долгих споров. "
    "Полиция сообщила, что расследование продолжается.",
]


def _messages(article: str) -> list[dict[str, str]]:
    return [{"role": "system", "content": "Summarise the article neutrally."},
            {"role": "user", "content": article}]


def _manager(folder: Path, tmp_path: Path, **settings: object) -> EngineCache:
    settings.setdefault("device", "cpu")
    settings.setdefault("dtype", "float32")
    config = Settings(registry=folder / "registry.yaml", models_dir=tmp_path, **settings)
    return EngineCache(config)


@pytest.fixture(scope="module")
def llm_dir(tiny_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private copy of the tiny models with tiny-qwen3 converted by the real
    ``models convert`` command (float32 and int8)."""
    pytest.importorskip("ctranslate2")
    out = tmp_path_factory.mktemp("llm") / "tiny"
    shutil.copytree(tiny_dir, out)
    env = dict(os.environ, NEWSROOM_REGISTRY=str(out / "registry.yaml"), HF_HUB_OFFLINE="1")
    for quantization in ("float32", "int8"):
        done = subprocess.run([sys.executable, "-m", "service", "models", "convert",
                               "tiny-qwen3", "-q", quantization],
                              env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        assert f"tiny-qwen3: {quantization} -> " in done.stdout
    return out


def test_chat_template_renders_system_user_and_an_empty_think_block(tiny_dir: Path,
                                                                    tmp_path: Path) -> None:
    engine = _manager(tiny_dir, tmp_path).get("tiny-qwen3")
    assert isinstance(engine, CausalLMEngine) and isinstance(engine, Engine)
    prompt = engine.render_chat(_messages("Kyiv."))
    assert prompt == ("<|im_start|>system\nSummarise the article neutrally.<|im_end|>\n"
                      "<|im_start|>user\nKyiv.<|im_end|>\n<|im_start|>assistant\n"
                      "<think>\n\n</think>\n\n")
    assert engine.tokenizer.padding_side == "left"
    # The template wrote the special tokens: counting adds none.
    assert engine.count_tokens(prompt) == len(engine.tokenizer(prompt)["input_ids"])


def test_batched_prompts_of_different_lengths_equal_one_at_a_time(tiny_dir: Path,
                                                                  tmp_path: Path) -> None:
    engine = _manager(tiny_dir, tmp_path).get("tiny-qwen3")
    prompts = [engine.render_chat(_messages(a)) for a in ARTICLES]
    lengths = {engine.count_tokens(p) for p in prompts}
    assert len(lengths) == len(prompts)  # really different lengths: padding matters
    key = BatchKey("en", "en", GenerationOptions(max_new_tokens=12))
    batched = engine.generate(prompts, key)
    alone = [engine.generate([p], key)[0] for p in prompts]
    assert batched == alone
    assert all(1 <= out.tokens <= 12 and out.text for out in batched)
    # Greedy although the model's generation config asks for sampling.
    assert engine.generate(prompts, key) == batched


def test_on_a_cpu_prompts_are_prefilled_alone_then_decoded_together(
        tiny_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No pad position is computed: each prompt but its last token goes through the
    model on its own, then every forward pass of the batch is one token per row."""
    engine = _manager(tiny_dir, tmp_path).get("tiny-qwen3")
    prompts = [engine.render_chat(_messages(a)) for a in ARTICLES]
    lengths = [engine.count_tokens(p) for p in prompts]
    shapes: list[tuple[int, ...]] = []
    forward = engine.model.forward

    @functools.wraps(forward)
    def recording(*args, **kwargs):  # type: ignore[no-untyped-def]
        shapes.append(tuple(kwargs.get("input_ids", args[0] if args else None).shape))
        return forward(*args, **kwargs)

    monkeypatch.setattr(engine.model, "forward", recording)
    out = engine.generate(prompts, BatchKey(None, None, GenerationOptions(
        max_new_tokens=6, min_new_tokens=6)))
    assert [o.tokens for o in out] == [6] * len(prompts)
    assert shapes[:len(prompts)] == [(1, n - 1) for n in lengths]
    assert shapes[len(prompts):] == [(len(prompts), 1)] * 6


def test_on_a_cpu_decoding_writes_a_static_cache_and_matches_plain_generate(
        tiny_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The decoding steps get a static KV cache (updated in place, not copied every
    step), alone and batched, and the summaries are those of transformers' own
    ``generate`` with its default cache, one prompt at a time."""
    import torch

    engine = _manager(tiny_dir, tmp_path).get("tiny-qwen3")
    prompts = [engine.render_chat(_messages(a)) for a in ARTICLES]
    key = BatchKey(None, None, GenerationOptions(max_new_tokens=8))
    reference = []
    for prompt in prompts:
        ids = engine.tokenizer(prompt, add_special_tokens=False, return_tensors="pt")
        with torch.inference_mode():
            out = engine.model.generate(**ids, **engine.generation_kwargs(key))
        reference.append(engine.tokenizer.decode(out[0, ids["input_ids"].shape[1]:],
                                                 skip_special_tokens=True).strip())
    caches: list[str] = []
    forward = engine.model.forward

    @functools.wraps(forward)
    def recording(*args, **kwargs):  # type: ignore[no-untyped-def]
        caches.append(type(kwargs.get("past_key_values", kwargs.get("cache"))).__name__)
        return forward(*args, **kwargs)

    monkeypatch.setattr(engine.model, "forward", recording)
    alone = [engine.generate([p], key)[0].text for p in prompts]
    assert caches and set(caches) == {"StaticCache"}
    caches.clear()
    batched = [o.text for o in engine.generate(prompts, key)]
    # Each prompt prefilled alone into its own cache, then the batch decodes in place.
    assert caches[:len(prompts)] == ["DynamicCache"] * len(prompts)
    assert caches[len(prompts):] and set(caches[len(prompts):]) == {"StaticCache"}
    assert alone == reference and batched == reference


def test_forced_length_counts_exactly_the_new_tokens(tiny_dir: Path, tmp_path: Path) -> None:
    engine = _manager(tiny_dir, tmp_path).get("tiny-qwen3")
    prompts = [engine.render_chat(_messages(a)) for a in ARTICLES[:2]]
    out = engine.generate(prompts, BatchKey(None, None, GenerationOptions(
        max_new_tokens=9, min_new_tokens=9)))
    assert [o.tokens for o in out] == [9, 9]


def test_ctranslate2_float32_equals_transformers(llm_dir: Path, tmp_path: Path) -> None:
    torch_engine = _manager(llm_dir, tmp_path).get("tiny-qwen3")
    ct2_engine = _manager(llm_dir, tmp_path, engine="ctranslate2",
                          ct2_compute_type="float32").get("tiny-qwen3")
    assert (torch_engine.kind, ct2_engine.kind) == ("transformers", "ctranslate2")
    assert isinstance(ct2_engine, Engine)
    prompts = [torch_engine.render_chat(_messages(a)) for a in ARTICLES]
    assert [ct2_engine.render_chat(_messages(a)) for a in ARTICLES] == prompts
    key = BatchKey("en", "en", GenerationOptions(max_new_tokens=12))
    assert ct2_engine.generate(prompts, key) == torch_engine.generate(prompts, key)
    forced = BatchKey(None, None, GenerationOptions(max_new_tokens=7, min_new_tokens=7))
    assert [o.tokens for o in ct2_engine.generate(prompts, forced)] == [7] * len(prompts)


def test_ctranslate2_auto_runs_the_int8_conversion_on_cpu(llm_dir: Path,
                                                          tmp_path: Path) -> None:
    engine = _manager(llm_dir, tmp_path, engine="ctranslate2").get("tiny-qwen3")
    assert engine.compute_type.startswith("int8")
    assert engine.path.name == "qwen3-ct2-int8"
    record = json.loads((engine.path / "newsroom-ct2.json").read_text("utf-8"))
    assert record["family"] == "qwen3" and record["model"] == "tiny-qwen3"
    # The folder carries its own tokenizer and chat template.
    assert (engine.path / "chat_template.jinja").is_file()
    prompts = [engine.render_chat(_messages(a)) for a in ARTICLES]
    out = engine.generate(prompts, BatchKey(None, None, GenerationOptions(max_new_tokens=5)))
    assert len(out) == 4 and all(1 <= o.tokens <= 5 for o in out)


def test_ctranslate2_groups_prompts_of_similar_length() -> None:
    from service.engines.ct2_generator import length_groups

    # A prompt token past the shortest costs a decoding step: spreads stay under 16.
    assert length_groups([100, 300, 110, 305, 90, 330], 16) == [[4, 0], [2], [1, 3], [5]]
    assert length_groups([5, 5, 5], 16) == [[0, 1, 2]]
    assert length_groups([], 16) == []


def test_ctranslate2_merges_prompts_over_a_smaller_spread_on_a_cpu() -> None:
    """A CPU's decoding step costs ~1.5x at batch 2: merging pays only for close lengths."""
    from service.engines.ct2_generator import group_spread

    assert group_spread(100, "cpu") == 25
    assert group_spread(100, "cuda:0") == 100
    assert group_spread(20, "cpu") == 16 and group_spread(8, "cuda:0") == 16


@pytest.mark.parametrize("flags,device,setting,expected", [
    ({"avx2", "avx512f", "avx512_bf16"}, "cpu", "auto", "bfloat16"),
    ({"avx2", "amx_bf16", "amx_tile"}, "cpu", "auto", "bfloat16"),
    ({"avx2", "avx512f"}, "cpu", "auto", "float32"),
    (set(), "cpu", "auto", "float32"),
    ({"avx512_bf16"}, "cpu", "float32", "float32"),
    (set(), "cuda", "auto", "float16"),
])
def test_dtype_is_bf16_only_on_cpus_that_compute_it(flags: set[str], device: str,
                                                    setting: str, expected: str) -> None:
    placement = Placement(device=device, dtype="float16" if device == "cuda" else "float32")
    assert causal_dtype(placement, setting, flags) == expected


def test_think_blocks_are_removed() -> None:
    assert strip_thinking("<think>\nplan\n</think>\n\nThe answer.") == "The answer."
    assert strip_thinking("<think>never closed") == ""
    assert strip_thinking("Plain.") == "Plain."
