"""Catalogue v2's shape end to end (tiny ``tc-big`` layout): every direction takes the
route the catalogue names, and multi-target models receive the token of the target
each leg asks for, pivots included."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from service.settings import Settings
from service.workflows.runtime import Runtime
from service.workflows.translation import TranslationService

SAMPLES = {
    "en": "The city council approved the new budget on Tuesday.",
    "uk": "Міська рада у вівторок ухвалила новий бюджет.",
    "ru": "Городской совет во вторник утвердил новый бюджет.",
    "ko": "시의회는 화요일에 새 예산을 승인했다.",
}
ROUTES = {
    ("en", "uk"): [("tiny-tc-big-en-zle", "en", "uk")],
    ("en", "ru"): [("tiny-tc-big-en-zle", "en", "ru")],
    ("uk", "en"): [("tiny-tc-big-zle-en", "uk", "en")],
    ("ru", "en"): [("tiny-tc-big-zle-en", "ru", "en")],
    ("uk", "ru"): [("tiny-tc-big-zle-zle", "uk", "ru")],
    ("ru", "uk"): [("tiny-tc-big-zle-zle", "ru", "uk")],
    ("en", "ko"): [("tiny-tc-big-en-ko", "en", "ko")],
    ("ko", "en"): [("tiny-tc-big-ko-en", "ko", "en")],
    ("uk", "ko"): [("tiny-tc-big-zle-en", "uk", "en"), ("tiny-tc-big-en-ko", "en", "ko")],
    ("ru", "ko"): [("tiny-tc-big-zle-en", "ru", "en"), ("tiny-tc-big-en-ko", "en", "ko")],
    ("ko", "uk"): [("tiny-tc-big-ko-en", "ko", "en"), ("tiny-tc-big-en-zle", "en", "uk")],
    ("ko", "ru"): [("tiny-tc-big-ko-en", "ko", "en"), ("tiny-tc-big-en-zle", "en", "ru")],
}
TOKENS = {"uk": ">>ukr<<", "ru": ">>rus<<"}
MULTI_TARGET = {"tiny-tc-big-en-zle", "tiny-tc-big-zle-zle"}


@pytest.fixture()
def v2_settings(tiny_tc_big_dir: Path, tmp_path: Path) -> Settings:
    return Settings(registry=tiny_tc_big_dir / "registry.yaml", models_dir=tmp_path / "pulled",
                    max_wait_ms=2.0, device="cpu")


async def _record_first_tokens(runtime: Runtime, model: str) -> list[str]:
    """Load ``model`` and record the first source token of every row it is given."""
    engine: Any = await runtime.models.handle(model).ensure_engine()
    seen: list[str] = []
    inner = engine.model.generate

    def generate(**kwargs: Any) -> Any:
        for row in kwargs["input_ids"].tolist():
            seen.append(engine.tokenizer.convert_ids_to_tokens(row[0]))
        return inner(**kwargs)

    engine.model.generate = generate
    return seen


async def test_each_direction_takes_the_v2_route_with_the_right_target_token(
        v2_settings: Settings) -> None:
    # One runtime for all twelve directions: loading is the slow part.
    runtime = Runtime(v2_settings)
    service = TranslationService(runtime)
    try:
        models = sorted({model for steps in ROUTES.values() for model, _, _ in steps})
        recorded = {model: await _record_first_tokens(runtime, model) for model in models}
        for (src, tgt), steps in sorted(ROUTES.items()):
            for seen in recorded.values():
                seen.clear()
            result = await service.translate(SAMPLES[src], source=src, target=tgt)
            assert [(s["model"], s["source"], s["target"])
                    for s in result.route_steps()] == steps, (src, tgt)
            assert result.route.kind == ("pivot" if len(steps) == 2 else "direct")
            for model, _leg_src, leg_tgt in steps:
                assert recorded[model], (src, tgt, model)
                if model in MULTI_TARGET:
                    assert set(recorded[model]) == {TOKENS[leg_tgt]}, (src, tgt, model)
                else:
                    assert not any(t.startswith(">>") for t in recorded[model]), model
            unused = set(recorded) - {model for model, _, _ in steps}
            assert not any(recorded[m] for m in unused), (src, tgt)
    finally:
        await runtime.close()
