"""Enforcement: repair, fall back or report, and say which happened."""

from __future__ import annotations

import pytest
from articles import ARTICLES, BAD

from service.errors import InvalidInput
from service.summarize.enforcement import enforce
from service.summarize.extractive import extractive_summary

LANGS = ["en", "uk", "ru", "ko"]
CASES = [(lang, kind) for lang in LANGS for kind in BAD[lang]]
LIMITS = {"max_sentences": 3, "max_words": 80}


@pytest.mark.parametrize(("lang", "kind"), CASES)
def test_repair_fixes_each_fault(lang: str, kind: str) -> None:
    candidate, check, _ = BAD[lang][kind]
    result = enforce(ARTICLES[lang], candidate, lang, "repair", **LIMITS)
    assert result.action == "repaired"
    assert result.report.passed
    assert check in result.candidate_report.failed
    assert result.changes


def test_repair_restores_the_speaker() -> None:
    candidate = BAD["en"]["dropped_attribution"][0]
    result = enforce(ARTICLES["en"], candidate, "en", "repair", **LIMITS)
    assert result.summary == (
        "Russia's defence ministry said on Tuesday that its forces had captured the village "
        "of Krasnohorivka in the Donetsk region. Ukraine's General Staff denied the claim, "
        "saying fighting for the village continues.")
    assert result.changes == ["sentence 1 replaced by the article sentence with its source"]


def test_repair_adds_the_missing_side() -> None:
    candidate = BAD["en"]["missing_side"][0]
    result = enforce(ARTICLES["en"], candidate, "en", "repair", **LIMITS)
    assert result.summary == candidate + (" Ukraine's General Staff denied the claim, saying "
                                          "fighting for the village continues.")
    assert result.changes == ["added the position of 'Ukraine' (sentence 3 of the article)"]


def test_unrepairable_candidate_falls_back_and_says_why() -> None:
    result = enforce(ARTICLES["en"], "Zelensky visited Paris.", "en", "repair", **LIMITS)
    assert result.action == "fallback"
    # It mentions no dispute of the article, so only the invented names fail.
    assert result.reason == "candidate failed: novel_content; repair left no sentence"
    assert result.summary == extractive_summary(ARTICLES["en"], "en", **LIMITS).text
    assert result.report.passed


@pytest.mark.parametrize(("lang", "kind"), CASES)
def test_fallback_policy_returns_the_extractive_summary(lang: str, kind: str) -> None:
    candidate, check, _ = BAD[lang][kind]
    result = enforce(ARTICLES[lang], candidate, lang, "fallback", **LIMITS)
    assert result.action == "fallback"
    assert result.summary == extractive_summary(ARTICLES[lang], lang, **LIMITS).text
    assert result.report.passed
    assert check in result.candidate_report.failed


@pytest.mark.parametrize("lang", LANGS)
def test_report_only_returns_the_candidate(lang: str) -> None:
    candidate, check, _ = BAD[lang]["invented_number"]
    result = enforce(ARTICLES[lang], candidate, lang, "report-only", **LIMITS)
    assert result.action == "reported"
    assert result.summary == candidate
    assert result.report is result.candidate_report
    assert result.report.failed == [check]


@pytest.mark.parametrize("policy", ["repair", "fallback", "report-only"])
def test_passing_candidate_is_returned_unchanged(policy: str) -> None:
    candidate = extractive_summary(ARTICLES["ru"], "ru", **LIMITS).text
    result = enforce(ARTICLES["ru"], candidate, "ru", policy, **LIMITS)  # type: ignore[arg-type]
    assert (result.action, result.summary, result.changes) == ("none", candidate, [])


def test_unknown_policy_is_rejected() -> None:
    with pytest.raises(InvalidInput) as info:
        enforce(ARTICLES["en"], "x", "en", "ignore", **LIMITS)  # type: ignore[arg-type]
    assert info.value.message == ("Unknown neutrality policy 'ignore'; supported: repair, "
                                  "fallback, report-only.")
