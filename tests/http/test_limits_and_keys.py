"""Size limits (400 naming the limit), API keys, per-key rate and quota (429 with
Retry-After), and queue overload mapped to 429."""

from __future__ import annotations

import logging

import pytest

from service.errors import Overloaded
from service.workflows.translation import TranslationService


def error(response) -> dict:
    return response.json()["error"]


# --- size limits ------------------------------------------------------------------------

def test_too_many_texts(make_client):
    client = make_client(max_texts_per_request=2)
    response = client.post("/v1/translate", json={"texts": ["a", "b", "c"], "target": "uk"})
    assert response.status_code == 400
    assert error(response) == {
        "type": "limit_exceeded", "field": "texts", "limit": "max_texts_per_request",
        "message": "texts has 3 items; the limit is 2 per request (max_texts_per_request)"}


def test_text_too_long(make_client):
    client = make_client(max_chars_per_text=10)
    response = client.post("/v1/translate", json={"texts": ["short", "much too long text"],
                                                  "target": "uk"})
    assert response.status_code == 400
    assert error(response) == {
        "type": "limit_exceeded", "field": "texts[1]", "limit": "max_chars_per_text",
        "message": "texts[1] has 18 characters; the limit is 10 per text (max_chars_per_text)"}


def test_request_too_many_characters(make_client):
    client = make_client(max_chars_per_request=12)
    response = client.post("/v1/detect", json={"texts": ["abcdefg", "hijklmn"]})
    assert response.status_code == 400
    assert error(response)["limit"] == "max_chars_per_request"
    assert error(response)["message"] == ("the request has 14 characters; the limit is 12 "
                                          "per request (max_chars_per_request)")


def test_body_too_large_is_refused_before_parsing(make_client):
    client = make_client(max_body_bytes=100)
    body = '{"text": "' + "x" * 200 + '", "target": "uk"}'
    response = client.post("/v1/translate", content=body,
                           headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert error(response) == {
        "type": "limit_exceeded", "field": "body", "limit": "max_body_bytes",
        "message": f"request body has {len(body)} bytes; the limit is 100 bytes "
                   "(max_body_bytes)"}
    assert client.get("/healthz").status_code == 200


def test_chunked_body_over_limit_is_refused(make_client):
    client = make_client(max_body_bytes=100)

    def chunks():
        yield b'{"text": "'
        yield b"y" * 150
        yield b'", "target": "uk"}'

    response = client.post("/v1/translate", content=chunks(),
                           headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert error(response)["limit"] == "max_body_bytes"


# --- API keys -----------------------------------------------------------------------------

def test_no_keys_configured_means_open(client):
    assert client.get("/v1/languages").status_code == 200


@pytest.mark.parametrize(("headers", "message"), [
    ({}, "API key required: send 'Authorization: Bearer KEY'"),
    ({"Authorization": "Bearer wrong"}, "invalid API key"),
    ({"Authorization": "Basic c2VjcmV0"},
     "Authorization header must be 'Bearer KEY' or 'DeepL-Auth-Key KEY'"),
])
def test_keys_required_when_configured(make_client, headers, message):
    client = make_client(api_keys=["s3cret-key"])
    response = client.get("/v1/languages", headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert error(response) == {"type": "unauthorized", "message": message,
                               "field": "Authorization"}


@pytest.mark.parametrize("scheme", ["Bearer", "DeepL-Auth-Key"])
def test_key_accepted_in_either_scheme(make_client, scheme):
    client = make_client(api_keys=["s3cret-key"])
    response = client.get("/v1/languages", headers={"Authorization": f"{scheme} s3cret-key"})
    assert response.status_code == 200


def test_keys_from_file_and_probes_stay_open(make_client, tmp_path):
    keys = tmp_path / "keys.txt"
    keys.write_text("# newsroom A\nfile-key-1\n\nfile-key-2\n", "utf-8")
    client = make_client(api_keys_file=keys)
    ok = client.get("/v1/models", headers={"Authorization": "Bearer file-key-2"})
    assert ok.status_code == 200
    assert client.get("/v1/models").status_code == 401
    assert client.get("/healthz").status_code == 200
    assert client.get("/metrics").status_code == 200


def test_keys_never_logged(make_client, caplog):
    client = make_client(api_keys=["s3cret-key"])
    with caplog.at_level(logging.INFO):
        client.get("/v1/languages", headers={"Authorization": "Bearer s3cret-key"})
        client.get("/v1/languages", headers={"Authorization": "Bearer not-the-key"})
    lines = [r for r in caplog.records if r.name == "service.http.access"]
    assert len(lines) == 2
    assert lines[0].key_id.startswith("key-")
    text = caplog.text + "".join(str(r.__dict__) for r in caplog.records)
    assert "s3cret-key" not in text and "not-the-key" not in text


def test_openapi_documents_bearer_only_when_keys_are_required(make_client):
    open_schema = make_client().get("/openapi.json").json()
    assert "securitySchemes" not in open_schema.get("components", {})
    keyed = make_client(api_keys=["k"]).get("/openapi.json").json()
    assert keyed["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    assert keyed["paths"]["/v1/translate"]["post"]["security"] == [{"bearer": []}]


# --- per-key rate and quota ---------------------------------------------------------------

def test_rate_limit_per_key_gives_429_with_retry_after(make_client):
    client = make_client(api_keys=["a", "b"], rate_limit_rpm=2)
    key_a = {"Authorization": "Bearer a"}
    assert [client.get("/v1/languages", headers=key_a).status_code for _ in range(2)] == [200,
                                                                                           200]
    refused = client.get("/v1/languages", headers=key_a)
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert error(refused)["type"] == "rate_limited"
    assert error(refused)["message"].startswith("rate limit of 2 requests per minute exceeded")
    # Another key has its own budget.
    assert client.get("/v1/languages", headers={"Authorization": "Bearer b"}).status_code == 200


def test_daily_character_quota(make_client):
    client = make_client(api_keys=["a"], chars_per_day=20)
    key = {"Authorization": "Bearer a"}
    assert client.post("/v1/detect", json={"text": "Hello there, friends"},
                       headers=key).status_code == 200
    refused = client.post("/v1/detect", json={"text": "Hi"}, headers=key)
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) >= 1
    assert error(refused) == {
        "type": "quota_exceeded",
        "message": "daily quota of 20 characters exceeded: 0 left today, this request needs "
                   "2; the quota resets at 00:00 UTC"}


def test_rejected_request_is_not_charged(make_client):
    client = make_client(api_keys=["a"], chars_per_day=20)
    key = {"Authorization": "Bearer a"}
    bad = client.post("/v1/translate", json={"text": "x" * 15, "target": "fr"}, headers=key)
    assert bad.status_code == 400
    assert client.post("/v1/detect", json={"text": "y" * 20}, headers=key).status_code == 200


# --- overload ---------------------------------------------------------------------------

def test_queue_full_is_429_with_retry_after(client, monkeypatch):
    async def overloaded(self, texts, **kwargs):
        raise Overloaded("model m is busy: 10 inputs queued, limit 10; retry later",
                         retry_after=2.2)

    monkeypatch.setattr(TranslationService, "translate_many", overloaded)
    response = client.post("/v1/translate", json={"text": "Hello", "target": "uk"})
    assert response.status_code == 429
    assert response.headers["retry-after"] == "3"
    assert error(response) == {"type": "overloaded", "message": "model m is busy: 10 inputs "
                               "queued, limit 10; retry later"}


def test_request_needing_more_than_the_queue_is_a_named_limit(make_client):
    client = make_client(max_queue_items=2)
    text = "\n".join(f"Line number {i} of the article." for i in range(5))
    response = client.post("/v1/translate", json={"text": text, "source": "en", "target": "uk"})
    assert response.status_code == 400
    assert error(response)["limit"] == "max_queue_items"
