"""The neutral-summary prompt per language and the SummaC-style windows."""

from __future__ import annotations

import pytest
from articles import ARTICLES

from service.summarize.faithfulness import check_faithfulness, windows
from service.summarize.prompts import (
    PROMPT_LANGUAGES,
    max_new_tokens_for,
    prompt_claims,
    summary_messages,
)

# What each language's prompt must say, in that language: the limits, attribution,
# every side, no own evaluative words, and the claims table heading.
EXPECTED = {
    "en": ("in English in at most 2 sentences and at most 50 words", "Attribute every claim",
           "give each side's position", "evaluative", "Claims in the article"),
    "uk": ("українською мовою: не більше 2 речень і не більше 50 слів", "приписуйте",
           "позицію кожної сторони", "оцінних", "Твердження у статті"),
    "ru": ("на русском языке: не более 2 предложений и не более 50 слов", "приписывайте",
           "позицию каждой стороны", "оценочных", "Утверждения в статье"),
    "ko": ("한국어로 최대 2문장, 최대 50단어로", "말로 밝히십시오", "각 측의 입장을 모두",
           "평가하거나", "기사 속 주장"),
}


@pytest.mark.parametrize("lang", ["en", "uk", "ru", "ko"])
def test_prompt_in_the_article_language_with_limits_rules_and_claims(lang: str) -> None:
    claims = prompt_claims(ARTICLES[lang], lang)
    system, user = summary_messages(ARTICLES[lang], lang, claims, max_sentences=2,
                                    max_words=50)
    assert system["role"] == "system" and user["role"] == "user"
    for phrase in EXPECTED[lang]:
        assert phrase in user["content"], phrase
    # Both sides of the article's dispute are in the table, marked as disputed.
    assert claims.disputes and len(claims.rows) >= 2
    disputed = [row for row in claims.rows if row.disputed_with]
    assert {row.side for row in disputed} >= set(claims.disputes[0])
    for row in claims.rows:
        assert f"[{row.number}] {row.speaker}" in user["content"]
    assert user["content"].endswith(ARTICLES[lang].strip())
    assert set(PROMPT_LANGUAGES) == {"en", "uk", "ru", "ko"}


def test_output_budget_follows_max_words_per_language() -> None:
    assert max_new_tokens_for(80, "en") == 136
    assert max_new_tokens_for(80, "uk") == 240
    assert max_new_tokens_for(80, "ko") > max_new_tokens_for(80, "en")


def test_windows_are_overlapping_runs_of_three_sentences() -> None:
    assert windows(["a", "b"]) == ["a b"]
    assert windows(["a", "b", "c", "d"]) == ["a b c", "b c d"]
    assert windows([]) == []


def test_faithfulness_scores_only_sentences_not_copied_from_the_article() -> None:
    article = "One happened. Two happened. Three happened. Four happened."
    seen = []

    def classify(pairs):
        seen.extend(pairs)
        return [{"entailment": 0.1, "neutral": 0.8, "contradiction": 0.1} for _ in pairs]

    result = check_faithfulness(article, "Two happened. Five happened.", "en", classify)
    assert [h for _p, h in seen] == ["Five happened.", "Five happened."]
    assert [p for p, _h in seen] == ["One happened. Two happened. Three happened.",
                                     "Two happened. Three happened. Four happened."]
    assert result.sentences[0] == {"sentence": "Two happened.", "verbatim": True}
    (finding,) = result.findings
    assert finding.span_text == "Five happened." and finding.start == 14
    assert finding.message == "not supported by the article (entailment 0.10 < 0.50)"
