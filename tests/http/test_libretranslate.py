"""The LibreTranslate-compatible routes, driven by the real ``libretranslatepy`` client
and by raw HTTP for the shapes the client does not cover (JSON lists, forms, errors).

Expected shapes are LibreTranslate's documented ones: ``translatedText`` mirrors ``q``
(string or list), ``detectedLanguage`` ``{"confidence": 0-100, "language"}`` with
``source=auto``, ``/detect`` a list of ``{confidence, language}``, ``/languages``
items ``{code, name, targets}``, errors ``{"error": "..."}``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.error import HTTPError

import httpx
import pytest
from compat_live import live_server, tiny_settings
from libretranslatepy import LibreTranslateAPI

ENGLISH = "The city council approved the new budget on Tuesday."
UKRAINIAN = "Міська рада ухвалила новий бюджет у вівторок увечері."


@pytest.fixture(scope="module")
def base_url(tiny_registry: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An open server with small size limits."""
    settings = tiny_settings(tiny_registry, tmp_path_factory.mktemp("pulled"),
                             max_texts_per_request=3, max_chars_per_text=200,
                             max_chars_per_request=300, max_body_bytes=4000)
    with live_server(settings) as url:
        yield url


@pytest.fixture(scope="module")
def keyed_url(tiny_registry: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server that requires keys, with 3 requests/minute and 60 characters/day."""
    settings = tiny_settings(tiny_registry, tmp_path_factory.mktemp("pulled"),
                             api_keys=["key-ok", "key-rate", "key-quota"],
                             rate_limit_rpm=3, chars_per_day=60)
    with live_server(settings) as url:
        yield url


def native_text(base: str, text: str, source: str, target: str, fmt: str = "text") -> str:
    """What the native API makes of the same input (the engines are deterministic)."""
    response = httpx.post(f"{base}/v1/translate", json={
        "text": text, "source": source, "target": target, "format": fmt}, timeout=60)
    assert response.status_code == 200, response.text
    return response.json()["translations"][0]["text"]


def error_of(exc: HTTPError) -> tuple[int, dict]:
    return exc.code, json.loads(exc.read())


# --- the real client -----------------------------------------------------------------

def test_client_translate_returns_the_models_translation(base_url: str) -> None:
    lt = LibreTranslateAPI(base_url)
    translated = lt.translate(ENGLISH, "en", "uk")
    assert translated == native_text(base_url, ENGLISH, "en", "uk")
    assert translated != ENGLISH


def test_client_translate_auto_passes_text_already_in_target_through(base_url: str) -> None:
    lt = LibreTranslateAPI(base_url)
    assert lt.translate(ENGLISH, "auto", "en") == ENGLISH


def test_client_detect_lists_confidence_and_language(base_url: str) -> None:
    detections = LibreTranslateAPI(base_url).detect(UKRAINIAN)
    assert [d["language"] for d in detections] == ["uk"]
    confidence = detections[0]["confidence"]
    assert isinstance(confidence, int) and 50 <= confidence <= 100


def test_client_languages_lists_codes_names_and_targets(base_url: str) -> None:
    languages = LibreTranslateAPI(base_url).languages()
    assert [(item["code"], item["name"]) for item in languages] == [
        ("en", "English"), ("uk", "Ukrainian"), ("ru", "Russian"), ("ko", "Korean")]
    targets = {item["code"]: item["targets"] for item in languages}
    assert targets["en"] == ["uk", "ru", "ko"]
    assert targets["ko"] == ["en", "uk", "ru"]


def test_client_unsupported_language_is_400_with_error_body(base_url: str) -> None:
    with pytest.raises(HTTPError) as caught:
        LibreTranslateAPI(base_url).translate(ENGLISH, "en", "fr")
    assert error_of(caught.value) == (
        400, {"error": "fr is not supported (supported: en, uk, ru, ko)"})


# --- shapes the client does not cover ----------------------------------------------------

def test_auto_source_reports_detected_language(base_url: str) -> None:
    response = httpx.post(f"{base_url}/translate",
                          json={"q": UKRAINIAN, "source": "auto", "target": "en"})
    assert response.status_code == 200
    body = response.json()
    assert body["translatedText"] == native_text(base_url, UKRAINIAN, "uk", "en")
    assert body["detectedLanguage"]["language"] == "uk"
    assert 50 <= body["detectedLanguage"]["confidence"] <= 100


def test_explicit_source_has_no_detected_language(base_url: str) -> None:
    body = httpx.post(f"{base_url}/translate",
                      json={"q": ENGLISH, "source": "en", "target": "ru"}).json()
    assert set(body) == {"translatedText"}


def test_q_list_gives_list_with_one_detection_per_text(base_url: str) -> None:
    response = httpx.post(f"{base_url}/translate", json={
        "q": [ENGLISH, UKRAINIAN], "source": "auto", "target": "en"})
    assert response.status_code == 200
    body = response.json()
    assert body["translatedText"] == [ENGLISH, native_text(base_url, UKRAINIAN, "uk", "en")]
    assert [d["language"] for d in body["detectedLanguage"]] == ["en", "uk"]


def test_form_body_and_alternatives(base_url: str) -> None:
    response = httpx.post(f"{base_url}/translate", data={
        "q": ENGLISH, "source": "en", "target": "ko", "alternatives": "3"})
    assert response.status_code == 200
    assert response.json() == {"translatedText": native_text(base_url, ENGLISH, "en", "ko"),
                               "alternatives": []}


def test_raw_utf8_form_and_multipart_bodies(base_url: str) -> None:
    # `curl -d q=...` sends UTF-8 without percent-encoding; `curl -F` sends multipart.
    raw = httpx.post(f"{base_url}/detect", content=f"q={UKRAINIAN}".encode(),
                     headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert [d["language"] for d in raw.json()] == ["uk"]
    multipart = httpx.post(f"{base_url}/translate", files={
        "q": (None, "Hello."), "source": (None, "auto"), "target": (None, "en")})
    assert multipart.json() == {"translatedText": "Hello.",
                                "detectedLanguage": {"confidence": 100, "language": "en"}}


def test_html_format_keeps_markup(base_url: str) -> None:
    html = "<p>The council <b>approved</b> the budget.</p>"
    body = httpx.post(f"{base_url}/translate", json={
        "q": html, "source": "en", "target": "uk", "format": "html"}).json()
    assert body["translatedText"] == native_text(base_url, html, "en", "uk", "html")
    assert re.findall(r"<[^>]+>", body["translatedText"]) == ["<p>", "<b>", "</b>", "</p>"]


@pytest.mark.parametrize(("payload", "message"), [
    ({"source": "en", "target": "uk"}, "Invalid request: missing q parameter"),
    ({"q": "", "source": "en", "target": "uk"}, "Invalid request: missing q parameter"),
    ({"q": "Hi", "target": "uk"}, "Invalid request: missing source parameter"),
    ({"q": "Hi", "source": "en"}, "Invalid request: missing target parameter"),
    ({"q": "Hi", "source": "xx", "target": "uk"},
     "xx is not supported (supported: en, uk, ru, ko)"),
    ({"q": "Hi", "source": "en", "target": "uk", "format": "markdown"},
     "markdown format is not supported"),
    ({"q": "Hi", "source": "en", "target": "uk", "alternatives": "many"},
     "Invalid request: alternatives parameter is not a number"),
    ({"q": ["Hi", 3], "source": "en", "target": "uk"},
     "Invalid request: q must be a string or a list of strings"),
    ({"q": "Hi", "source": "en", "target": "uk", "api_key": ["k"]},
     "Invalid request: api_key must be a string"),
    ({"q": "Hi", "source": {"en": 1}, "target": "uk"},
     "Invalid request: source must be a string"),
])
def test_invalid_requests_are_400_with_the_reason(base_url: str, payload: dict,
                                                   message: str) -> None:
    response = httpx.post(f"{base_url}/translate", json=payload)
    assert (response.status_code, response.json()) == (400, {"error": message})


def test_malformed_json_is_400(base_url: str) -> None:
    response = httpx.post(f"{base_url}/translate", content=b'{"q": ',
                          headers={"Content-Type": "application/json"})
    assert (response.status_code, response.json()) == (400, {"error": "Invalid JSON format"})


@pytest.mark.parametrize(("payload", "message"), [
    ({"q": ["a", "b", "c", "d"]},
     "q has 4 items; the limit is 3 per request (max_texts_per_request)"),
    ({"q": ["a", "x" * 201]},
     "q[1] has 201 characters; the limit is 200 per text (max_chars_per_text)"),
    ({"q": ["x" * 150, "y" * 151]},
     "the request has 301 characters; the limit is 300 per request (max_chars_per_request)"),
])
def test_over_a_size_limit_is_400_naming_the_limit(base_url: str, payload: dict,
                                                    message: str) -> None:
    response = httpx.post(f"{base_url}/translate",
                          json={**payload, "source": "en", "target": "uk"})
    assert (response.status_code, response.json()) == (400, {"error": message})


def test_body_over_max_body_bytes_is_400_naming_the_limit(base_url: str) -> None:
    response = httpx.post(f"{base_url}/translate",
                          data={"q": "x" * 5000, "source": "en", "target": "uk"})
    assert response.status_code == 400
    assert response.json()["error"].endswith("the limit is 4000 bytes (max_body_bytes)")


def test_detect_without_identifiable_language_is_400(base_url: str) -> None:
    response = httpx.post(f"{base_url}/detect", data={"q": "Ceci est une phrase française."})
    assert response.status_code == 400
    assert response.json()["error"].startswith("Could not identify the language of q")


def test_detect_missing_q_is_400(base_url: str) -> None:
    response = httpx.post(f"{base_url}/detect", data={})
    assert (response.status_code, response.json()) == (
        400, {"error": "Invalid request: missing q parameter"})


# --- API keys and per-key limits ---------------------------------------------------------------

def test_client_with_valid_key_translates(keyed_url: str) -> None:
    lt = LibreTranslateAPI(keyed_url, api_key="key-ok")
    assert lt.translate("Hello.", "en", "en") == "Hello."
    assert [item["code"] for item in lt.languages()] == ["en", "uk", "ru", "ko"]


def test_missing_key_is_400_and_unknown_key_403(keyed_url: str) -> None:
    with pytest.raises(HTTPError) as missing:
        LibreTranslateAPI(keyed_url).translate("Hello.", "en", "uk")
    assert error_of(missing.value) == (
        400, {"error": "Please contact the server operator to get an API key"})
    with pytest.raises(HTTPError) as unknown:
        LibreTranslateAPI(keyed_url, api_key="nope").detect("Hello there, friends.")
    assert error_of(unknown.value) == (403, {"error": "Invalid API key"})


def test_json_api_key_field_is_accepted(keyed_url: str) -> None:
    response = httpx.post(f"{keyed_url}/translate", json={
        "q": "Hello.", "source": "en", "target": "en", "api_key": "key-ok"})
    assert (response.status_code, response.json()) == (200, {"translatedText": "Hello."})


def test_over_the_rate_is_429_slowdown_with_retry_after(keyed_url: str) -> None:
    form = {"q": "Hi.", "source": "en", "target": "en", "api_key": "key-rate"}
    for _ in range(3):
        assert httpx.post(f"{keyed_url}/translate", data=form).status_code == 200
    response = httpx.post(f"{keyed_url}/translate", data=form)
    assert response.status_code == 429
    assert response.json()["error"].startswith(
        "Slowdown: rate limit of 3 requests per minute exceeded; retry in ")
    assert 1 <= int(response.headers["Retry-After"]) <= 60


def test_over_the_daily_quota_is_429_slowdown(keyed_url: str) -> None:
    lt = LibreTranslateAPI(keyed_url, api_key="key-quota")
    assert lt.translate("x" * 50, "en", "en") == "x" * 50
    with pytest.raises(HTTPError) as caught:
        lt.translate("y" * 20, "en", "en")
    status, body = error_of(caught.value)
    assert status == 429
    assert body == {"error": "Slowdown: daily quota of 60 characters exceeded: 10 left today, "
                             "this request needs 20; the quota resets at 00:00 UTC"}
    assert int(caught.value.headers["Retry-After"]) <= 86_400
