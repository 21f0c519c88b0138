"""HTML through the real registry, engine and scheduler: the model receives whole
sentences (inline markup removed), each once, and the markup comes back intact."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from service.engines.base import BatchKey, Generated
from service.text.html import HtmlOptions
from service.workflows.runtime import Runtime
from service.workflows.translation import TranslationService

PAGE = ('<article><h1>Seoul <em>says</em> nothing</h1>'
        '<p class="lead">The city council <b>approved</b> the new budget on '
        '<a href="https://example.org/t" title="Read the decision">Tuesday</a>. '
        'Officials said the <i>bridge</i> would reopen next month.</p>'
        '<p>The city council <b>approved</b> the new budget on Tuesday.</p>'
        '<figure><img src="b.jpg" alt="The old bridge"><figcaption>Photo: '
        '<span translate="no">City Hall</span></figcaption></figure>'
        '<pre>do not  translate</pre></article>')


async def record_engine(runtime: Runtime, model: str) -> list[str]:
    """Wrap the loaded engine's ``generate`` so every text the model gets is recorded;
    the real model still does the work."""
    engine = await runtime.models.handle(model).ensure_engine()
    seen: list[str] = []
    real = engine.generate

    def generate(texts: Sequence[str], key: BatchKey) -> list[Generated]:
        seen.extend(texts)
        return real(texts, key)

    engine.generate = generate  # type: ignore[method-assign]
    return seen


async def test_model_gets_whole_sentences_once_each(tiny_settings) -> None:
    runtime = Runtime(tiny_settings)
    try:
        seen = await record_engine(runtime, "tiny-marian-en-uk")
        result = await TranslationService(runtime).translate(PAGE, source="en",
                                                             target="uk", fmt="html")
        assert Counter(seen) == Counter([
            "Seoul says nothing",
            "The city council approved the new budget on Tuesday.",
            "Officials said the bridge would reopen next month.",
            "Photo:",
            "Read the decision",
            "The old bridge"])
        out = result.text
        for tag in ('<article><h1>', '<em>', '</em>', '<p class="lead">', '<b>', '</b>',
                    '<a href="https://example.org/t" title="', '<i>', '</i>',
                    '<figure><img src="b.jpg" alt="', '<span translate="no">City Hall</span>'
                    '</figcaption></figure><pre>do not  translate</pre></article>'):
            assert tag in out
        assert out.count("<b>") == 2 and out.count("</a>") == 1
        assert "council" not in out and "Read the decision" not in out
    finally:
        await runtime.close()


async def test_html_in_target_language_is_returned_unchanged(tiny_settings) -> None:
    runtime = Runtime(tiny_settings)
    try:
        seen = await record_engine(runtime, "tiny-marian-en-uk")
        html = '<p>Міська рада <b>ухвалила</b> новий бюджет у вівторок.</p>'
        result = await TranslationService(runtime).translate(html, target="uk", fmt="html")
        assert result.text == html and result.source == "uk" and seen == []
    finally:
        await runtime.close()


async def test_deepl_options_change_what_the_model_gets(tiny_settings) -> None:
    runtime = Runtime(tiny_settings)
    try:
        seen = await record_engine(runtime, "tiny-marian-en-uk")
        html = ("<p>The council met. <x>It voted</x> on Tuesday.</p>"
                "<p>Officials <notes>internal remark</notes> agreed.</p>")
        options = HtmlOptions(non_splitting_tags=frozenset({"x"}),
                              ignore_tags=frozenset({"notes"}))
        result = await TranslationService(runtime).translate_many(
            [html], source="en", target="uk", fmt="html", html_options=options)
        assert Counter(seen) == Counter(["The council met.", "It voted on Tuesday.",
                                         "Officials agreed."])
        assert "<notes>internal remark</notes>" in result[0].text
    finally:
        await runtime.close()
