"""HTML on the command line and in batch runs, as a user runs them: pages in their own
(possibly undeclared) encoding, the article extracted, or the whole page translated."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ARTICLE_RU = [
    "Городской совет во вторник утвердил новый бюджет после долгих споров.",
    "Расходы на школы вырастут на восемь процентов, а цены на проезд не изменятся.",
    "Мэр сообщил, что совет снова рассмотрит прогнозы весной.",
]
ARTICLE_EN = [
    "The city council approved the new budget on Tuesday after a long debate.",
    "Spending on schools will rise by eight percent and bus fares are frozen.",
    "The mayor said the council would review the forecasts again in the spring.",
]
NOISE = ["Subscribe to our newsletter", "Buy cheap watches online today",
         "I totally disagree with this article"]


def page(title: str, paragraphs: list[str]) -> str:
    """A page with navigation, an ad and comments around the article; no charset."""
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f"<html><head><title>{title}</title></head><body>"
            f"<nav><a href='/'>Home</a> <a href='/s'>{NOISE[0]}</a></nav>"
            f"<article><h1>{title}</h1>{body}</article>"
            f"<aside class='ad'>{NOISE[1]}</aside>"
            f"<section class='comments'><p>{NOISE[2]}</p></section></body></html>")


def run(args: list[str], env: dict[str, str], stdin: bytes | None = None
        ) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "service", *args], input=stdin, env=env,
                          capture_output=True, timeout=300)


def test_extract_reads_an_undeclared_cp1251_page(tmp_path: Path, tiny_env) -> None:
    path = tmp_path / "page.html"
    path.write_bytes(page("Бюджет утвержден", ARTICLE_RU).encode("cp1251"))
    result = run(["extract", "--json", str(path)], tiny_env)
    assert result.returncode == 0, result.stderr.decode()
    body = json.loads(result.stdout)
    # The article's heading, then its paragraphs; nothing of the page around it.
    assert body["text"].split("\n\n") == ["Бюджет утвержден", *ARTICLE_RU]
    assert body["title"] == "Бюджет утвержден"


def test_summarize_html_uses_only_the_article(tiny_env) -> None:
    result = run(["summarize", "--html", "--from", "en", "--mode", "extractive", "--json"],
                 tiny_env, stdin=page("Budget approved", ARTICLE_EN).encode("utf-8"))
    assert result.returncode == 0, result.stderr.decode()
    body = json.loads(result.stdout)
    assert body["summary"].strip()
    for noise in NOISE + ["Home"]:
        assert noise not in body["summary"]
    assert all(s in " ".join(ARTICLE_EN) for s in body["summary"].split("\n") if s)
    assert body["article"]["title"] == "Budget approved"


def test_translate_html_keeps_markup_and_article_gives_text(tiny_env) -> None:
    fragment = '<p class="lead">The council <b>approved</b> the budget.</p>'
    kept = run(["translate", "--html", "--to", "uk", "--from", "en"], tiny_env,
               stdin=fragment.encode("utf-8"))
    assert kept.returncode == 0, kept.stderr.decode()
    out = kept.stdout.decode("utf-8")
    assert out.startswith('<p class="lead">') and out.count("<b>") == 1
    assert "council" not in out
    article = run(["translate", "--html", "--article", "--to", "uk", "--from", "en"],
                  tiny_env, stdin=page("Budget approved", ARTICLE_EN).encode("utf-8"))
    assert article.returncode == 0, article.stderr.decode()
    text = article.stdout.decode("utf-8")
    assert "<" not in text and text.strip() and "council" not in text


def test_batch_html_files_article_or_whole_page(tmp_path: Path, tiny_env) -> None:
    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / "ru.html").write_bytes(page("Бюджет утвержден", ARTICLE_RU).encode("cp1251"))
    for mode, extra in (("article", []), ("page", ["--whole-page"])):
        out = tmp_path / f"{mode}.jsonl"
        mirror = tmp_path / f"mirror-{mode}"
        result = run(["batch", "translate", str(folder), "--to", "en", "--from", "ru",
                      "--out", str(out), "--mirror", str(mirror), "--quiet", *extra],
                     tiny_env)
        assert result.returncode == 0, result.stderr.decode()
        record = json.loads(out.read_text("utf-8").splitlines()[0])
        assert record["article"]["title"] == "Бюджет утвержден"
        translated = record["translations"]["en"]
        if mode == "article":
            assert "<" not in translated and len(translated.split("\n\n")) == 4
            assert (mirror / "ru.en.txt").read_text("utf-8") == translated
        else:
            assert translated.startswith("<html><head><title>")
            assert translated.count("<p>") == 4 and "<nav>" in translated
            assert (mirror / "ru.en.html").read_text("utf-8") == translated
        for ru in ARTICLE_RU:
            assert ru not in translated
