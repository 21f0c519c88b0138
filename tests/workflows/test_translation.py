"""Translating whole articles through the real registry, engine and scheduler."""

from __future__ import annotations

import asyncio

import pytest

from service.engines.base import BatchKey
from service.errors import LanguageNotDetected, UnsupportedLanguage
from service.text.sentences import split_sentences
from service.workflows.runtime import Runtime
from service.workflows.translation import TranslationService

SAMPLES = {
    "en": "The city council approved the new budget on Tuesday. Officials said the bridge "
          "would reopen to traffic next month.",
    "uk": "Міська рада у вівторок ухвалила новий бюджет. Посадовці заявили, що міст знову "
          "відкриють для руху наступного місяця.",
    "ru": "Городской совет во вторник утвердил новый бюджет. Чиновники заявили, что мост "
          "снова откроют для движения в следующем месяце.",
    "ko": "시의회는 화요일에 새 예산을 승인했다. 관계자들은 다리가 다음 달에 다시 개통될 것이라고 밝혔다.",
}
DIRECT = {("en", "uk"), ("uk", "en"), ("en", "ru"), ("ru", "en"), ("ru", "uk"), ("uk", "ru"),
          ("ko", "en"), ("ko", "ru")}


async def expected_by_sentence(runtime: Runtime, model: str, text: str, src: str,
                               tgt: str) -> str:
    """What the article must become: each sentence translated alone, joined by spaces."""
    handle = runtime.models.handle(model)
    await handle.ensure_ready()
    engine = handle.engine
    outs = [engine.generate([s], BatchKey(src, tgt))[0].text
            for s in split_sentences(text, src)]
    return " ".join(o for o in outs if o)


@pytest.mark.parametrize("src,tgt", [(s, t) for s in SAMPLES for t in SAMPLES if s != t])
async def test_every_direction_uses_the_registry_route(tiny_settings, src: str, tgt: str) -> None:
    runtime = Runtime(tiny_settings)
    try:
        result = await TranslationService(runtime).translate(SAMPLES[src], target=tgt)
        assert result.source == src and result.detected
        expected_model = (f"tiny-marian-{src}-{tgt}" if (src, tgt) in DIRECT else "tiny-m2m100")
        assert result.route_steps() == [{"model": expected_model, "source": src, "target": tgt}]
        assert result.route.kind == ("direct" if (src, tgt) in DIRECT else "multilingual")
        assert result.text == await expected_by_sentence(runtime, expected_model,
                                                         SAMPLES[src], src, tgt)
    finally:
        await runtime.close()


async def test_texts_translated_together_equal_one_by_one(tiny_settings) -> None:
    runtime = Runtime(tiny_settings)
    service = TranslationService(runtime)
    texts = [SAMPLES["en"], "Farmers are worried.", "Police asked witnesses to come forward.",
             "Heavy rain caused flooding in several villages in the north of the country."]
    try:
        together = await service.translate_many(texts, source="en", target="uk")
        alone = [await service.translate(t, source="en", target="uk") for t in texts]
        concurrent = await asyncio.gather(*(service.translate(t, source="en", target="uk")
                                            for t in texts))
        assert [r.text for r in together] == [r.text for r in alone]
        assert [r.text for r in concurrent] == [r.text for r in alone]
    finally:
        await runtime.close()


async def test_paragraphs_layout_and_order_survive(tiny_settings) -> None:
    article = ("  Headline about the budget\n\n"
               "The city council approved the new budget on Tuesday. Officials were pleased.\n"
               "   \n"
               "12,400 — 17.5%\n"
               "Police said the investigation was still under way.\n\n\n")
    runtime = Runtime(tiny_settings)
    try:
        result = await TranslationService(runtime).translate(article, source="en", target="ru")
        lines = result.text.split("\n")
        source_lines = article.split("\n")
        assert len(lines) == len(source_lines)
        for out, src in zip(lines, source_lines):
            if not src.strip():
                assert out == src  # blank and whitespace-only lines pass through
        assert lines[0].startswith("  ")  # indentation kept
        assert lines[4] == "12,400 — 17.5%"  # no letters: kept verbatim
        for index in (0, 2, 5):
            body = source_lines[index].strip()
            assert lines[index].strip() == await expected_by_sentence(
                runtime, "tiny-marian-en-ru", body, "en", "ru")
    finally:
        await runtime.close()


async def test_article_longer_than_the_input_limit_comes_back_whole(tiny_settings) -> None:
    sentences = [f"Sentence number {i} reports that the council met officials in the north."
                 for i in range(40)]
    # One sentence far over the 128-token limit and without punctuation to split at.
    monster = " ".join(["the council approved the budget"] * 60)
    article = " ".join(sentences) + "\n" + monster + "\nThe end."
    runtime = Runtime(tiny_settings)
    try:
        handle = runtime.models.handle("tiny-marian-en-uk")
        await handle.ensure_ready()
        engine = handle.engine
        assert engine.count_tokens(article, "en") > 4 * engine.max_input_tokens
        assert engine.count_tokens(monster, "en") > engine.max_input_tokens
        result = await TranslationService(runtime).translate(article, source="en", target="uk")
        first, second, third = result.text.split("\n")
        assert first == await expected_by_sentence(runtime, "tiny-marian-en-uk",
                                                   " ".join(sentences), "en", "uk")
        # The over-long sentence was cut into parts under the limit, each translated.
        from service.text.chunking import plan_article

        plan = plan_article(monster, "en", lambda t: engine.count_tokens(t, "en"),
                            engine.max_input_tokens)
        assert len(plan.segments) >= 2
        assert all(engine.count_tokens(s, "en") <= engine.max_input_tokens
                   for s in plan.segments)
        assert "".join(plan.segments).replace(" ", "") == monster.replace(" ", "")
        parts = [engine.generate([s], BatchKey("en", "uk"))[0].text for s in plan.segments]
        assert second == plan.reassemble(parts)
        assert third
    finally:
        await runtime.close()


async def test_mixed_language_article_translates_each_paragraph_from_its_language(
        tiny_settings) -> None:
    article = SAMPLES["ru"] + "\n" + SAMPLES["uk"] + "\n" + SAMPLES["en"]
    runtime = Runtime(tiny_settings)
    try:
        result = await TranslationService(runtime).translate(article, target="en")
        ru_out, uk_out, en_out = result.text.split("\n")
        assert en_out == SAMPLES["en"]  # already in the target language
        assert ru_out == await expected_by_sentence(runtime, "tiny-marian-ru-en",
                                                    SAMPLES["ru"], "ru", "en")
        assert uk_out == await expected_by_sentence(runtime, "tiny-marian-uk-en",
                                                    SAMPLES["uk"], "uk", "en")
        assert set(result.routes) == {"ru", "uk"}
    finally:
        await runtime.close()


async def test_unsupported_language_lists_supported_ones(tiny_settings) -> None:
    runtime = Runtime(tiny_settings)
    service = TranslationService(runtime)
    with pytest.raises(UnsupportedLanguage) as info:
        await service.translate("Hello.", target="fr")
    assert info.value.message == ("Unsupported language code 'fr' for target; "
                                  "supported: en, uk, ru, ko.")
    assert info.value.field == "target"
    with pytest.raises(UnsupportedLanguage, match=r"for source; supported: en, uk, ru, ko "
                                                  r"\(or 'auto'\)"):
        await service.translate("Hello.", source="xx", target="uk")
    with pytest.raises(LanguageNotDetected, match="Could not identify the language of text"):
        await service.translate("Le gouvernement a annoncé une réforme des retraites "
                                "très contestée.", target="uk")
    await runtime.close()


async def test_html_keeps_markup_and_translates_text_nodes(tiny_settings) -> None:
    html = ('<p class="lead">The city council approved the new budget.</p>'
            '<script>var x = "Do not translate";</script><a href="/x">Officials said so.</a>')
    runtime = Runtime(tiny_settings)
    try:
        result = await TranslationService(runtime).translate(html, source="en", target="uk",
                                                             fmt="html")
        assert result.text.startswith('<p class="lead">')
        assert '<script>var x = "Do not translate";</script><a href="/x">' in result.text
        assert "The city council" not in result.text
    finally:
        await runtime.close()
