"""The native JSON API over the tiny catalogue: results, order, routes, detection,
listings, and every error path with its exact status, field and message."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.registry import Registry

NTREX = Path(__file__).resolve().parents[3] / "shared" / "data" / "ntrex128"
FILES = {"en": "eng.txt", "uk": "ukr.txt", "ru": "rus.txt", "ko": "kor.txt"}


def ntrex_line(lang: str, index: int) -> str:
    path = NTREX / FILES[lang]
    if not path.is_file():
        pytest.skip(f"NTREX-128 not found at {NTREX}")
    return path.read_text("utf-8").splitlines()[index]


def error(response) -> dict:
    return response.json()["error"]


# --- /v1/translate -------------------------------------------------------------------

def test_translate_reports_detected_source_and_route(client: TestClient, tiny_registry):
    text = ntrex_line("en", 1)
    response = client.post("/v1/translate", json={"text": text, "target": "uk"})
    assert response.status_code == 200
    [result] = response.json()["translations"]
    route = Registry.load(tiny_registry).route_translation("en", "uk")
    assert result["source"] == "en" and result["detected"] is True
    assert 0.5 < result["confidence"] <= 1.0
    assert result["route"] == {"kind": route.kind, "steps": route.describe()}
    assert result["text"] and result["text"] != text


def test_translate_texts_keep_input_order_and_match_single_requests(client: TestClient):
    texts = [ntrex_line("en", i) for i in (3, 10, 20)]
    batch = client.post("/v1/translate", json={"texts": texts, "source": "en",
                                               "target": "ru"}).json()["translations"]
    singles = [client.post("/v1/translate", json={"text": t, "source": "en", "target": "ru"}
                           ).json()["translations"][0]["text"] for t in texts]
    assert [r["text"] for r in batch] == singles
    assert len(set(singles)) == 3  # different inputs, so order is really tested
    assert all(r["detected"] is False and r["confidence"] == 1.0 for r in batch)


def test_translate_pivot_route_is_reported(client: TestClient, tiny_registry):
    route = Registry.load(tiny_registry).route_translation("uk", "ru")
    response = client.post("/v1/translate", json={"text": ntrex_line("uk", 2),
                                                  "source": "uk", "target": "ru"})
    assert response.status_code == 200
    assert response.json()["translations"][0]["route"] == {"kind": route.kind,
                                                           "steps": route.describe()}


def test_translate_html_keeps_tags_and_attributes(client: TestClient):
    html = '<p class="lead">Kyiv is the capital.</p><a href="https://x.example/a">Read more</a>'
    response = client.post("/v1/translate", json={"text": html, "source": "en",
                                                  "target": "uk", "format": "html"})
    assert response.status_code == 200
    out = response.json()["translations"][0]["text"]
    assert out.startswith('<p class="lead">') and '</p><a href="https://x.example/a">' in out
    assert out.endswith("</a>") and "Kyiv is the capital." not in out


@pytest.mark.parametrize(("body", "status", "field", "message"), [
    ('{"text": ', 400, "body", "body is not valid JSON: Expecting value at character 9"),
    ('[1, 2]', 400, "body", "body must be a JSON object (Content-Type: application/json)"),
    ('{"text": 5, "target": "uk"}', 400, "text", "text: Input should be a valid string"),
    ('{"texts": ["a", 3], "target": "uk"}', 400, "texts[1]",
     "texts[1]: Input should be a valid string"),
    ('{"text": "a"}', 400, "target", "target: field required"),
    ('{"text": "a", "target": "uk", "targt": "ru"}', 400, "targt", "targt: unknown field"),
    ('{"text": "a", "texts": ["b"], "target": "uk"}', 400, "body",
     "give exactly one of 'text' or 'texts'"),
    ('{"target": "uk"}', 400, "body", "give exactly one of 'text' or 'texts'"),
    ('{"texts": [], "target": "uk"}', 400, "texts", "texts must contain at least one text"),
    ('{"text": null, "target": "uk"}', 400, "text",
     "text: must be a string, not null (leave the field out instead)"),
    ('{"text": "Hello", "target": "fr"}', 400, "target",
     "Unsupported language code 'fr' for target; supported: en, uk, ru, ko."),
    ('{"text": "Hello", "source": "xx", "target": "uk"}', 400, "source",
     "Unsupported language code 'xx' for source; supported: en, uk, ru, ko (or 'auto')."),
    ('{"text": "Hello", "target": "uk", "format": "pdf"}', 400, "format",
     "format: Input should be 'text' or 'html'"),
])
def test_translate_rejects_bad_input_naming_field(client: TestClient, body, status, field,
                                                  message):
    response = client.post("/v1/translate", content=body,
                           headers={"content-type": "application/json"})
    assert response.status_code == status
    assert error(response)["field"] == field
    assert error(response)["message"] == message
    assert client.get("/healthz").status_code == 200


def test_non_utf8_body_is_400_with_offset(client: TestClient):
    response = client.post("/v1/translate", content=b'{"text": "\xff", "target": "uk"}',
                           headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert error(response) == {"type": "invalid_request", "field": "body",
                               "message": "body is not valid UTF-8 (invalid byte at offset 10)"}


def test_undetectable_language_names_field(client: TestClient):
    response = client.post("/v1/translate", json={"texts": ["Hello world", "Bonjour mes amis, "
                                                  "comment allez-vous aujourd'hui?"],
                                                  "target": "uk"})
    assert response.status_code == 400
    assert error(response)["type"] == "language_not_detected"
    assert error(response)["field"] == "texts[1]"


def test_wrong_method_is_405_in_error_shape(client: TestClient):
    response = client.delete("/v1/translate")
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert error(response) == {"type": "method_not_allowed", "message": "Method Not Allowed"}


# --- /v1/detect, /v1/languages, /v1/models ----------------------------------------------

def test_detect_each_text_in_order(client: TestClient):
    texts = [ntrex_line(lang, 5) for lang in ("ko", "en", "ru", "uk")]
    response = client.post("/v1/detect", json={"texts": texts + ["12345 !!"]})
    assert response.status_code == 200
    found = response.json()["detections"]
    assert [d["language"] for d in found] == ["ko", "en", "ru", "uk", None]
    assert found[-1] == {"language": None, "confidence": 0.0, "reason": "no letters"}
    assert all(0.5 < d["confidence"] <= 1.0 for d in found[:4])


def test_detect_single_text(client: TestClient):
    response = client.post("/v1/detect", json={"text": ntrex_line("uk", 7)})
    assert [d["language"] for d in response.json()["detections"]] == ["uk"]


def test_languages_list_targets_from_catalogue(client: TestClient, tiny_registry):
    registry = Registry.load(tiny_registry)
    served = ["en", "uk", "ru", "ko"]
    body = client.get("/v1/languages").json()
    assert body == {"languages": [
        {"code": c, "name": n, "targets": registry.translation_targets(c, served)}
        for c, n in zip(served, ["English", "Ukrainian", "Russian", "Korean"])]}


def test_models_show_licence_and_load_state(client: TestClient, tiny_registry):
    registry = Registry.load(tiny_registry)
    before = {m["id"]: m for m in client.get("/v1/models").json()["models"]}
    assert set(before) == {e.name for e in registry.all_entries()}
    assert not any(m["loaded"] for m in before.values())
    model = registry.route_translation("en", "uk").models[0]
    entry = registry.get(model)
    assert before[model]["licence"] == entry.licence
    assert before[model]["directions"] == entry.directions
    assert before[model]["local"] is True and before[model]["device"] is None

    client.post("/v1/translate", json={"text": "Hello there", "source": "en", "target": "uk"})
    after = {m["id"]: m for m in client.get("/v1/models").json()["models"]}
    assert after[model]["loaded"] is True and after[model]["device"] == "cpu"
    assert after[model]["load_seconds"] is not None


def test_models_show_attribution_target_tokens_and_published_scores(make_client):
    # The shipped catalogue: listing models loads none of them.
    from service.settings import default_registry_path

    client = make_client(registry=default_registry_path())
    rows = {m["id"]: m for m in client.get("/v1/models").json()["models"]}
    catalogue = Registry.load(default_registry_path())
    assert set(rows) == {e.name for e in catalogue.all_entries()}
    zle = rows["opus-mt-tc-big-en-zle"]
    assert zle["licence"] == "cc-by-4.0" and zle["usable"] is True
    assert zle["attribution"] == catalogue.get("opus-mt-tc-big-en-zle").attribution
    assert "CC BY 4.0" in zle["attribution"]
    assert zle["target_tokens"] == {"uk": ">>ukr<<", "ru": ">>rus<<"}
    assert {"direction": "en-uk", "metric": "chrF", "test_set": "flores200-devtest",
            "value": 60.1, "source": "Helsinki-NLP/Tatoeba-Challenge models/eng-zle/"
            "opusTCv20210807+bt_transformer-big_2022-03-13.chrf-scores.txt"} in zle["scores"]
    assert rows["opus-mt-tc-big-en-ko"]["target_tokens"] == {}
    assert rows["m2m100-418m"]["usable"] is False and rows["m2m100-418m"]["scores"]


# --- /v1/summarize ---------------------------------------------------------------------

def test_summarize_returns_summary_and_neutrality_report(client: TestClient):
    article = "\n".join(ntrex_line("en", i) for i in range(1, 8))
    response = client.post("/v1/summarize", json={"text": article, "mode": "extractive",
                                                  "max_sentences": 2})
    assert response.status_code == 200
    body = response.json()
    assert body["source_language"] == "en" and body["mode_used"] == "extractive"
    assert body["summary"] and set(body["neutrality"]) >= {"passed", "checks"}


def test_summarize_rejects_unknown_mode(client: TestClient):
    response = client.post("/v1/summarize", json={"text": "Hello.", "mode": "poetic"})
    assert response.status_code == 400
    assert error(response)["field"] == "mode"
