"""Word tokens, numbers, quotation spans and name matching for en/uk/ru/ko.

English, Ukrainian and Russian are tokenised with a regular expression; Korean with
kiwipiepy, whose tags tell proper nouns (NNP), numbers (SN) and pronouns (NP) apart
and which strips particles ("국방부는" -> "국방부" + "는").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from service.summarize.neutrality.cues import QUOTE_PAIRS
from service.summarize.neutrality.vocab import MULTIPLIERS, is_stopword
from service.text.analysers import kiwi

_WORD = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")
_NUMBER_CHUNK = re.compile(r"\d+(?:[.,]\d+)*")
# Characters after which a capitalised word starts a sentence or a quotation, so its
# capital letter says nothing about it being a name.
_INITIAL_AFTER = set(".!?:;\"“«„‘(…—–-\n")
# Korean morpheme tags that carry content for claim comparison.
_KO_CONTENT = {"NNG", "NNP", "SL", "SH", "SN", "VV", "VA", "XR", "NR"}
_KO_NAME = {"NNP", "SL", "SH"}


@dataclass(frozen=True)
class Token:
    """One word. ``lower`` is lower-cased with any possessive removed; ``stem`` is the
    form used to compare content words; ``start``/``end`` index the analysed text."""

    text: str
    start: int
    end: int
    lower: str
    stem: str
    capital: bool
    initial: bool
    pos: str = ""

    def is_name_like(self, lang: str) -> bool:
        """A proper-noun candidate: a Korean NNP, or a capitalised en/ru/uk word that
        does not merely open a sentence (acronyms count everywhere)."""
        if lang == "ko":
            return self.pos in _KO_NAME
        if not self.capital or is_stopword(self.lower, lang):
            return False
        acronym = len(self.text) >= 2 and self.text.isupper()
        return acronym or not self.initial


def _kiwi() -> Any:
    """This thread's kiwipiepy analyser (see :mod:`service.text.analysers`)."""
    return kiwi()


def stem(word: str, lang: str) -> str:
    """Crude stem for comparing content words across inflections: a five-letter prefix
    for en/ru/uk (``captured``/``capture``, ``России``/``Россия``)."""
    lower = word.lower().replace("ё", "е")
    if lang == "ko":
        return lower
    return lower[:5]


def _strip_possessive(word: str) -> str:
    for suffix in ("'s", "’s", "'", "’"):
        if word.endswith(suffix) and len(word) > len(suffix) + 1:
            return word[: -len(suffix)]
    return word


def tokenize(text: str, lang: str) -> list[Token]:
    """Split ``text`` into word tokens (numbers excluded; see :func:`find_numbers`)."""
    if lang == "ko":
        return _tokenize_ko(text)
    tokens: list[Token] = []
    for match in _WORD.finditer(text):
        word = match.group()
        before = text[: match.start()].rstrip()
        initial = not before or before[-1] in _INITIAL_AFTER
        lower = _strip_possessive(word.lower().replace("ё", "е"))
        tokens.append(Token(word, match.start(), match.end(), lower, stem(lower, lang),
                            word[0].isupper(), initial))
    return tokens


def _tokenize_ko(text: str) -> list[Token]:
    tokens: list[Token] = []
    for morph in _kiwi().tokenize(text):
        tag = str(morph.tag).split("-")[0]
        if tag not in _KO_CONTENT and tag != "NP":
            continue
        start, end = morph.start, morph.start + morph.len
        tokens.append(Token(text[start:end], start, end, morph.form, morph.form,
                            tag in _KO_NAME, start == 0, tag))
    return tokens


def content_stems(tokens: list[Token], lang: str) -> set[str]:
    """Stems of content words (function words and pronouns left out)."""
    if lang == "ko":
        return {t.stem for t in tokens if t.pos != "NP" and len(t.stem) >= 1}
    return {t.stem for t in tokens if not is_stopword(t.lower, lang) and len(t.lower) > 1}


@dataclass(frozen=True)
class NumberMention:
    """A number in the text with every value it may denote (``"1,200"`` may be 1200
    or, in ru/uk usage, 1.2)."""

    text: str
    start: int
    end: int
    values: frozenset[float]


def _values(chunk: str) -> set[float]:
    seps = re.findall(r"[.,]", chunk)
    groups = re.split(r"[.,]", chunk)
    values: set[float] = set()
    if not seps:
        return {float(chunk)}
    if len(set(seps)) == 1 and all(len(g) == 3 for g in groups[1:]) and len(groups[0]) <= 3:
        values.add(float("".join(groups)))  # thousands separators
    if len(seps) == 1:
        values.add(float(chunk.replace(",", ".")))  # decimal mark
    elif len(set(seps)) == 2 and seps[-1] != seps[0]:
        mark = seps[-1]
        whole, frac = chunk.rsplit(mark, 1)
        values.add(float(re.sub(r"[.,]", "", whole) + "." + frac))
    if not values:
        # Dates and codes ("24.02.2022"): each group stands on its own.
        values.update(float(g) for g in groups if g)
    return values


def find_numbers(text: str, lang: str) -> list[NumberMention]:
    """Numbers in ``text``, normalised: ``"1,200"``, ``"1 200"`` and ``"1.2 thousand"``
    share the value 1200."""
    chunks = [[m.start(), m.end()] for m in _NUMBER_CHUNK.finditer(text)]
    merged: list[list[int]] = []
    for chunk in chunks:
        if merged:
            prev = merged[-1]
            gap = text[prev[1]:chunk[0]]
            spaced = gap in ("\u00a0", "\u202f") or (gap == " " and lang in ("ru", "uk"))
            left = text[prev[0]:prev[1]]
            if spaced and chunk[1] - chunk[0] == 3 and re.fullmatch(r"\d{1,3}( \d{3})*",
                                                                     left.replace("\u00a0", " ")
                                                                     .replace("\u202f", " ")):
                prev[1] = chunk[1]
                continue
        merged.append(chunk)
    mentions = []
    for start, end in merged:
        raw = text[start:end]
        values = _values(re.sub(r"[\s\u00a0\u202f]", "", raw))
        after = re.match(r"\s*([^\W\d_]+)", text[end:])
        if after and after.group(1).lower() in MULTIPLIERS:
            factor = MULTIPLIERS[after.group(1).lower()]
            values |= {v * factor for v in values}
        mentions.append(NumberMention(raw, start, end,
                                      frozenset(round(v, 6) for v in values)))
    return _korean_compounds(text, mentions)


_KO_COMPOUND = re.compile(r"(\d+)\s*(조|억|만)\s*(\d+)\s*(억|만|천)")


def _korean_compounds(text: str, mentions: list[NumberMention]) -> list[NumberMention]:
    """Merge Korean compound numbers ("1만 6천" = 16,000) into one mention that keeps
    its parts' values too, so either spelling matches the other."""
    for match in _KO_COMPOUND.finditer(text):
        total = (float(match.group(1)) * MULTIPLIERS[match.group(2)]
                 + float(match.group(3)) * MULTIPLIERS[match.group(4)])
        parts = [m for m in mentions if match.start() <= m.start < match.end()]
        values = frozenset({round(total, 6)}.union(*(m.values for m in parts)))
        mentions = [m for m in mentions if m not in parts]
        mentions.append(NumberMention(match.group(), match.start(), match.end(), values))
    return sorted(mentions, key=lambda m: m.start)


def find_quote_spans(text: str) -> list[tuple[int, int, bool]]:
    """Quotation spans ``(start, end, closed)`` (marks included). A quotation is looked
    for within its paragraph (line); one never closed runs to the paragraph's end."""
    spans: list[tuple[int, int, bool]] = []
    pos = 0
    while pos < len(text):
        char = text[pos]
        closer = QUOTE_PAIRS.get(char)
        if closer is None or (char == "‘" and pos > 0 and text[pos - 1].isalnum()):
            pos += 1
            continue
        para_end = text.find("\n", pos)
        para_end = len(text) if para_end == -1 else para_end
        end = text.find(closer, pos + 1, para_end)
        if char == "‘":
            # A closing single quote followed by a letter is an apostrophe ("it’s").
            while end != -1 and end + 1 < len(text) and text[end + 1].isalpha():
                end = text.find(closer, end + 1, para_end)
        if end == -1:
            spans.append((pos, para_end, False))
            pos = para_end
        else:
            spans.append((pos, end + 1, True))
            pos = end + 1
    return spans


def _uk_fold(word: str) -> str:
    # Ukrainian alternates і/ї with о/е in a final closed syllable: Київ/Києва,
    # Харків/Харкова, Львів/Львова.
    return re.sub(r"ї([^аеєиіїоуюяь\W])$", r"є\1", re.sub(r"і([^аеєиіїоуюяь\W])$", r"о\1", word))


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n


def _ko_abbreviation(short: str, long: str) -> bool:
    """Korean bodies are abbreviated by syllables taken in order from their name,
    starting with the first: 공정위 (공정거래위원회), 합참 (합동참모본부), 국정원
    (국가정보원)."""
    if not (2 <= len(short) <= 3 and len(long) >= len(short) + 2 and short[0] == long[0]):
        return False
    if not all("가" <= c <= "힣" for c in short + long):
        return False
    pos = 0
    for char in short:
        pos = long.find(char, pos)
        if pos < 0:
            return False
        pos += 1
    return True


def same_word(a: str, b: str, lang: str) -> bool:
    """True when two lower-cased words are forms of one name: exact for Korean (or
    a syllable abbreviation, 공정위 for 공정거래위원회), an
    inflection or derived adjective for en (Ukraine/Ukrainian), a case form for ru/uk
    (России/Россия, Харків/Харкова)."""
    if a == b:
        return True
    if lang == "ko":
        return _ko_abbreviation(a, b) or _ko_abbreviation(b, a)
    if lang == "uk":
        a, b = _uk_fold(a), _uk_fold(b)
    prefix = _common_prefix(a, b)
    shorter = min(len(a), len(b))
    if lang == "en":
        return prefix >= max(4, shorter - 1)
    return prefix >= max(4, shorter - 3)


class Vocabulary:
    """The words of a text, for fast "does this name occur there?" questions."""

    def __init__(self, tokens: list[Token], lang: str) -> None:
        self.lang = lang
        self._exact = {t.lower for t in tokens}
        self._by_prefix: dict[str, set[str]] = {}
        for word in self._exact:
            self._by_prefix.setdefault(word[:2], set()).add(word)

    def contains(self, word: str) -> bool:
        """True when ``word`` (lower-cased) or a form of it occurs in the text."""
        if word in self._exact:
            return True
        return any(same_word(word, other, self.lang)
                   for other in self._by_prefix.get(word[:2], ()))
