"""``POST /v1/extract`` and ``/v1/summarize`` with ``format: "html"``: the article of a
page, without its navigation, comments or ads, with its metadata; HTML limited and
billed by text characters."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.text.extract import decode_html

DATA = Path(__file__).resolve().parents[2] / "bench" / "data" / "extraction"

ARTICLE = [
    "The city council approved the new budget on Tuesday after a four-hour debate.",
    "The budget raises spending on schools by eight percent and freezes fares on buses.",
    "Opposition members said the plan relied on optimistic forecasts of tax revenue.",
    "The mayor said the council would review the forecasts again in the spring.",
    "Officials said the bridge on the river road would reopen to traffic next month.",
]
NOISE = ["Subscribe to our newsletter for daily updates", "Cookie settings and privacy",
         "Buy cheap watches online today", "I totally disagree with this article, terrible",
         "Most read: celebrity wedding photos"]
PAGE = f"""<html lang="en"><head><title>Council approves budget | Daily Gazette</title>
<link rel="canonical" href="https://gazette.example/news/budget">
<meta name="author" content="Maria Petrenko">
<meta property="article:published_time" content="2026-11-24T09:30:00Z">
<script>window.ads = ["{NOISE[2]}"];</script></head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li>
<li><a href="/sub">{NOISE[0]}</a></li></ul></nav>
<div class="cookie-banner">{NOISE[1]} <button>Accept</button></div>
<main><article><h1>Council approves budget</h1>
<p class="byline">By Maria Petrenko</p>
{"".join(f"<p>{s}</p>" for s in ARTICLE)}
</article>
<aside class="ad"><a href="/ad">{NOISE[2]}</a></aside>
<section id="comments" class="comments"><h3>Comments</h3>
<div class="comment"><p>{NOISE[3]}</p></div></section>
<div class="most-read"><h3>{NOISE[4]}</h3></div></main>
<footer>© 2026 Daily Gazette. All rights reserved.</footer></body></html>"""


def test_extract_returns_the_article_and_its_metadata(client: TestClient) -> None:
    response = client.post("/v1/extract", json={"html": PAGE,
                                                "url": "https://gazette.example/x"})
    assert response.status_code == 200, response.text
    body = response.json()
    paragraphs = body["text"].split("\n\n")
    for sentence in ARTICLE:
        assert sentence in paragraphs
    for noise in NOISE:
        assert noise not in body["text"]
    assert body["title"] == "Council approves budget"
    assert body["byline"] == "Maria Petrenko"
    assert body["date"] == "2026-11-24"
    assert body["canonical_url"] == "https://gazette.example/news/budget"
    assert body["declared_language"] == "en"
    assert body["language"] == "en" and body["language_confidence"] > 0.5


def test_extract_refuses_a_page_without_article(client: TestClient) -> None:
    response = client.post("/v1/extract", json={"html": "<html><body><script>var a = 1;"
                                                        "</script><img src=x></body></html>"})
    assert response.status_code == 400
    assert response.json()["error"] == {
        "type": "invalid_request", "field": "html",
        "message": "html: no article text found in the page"}


def test_extract_fields_are_validated(client: TestClient) -> None:
    response = client.post("/v1/extract", json={"page": PAGE})
    assert response.status_code == 400
    assert response.json()["error"]["field"] in ("html", "page")


def _text_chars(html: str) -> int:
    from service.text.html import text_length

    return text_length(html)


def test_html_is_limited_by_text_not_markup(make_client) -> None:
    client = make_client(max_chars_per_text=300, max_body_bytes=20_000)
    padded = ('<div class="' + "x" * 2000 + '"><p>The city council approved the new '
              'budget.</p></div>')
    assert len(padded) > 2000 and _text_chars(padded) < 300
    response = client.post("/v1/translate", json={"text": padded, "source": "en",
                                                  "target": "uk", "format": "html"})
    assert response.status_code == 200, response.text
    long_text = "<p>" + "Budget news. " * 40 + "</p>"
    response = client.post("/v1/translate", json={"text": long_text, "source": "en",
                                                  "target": "uk", "format": "html"})
    assert response.status_code == 400
    assert response.json()["error"]["message"] == (
        f"text has {_text_chars(long_text)} characters; the limit is 300 per text "
        "(max_chars_per_text)")
    huge = "<p>" + "<b>x</b>" * 3000 + "</p>"
    response = client.post("/v1/extract", json={"html": huge})
    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["field"], error["limit"]) == ("body", "max_body_bytes")


def test_quota_counts_html_text_characters(make_client) -> None:
    client = make_client(chars_per_day=1000)
    padded = '<div class="' + "x" * 1500 + '"><p>The council met.</p></div>'
    response = client.post("/v1/translate", json={"text": padded, "source": "en",
                                                  "target": "uk", "format": "html"})
    assert response.status_code == 200, response.text


def test_summarize_html_draws_only_from_the_article(client: TestClient) -> None:
    response = client.post("/v1/summarize", json={
        "text": PAGE, "format": "html", "source": "en", "mode": "extractive",
        "max_sentences": 3})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["article"]["title"] == "Council approves budget"
    summary = body["summary"]
    assert summary.strip()
    for noise in NOISE + ["Home", "Comments", "Accept", "All rights reserved"]:
        assert noise not in summary
    for sentence in re.split(r"(?<=[.!?])\s+", summary.strip()):
        assert sentence in ARTICLE


def _page(language: str) -> dict:
    pages = json.loads((DATA / "pages.json").read_text(encoding="utf-8"))["pages"]
    return next(p for p in pages if p["language"] == language
                and len(p["reference"]) < 8000)


@pytest.mark.parametrize("language", ["ru", "ko", "en"])
def test_summarize_real_page_uses_only_reference_article(client: TestClient,
                                                         language: str) -> None:
    page = _page(language)
    html, _ = decode_html(gzip.decompress((DATA / "html" / f"{page['id']}.html.gz")
                                          .read_bytes()))
    response = client.post("/v1/summarize", json={
        "text": html, "format": "html", "source": language, "mode": "extractive",
        "max_sentences": 2, "url": page["url"]})
    assert response.status_code == 200, response.text
    reference = " ".join(page["reference"].split())
    summary = response.json()["summary"]
    assert summary.strip()
    for line in summary.splitlines():
        for piece in re.split(r"(?<=[.!?])\s+", line.strip()):
            # List items come out as "- item" lines; the reference has no bullets.
            assert " ".join(piece.lstrip("-•* ").split()) in reference, piece
