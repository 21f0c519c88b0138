"""Loaded language: evaluative terms from a per-language lexicon
(``service/summarize/lexicons/<lang>.txt``) that the summary uses in its own voice.

A term is accepted only where the summary attributes it (inside a quotation or a
sentence with a reporting cue) and the article attributes it to a speaker too.
Lexicon entries: one per line, words separated by spaces, ``*`` ending a word means
"any ending" (``оккупант*``); Korean entries match the start of an eojeol, so
particles may follow (``테러리스트`` matches ``테러리스트들은``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from service.summarize.neutrality.attribution import best_match
from service.summarize.neutrality.report import CheckResult, Finding
from service.summarize.neutrality.sources import Analysis, SentenceInfo
from service.summarize.neutrality.tokens import tokenize

NAME = "loaded_language"
_STRIP = "\"'“”«»„‘’()[]「」『』.,;:!?…—–-"


@dataclass(frozen=True)
class Occurrence:
    """A lexicon term found in a text."""

    term: str
    start: int
    end: int


@lru_cache(maxsize=8)
def load_lexicon(lang: str) -> tuple[tuple[str, ...], ...]:
    """The lexicon of ``lang`` as word-pattern tuples (empty for unknown languages)."""
    path = resources.files("service.summarize") / "lexicons" / f"{lang}.txt"
    if not path.is_file():
        return ()
    entries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip().lower()
        if line:
            entries.append(tuple(line.split()))
    return tuple(entries)


def _word_matches(pattern: str, word: str, lang: str) -> bool:
    if pattern.endswith("*"):
        return word.startswith(pattern[:-1])
    if lang == "ko":
        return word.startswith(pattern)
    return word == pattern


def _words(text: str, lang: str) -> list[tuple[str, int, int]]:
    if lang == "ko":
        out = []
        pos = 0
        for raw in text.split():
            start = text.index(raw, pos)
            pos = start + len(raw)
            word = raw.strip(_STRIP)
            if word:
                offset = start + raw.index(word)
                out.append((word, offset, offset + len(word)))
        return out
    return [(t.text.lower().replace("ё", "е"), t.start, t.end) for t in tokenize(text, lang)]


@lru_cache(maxsize=8)
def _index(lang: str) -> dict[str, tuple[tuple[str, ...], ...]]:
    """Entries by the first letter of their first word, longest phrases first."""
    index: dict[str, list[tuple[str, ...]]] = {}
    for entry in sorted(load_lexicon(lang), key=len, reverse=True):
        index.setdefault(entry[0][:1], []).append(entry)
    return {k: tuple(v) for k, v in index.items()}


def find_terms(text: str, lang: str) -> list[Occurrence]:
    """Every lexicon term in ``text``, leftmost-longest, without overlaps."""
    words = _words(text, lang)
    index = _index(lang)
    found: list[Occurrence] = []
    i = 0
    while i < len(words):
        for entry in index.get(words[i][0][:1], ()):
            n = len(entry)
            window = words[i:i + n]
            if len(window) == n and all(_word_matches(p, w[0], lang)
                                        for p, w in zip(entry, window)):
                found.append(Occurrence(" ".join(entry), window[0][1], window[-1][2]))
                i += n
                break
        else:
            i += 1
    return found


def attributed_at(analysis: Analysis, start: int, end: int) -> bool:
    """True when ``[start, end)`` is inside a quotation or a sentence with a reporting cue."""
    if analysis.in_quote(start, end):
        return True
    return any(s.start <= start < s.end and s.cue for s in analysis.sentences)


def _sentence_at(analysis: Analysis, pos: int) -> SentenceInfo | None:
    return next((s for s in analysis.sentences if s.start <= pos < s.end), None)


def check(article: Analysis, summary: Analysis, *, same_language: bool) -> CheckResult:
    """Flag loaded terms the summary states in its own voice, or attributes although
    the article never does (or not in the statement the summary sentence reports)."""
    result = CheckResult(NAME)
    # term -> indices of article sentences where a speaker uses it
    attributed_in: dict[str, set[int]] = {}
    if same_language:
        for occ in find_terms(article.text, article.lang):
            sentence = _sentence_at(article, occ.start)
            used = attributed_in.setdefault(occ.term, set())
            if sentence is not None and attributed_at(article, occ.start, occ.end):
                used.add(sentence.index)
    else:
        result.reason = (f"the article ({article.lang}) is not compared: terms are flagged "
                         f"only where the {summary.lang} summary uses them in its own voice")
    for occ in find_terms(summary.text, summary.lang):
        span = summary.text[occ.start:occ.end]
        in_voice = not attributed_at(summary, occ.start, occ.end)
        if not same_language:
            if in_voice:
                result.findings.append(Finding(
                    NAME, f"loaded term '{span}' is used in the summary's own voice",
                    span, occ.start, occ.end))
            continue
        speakers_use = attributed_in.get(occ.term)
        if speakers_use is None:
            message = f"loaded term '{span}' does not occur in the article"
        elif not speakers_use:
            message = f"loaded term '{span}' is not attributed to a speaker in the article"
        elif in_voice:
            message = (f"loaded term '{span}' is attributed to a speaker in the article "
                       f"but used in the summary's own voice")
        elif summary.in_quote(occ.start, occ.end) or _reported_statement_uses(
                article, summary, occ.start, speakers_use):
            continue
        else:
            message = (f"loaded term '{span}' is not in the article statement this "
                       f"sentence reports")
        result.findings.append(Finding(NAME, message, span, occ.start, occ.end))
    return result


def _reported_statement_uses(article: Analysis, summary: Analysis, pos: int,
                             sentences: set[int]) -> bool:
    """True when the summary sentence at ``pos`` restates an article sentence in which
    a speaker uses the term."""
    sentence = _sentence_at(summary, pos)
    if sentence is None:
        return False
    match, _ = best_match(sentence, article)
    return match in sentences
