"""Page-furniture cleanup: each kind of furniture in each language is left out,
article sentences never are (NTREX-128: 0 sentences lost)."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.summarize.furniture import clean_article, line_kind, sentences_lost

NTREX = Path(__file__).resolve().parents[3] / "shared" / "data" / "ntrex128"
FILES = {"en": "eng.txt", "uk": "ukr.txt", "ru": "rus.txt", "ko": "kor.txt"}


def ntrex_articles(lang: str) -> list[str]:
    ids = (NTREX / "document_ids.tsv").read_text("utf-8").splitlines()
    lines = (NTREX / FILES[lang]).read_text("utf-8").splitlines()
    docs: dict[str, list[str]] = {}
    for doc, line in zip(ids, lines):
        docs.setdefault(doc.split("\t")[0], []).append(line.strip())
    return ["\n".join(body) for body in docs.values()]


@pytest.mark.parametrize("lang", list(FILES))
def test_no_ntrex_sentence_is_lost_to_cleanup(lang: str) -> None:
    articles = ntrex_articles(lang)
    assert len(articles) == 123
    assert sum(sentences_lost(a, lang) for a in articles) == 0
    # Nothing in NTREX is furniture: every line is kept as it was.
    assert all(clean_article(a, lang).removed == [] for a in articles)


@pytest.mark.parametrize(("lang", "line", "kind"), [
    ("en", "date 2025-04-26 Troops leave Kursk Saturday, April 26, 2025 11:01:03 AM",
     "dateline"),
    ("en", "Updated 11:02 GMT", "dateline"),
    ("en", "By Anna Petrenko and John Smith", "byline"),
    ("en", "Share | Tweet | Email", "share"),
    ("en", "Please enable JavaScript to view the comments powered by Disqus.", "notice"),
    ("en", "Story continues below advertisement", "widget"),
    ("en", "Read more:", "related"),
    ("uk", "Читайте також: Удар по Харкову", "related"),
    ("uk", "Коментарі (4)", "widget"),
    ("uk", "Усі права захищені.", "notice"),
    ("ru", "Обновлено 26.04.2025 11:01", "dateline"),
    ("ru", "Автор: Иван Петров", "byline"),
    ("ru", "Нашли ошибку? Выделите её и нажмите Ctrl+Enter.", "notice"),
    ("ru", "ВКонтакте Одноклассники Telegram", "share"),
    ("ko", "ⓒ 무단전재 및 재배포 금지", "notice"),
    ("ko", "입력 2025.04.26 11:01", "dateline"),
    ("ko", "홍길동 기자 hong@example.co.kr", "byline"),
    ("ko", "댓글 3", "widget"),
    ("ko", "페이스북 트위터 카카오톡 링크복사", "share"),
])
def test_furniture_lines_are_recognised(lang: str, line: str, kind: str) -> None:
    assert line_kind(line, lang) == kind


@pytest.mark.parametrize(("lang", "line"), [
    ("en", "Study: 17:30 on Sunday is the ideal time for a pint"),
    ("en", "Share prices fell by 3% on Monday, the exchange said."),
    ("en", "The ministry said comments by the envoy were unacceptable."),
    ("ru", "Реклама табака запрещена в России с 2013 года."),
    ("uk", "Коментарі посадовців з'явилися лише ввечері."),
    ("ko", "광고 시장은 지난해 5% 성장했다."),
])
def test_article_lines_that_look_like_furniture_are_kept(lang: str, line: str) -> None:
    assert line_kind(line, lang) is None


def test_wire_dateline_is_cut_off_the_first_sentence_only() -> None:
    text = "KYIV (Reuters) - Ukraine's General Staff said fighting continues.\nMore text here."
    clean = clean_article(text, "en")
    assert clean.text.startswith("Ukraine's General Staff said")
    assert [(r.kind, r.text, r.start, r.end) for r in clean.removed] == [
        ("dateline", "KYIV (Reuters) -", 0, 17)]
    assert sentences_lost(text, "en") == 0


def test_headline_printed_twice_is_left_out_once() -> None:
    text = "Troops leave Kursk\nTroops leave Kursk\nThe General Staff said so on Monday.\n"
    clean = clean_article(text, "en")
    assert clean.text == "Troops leave Kursk\nThe General Staff said so on Monday."
    assert clean.headline == (0, len("Troops leave Kursk"))
    assert [r.kind for r in clean.removed] == ["repeated"]


def test_repeated_sentence_is_article_text() -> None:
    text = "It is very bad.\nHe went home.\nIt is very bad.\n"
    assert clean_article(text, "en").removed == []
