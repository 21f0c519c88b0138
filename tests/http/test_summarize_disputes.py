"""``POST /v1/summarize`` on contested articles with page furniture: the response
carries the claims table, the disputes, the furniture left out and the fifth check.
In process (TestClient) for every article, and once against a real server."""

from __future__ import annotations

import sys
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "summarize"))
from contested import CASES  # noqa: E402

CHECKS = ["novel_content", "attribution", "sides", "loaded_language", "disputes"]


def _assert_contested_body(body: dict, name: str) -> None:
    case = CASES[name]
    assert body["mode_used"] == "extractive" and body["source_language"] == case.lang
    # Furniture: listed, never in the summary.
    left_out = " ".join(r["text"] for r in body["furniture"])
    for piece in case.furniture:
        assert piece in left_out and piece not in body["summary"]
    assert {r["kind"] for r in body["furniture"]} <= {
        "dateline", "byline", "share", "widget", "notice", "related", "repeated"}
    # The claims table: the denial answers the claim, each with its side.
    rows = {r["index"]: r for r in body["claims"]}
    dispute = next(d for d in body["disputes"] if d["claim_side"] == case.claim_side)
    assert dispute["counter_side"] == case.counter_side
    denial = rows[dispute["counter"]]
    assert denial["stance"] == "denies" and denial["side"] == case.counter_side
    assert denial["answers"] == dispute["claim"] and case.counter in denial["sentence"]
    assert case.claim in rows[dispute["claim"]]["sentence"]
    assert rows[dispute["claim"]]["side"] == case.claim_side
    # Both positions in the summary, and the report says so.
    assert denial["sentence"] in body["summary"] or any(
        rows[i]["sentence"] in body["summary"] for i in dispute["counter_group"])
    assert any(rows[i]["sentence"] in body["summary"] for i in dispute["claim_group"])
    assert list(body["neutrality"]["checks"]) == CHECKS
    assert body["neutrality"]["passed"] is True, body["neutrality"]
    assert body["over_limit"] is False


@pytest.mark.parametrize("name", list(CASES))
def test_summarize_returns_claims_disputes_and_furniture(client: TestClient, name: str):
    response = client.post("/v1/summarize", json={"text": CASES[name].text,
                                                  "mode": "extractive"})
    assert response.status_code == 200, response.text
    _assert_contested_body(response.json(), name)


def test_issue_article_keeps_the_refutation(client: TestClient):
    # The report from issue 12: the dateline is not a sentence and the refutation of
    # Ukraine's General Staff travels with the Russian claim.
    body = client.post("/v1/summarize", json={"text": CASES["en-war"].text,
                                              "mode": "extractive"}).json()
    assert not body["summary"].startswith("date ")
    assert "Ukraine's General Staff has refuted claims" in body["summary"]
    assert "Gerasimov told President Vladimir Putin" in body["summary"]
    assert body["furniture"][0]["kind"] == "dateline"
    assert body["furniture"][0]["start"] == 0


def test_openapi_documents_the_claims_rows(client: TestClient):
    schema = client.get("/openapi.json").json()["components"]["schemas"]
    assert set(schema["ClaimRow"]["properties"]) == {
        "index", "speaker", "side", "stance", "verb", "answers", "restates", "sentence"}
    props = schema["SummarizeResponse"]["properties"]
    assert {"claims", "disputes", "furniture", "over_limit"} <= set(props)


def test_real_server_summarize_carries_the_disputes_check(live_server, server_env,
                                                          tmp_path: Path):
    with live_server(server_env, log_path=tmp_path / "server.log") as (_, base_url):
        response = httpx.post(f"{base_url}/v1/summarize", timeout=120,
                              json={"text": CASES["ko-war"].text, "mode": "extractive"})
    assert response.status_code == 200, response.text
    _assert_contested_body(response.json(), "ko-war")
