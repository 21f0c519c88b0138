"""Novel content: names, numbers, dates and places in the summary that the article
does not contain, and page furniture (a dateline, "Share", a copyright line) given
as summary content.

Numbers compare by value across languages ("1,200" == "1 200" == "1.2 thousand").
Names compare within one language only: en/ru/uk by capitalisation (a capitalised
word that does not merely open a sentence, or one that opens it and is followed by
another name, a possessive or a reporting verb), ko by kiwipiepy's proper-noun tag.
"""

from __future__ import annotations

from service.summarize.furniture import line_kind
from service.summarize.neutrality.cues import cues_for
from service.summarize.neutrality.report import CheckResult, Finding
from service.summarize.neutrality.sources import Analysis
from service.summarize.neutrality.tokens import Token, Vocabulary, find_numbers
from service.summarize.neutrality.vocab import date_word, is_generic_source, is_stopword

NAME = "novel_content"


def _opening_name(tokens: list[Token], i: int, text: str, lang: str) -> bool:
    """A capitalised sentence opener that reads as a name ("Putin said", "NATO's")."""
    token = tokens[i]
    if not token.capital or is_stopword(token.lower, lang):
        return False
    if text[token.end:token.end + 2] in ("'s", "’s"):
        return True
    if i + 1 < len(tokens):
        nxt = tokens[i + 1]
        adjacent = text[token.end:nxt.start].strip() == ""
        if adjacent and (nxt.is_name_like(lang) or nxt.capital
                         or cues_for(lang).verbs.fullmatch(nxt.text)):
            return True
    return False


def _name_tokens(summary: Analysis) -> list[Token]:
    lang = summary.lang
    found: list[Token] = []
    for sentence in summary.sentences:
        tokens = sentence.tokens
        for i, token in enumerate(tokens):
            if is_generic_source(token.lower, lang):
                continue  # titles and institutions ("President", "Ministry") name nobody
            if token.is_name_like(lang) or (lang != "ko" and token.initial
                                            and _opening_name(tokens, i, summary.text, lang)):
                found.append(token)
            elif lang != "en" and date_word(token.lower, lang):
                found.append(token)
    return found


def _unsupported_sentences(article: Analysis, summary: Analysis,
                           vocab: Vocabulary) -> list[Finding]:
    """Sentences that share no word with the article, or carry text that could not be
    decoded (U+FFFD): whatever they say, the article does not say it."""
    findings: list[Finding] = []
    for sentence in summary.sentences:
        if "\ufffd" in sentence.text and "\ufffd" not in article.text:
            findings.append(Finding(NAME, "undecodable text (U+FFFD) is not article content",
                                    sentence.text, sentence.start, sentence.end))
            continue
        words = [t for t in sentence.tokens if any(c.isalpha() for c in t.text)
                 and not is_stopword(t.lower, summary.lang)]
        if words and not any(vocab.contains(t.lower) or (summary.lang == "ko"
                                                          and t.text in article.text)
                             for t in words):
            findings.append(Finding(NAME, "the sentence shares no word with the article",
                                    sentence.text, sentence.start, sentence.end))
    return findings


def check(article: Analysis, summary: Analysis, *, same_language: bool) -> CheckResult:
    """Flag numbers (always) and names/dates (same language only) absent from the article."""
    result = CheckResult(NAME)
    for sentence in summary.sentences:
        kind = line_kind(sentence.text, summary.lang)
        # The article (cleaned of furniture) may hold a sentence that reads like
        # furniture ("Watch."): it is article content.
        if kind is not None and sentence.text not in article.text:
            result.findings.append(Finding(
                NAME, f"page furniture ({kind}) is not article content", sentence.text,
                sentence.start, sentence.end))
    article_values = {v for n in find_numbers(article.text, article.lang) for v in n.values}
    for number in find_numbers(summary.text, summary.lang):
        if not number.values & article_values:
            result.findings.append(Finding(
                NAME, f"number '{number.text}' does not occur in the article",
                number.text, number.start, number.end))
    if not same_language:
        result.reason = (f"only numbers compared: names in the {summary.lang} summary "
                         f"cannot be matched against the {article.lang} article")
        return result
    vocab = Vocabulary([t for s in article.sentences for t in s.tokens], article.lang)
    result.findings.extend(_unsupported_sentences(article, summary, vocab))
    seen: set[str] = set()
    for token in _name_tokens(summary):
        if token.lower in seen:
            continue
        present = vocab.contains(token.lower) or (summary.lang == "ko"
                                                  and token.text in article.text)
        if not present:
            seen.add(token.lower)
            kind = "date" if date_word(token.lower, summary.lang) else "name"
            result.findings.append(Finding(
                NAME, f"{kind} '{token.text}' does not occur in the article",
                token.text, token.start, token.end))
    return result
