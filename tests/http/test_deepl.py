"""The DeepL API v2-compatible routes, driven by the official ``deepl`` client and by
raw HTTP for what the client does not send (forms, missing keys, limits, 429s).

Expected shapes are DeepL's documented ones: ``translations[]`` with
``detected_source_language`` (upper case), ``text`` and ``billed_characters``;
``/v2/languages`` items ``{language, name[, supports_formality]}``; ``/v2/usage``
``{character_count, character_limit}``; errors ``{"message": ...}``; 403 for keys,
413 for size limits, 456 for the quota, 429 with ``Retry-After`` for the rate.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import deepl
import httpx
import pytest
from compat_live import live_server, tiny_settings

ENGLISH = "The city council approved the new budget on Tuesday."
UKRAINIAN = "Міська рада ухвалила новий бюджет у вівторок увечері."
KEY = "deepl-key"


@pytest.fixture(scope="module")
def base_url(tiny_registry: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server requiring keys, with small size limits and 30 requests/minute per key
    (tests use their own keys where counts matter)."""
    keys = [KEY, "native-key", "rate-key", "limit-key"]
    settings = tiny_settings(tiny_registry, tmp_path_factory.mktemp("pulled"),
                             api_keys=keys, rate_limit_rpm=30,
                             max_texts_per_request=3, max_chars_per_text=100,
                             max_chars_per_request=150, max_body_bytes=4000)
    with live_server(settings) as url:
        yield url


@pytest.fixture(scope="module")
def quota_url(tiny_registry: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server with a daily quota of 200 characters per key."""
    settings = tiny_settings(tiny_registry, tmp_path_factory.mktemp("pulled"),
                             api_keys=["usage-key", "quota-key"], chars_per_day=200)
    with live_server(settings) as url:
        yield url


@pytest.fixture()
def translator(base_url: str) -> deepl.Translator:
    return deepl.Translator(KEY, server_url=base_url)


def native_text(base: str, text: str, source: str, target: str, fmt: str = "text") -> str:
    """What the native API makes of the same input (the engines are deterministic)."""
    response = httpx.post(f"{base}/v1/translate", headers={"Authorization": "Bearer native-key"},
                          json={"text": text, "source": source, "target": target,
                                "format": fmt}, timeout=60)
    assert response.status_code == 200, response.text
    return response.json()["translations"][0]["text"]


# --- the real client ------------------------------------------------------------------

def test_client_translates_one_text(base_url: str, translator: deepl.Translator) -> None:
    result = translator.translate_text(ENGLISH, target_lang="UK")
    assert isinstance(result, deepl.TextResult)
    assert result.text == native_text(base_url, ENGLISH, "en", "uk")
    assert result.text != ENGLISH
    assert result.detected_source_lang == "EN"
    assert result.billed_characters == len(ENGLISH)


def test_client_translates_a_list_detecting_each_source(base_url: str,
                                                        translator: deepl.Translator) -> None:
    results = translator.translate_text([UKRAINIAN, ENGLISH], target_lang="EN-GB")
    assert [r.text for r in results] == [native_text(base_url, UKRAINIAN, "uk", "en"), ENGLISH]
    assert [r.detected_source_lang for r in results] == ["UK", "EN"]


def test_client_source_lang_is_used_and_reported(translator: deepl.Translator) -> None:
    result = translator.translate_text("Hello.", source_lang="EN", target_lang="en-us")
    assert (result.text, result.detected_source_lang) == ("Hello.", "EN")


def test_client_html_tag_handling_keeps_markup(base_url: str,
                                               translator: deepl.Translator) -> None:
    html = "<p>The council <b>approved</b> the budget.</p>"
    result = translator.translate_text(html, source_lang="EN", target_lang="RU",
                                       tag_handling="html")
    assert result.text == native_text(base_url, html, "en", "ru", "html")
    assert re.findall(r"<[^>]+>", result.text) == ["<p>", "<b>", "</b>", "</p>"]


def test_client_engine_tuning_parameters_are_accepted(translator: deepl.Translator) -> None:
    result = translator.translate_text(
        "Good morning.", target_lang="EN-US", split_sentences="nonewlines",
        preserve_formatting=True, formality="prefer_less", context="A news story.",
        model_type="latency_optimized", outline_detection=False,
        non_splitting_tags=["span"])
    assert (result.text, result.model_type_used) == ("Good morning.", "latency_optimized")


def test_client_languages(translator: deepl.Translator) -> None:
    sources = translator.get_source_languages()
    assert [(lang.code, lang.name) for lang in sources] == [
        ("EN", "English"), ("KO", "Korean"), ("RU", "Russian"), ("UK", "Ukrainian")]
    targets = translator.get_target_languages()
    assert [(lang.code, lang.name, lang.supports_formality) for lang in targets] == [
        ("EN-GB", "English (British)", False), ("EN-US", "English (American)", False),
        ("KO", "Korean", False), ("RU", "Russian", False), ("UK", "Ukrainian", False)]


def test_client_usage_counts_billed_characters(quota_url: str) -> None:
    client = deepl.Translator("usage-key", server_url=quota_url)
    before = client.get_usage()
    assert (before.character.count, before.character.limit) == (0, 200)
    client.translate_text(["Hello.", "Good night."], target_lang="EN-GB")
    assert client.get_usage().character.count == len("Hello.") + len("Good night.")


def test_client_unsupported_target_is_deepl_400(translator: deepl.Translator) -> None:
    with pytest.raises(deepl.DeepLException) as caught:
        translator.translate_text("Hello.", target_lang="DE")
    assert str(caught.value) == ("Bad request, message: Value for 'target_lang' not "
                                 "supported., detail: Supported: EN-GB, EN-US, KO, RU, UK.")
    assert caught.value.http_status_code == 400


def test_client_unsupported_source_is_deepl_400(translator: deepl.Translator) -> None:
    with pytest.raises(deepl.DeepLException) as caught:
        translator.translate_text("Bonjour.", source_lang="FR", target_lang="EN-GB")
    assert str(caught.value) == ("Bad request, message: Value for 'source_lang' not "
                                 "supported., detail: Supported: EN, UK, RU, KO.")


@pytest.mark.parametrize(("options", "message"), [
    ({"glossary": "g-1", "source_lang": "EN"},
     "Value for 'glossary_id' not supported., detail: glossaries are not supported by "
     "this server"),
    ({"formality": "more"},
     "'formality' is not supported for given 'target_lang'., detail: no served language "
     "supports formality; use prefer_more or prefer_less"),
    ({"tag_handling": "markdown"},
     "Value for 'tag_handling' not supported., detail: use html or xml"),
])
def test_client_options_that_cannot_be_honoured_are_refused(
        translator: deepl.Translator, options: dict, message: str) -> None:
    options.setdefault("target_lang", "UK")
    with pytest.raises(deepl.DeepLException) as caught:
        translator.translate_text("Hello.", **options)
    assert str(caught.value) == f"Bad request, message: {message}"


def test_client_tag_options_are_honoured_and_billed_by_text(
        translator: deepl.Translator) -> None:
    # 150+ characters of markup, 37 of text: under max_chars_per_text=100.
    html = ('<div class="story" data-track="x-1234567890"><p>The council met. <x>It voted'
            '</x> on Tuesday.</p><notes data-id="n1">internal remark</notes></div>')
    assert len(html) > 100
    result = translator.translate_text(
        html, source_lang="EN", target_lang="UK", tag_handling="html",
        ignore_tags=["notes"], non_splitting_tags=["x"], splitting_tags=["p"],
        outline_detection=False)
    assert result.billed_characters == len("The council met. It voted on Tuesday.")
    assert result.text.startswith('<div class="story" data-track="x-1234567890"><p>')
    assert result.text.endswith('</p><notes data-id="n1">internal remark</notes></div>')
    assert result.text.count("<x>") == 1 and "council" not in result.text
    # Without non_splitting_tags, <x> splits the sentence: the model gets other input.
    split = translator.translate_text(html, source_lang="EN", target_lang="UK",
                                      tag_handling="html", ignore_tags="notes")
    assert split.text != result.text


def test_html_page_over_the_body_limit_is_413(base_url: str) -> None:
    page = "<p>" + "<b>x</b>" * 600 + "</p>"
    response = httpx.post(f"{base_url}/v2/translate",
                          headers={"Authorization": f"DeepL-Auth-Key {KEY}"},
                          json={"text": [page], "target_lang": "UK", "tag_handling": "html"})
    assert response.status_code == 413
    assert "max_body_bytes" in response.json()["message"]


def test_client_unknown_key_is_authorization_failure(base_url: str) -> None:
    with pytest.raises(deepl.AuthorizationException) as caught:
        deepl.Translator("wrong", server_url=base_url).translate_text("Hi.", target_lang="UK")
    assert caught.value.http_status_code == 403


def test_client_quota_exceeded_is_456(quota_url: str) -> None:
    client = deepl.Translator("quota-key", server_url=quota_url)
    client.translate_text(["x" * 100, "y" * 50], source_lang="EN", target_lang="EN-US")
    with pytest.raises(deepl.QuotaExceededException) as caught:
        client.translate_text("z" * 51, source_lang="EN", target_lang="EN-US")
    assert caught.value.http_status_code == 456
    assert str(caught.value) == (
        "Quota for this billing period has been exceeded, message: daily quota of 200 "
        "characters exceeded: 50 left today, this request needs 51; the quota resets at "
        "00:00 UTC")


# --- raw HTTP: forms, missing keys, limits, rate --------------------------------------------

def auth(key: str = "limit-key") -> dict[str, str]:
    return {"Authorization": f"DeepL-Auth-Key {key}"}


def test_form_body_with_repeated_text(base_url: str) -> None:
    response = httpx.post(f"{base_url}/v2/translate", headers=auth(), data={
        "text": ["Hello.", UKRAINIAN], "target_lang": "EN-GB"})
    assert response.status_code == 200
    assert response.json() == {"translations": [
        {"detected_source_language": "EN", "text": "Hello."},
        {"detected_source_language": "UK",
         "text": native_text(base_url, UKRAINIAN, "uk", "en")}]}


def test_raw_utf8_form_body(base_url: str) -> None:
    response = httpx.post(f"{base_url}/v2/translate", content=(
        f"text={UKRAINIAN}&target_lang=uk").encode(),
        headers={**auth(), "Content-Type": "application/x-www-form-urlencoded"})
    assert response.json() == {"translations": [
        {"detected_source_language": "UK", "text": UKRAINIAN}]}


def test_missing_key_is_403(base_url: str) -> None:
    response = httpx.post(f"{base_url}/v2/translate",
                          json={"text": ["Hi."], "target_lang": "UK"})
    assert response.status_code == 403
    assert response.json() == {
        "message": "API key required: send 'Authorization: Bearer KEY'"}


@pytest.mark.parametrize(("payload", "message"), [
    ({"target_lang": "UK"}, "Parameter 'text' not specified."),
    ({"text": [], "target_lang": "UK"}, "Parameter 'text' not specified."),
    ({"text": ["Hi."]}, "Parameter 'target_lang' not specified."),
    ({"text": ["Hi."], "target_lang": "UK", "split_sentences": "2"},
     "Value for 'split_sentences' not supported."),
    ({"text": ["Hi."], "target_lang": "UK", "model_type": {}},
     "Value for 'model_type' not supported."),
    ({"text": ["Hi."], "target_lang": "UK", "formality": {"a": 1}},
     "Value for 'formality' not supported."),
    ({"text": ["Hi."], "target_lang": "UK", "tag_handling": 1},
     "Value for 'tag_handling' not supported."),
    ({"text": ["Hi.", {}], "target_lang": "UK"}, "Value for 'text' not supported."),
    ({"text": ["Hi."], "target_lang": {"x": 1}}, "Value for 'target_lang' not supported."),
])
def test_invalid_requests_are_400_with_deepl_messages(base_url: str, payload: dict,
                                                      message: str) -> None:
    response = httpx.post(f"{base_url}/v2/translate", headers=auth(), json=payload)
    assert response.status_code == 400
    assert response.json()["message"] == message


@pytest.mark.parametrize(("texts", "message"), [
    (["a", "b", "c", "d"], "text has 4 items; the limit is 3 per request "
                           "(max_texts_per_request)"),
    (["a", "x" * 101], "text has 101 characters; the limit is 100 per text "
                       "(max_chars_per_text)"),
    (["x" * 80, "y" * 71], "the request has 151 characters; the limit is 150 per request "
                           "(max_chars_per_request)"),
])
def test_over_a_size_limit_is_413_naming_the_limit(base_url: str, texts: list[str],
                                                   message: str) -> None:
    response = httpx.post(f"{base_url}/v2/translate", headers=auth(),
                          json={"text": texts, "target_lang": "UK"})
    assert (response.status_code, response.json()) == (413, {"message": message})


def test_body_over_max_body_bytes_is_413(base_url: str) -> None:
    response = httpx.post(f"{base_url}/v2/translate", headers=auth(),
                          data={"text": "x" * 5000, "target_lang": "UK"})
    assert response.status_code == 413
    assert response.json()["message"].endswith("the limit is 4000 bytes (max_body_bytes)")


def test_languages_type_in_query_string(base_url: str) -> None:
    response = httpx.get(f"{base_url}/v2/languages", params={"type": "target"},
                         headers=auth())
    assert [item["language"] for item in response.json()] == [
        "EN-GB", "EN-US", "KO", "RU", "UK"]
    bad = httpx.get(f"{base_url}/v2/languages", params={"type": "both"}, headers=auth())
    assert (bad.status_code, bad.json()["message"]) == (400, "Value for 'type' not supported.")


def test_over_the_rate_is_429_with_retry_after(base_url: str) -> None:
    statuses = [httpx.get(f"{base_url}/v2/usage", headers=auth("rate-key")).status_code
                for _ in range(31)]
    assert statuses == [200] * 30 + [429]
    response = httpx.get(f"{base_url}/v2/usage", headers=auth("rate-key"))
    assert response.status_code == 429
    assert response.json()["message"].startswith("rate limit of 30 requests per minute")
    assert 1 <= int(response.headers["Retry-After"]) <= 60
