"""Neutrality checks: each crafted fault is caught by its check, with its span; the
article's own sentences are never flagged."""

from __future__ import annotations

import json

import pytest
from articles import ARTICLES, BAD

from service.summarize.neutrality import CHECK_NAMES, check_neutrality
from service.summarize.neutrality.loaded_language import load_lexicon
from service.summarize.neutrality.sources import analyse
from service.summarize.neutrality.tokens import find_numbers

LANGS = ["en", "uk", "ru", "ko"]
CASES = [(lang, kind) for lang in LANGS for kind in BAD[lang]]


@pytest.mark.parametrize(("lang", "kind"), CASES)
def test_each_fault_is_caught_by_its_check(lang: str, kind: str) -> None:
    summary, check, span = BAD[lang][kind]
    report = check_neutrality(ARTICLES[lang], summary, lang)
    assert not report.passed
    assert check in report.failed
    findings = report.checks[check].findings
    assert findings
    if span is None:
        assert all(f.start is None and f.end is None for f in findings)
    else:
        assert span in [f.span_text for f in findings]
        for f in findings:
            assert summary[f.start:f.end] == f.span_text


@pytest.mark.parametrize("lang", LANGS)
def test_number_and_loaded_faults_touch_no_other_check(lang: str) -> None:
    for kind in ("invented_number", "added_loaded_word"):
        summary, check, _ = BAD[lang][kind]
        assert check_neutrality(ARTICLES[lang], summary, lang).failed == [check]


@pytest.mark.parametrize("lang", LANGS)
def test_article_sentences_are_never_flagged(lang: str) -> None:
    article = ARTICLES[lang]
    analysis = analyse(article, lang)
    for sentence in analysis.sentences:
        # "He said ..." only makes sense after the sentence that names him.
        parts = [sentence.text]
        if sentence.antecedent is not None and not sentence.own_speakers:
            parts.insert(0, analysis.sentences[sentence.antecedent].text)
        report = check_neutrality(article, " ".join(parts), lang)
        # One sentence alone may leave out a side of a dispute; that is the job of
        # the sides and disputes checks (tested below), not a false alarm.
        checks = {name: c.passed for name, c in report.checks.items()
                  if name not in ("sides", "disputes")}
        assert all(checks.values()), (sentence.text, report.to_dict())


def test_exact_messages_en() -> None:
    article = ARTICLES["en"]
    report = check_neutrality(article, BAD["en"]["invented_number"][0], "en")
    assert report.checks["novel_content"].findings[0].message == \
        "number '300' does not occur in the article"
    report = check_neutrality(article, BAD["en"]["dropped_attribution"][0], "en")
    assert report.checks["attribution"].findings[0].message == \
        "claim attributed in the article to 'Russia's defence ministry' appears without its source"
    report = check_neutrality(article, BAD["en"]["missing_side"][0], "en")
    assert [f.message for f in report.checks["sides"].findings] == [
        "side 'Ukraine' of a dispute in the article is missing from the summary"]
    report = check_neutrality(article, BAD["en"]["added_loaded_word"][0], "en")
    assert report.checks["loaded_language"].findings[0].message == \
        "loaded term 'heroic' does not occur in the article"


def test_claim_given_to_the_other_side_is_flagged() -> None:
    summary = ("Ukraine's General Staff said its forces had captured the village of "
               "Krasnohorivka in the Donetsk region.")
    finding = check_neutrality(ARTICLES["en"], summary, "en").checks["attribution"].findings[0]
    assert finding.message == ("claim attributed in the summary to 'Ukraine's General Staff' "
                               "is attributed in the article to 'Russia's defence ministry'")


def test_speaker_may_be_renamed_or_abridged() -> None:
    summary = ("The Russian defence ministry said its forces captured Krasnohorivka. "
               "Ukraine's General Staff denied the claim. Russian troops lost 1200 men near "
               "the village, Shtupun said.")
    assert check_neutrality(ARTICLES["en"], summary, "en").passed


def test_loaded_word_a_speaker_used_is_flagged_in_the_summarys_voice() -> None:
    summary = "The occupiers shelled civilian areas of nearby Kurakhove on Monday."
    findings = check_neutrality(ARTICLES["en"], summary, "en").checks["loaded_language"].findings
    assert [f.message for f in findings] == [
        "loaded term 'occupiers' is attributed to a speaker in the article but used in the "
        "summary's own voice"]
    assert (findings[0].start, findings[0].end) == (4, 13)


def test_loaded_word_inside_a_quotation_with_its_speaker_passes() -> None:
    summary = ("Oleksandr Shtupun told Ukrainian television that Russian troops had lost 1,200 "
               "men. He described the Russian assault as \"brutal and senseless\".")
    assert check_neutrality(ARTICLES["en"], summary, "en").checks["loaded_language"].passed


@pytest.mark.parametrize(("lang", "summary", "name"), [
    ("en", "Russia's defence ministry said President Zelensky had left the region.", "Zelensky"),
    ("ru", "Министерство обороны России заявило, что Зеленский покинул регион.", "Зеленский"),
    ("uk", "Міністерство оборони Росії заявило, що Зеленський залишив регіон.", "Зеленський"),
    ("ko", "러시아 국방부는 젤렌스키가 지역을 떠났다고 밝혔다.", "젤렌스키"),
])
def test_invented_name_is_flagged(lang: str, summary: str, name: str) -> None:
    findings = check_neutrality(ARTICLES[lang], summary, lang).checks["novel_content"].findings
    assert [f.span_text for f in findings] == [name]
    assert findings[0].message == f"name '{name}' does not occur in the article"


@pytest.mark.parametrize(("lang", "summary"), [
    ("ru", "Министерство обороны России заявило, что заняло Красногоровку под Донецком."),
    ("uk", "Міністерство оборони Росії заявило, що захопило Красногорівку біля Донецька."),
])
def test_inflected_names_match(lang: str, summary: str) -> None:
    assert check_neutrality(ARTICLES[lang], summary, lang).checks["novel_content"].passed


def test_invented_month_is_flagged_in_russian() -> None:
    summary = "Бои идут накануне переговоров в Женеве 14 апреля."
    findings = check_neutrality(ARTICLES["ru"], summary, "ru").checks["novel_content"].findings
    assert [f.message for f in findings] == ["date 'апреля' does not occur in the article"]


@pytest.mark.parametrize(("text", "lang", "value"), [
    ("1,200 men", "en", 1200.0), ("1 200 человек", "ru", 1200.0), ("12,5 км", "uk", 12.5),
    ("1.2 million", "en", 1_200_000.0), ("16 тисяч", "uk", 16_000.0),
    ("1만 6천 명", "ko", 16_000.0), ("1,200명", "ko", 1200.0),
])
def test_numbers_are_normalised(text: str, lang: str, value: float) -> None:
    assert value in find_numbers(text, lang)[0].values


def test_cross_lingual_summary_compares_numbers_and_skips_the_rest() -> None:
    summary = "러시아 국방부는 300명이 사망했다고 밝혔다. 우크라이나 측은 1,200명이라고 밝혔다."
    report = check_neutrality(ARTICLES["en"], summary, "en", summary_lang="ko")
    assert report.skipped == ["attribution", "sides", "disputes"]
    assert report.checks["attribution"].reason == (
        "claims in the ko summary cannot be matched to the en article; run the check before "
        "translation")
    assert [f.span_text for f in report.checks["novel_content"].findings] == ["300"]
    assert report.checks["novel_content"].reason == (
        "only numbers compared: names in the ko summary cannot be matched against the en "
        "article")
    assert report.failed == ["novel_content"]


def test_cross_lingual_loaded_word_in_own_voice_is_flagged() -> None:
    summary = "잔혹한 전투가 계속되고 있다."
    report = check_neutrality(ARTICLES["en"], summary, "en", summary_lang="ko")
    assert [f.message for f in report.checks["loaded_language"].findings] == [
        "loaded term '잔혹한' is used in the summary's own voice"]


def test_report_is_json_ready() -> None:
    report = check_neutrality(ARTICLES["en"], BAD["en"]["missing_side"][0], "en")
    data = json.loads(json.dumps(report.to_dict()))
    assert data["passed"] is False and data["failed"] == ["sides", "disputes"]
    assert list(data["checks"]) == list(CHECK_NAMES)
    assert data["checks"]["sides"]["findings"][0] == {
        "check": "sides",
        "message": "side 'Ukraine' of a dispute in the article is missing from the summary",
        "span_text": "Ukraine's General Staff denied the claim, saying fighting for the "
                     "village continues.", "start": None, "end": None}


@pytest.mark.parametrize("lang", LANGS)
def test_lexicons_hold_at_least_40_terms(lang: str) -> None:
    assert len(set(load_lexicon(lang))) >= 40


@pytest.mark.parametrize("summary", ["\ufffdou\ufffdou\ufffdou\ufffdou.",
                                     "Zorblat quingle frambled the vextor."])
def test_a_sentence_the_article_does_not_support_is_novel_content(summary: str) -> None:
    # Gibberish (what a random or broken model writes) names nothing and has no number:
    # it must still fail, not pass every check by saying nothing checkable.
    report = check_neutrality(ARTICLES["en"], summary, "en")
    assert "novel_content" in report.failed
    messages = {f.message for f in report.checks["novel_content"].findings}
    assert messages & {"undecodable text (U+FFFD) is not article content",
                       "the sentence shares no word with the article"}
