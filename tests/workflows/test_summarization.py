"""Summaries through the application service: modes, enforcement, cross-lingual."""

from __future__ import annotations

import pytest

from service.errors import InvalidInput, ModelUnavailable
from service.workflows.runtime import Runtime
from service.workflows.summarization import SummarizationService

ARTICLE_RU = (
    "Министерство обороны России заявило, что его войска взяли под контроль село Новоселовка "
    "в Донецкой области.\n"
    "Генеральный штаб Украины опроверг это заявление, сообщив, что бои в районе продолжаются.\n"
    "По данным местных властей, в результате обстрелов погибли три человека и ещё 12 ранены.\n"
    "Глава областной администрации Вадим Филашкин заявил, что эвакуация жителей продолжается.\n"
    "Село до войны насчитывало около 2000 жителей.\n"
)


@pytest.fixture()
async def runtime(tiny_settings):
    rt = Runtime(tiny_settings)
    yield rt
    await rt.close()


async def test_extractive_summary_keeps_both_sides_and_passes_checks(runtime) -> None:
    result = await SummarizationService(runtime).summarize(ARTICLE_RU, mode="extractive",
                                                           max_sentences=3)
    body = result.to_dict()
    assert body["mode_used"] == "extractive" and body["source_language"] == "ru"
    assert "Министерство обороны России заявило" in body["summary"]
    assert "Генеральный штаб Украины опроверг" in body["summary"]
    assert body["neutrality"]["passed"] is True
    assert set(body["neutrality"]["checks"]) == {"novel_content", "attribution", "sides",
                                                 "loaded_language", "disputes"}
    assert body["enforcement"]["action"] == "none"


@pytest.mark.parametrize("policy,action", [("fallback", "fallback"),
                                           ("report-only", "reported")])
async def test_tiny_abstractive_output_goes_through_enforcement(tiny_settings, policy: str,
                                                                action: str) -> None:
    settings = tiny_settings.model_copy(update={"summary_enforcement": policy})
    rt = Runtime(settings)
    try:
        result = await SummarizationService(rt).summarize(ARTICLE_RU, mode="abstractive")
        body = result.to_dict()
        assert body["model_route"][0] == {"task": "summarize", "model": "tiny-mt5-summarize",
                                          "language": "ru"}
        # Random weights write text the article does not contain: a check must fail.
        candidate_report = body["enforcement"]["candidate_report"]
        assert candidate_report["passed"] is False
        assert body["enforcement"] == {**body["enforcement"], "policy": policy,
                                       "action": action}
        if policy == "fallback":
            assert body["mode_used"] == "extractive"
            assert body["neutrality"]["passed"] is True
            assert "Генеральный штаб Украины опроверг" in body["summary"]
        else:
            assert body["mode_used"] == "abstractive"
            assert body["summary"] == body["enforcement"]["candidate"]
            assert body["neutrality"]["passed"] is False
    finally:
        await rt.close()


async def test_cross_lingual_summary_is_checked_against_the_source(runtime) -> None:
    result = await SummarizationService(runtime).summarize(ARTICLE_RU, target="ko",
                                                           mode="extractive")
    body = result.to_dict()
    assert body["source_language"] == "ru" and body["target_language"] == "ko"
    assert body["neutrality"]["language"] == "ru"
    assert body["neutrality"]["summary_language"] == "ru"
    assert "Генеральный штаб Украины" in body["source_summary"]
    assert body["summary"] != body["source_summary"]
    assert body["model_route"][-1] == {"task": "translate", "model": "tiny-m2m100",
                                       "source": "ru", "target": "ko"}


async def test_auto_mode_without_local_summariser_uses_extractive(tmp_path, monkeypatch) -> None:
    from service.settings import Settings

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    rt = Runtime(Settings(models_dir=tmp_path))  # default catalogue, nothing pulled
    try:
        result = await SummarizationService(rt).summarize(ARTICLE_RU)
        assert result.mode_used == "extractive"
        assert result.notes == ["no summarisation model is available locally; used extractive"]
        with pytest.raises(ModelUnavailable, match="Pull it with: newsroom-mt models pull"):
            await SummarizationService(rt).summarize(ARTICLE_RU, mode="abstractive", source="en")
    finally:
        await rt.close()


async def test_bad_options_name_the_field(runtime) -> None:
    service = SummarizationService(runtime)
    with pytest.raises(InvalidInput) as info:
        await service.summarize(ARTICLE_RU, mode="creative")
    assert info.value.field == "mode"
    assert info.value.message == "mode must be one of auto, extractive, abstractive; got 'creative'"
    with pytest.raises(InvalidInput, match="text is empty"):
        await service.summarize("   \n ")
