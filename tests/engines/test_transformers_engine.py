"""The transformers engine on tiny models of each family, loaded through the registry."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from engine_cache import EngineCache

from service.engines.base import BatchKey, GenerationOptions
from service.errors import ModelUnavailable
from service.settings import Settings

TEXTS = [
    "The city council approved the new budget on Tuesday after a long debate.",
    "Police said the investigation was still under way.",
    "Farmers are worried.",
    "Schools will stay closed on Monday because of the storm warning, officials said.",
]


@pytest.fixture(scope="module")
def manager(tiny_registry: Path, tmp_path_factory: pytest.TempPathFactory) -> EngineCache:
    settings = Settings(registry=tiny_registry,
                        models_dir=tmp_path_factory.mktemp("pulled"))
    return EngineCache(settings)


@pytest.mark.parametrize("model,src,tgt", [
    ("tiny-marian-en-uk", "en", "uk"),
    ("tiny-m2m100", "en", "ko"),
    ("tiny-mt5-summarize", "en", "en"),
])
def test_batched_greedy_output_equals_one_by_one(manager: EngineCache, model: str, src: str,
                                                 tgt: str) -> None:
    engine = manager.get(model)
    key = BatchKey(src, tgt, GenerationOptions(num_beams=1))
    together = engine.generate(TEXTS, key)
    alone = [engine.generate([text], key)[0] for text in TEXTS]
    assert [g.text for g in together] == [g.text for g in alone]
    assert all(g.tokens > 0 for g in together)
    # Outputs depend on the input (the tiny model is random, not constant).
    assert len({g.text for g in together}) > 1


async def test_model_is_loaded_once_per_process(tiny_settings: Settings) -> None:
    from service.workflows.runtime import Runtime

    runtime = Runtime(tiny_settings.model_copy(update={"device": "cpu"}))
    try:
        handle = runtime.models.handle("tiny-marian-en-uk")
        assert runtime.models.handle("tiny-marian-en-uk") is handle
        assert handle.state.value == "unloaded"
        # Concurrent first uses share one load.
        first, second = await asyncio.gather(handle.ensure_ready(), handle.ensure_ready())
        assert first is second and handle.engine is handle.engine
        status = {row.entry.name: row.status for row in runtime.models.rows()}
        assert status["tiny-marian-en-uk"].state.value == "ready"
        assert status["tiny-marian-en-uk"].device == "cpu"
        assert status["tiny-marian-uk-en"].state.value == "unloaded"
    finally:
        await runtime.close()


def test_m2m100_target_language_token_decides_the_output(manager: EngineCache) -> None:
    engine = manager.get("tiny-m2m100")
    to_ko = engine.generate(TEXTS[:1], BatchKey("en", "ko"))[0].text
    to_uk = engine.generate(TEXTS[:1], BatchKey("en", "uk"))[0].text
    assert to_ko != to_uk
    assert "__ko__" not in to_ko and "__uk__" not in to_uk


def test_forced_output_length(manager: EngineCache) -> None:
    engine = manager.get("tiny-marian-en-uk")
    options = GenerationOptions(num_beams=1, min_new_tokens=10, max_new_tokens=10)
    out = engine.generate(TEXTS[:2], BatchKey("en", "uk", options))
    assert [g.tokens for g in out] == [10, 10]


def test_count_tokens_includes_special_tokens(manager: EngineCache) -> None:
    marian = manager.get("tiny-marian-en-uk")
    pieces = marian.tokenizer.tokenize(TEXTS[0])
    assert marian.count_tokens(TEXTS[0], "en") == len(pieces) + 1  # </s>
    m2m = manager.get("tiny-m2m100")
    assert m2m.count_tokens(TEXTS[0], "en") == len(m2m.tokenizer.tokenize(TEXTS[0])) + 2


def test_missing_model_names_the_model_and_the_pull_command(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch
                                                            ) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    settings = Settings(models_dir=tmp_path)  # the default catalogue, nothing pulled
    with pytest.raises(ModelUnavailable) as info:
        EngineCache(settings).get("opus-mt-tc-big-en-zle")
    message = info.value.message
    assert "Model 'opus-mt-tc-big-en-zle' (Helsinki-NLP/opus-mt-tc-big-en-zle) is not available" in message
    assert message.endswith("Pull it with: newsroom-mt models pull opus-mt-tc-big-en-zle")


def test_a_second_lane_is_kept_for_interactive_work_unless_turned_off(
        tiny_registry: Path, tmp_path: Path) -> None:
    # bench/lanes_probe.py: a headline beside a bulk batch beat short bulk batches on both
    # its latency and the bulk rate; interactive_lanes=0 restores the one-lane engine.
    lanes = EngineCache(Settings(registry=tiny_registry, models_dir=tmp_path))
    assert lanes.get("tiny-marian-en-uk").parallel_batches == 2
    alone = EngineCache(Settings(registry=tiny_registry, models_dir=tmp_path,
                                 interactive_lanes=0))
    assert alone.get("tiny-marian-en-uk").parallel_batches == 1


@pytest.mark.parametrize("model,src,tgt", [("tiny-marian-en-uk", "en", "uk"),
                                           ("tiny-m2m100", "ru", "ko")])
def test_concurrent_lanes_give_the_outputs_of_one_lane(manager: EngineCache, model: str,
                                                      src: str, tgt: str) -> None:
    from concurrent.futures import ThreadPoolExecutor

    engine = manager.get(model)
    # Two directions at once on M2M100: the tokenizer's src_lang is shared state.
    keys = [BatchKey(src, tgt, GenerationOptions(num_beams=1)),
            BatchKey("en", tgt if tgt != "en" else "uk", GenerationOptions(num_beams=1))]
    alone = [[g.text for g in engine.generate(TEXTS, key)] for key in keys]
    with ThreadPoolExecutor(2) as pool:
        for _ in range(3):
            together = list(pool.map(lambda key: [g.text for g in engine.generate(TEXTS, key)],
                                     keys))
            assert together == alone


#: Sources of very different lengths: one padded batch would be mostly padding.
MIXED_LENGTHS = [TEXTS[i % len(TEXTS)] * (1 + (i * 7) % 5) if i % 3 else "Farmers."
                 for i in range(20)]


@pytest.mark.parametrize("model,src,tgt,beams", [
    ("tiny-marian-en-uk", "en", "uk", 1),
    ("tiny-marian-en-uk", "en", "uk", 2),
    ("tiny-m2m100", "en", "ko", 1),
])
def test_a_cpu_batch_of_mixed_lengths_is_encoded_in_groups_with_the_same_output(
        manager: EngineCache, monkeypatch: pytest.MonkeyPatch, model: str, src: str,
        tgt: str, beams: int) -> None:
    from service.engines import transformers_engine

    engine = manager.get(model)
    key = BatchKey(src, tgt, GenerationOptions(num_beams=beams))
    encoder = engine.model.get_encoder()
    calls: list[tuple[int, int]] = []
    plain_forward = encoder.forward

    def recording(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(tuple(kwargs["input_ids"].shape))
        return plain_forward(*args, **kwargs)

    monkeypatch.setattr(encoder, "forward", recording)
    grouped = engine.generate(MIXED_LENGTHS, key)
    widest = max(width for _, width in calls)
    # Three groups of 8 rows at most, each padded to its own longest row, not one call
    # over all 20 rows padded to the longest source.
    assert len(calls) == 3 and sum(rows for rows, _ in calls) == len(MIXED_LENGTHS)
    assert min(width for _, width in calls) < widest / 2

    calls.clear()
    monkeypatch.setattr(transformers_engine, "encoder_outputs_in_groups",
                        lambda *args, **kwargs: None)
    padded = engine.generate(MIXED_LENGTHS, key)
    assert calls == [(len(MIXED_LENGTHS), widest)]
    assert [g.text for g in grouped] == [g.text for g in padded]
    assert [g.tokens for g in grouped] == [g.tokens for g in padded]


def test_a_batch_with_little_padding_is_encoded_in_one_call(manager: EngineCache) -> None:
    from service.engines.encoder_groups import encoder_outputs_in_groups

    engine = manager.get("tiny-marian-en-uk")
    same = engine.tokenizer([TEXTS[0]] * 20, return_tensors="pt", padding=True)
    assert encoder_outputs_in_groups(engine.model, same["input_ids"],
                                     same["attention_mask"]) is None
    few = engine.tokenizer(MIXED_LENGTHS[:8], return_tensors="pt", padding=True)
    assert encoder_outputs_in_groups(engine.model, few["input_ids"],
                                     few["attention_mask"]) is None
