"""Who says what: sentences, their attribution cues, their sources, and the sides
(groups of sources) a text quotes.

A source is the speaker phrase next to a reporting verb ("Russia's defence ministry
said", "заявил Песков", "국방부는 ... 밝혔다") or after an "according to" form. Its
identity is a set of key words: proper names when it has any, else its nouns.
Sources whose keys nest ("Zelensky" in "President Volodymyr Zelensky") are one
side; "Russia's General Staff" and "Ukraine's General Staff" are two.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from service.summarize.neutrality.cues import cues_for
from service.summarize.neutrality.tokens import (Token, _kiwi, content_stems,
                                                 find_quote_spans, same_word, tokenize)
from service.summarize.neutrality.vocab import date_word, is_generic_source, is_stopword
from service.text.sentences import split_sentence_spans

# Characters that end a speaker phrase.
_BOUNDARY = re.compile(r"[,;:.!?—–()«»\"“”„]")
# English participles mark a clause as reported ("denied it, saying ...") but the
# words after them are the claim, never the speaker.
_EN_PARTICIPLES = {"saying", "adding", "insisting", "warning", "accusing", "claiming",
                   "denying", "telling"}
_EN_INVERTED = {"said", "says", "added", "wrote", "told", "asked", "warned", "claimed"}
_MAX_SOURCE_WORDS = 8
# Korean morphemes that may belong to a speaker noun phrase.
_KO_NP_TAGS = {"NNG", "NNP", "NNB", "SL", "SH", "XSN", "JKG", "XPN", "NP"}


@dataclass(frozen=True)
class Source:
    """A speaker phrase; ``start``/``end`` index the analysed text."""

    text: str
    start: int
    end: int
    keys: tuple[str, ...]
    pronoun: bool = False


@dataclass
class SentenceInfo:
    """One sentence and what it attributes."""

    index: int
    start: int
    end: int
    text: str
    tokens: list[Token]
    stems: set[str]
    cue: bool
    quoted: bool
    sources: list[Source] = field(default_factory=list)
    #: For "he said" and continued quotations: the sentence naming the speaker.
    antecedent: int | None = None

    @property
    def attributed(self) -> bool:
        """The sentence reports someone's words (a cue or a quotation)."""
        return self.cue or self.quoted

    @property
    def named_sources(self) -> list[Source]:
        return [s for s in self.sources if not s.pronoun and s.keys]


@dataclass
class Analysis:
    """A text split into sentences, with sources and sides."""

    text: str
    lang: str
    sentences: list[SentenceInfo]
    quote_spans: list[tuple[int, int]]
    sides: list[list[Source]]

    def in_quote(self, start: int, end: int) -> bool:
        """True when ``[start, end)`` lies inside a quotation."""
        return any(q0 <= start and end <= q1 for q0, q1 in self.quote_spans)

    def speakers(self, index: int) -> list[Source]:
        """Named sources of sentence ``index``, or of its antecedent for "he said"."""
        sentence = self.sentences[index]
        if sentence.named_sources:
            return sentence.named_sources
        if sentence.antecedent is not None:
            return self.sentences[sentence.antecedent].named_sources
        return []

    def side_of(self, source: Source) -> int | None:
        """Index into :attr:`sides` of the side ``source`` belongs to."""
        for i, side in enumerate(self.sides):
            if source in side:
                return i
        return None

    def sentence_sides(self, index: int) -> set[int]:
        """Sides whose speaker sentence ``index`` names (or refers back to)."""
        return {i for s in self.speakers(index) if (i := self.side_of(s)) is not None}


def sentence_spans(text: str, lang: str) -> list[tuple[int, int]]:
    """Sentence spans over a whole text: paragraphs (lines) first, then sentences."""
    spans: list[tuple[int, int]] = []
    for para in re.finditer(r"[^\n]+", text):
        for span in split_sentence_spans(para.group(), lang):
            spans.append((para.start() + span.start, para.start() + span.end))
    return spans


def _keys(tokens: list[Token], lang: str) -> tuple[tuple[str, ...], bool]:
    """Identity words of a speaker phrase, and whether it is only a pronoun."""
    pronouns = cues_for(lang).pronouns
    words = [t for t in tokens if t.lower not in pronouns and not is_stopword(t.lower, lang)
             and not date_word(t.lower, lang) and t.pos != "NP"]
    has_pronoun = any(t.lower in pronouns or t.pos == "NP" for t in tokens)
    names = [t for t in words if t.capital]
    for group in ([t for t in names if not is_generic_source(t.lower, lang)], names,
                  [t for t in words if not is_generic_source(t.lower, lang)], words):
        if group:
            return tuple(dict.fromkeys(t.lower for t in group)), False
    return (), has_pronoun


def _source(text: str, offset: int, lo: int, hi: int, lang: str) -> Source | None:
    """A source from ``text[lo:hi]`` (sentence-relative); ``None`` if it names nobody."""
    segment = text[lo:hi]
    tokens = [t for t in tokenize(segment, lang)][-_MAX_SOURCE_WORDS:]
    if not tokens:
        return None
    keys, pronoun = _keys(tokens, lang)
    if not keys and not pronoun:
        return None
    start, end = lo + tokens[0].start, lo + tokens[-1].end
    return Source(text[start:end], offset + start, offset + end, keys, pronoun)


def _segment_before(text: str, pos: int) -> int:
    cut = max((m.end() for m in _BOUNDARY.finditer(text, 0, pos)), default=0)
    return cut


def _segment_after(text: str, pos: int) -> int:
    match = _BOUNDARY.search(text, pos)
    return match.start() if match else len(text)


def _sources_latin_cyrillic(text: str, offset: int, lang: str) -> tuple[list[Source], bool]:
    cues = cues_for(lang)
    found: list[Source] = []
    cue = False
    for match in cues.according.finditer(text):
        cue = True
        src = _source(text, offset, match.end(), _segment_after(text, match.end()), lang)
        if src:
            found.append(src)
    for match in cues.verbs.finditer(text):
        cue = True
        verb = match.group().lower()
        if lang == "en" and verb in _EN_PARTICIPLES:
            continue
        lo = _segment_before(text, match.start())
        src = _source(text, offset, lo, match.start(), lang)
        if src is None and (lang != "en" or verb in _EN_INVERTED):
            src = _source(text, offset, match.end(), _segment_after(text, match.end()), lang)
        if src is None and lo > 0 and text[lo - 1] == ",":
            # "The Commission, which drafts the law, said": the speaker opens the sentence.
            first = _segment_after(text, 0)
            src = _source(text, offset, 0, first, lang)
        if src:
            found.append(src)
    return found, cue


def _sources_ko(text: str, offset: int, quotes: list[tuple[int, int]]) -> tuple[list[Source], bool]:
    cues = cues_for("ko")
    found: list[Source] = []
    according = list(cues.according.finditer(text))
    verbs = list(cues.verbs.finditer(text))
    for match in according:
        lo = max(_segment_before(text, match.start()), match.start() - 30)
        src = _source(text, offset, lo, match.start(), "ko")
        if src:
            found.append(src)
    if verbs:
        morphs = _kiwi().tokenize(text)
        inside = lambda p: any(q0 <= offset + p < q1 for q0, q1 in quotes)  # noqa: E731
        subject = None
        for i, m in enumerate(morphs):
            tag = str(m.tag)
            if tag in ("JX", "JKS") and m.form in ("은", "는", "이", "가") and not inside(m.start):
                j = i
                while j > 0 and str(morphs[j - 1].tag).split("-")[0] in _KO_NP_TAGS \
                        and not inside(morphs[j - 1].start):
                    j -= 1
                if j < i:
                    subject = (morphs[j].start, m.start)
                    break
        if subject is not None:
            src = _source(text, offset, subject[0], subject[1], "ko")
            if src:
                found.append(src)
        elif not found:
            # No subject at all: Korean drops a speaker already named ("...라고 말했다").
            found.append(Source("", offset, offset, (), True))
    return found, bool(according or verbs)


def _resolve(sentences: list[SentenceInfo]) -> None:
    """Point "he said" sentences and continued quotations at the sentence that named
    the speaker (at most four sentences back)."""
    for sentence in sentences:
        needs = (sentence.sources and not sentence.named_sources) or \
                (sentence.quoted and not sentence.cue)
        if not needs:
            continue
        for back in range(sentence.index - 1, max(-1, sentence.index - 5), -1):
            if sentences[back].named_sources:
                sentence.antecedent = back
                break


def keys_within(inner: tuple[str, ...], outer: list[str], lang: str) -> bool:
    """True when every key word of ``inner`` occurs (in some form) in ``outer``."""
    return bool(inner) and all(any(same_word(k, w, lang) for w in outer) for k in inner)


def _group_sides(sources: list[Source], lang: str) -> list[list[Source]]:
    parent = list(range(len(sources)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, a in enumerate(sources):
        for j in range(i):
            b = sources[j]
            if keys_within(a.keys, list(b.keys), lang) or keys_within(b.keys, list(a.keys), lang):
                parent[find(i)] = find(j)
    groups: dict[int, list[Source]] = {}
    for i, src in enumerate(sources):
        groups.setdefault(find(i), []).append(src)
    return list(groups.values())


def analyse(text: str, lang: str) -> Analysis:
    """Split ``text`` into sentences and find each one's attribution and sources."""
    return _analyse_cached(text, lang)


@lru_cache(maxsize=64)
def _analyse_cached(text: str, lang: str) -> Analysis:
    quotes = find_quote_spans(text)
    sentences: list[SentenceInfo] = []
    for index, (start, end) in enumerate(sentence_spans(text, lang)):
        sent = text[start:end]
        tokens = [Token(t.text, t.start + start, t.end + start, t.lower, t.stem, t.capital,
                        t.initial, t.pos) for t in tokenize(sent, lang)]
        if lang == "ko":
            sources, cue = _sources_ko(sent, start, quotes)
        else:
            sources, cue = _sources_latin_cyrillic(sent, start, lang)
        quoted = any(q0 < end and start < q1 for q0, q1 in quotes)
        sentences.append(SentenceInfo(index, start, end, sent, tokens,
                                      content_stems(tokens, lang), cue, quoted, sources))
    _resolve(sentences)
    named = [s for sent in sentences for s in sent.named_sources]
    return Analysis(text, lang, sentences, quotes, _group_sides(named, lang))


def side_label(side: list[Source]) -> str:
    """The fullest phrase naming a side, for messages."""
    return max((s.text for s in side), key=len)


def side_present(side: list[Source], tokens: list[Token], lang: str) -> bool:
    """True when ``tokens`` name one of ``side``'s speakers (every key word of it)."""
    words = [t.lower for t in tokens]
    return any(keys_within(s.keys, words, lang) for s in side)
