"""``POST /v1/summarize`` with the instruction model (tiny Qwen3) and the NLI
faithfulness check (tiny DeBERTa-v2), over real HTTP calls to the app."""

from __future__ import annotations

from pathlib import Path

import yaml

from tests.summarize.articles import ARTICLES


def test_abstractive_summary_from_the_instruction_model_with_its_report(make_client) -> None:
    client = make_client(summary_model="tiny-qwen3", summary_enforcement="report-only")
    response = client.post("/v1/summarize", json={"text": ARTICLES["ru"],
                                                  "mode": "abstractive", "max_sentences": 2})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["mode_used"] == "abstractive" and body["source_language"] == "ru"
    assert body["model_route"][0]["model"] == "tiny-qwen3"
    assert body["model_route"][0]["prompt"] == "neutral-summary/ru"
    assert body["enforcement"]["policy"] == "report-only"
    assert body["enforcement"]["faithfulness"] == {"checked": True, "model": "tiny-nli"}
    checks = body["neutrality"]["checks"]
    assert {"novel_content", "attribution", "sides", "loaded_language",
            "faithfulness"} <= set(checks)
    assert checks["faithfulness"]["model"] == "tiny-nli"
    # Random weights: whatever the model wrote is served flagged, never silently.
    assert body["neutrality"]["passed"] is False
    assert body["enforcement"]["action"] == "reported"


def test_auto_picks_the_instruction_model_when_local(make_client) -> None:
    client = make_client(summary_model="tiny-qwen3", summary_enforcement="fallback")
    response = client.post("/v1/summarize", json={"text": ARTICLES["en"]})
    assert response.status_code == 200, response.text
    body = response.json()
    assert "auto: used the abstractive model 'tiny-qwen3' (its weights are local)" in body[
        "notes"]
    assert body["model_route"][0]["model"] == "tiny-qwen3"
    # The random model's candidate fails the checks, so fallback serves the extractive
    # summary and says so.
    assert body["enforcement"]["action"] == "fallback"
    assert body["mode_used"] == "extractive"
    assert body["enforcement"]["candidate_report"]["passed"] is False


def test_auto_without_local_instruction_weights_is_extractive(make_client, tiny_dir: Path,
                                                              tmp_path: Path) -> None:
    catalogue = yaml.safe_load((tiny_dir / "registry.yaml").read_text("utf-8"))
    for entry in catalogue["models"].values():
        entry["path"] = str(tiny_dir / entry["path"])
    catalogue["models"]["tiny-qwen3"]["path"] = str(tmp_path / "not-pulled")
    registry = tmp_path / "registry.yaml"
    registry.write_text(yaml.safe_dump(catalogue, allow_unicode=True), "utf-8")
    client = make_client(registry=registry, summary_model="tiny-qwen3")
    response = client.post("/v1/summarize", json={"text": ARTICLES["en"], "mode": "auto"})
    assert response.status_code == 200
    body = response.json()
    assert body["mode_used"] == "extractive"
    assert body["notes"] == ["no summarisation model is available locally; used extractive"]
    response = client.post("/v1/summarize", json={"text": ARTICLES["en"],
                                                  "mode": "abstractive"})
    assert response.status_code == 503
    assert "tiny-qwen3" in response.json()["error"]["message"]
