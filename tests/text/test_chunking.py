"""Article planning: token budgets, no lost text, layout restored on reassembly."""

from __future__ import annotations

import random
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.text.chunking import plan_article, split_to_fit


def words_plus_eos(text: str) -> int:
    """A tokenizer-like count: one token per word plus an end-of-sequence token."""
    return len(text.split()) + 1


def chars(text: str) -> int:
    return len(text)


def non_space(text: str) -> str:
    return re.sub(r"\s+", "", text)


ARTICLE = (
    "  Kyiv, Monday.\n\n"
    "The minister said the talks would resume. Officials did not comment. "
    "A spokesman, speaking on condition of anonymity, said more was to come.\n"
    "* * *\n"
    "\n"
    "Short closing line.  \n"
)


def test_identity_translation_restores_layout() -> None:
    plan = plan_article(ARTICLE, "en", words_plus_eos, 64)
    assert plan.reassemble(plan.segments) == ARTICLE


def test_one_sentence_per_segment_by_default() -> None:
    plan = plan_article(ARTICLE, "en", words_plus_eos, 64)
    assert plan.segments == [
        "Kyiv, Monday.",
        "The minister said the talks would resume.",
        "Officials did not comment.",
        "A spokesman, speaking on condition of anonymity, said more was to come.",
        "Short closing line.",
    ]
    assert plan.segment_paragraphs == [0, 1, 1, 1, 3]


def test_lines_without_letters_are_kept_and_not_sent() -> None:
    plan = plan_article(ARTICLE, "en", words_plus_eos, 64)
    assert "* * *" not in plan.segments
    out = plan.reassemble([s.upper() for s in plan.segments])
    assert "\n* * *\n" in out


def test_translations_replace_sentences_joined_by_one_space() -> None:
    text = "Перше речення.  Друге речення.\n\nТретє."
    plan = plan_article(text, "uk", words_plus_eos, 64)
    assert plan.segments == ["Перше речення.", "Друге речення.", "Третє."]
    assert plan.reassemble(["First.", "Second.", "Third."]) == "First. Second.\n\nThird."


def test_korean_sentences_are_joined_with_a_space() -> None:
    text = "오늘 회의가 열렸다. 장관은 발표를 했다."
    plan = plan_article(text, "ko", chars, 100)
    assert plan.segments == ["오늘 회의가 열렸다.", "장관은 발표를 했다."]
    assert plan.reassemble(["A meeting was held.", "The minister spoke."]) == (
        "A meeting was held. The minister spoke.")


def test_packing_merges_sentences_of_one_paragraph_within_budget() -> None:
    text = "One two three. Four five. Six seven eight nine.\nTen eleven."
    plan = plan_article(text, "en", words_plus_eos, 7, max_sentences_per_chunk=10)
    assert plan.segments == ["One two three. Four five.", "Six seven eight nine.",
                             "Ten eleven."]
    assert all(words_plus_eos(s) <= 7 for s in plan.segments)


def test_packing_respects_max_sentences() -> None:
    text = "A b. C d. E f. G h. I j."
    plan = plan_article(text, "en", words_plus_eos, 100, max_sentences_per_chunk=2)
    assert plan.segments == ["A b. C d.", "E f. G h.", "I j."]


def test_long_sentence_is_split_at_clause_punctuation_first() -> None:
    text = ("The ministry said on Monday, after a long meeting with regional governors, "
            "that the new rules would apply from May; opposition parties disagreed.")
    plan = plan_article(text, "en", words_plus_eos, 11)
    assert plan.segments == [
        "The ministry said on Monday,",
        "after a long meeting with regional governors,",
        "that the new rules would apply from May;",
        "opposition parties disagreed.",
    ]
    assert plan.reassemble(plan.segments) == text


def test_long_clause_is_split_at_whitespace() -> None:
    text = " ".join(f"w{i}" for i in range(25)) + "."
    plan = plan_article(text, "en", words_plus_eos, 10)
    assert all(words_plus_eos(s) <= 10 for s in plan.segments)
    assert len(plan.segments) == 3
    assert non_space("".join(plan.segments)) == non_space(text)
    assert plan.reassemble(plan.segments) == text


def test_text_without_spaces_is_split_between_characters_and_rejoined_tightly() -> None:
    text = "가" * 45
    plan = plan_article(text, "ko", chars, 20)
    assert [len(s) for s in plan.segments] == [20, 20, 5]
    assert plan.reassemble(plan.segments) == text


def test_combining_marks_stay_with_their_letter() -> None:
    text = "и\u0306" * 10  # "й" written as и + combining breve
    parts = split_to_fit(text, chars, 5)
    assert all(not part.startswith("\u0306") for part, _ in parts)
    assert "".join(part for part, _ in parts) == text


def test_budget_too_small_for_one_character_raises() -> None:
    with pytest.raises(ValueError, match="max_tokens=1 cannot hold even one character"):
        plan_article("Word.", "en", lambda t: len(t) + 1, 1)


def test_reassemble_rejects_wrong_number_of_translations() -> None:
    plan = plan_article("A b. C d.", "en", words_plus_eos, 100)
    with pytest.raises(ValueError, match="expected 2 translations, got 1"):
        plan.reassemble(["x"])


def test_caller_can_keep_paragraphs_untranslated() -> None:
    text = "Keep this one.\nTranslate this one."
    plan = plan_article(text, "en", words_plus_eos, 100,
                        translate_if=lambda body: body.startswith("Translate"))
    assert plan.segments == ["Translate this one."]
    assert plan.reassemble(["X."]) == "Keep this one.\nX."


def _check_plan(text: str, lang: str, counter, budget: int, per_chunk: int) -> None:
    plan = plan_article(text, lang, counter, budget, max_sentences_per_chunk=per_chunk)
    assert all(counter(s) <= budget for s in plan.segments)
    assert all(s == s.strip() and s for s in plan.segments)
    kept = [plan.layout.paragraphs[i] for i in sorted(plan.kept_paragraphs)]
    # Every non-space character is in exactly one segment (or a kept paragraph), in
    # order, per paragraph.
    for index, body in enumerate(plan.layout.paragraphs):
        if index in plan.kept_paragraphs:
            continue
        mine = [s for s, p in zip(plan.segments, plan.segment_paragraphs) if p == index]
        assert non_space("".join(mine)) == non_space(body)
    assert non_space("".join(plan.segments) + "".join(kept)) == non_space(
        "".join(b for i, b in enumerate(plan.layout.paragraphs)
                if i not in plan.kept_paragraphs) + "".join(kept))
    # Segment order follows the paragraphs.
    assert plan.segment_paragraphs == sorted(plan.segment_paragraphs)
    # Identity reassembly keeps the layout and every character.
    assert non_space(plan.reassemble(plan.segments)) == non_space(text)
    assert split_lines(plan.reassemble(plan.segments)) == split_lines(text)


def split_lines(text: str) -> list[int]:
    """Positions of line breaks relative to paragraph count (layout fingerprint)."""
    return [len(line.strip()) > 0 for line in text.splitlines()]


WORDS = ["news", "Київ", "Москва", "서울", "said", "Mr.", "Dr.", "3.5%", "U.S.",
         "—", ",", ";", ":", ".", "!", "?", "«цитата»", "e.g.", "한국은행은",
         "https://example.com/a/very/long/path", "가나다라마바사아자차카타파하"]
SEPARATORS = [" ", " ", " ", "  ", "\t", "\n", "\n\n", " \n ", "\r\n"]


@pytest.mark.parametrize("seed", range(60))
@pytest.mark.parametrize("lang", ["en", "uk", "ru", "ko"])
def test_generated_articles_keep_every_character(seed: int, lang: str) -> None:
    rng = random.Random(seed)
    parts = []
    for _ in range(rng.randint(0, 80)):
        parts.append(rng.choice(WORDS))
        parts.append(rng.choice(SEPARATORS))
    text = "".join(parts)
    _check_plan(text, lang, words_plus_eos, rng.randint(2, 12), rng.randint(1, 4))
    _check_plan(text, lang, chars, rng.randint(8, 60), rng.randint(1, 4))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text(alphabet=st.sampled_from(list("ab .,;:—\n\t가й\u0306!?")),
                    max_size=200),
       budget=st.integers(min_value=3, max_value=30),
       per_chunk=st.integers(min_value=1, max_value=3))
def test_any_text_keeps_every_character_within_budget(text: str, budget: int,
                                                      per_chunk: int) -> None:
    _check_plan(text, "en", chars, budget, per_chunk)
    _check_plan(text, "ru", words_plus_eos, budget, per_chunk)


def test_budget_holds_with_a_real_sentencepiece_tokenizer(tmp_path) -> None:
    spm = pytest.importorskip("sentencepiece")
    corpus = tmp_path / "corpus.txt"
    lines = [
        "The government said on Monday that talks with the union would resume.",
        "Уряд заявив у понеділок, що переговори з профспілкою відновляться.",
        "Правительство заявило в понедельник, что переговоры возобновятся.",
        "정부는 월요일 노조와의 협상이 재개될 것이라고 밝혔다.",
    ] * 20
    corpus.write_text("\n".join(lines), encoding="utf-8")
    spm.SentencePieceTrainer.train(input=str(corpus), model_prefix=str(tmp_path / "sp"),
                                   vocab_size=80, character_coverage=1.0,
                                   minloglevel=2)
    sp = spm.SentencePieceProcessor(model_file=str(tmp_path / "sp.model"))

    def count(text: str) -> int:  # pieces + </s>, as a Marian tokenizer counts
        return len(sp.encode(text)) + 1

    text = "\n\n".join(lines[:4]) + "\n" + " ".join(lines[:4])
    for budget in (6, 12, 40):
        plan = plan_article(text, "en", count, budget, max_sentences_per_chunk=3)
        assert all(count(s) <= budget for s in plan.segments)
        assert non_space(plan.reassemble(plan.segments)) == non_space(text)
