"""Extractive summaries: whole sentences, original order, every quoted side."""

from __future__ import annotations

import pytest
from articles import ARTICLES, SIDE_SENTENCES

from service.errors import InvalidInput
from service.summarize.extractive import extractive_summary
from service.summarize.neutrality import check_neutrality
from service.summarize.neutrality.sources import analyse

LANGS = ["en", "uk", "ru", "ko"]

# No speakers at all: length limits apply strictly.
PLAIN = (
    "The city council approved a new budget on Monday. The budget sets aside money for "
    "road repairs and two new schools. Road repairs will begin in the spring and last "
    "until the autumn. The schools are due to open in three years. Council members also "
    "discussed bus routes. A vote on the bus routes is expected next month. The meeting "
    "lasted four hours.")


@pytest.mark.parametrize("lang", LANGS)
def test_summary_keeps_both_sides_with_their_sources(lang: str) -> None:
    summary = extractive_summary(ARTICLES[lang], lang, max_sentences=3, max_words=80)
    for sentence in SIDE_SENTENCES[lang]:
        assert sentence in summary.sentences
    assert summary.sides_total == 2 and summary.sides_covered == 2


@pytest.mark.parametrize("lang", LANGS)
def test_summary_passes_every_check(lang: str) -> None:
    summary = extractive_summary(ARTICLES[lang], lang, max_sentences=3, max_words=80)
    report = check_neutrality(ARTICLES[lang], summary.text, lang)
    assert report.failed == []
    assert report.passed


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("max_sentences", [2, 3, 5])
def test_sentences_are_whole_in_article_order(lang: str, max_sentences: int) -> None:
    article = ARTICLES[lang]
    summary = extractive_summary(article, lang, max_sentences=max_sentences, max_words=200)
    positions = [article.index(s) for s in summary.sentences]
    assert positions == sorted(positions)
    assert summary.indices == sorted(summary.indices)
    assert summary.text == " ".join(summary.sentences)
    assert len(summary.sentences) == max_sentences


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("max_sentences", [3, 4, 6, 8])
def test_he_said_comes_with_the_sentence_naming_him(lang: str, max_sentences: int) -> None:
    analysis = analyse(ARTICLES[lang], lang)
    summary = extractive_summary(ARTICLES[lang], lang, max_sentences=max_sentences,
                                 max_words=300)
    for index in summary.indices:
        sentence = analysis.sentences[index]
        if sentence.antecedent is not None and not sentence.own_speakers:
            assert sentence.antecedent in summary.indices
    assert check_neutrality(ARTICLES[lang], summary.text, lang).passed


def test_contested_claim_keeps_both_sentences_with_sources() -> None:
    article = ("Russia's defence ministry said its forces captured Pervomaiske. Ukraine's "
               "General Staff denied the claim, saying fighting continues. The village had "
               "about 2,000 residents before the war. Heavy rain has slowed movement along "
               "the front this week. Schools in the district have been closed since 2022.")
    summary = extractive_summary(article, "en", max_sentences=2, max_words=80)
    assert summary.sentences == [
        "Russia's defence ministry said its forces captured Pervomaiske.",
        "Ukraine's General Staff denied the claim, saying fighting continues."]


def test_sides_win_over_the_limits_and_say_so() -> None:
    summary = extractive_summary(ARTICLES["en"], "en", max_sentences=1, max_words=10)
    for sentence in SIDE_SENTENCES["en"]:
        assert sentence in summary.sentences
    assert summary.over_limit
    assert summary.note == ("limits exceeded to carry both sides of a dispute "
                            "(max_sentences=1, max_words=10)")


def test_limits_hold_without_sides() -> None:
    summary = extractive_summary(PLAIN, "en", max_sentences=2, max_words=20)
    assert 1 <= len(summary.sentences) <= 2
    assert summary.words <= 20
    assert not summary.over_limit and summary.note is None


def test_lead_sentence_is_favoured() -> None:
    summary = extractive_summary(PLAIN, "en", max_sentences=2, max_words=60)
    assert summary.sentences[0] == "The city council approved a new budget on Monday."


def test_a_sentence_longer_than_max_words_is_kept_whole() -> None:
    summary = extractive_summary(PLAIN, "en", max_sentences=2, max_words=3)
    assert len(summary.sentences) == 1 and summary.sentences[0] in PLAIN
    assert summary.over_limit
    assert summary.note == ("no whole sentence fits max_words; the best-ranked sentence "
                            "is kept whole")


def test_empty_text_gives_empty_summary() -> None:
    summary = extractive_summary("  \n ", "en")
    assert summary.text == "" and summary.sentences == []


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"max_sentences": 0}, "max_sentences must be at least 1."),
    ({"max_words": 0}, "max_words must be at least 1."),
])
def test_invalid_limits_are_rejected(kwargs: dict[str, int], message: str) -> None:
    with pytest.raises(InvalidInput) as info:
        extractive_summary(PLAIN, "en", **kwargs)
    assert info.value.message == message
