"""Multi-target Marian models (catalogue v2's opus-mt-tc-big-en-zle and -zle-zle): both
engines put the catalogue's target token in front of every source, CTranslate2
conversions keep it, and a catalogue naming a token the model lacks is refused."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from engine_cache import EngineCache

from service.engines.base import BatchKey
from service.errors import InvalidInput, ModelUnavailable
from service.registry import Registry
from service.settings import Settings

TEXTS = ["The council approved the budget.", "Rain is expected on Friday."]


def _manager(folder: Path, tmp_path: Path, **settings: Any) -> EngineCache:
    settings.setdefault("device", "cpu")
    config = Settings(registry=folder / "registry.yaml", models_dir=tmp_path / "pulled",
                      **settings)
    return EngineCache(config)


class _RecordingGenerate:
    """Wraps ``model.generate`` and keeps the input ids each call received."""

    def __init__(self, model: Any) -> None:
        self.inner = model.generate
        self.inputs: list[list[list[int]]] = []

    def __call__(self, **kwargs: Any) -> Any:
        self.inputs.append(kwargs["input_ids"].tolist())
        return self.inner(**kwargs)


class _RecordingTranslator:
    """Stands in front of a ``ctranslate2.Translator`` and keeps the sources it got."""

    def __init__(self, translator: Any) -> None:
        self.inner = translator
        self.sources: list[list[list[str]]] = []

    def translate_batch(self, source: list[list[str]], *args: Any, **kwargs: Any) -> Any:
        self.sources.append(source)
        return self.inner.translate_batch(source, *args, **kwargs)

    def unload_model(self) -> None:
        self.inner.unload_model()


@pytest.mark.parametrize("model,src,tgt,token", [
    ("tiny-tc-big-en-zle", "en", "uk", ">>ukr<<"),
    ("tiny-tc-big-en-zle", "en", "ru", ">>rus<<"),
    ("tiny-tc-big-zle-zle", "uk", "ru", ">>rus<<"),
    ("tiny-tc-big-zle-zle", "ru", "uk", ">>ukr<<"),
])
def test_transformers_engine_feeds_the_target_token_first(
        tiny_tc_big_dir: Path, tmp_path: Path, model: str, src: str, tgt: str,
        token: str) -> None:
    engine = _manager(tiny_tc_big_dir, tmp_path).get(model)
    recorder = _RecordingGenerate(engine.model)
    engine.model.generate = recorder  # type: ignore[method-assign]
    outputs = engine.generate(TEXTS, BatchKey(src, tgt))
    assert len(outputs) == 2
    (ids,) = recorder.inputs
    token_id = engine.tokenizer.convert_tokens_to_ids(token)
    plain = engine.tokenizer(TEXTS)["input_ids"]
    for row, alone in zip(ids, plain):
        # The token, then exactly the ids the text alone gets (padding at the end).
        assert row[0] == token_id
        assert row[1:1 + len(alone)] == alone
    # Token counts (used to cut articles under the input limit) include the token.
    assert engine.count_tokens(TEXTS[0], src) == len(plain[0]) + 1


def test_single_target_models_get_no_token(tiny_tc_big_dir: Path, tmp_path: Path) -> None:
    engine = _manager(tiny_tc_big_dir, tmp_path).get("tiny-tc-big-en-ko")
    recorder = _RecordingGenerate(engine.model)
    engine.model.generate = recorder  # type: ignore[method-assign]
    engine.generate(TEXTS[:1], BatchKey("en", "ko"))
    assert recorder.inputs == [engine.tokenizer(TEXTS[:1])["input_ids"]]


def test_a_target_the_model_lacks_is_refused_by_name(tiny_tc_big_dir: Path,
                                                     tmp_path: Path) -> None:
    engine = _manager(tiny_tc_big_dir, tmp_path).get("tiny-tc-big-en-zle")
    with pytest.raises(InvalidInput, match="Model 'tiny-tc-big-en-zle' cannot translate "
                                           "into 'ko'; its targets are: ru, uk"):
        engine.generate(TEXTS, BatchKey("en", "ko"))


def _copy_with_tokens(src: Path, dest: Path, tokens: dict[str, str]) -> Path:
    shutil.copytree(src, dest)
    path = dest / "registry.yaml"
    catalogue = yaml.safe_load(path.read_text("utf-8"))
    catalogue["models"]["tiny-tc-big-en-zle"]["target_tokens"] = tokens
    path.write_text(yaml.safe_dump(catalogue), "utf-8")
    return dest


def test_a_token_missing_from_the_vocabulary_is_refused_at_load(
        tiny_tc_big_dir: Path, tmp_path: Path) -> None:
    # ">>uk<<" (ISO 639-1) instead of the model card's ">>ukr<<".
    bad = _copy_with_tokens(tiny_tc_big_dir, tmp_path / "bad",
                            {"uk": ">>uk<<", "ru": ">>rus<<"})
    with pytest.raises(ModelUnavailable) as caught:
        _manager(bad, tmp_path).get("tiny-tc-big-en-zle")
    assert caught.value.message == (
        "Model 'tiny-tc-big-en-zle': target token(s) >>uk<< from the catalogue are not in "
        "the model's vocabulary; check target_tokens against the model card.")


@pytest.fixture(scope="module")
def converted(tiny_tc_big_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("ctranslate2")
    from service.engines.ct2_convert import convert_model

    out = tmp_path_factory.mktemp("tc-big-ct2") / "tiny"
    shutil.copytree(tiny_tc_big_dir, out)
    registry = Registry.load(out / "registry.yaml")
    for name in ("tiny-tc-big-en-zle", "tiny-tc-big-zle-zle"):
        entry = registry.get(name)
        convert_model(entry, entry.local_path(), "float32")
    return out


@pytest.mark.parametrize("model,src,tgt,token", [
    ("tiny-tc-big-en-zle", "en", "uk", ">>ukr<<"),
    ("tiny-tc-big-en-zle", "en", "ru", ">>rus<<"),
    ("tiny-tc-big-zle-zle", "ru", "uk", ">>ukr<<"),
])
def test_ctranslate2_engine_feeds_the_target_token_and_matches_transformers(
        converted: Path, tmp_path: Path, model: str, src: str, tgt: str, token: str) -> None:
    ct2 = _manager(converted, tmp_path, engine="ctranslate2",
                   ct2_compute_type="float32").get(model)
    assert ct2.kind == "ctranslate2"
    recorder = _RecordingTranslator(ct2.translator)  # type: ignore[attr-defined]
    ct2.translator = recorder  # type: ignore[attr-defined]
    key = BatchKey(src, tgt)
    got = ct2.generate(TEXTS, key)
    (sources,) = recorder.sources
    assert [row[0] for row in sources] == [token, token]
    # Same input, same weights: the same output as the transformers engine.
    torch_engine = _manager(converted, tmp_path).get(model)
    assert [g.text for g in got] == [g.text for g in torch_engine.generate(TEXTS, key)]


def test_conversion_keeps_the_tokens_and_refuses_a_catalogue_token_it_lacks(
        converted: Path, tiny_tc_big_dir: Path, tmp_path: Path) -> None:
    from service.engines.ct2_convert import convert_model, converted_source_vocabulary

    folder = converted / "tc-big-en-zle-ct2-float32"
    assert {">>ukr<<", ">>rus<<", ">>bel<<"} <= converted_source_vocabulary(folder)
    bad = _copy_with_tokens(tiny_tc_big_dir, tmp_path / "bad",
                            {"uk": ">>ukr<<", "ru": ">>ru<<"})
    entry = Registry.load(bad / "registry.yaml").get("tiny-tc-big-en-zle")
    with pytest.raises(InvalidInput) as caught:
        convert_model(entry, entry.local_path(), "float32")
    assert caught.value.message == (
        f"Model 'tiny-tc-big-en-zle': the converted vocabulary in "
        f"{bad / 'tc-big-en-zle-ct2-float32'} lacks the target token(s) >>ru<< named in "
        "the catalogue.")
