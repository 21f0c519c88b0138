"""The neutral-summary prompt for instruction models, one per language (en, uk, ru, ko).

The prompt hands the model the article and its claims table (who said what, which
claims are disputed and by whom) and asks, in the article's own language, for at most
``max_sentences`` sentences and ``max_words`` words, every claim attributed to its
speaker, every side of each dispute, and no evaluative words of its own. The rules are
written in the article's language because small models follow an instruction's
language more reliably than an instruction to switch language.

The claims table comes from :mod:`service.summarize.claims` (the disputes analysis):
every claim with a speaker, its side, and for a disputed claim the rows that carry the
other position.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from service.summarize.claims import ClaimsTable

#: Output tokens per word of each language with Qwen's tokenizer (measured on NTREX
#: sentences: Cyrillic and Hangul words cost two to three tokens), used to bound
#: the output length from ``max_words``.
TOKENS_PER_WORD: dict[str, float] = {"en": 1.5, "uk": 2.8, "ru": 2.6, "ko": 2.6}
#: Room for punctuation and the end token on top of the word budget.
TOKEN_MARGIN = 16


@dataclass(frozen=True)
class ClaimRow:
    """One row of the claims table as the prompt shows it."""

    number: int
    speaker: str
    side: str | None
    sentence: str
    #: Numbers of the rows this claim disputes or is disputed by.
    disputed_with: tuple[int, ...] = ()


@dataclass(frozen=True)
class PromptClaims:
    """The rows the prompt lists, and the sides of each dispute (for the report)."""

    rows: list[ClaimRow] = field(default_factory=list)
    disputes: list[tuple[str, str]] = field(default_factory=list)


# Per language: system message, rule lines, table header, labels. ``{n}`` sentences,
# ``{w}`` words. Kept side by side so a change to one language is made to all four.
_TEXT: dict[str, dict[str, str]] = {
    "en": {
        "system": "You are a news editor. You write short, neutral summaries in English.",
        "rules": (
            "Summarise the article below in English in at most {n} sentences and at most "
            "{w} words.\n"
            "- Attribute every claim to the person or body that made it (\"X said ...\").\n"
            "- For every disputed claim, give each side's position.\n"
            "- Use only facts, names and numbers that are in the article.\n"
            "- Do not add evaluative or emotional words of your own.\n"
            "- Write only the summary, nothing else."),
        "table": "Claims in the article (who said what):",
        "disputed": "disputed, see",
        "none": "(no attributed claims found)",
        "article": "Article:",
        "side": "side",
    },
    "uk": {
        "system": "Ви редактор новин. Ви пишете короткі нейтральні підсумки українською мовою.",
        "rules": (
            "Підсумуйте статтю нижче українською мовою: не більше {n} речень і не більше "
            "{w} слів.\n"
            "- Кожне твердження приписуйте тому, хто його зробив («X заявив, що ...»).\n"
            "- Для кожного спірного твердження наведіть позицію кожної сторони.\n"
            "- Використовуйте лише факти, імена та числа, що є у статті.\n"
            "- Не додавайте власних оцінних чи емоційних слів.\n"
            "- Напишіть лише підсумок, нічого більше."),
        "table": "Твердження у статті (хто що сказав):",
        "disputed": "оскаржується, див.",
        "none": "(тверджень із зазначеним джерелом не знайдено)",
        "article": "Стаття:",
        "side": "сторона",
    },
    "ru": {
        "system": "Вы редактор новостей. Вы пишете краткие нейтральные изложения на русском "
                  "языке.",
        "rules": (
            "Кратко изложите статью ниже на русском языке: не более {n} предложений и не "
            "более {w} слов.\n"
            "- Каждое утверждение приписывайте тому, кто его сделал («X заявил, что ...»).\n"
            "- Для каждого спорного утверждения приведите позицию каждой стороны.\n"
            "- Используйте только факты, имена и числа, которые есть в статье.\n"
            "- Не добавляйте собственных оценочных или эмоциональных слов.\n"
            "- Напишите только изложение, больше ничего."),
        "table": "Утверждения в статье (кто что сказал):",
        "disputed": "оспаривается, см.",
        "none": "(утверждений с указанным источником не найдено)",
        "article": "Статья:",
        "side": "сторона",
    },
    "ko": {
        "system": "당신은 뉴스 편집자입니다. 짧고 중립적인 한국어 요약을 작성합니다.",
        "rules": (
            "아래 기사를 한국어로 최대 {n}문장, 최대 {w}단어로 요약하십시오.\n"
            "- 모든 주장은 그 주장을 한 사람이나 기관의 말로 밝히십시오(\"X는 ...라고 밝혔다\").\n"
            "- 논쟁이 되는 주장마다 각 측의 입장을 모두 쓰십시오.\n"
            "- 기사에 있는 사실, 이름, 숫자만 사용하십시오.\n"
            "- 평가하거나 감정적인 표현을 스스로 덧붙이지 마십시오.\n"
            "- 요약만 쓰고 다른 말은 쓰지 마십시오."),
        "table": "기사 속 주장(누가 무엇을 말했는가):",
        "disputed": "논쟁 중, 참조",
        "none": "(출처가 밝혀진 주장이 없음)",
        "article": "기사:",
        "side": "측",
    },
}

PROMPT_LANGUAGES: tuple[str, ...] = tuple(_TEXT)


def max_new_tokens_for(max_words: int, lang: str) -> int:
    """Output token budget for ``max_words`` words of ``lang``."""
    return math.ceil(max_words * TOKENS_PER_WORD.get(lang, 2.8)) + TOKEN_MARGIN


def claims_table_text(claims: PromptClaims, lang: str) -> str:
    """The claims table as numbered lines in the prompt's language."""
    text = _TEXT[lang]
    if not claims.rows:
        return text["none"]
    lines = []
    for row in claims.rows:
        shown_side = row.side and row.side != row.speaker
        who = row.speaker + (f" ({text['side']}: {row.side})" if shown_side else "")
        line = f"[{row.number}] {who}: {row.sentence}"
        if row.disputed_with:
            line += f" ({text['disputed']} " + ", ".join(
                f"[{n}]" for n in row.disputed_with) + ")"
        lines.append(line)
    return "\n".join(lines)


def summary_messages(article: str, lang: str, claims: PromptClaims, *, max_sentences: int,
                     max_words: int) -> list[dict[str, str]]:
    """Chat messages (system + user) asking for a neutral summary of ``article``."""
    if lang not in _TEXT:
        raise ValueError(f"no summary prompt for language '{lang}'")
    text = _TEXT[lang]
    user = "\n\n".join([
        text["rules"].format(n=max_sentences, w=max_words),
        text["table"] + "\n" + claims_table_text(claims, lang),
        text["article"] + "\n" + article.strip(),
    ])
    return [{"role": "system", "content": text["system"]}, {"role": "user", "content": user}]


def prompt_claims(article: str, lang: str) -> PromptClaims:
    """The claims table for the prompt, from the disputes analysis."""
    from service.summarize.claims import analyse_claims

    return _claims_from_table(analyse_claims(article, lang))


def _claims_from_table(table: ClaimsTable) -> PromptClaims:
    """Rows from a :class:`service.summarize.claims.ClaimsTable`: claims with a speaker;
    a claim is disputed by every sentence carrying the other position of its dispute."""
    claims = [c for c in table.claims if c.speaker]
    number = {c.index: i + 1 for i, c in enumerate(claims)}
    partners: dict[int, set[int]] = {}
    disputes = []
    for dispute in table.disputes:
        disputes.append((dispute.claim_side, dispute.counter_side))
        for ours, theirs in ((dispute.claim_group, dispute.counter_group),
                             (dispute.counter_group, dispute.claim_group)):
            for a in ours:
                partners.setdefault(a, set()).update(number[b] for b in theirs if b in number)
    rows = [ClaimRow(number[c.index], str(c.speaker), c.side, c.sentence,
                     tuple(sorted(partners.get(c.index, ())))) for c in claims]
    return PromptClaims(rows, disputes)
