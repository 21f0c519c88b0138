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

from service.summarize.neutrality.cues import QUOTE_PAIRS, cues_for
from service.summarize.neutrality.tokens import (
    Token,
    _kiwi,
    content_stems,
    find_quote_spans,
    same_word,
    tokenize,
)
from service.summarize.neutrality.vocab import METONYMS, date_word, is_generic_source, is_stopword
from service.text.sentences import split_sentence_spans

# Characters that end a speaker phrase.
_BOUNDARY = re.compile(r"[,;:.!?—–()«»\"“”„]")
# English participles mark a clause as reported ("denied it, saying ...") but the
# words after them are the claim, never the speaker.
_EN_PARTICIPLES = {"saying", "adding", "insisting", "warning", "accusing", "claiming",
                   "denying", "telling"}
# Verbs that put the speaker after them, after a quotation ('"...," said Smith').
_EN_INVERTED = {"said", "says", "added", "wrote", "asked", "warned", "claimed"}
_CLOSERS = "\"”’»"
# A reporting verb coordinated with an earlier one shares its subject.
_COORDINATED = re.compile(r"(?<!\w)(?:and|и|і|й|та|а также)\s+(?:\w+ly\s+)?$", re.IGNORECASE)
_MAX_SOURCE_WORDS = 8
_CLAUSE_WORDS: dict[str, re.Pattern[str]] = {
    lang: re.compile(rf"(?<!\w)(?:{words})(?!\w)", re.IGNORECASE) for lang, words in {
        "en": "that|which|who|whom|whose|after|before|when|while|as|because|though|although"
              "|but|if|since|where",
        "ru": "что|который|которая|которое|которые|когда|если|но|чтобы|хотя|после|пока",
        "uk": "що|який|яка|яке|які|коли|якщо|але|щоб|хоча|після|поки",
    }.items()}
# English words that make the next "claims"/"said"/"reported" a noun, a passive or an
# infinitive, not a speaker's verb ("the claims", "were reported", "to say").
_EN_NOT_VERB_AFTER = {"the", "a", "an", "these", "those", "his", "her", "their", "its",
                      "our", "such", "to", "was", "were", "been", "be", "being", "is", "are",
                      "aforementioned"}
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
    #: Only generic words ("the ministry", "officials"): may refer back to a speaker
    #: named earlier ("Russia's defence ministry").
    generic: bool = False
    #: Words that place the speaker on a side: its keys, the country a seat of
    #: government stands for ("Kremlin" -> Russia), and names in an apposition
    #: ("Oleksandr Shtupun, a spokesman for Ukraine's southern grouping, said").
    affiliation: tuple[str, ...] = ()


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
        """Sources that name someone, even generically ("officials")."""
        return [s for s in self.sources if not s.pronoun and s.keys]

    @property
    def own_speakers(self) -> list[Source]:
        """Sources that name a particular speaker ("Russia's defence ministry")."""
        return [s for s in self.named_sources if not s.generic]


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
        if sentence.own_speakers:
            return sentence.own_speakers
        if sentence.antecedent is not None:
            return self.sentences[sentence.antecedent].own_speakers
        return sentence.named_sources

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


def _keys(tokens: list[Token], lang: str) -> tuple[tuple[str, ...], str]:
    """Identity words of a speaker phrase and their kind: "name", "generic" (only
    words such as "ministry"), "pronoun" (no keys) or "" (nobody)."""
    pronouns = cues_for(lang).pronouns
    words = [t for t in tokens if t.lower not in pronouns and not is_stopword(t.lower, lang)
             and not date_word(t.lower, lang) and t.pos != "NP"
             and not any(c.isdigit() for c in t.text)]
    has_pronoun = any(t.lower in pronouns or t.pos == "NP" for t in tokens)
    names = [t for t in words if t.capital]
    specific_names = [t for t in names if not is_generic_source(t.lower, lang)]
    specific_words = [t for t in words if not is_generic_source(t.lower, lang)]
    # "Міністерство охорони здоров'я", "the health ministry": words that say which
    # body make it a particular speaker, capitalised or not.
    for group, kind in ((specific_names, "name"), (specific_words, "name"),
                        (names, "generic"), (words, "generic")):
        if group:
            return tuple(dict.fromkeys(t.lower for t in group)), kind
    return (), "pronoun" if has_pronoun else ""


def _source(text: str, offset: int, lo: int, hi: int, lang: str,
            apposition: str = "") -> Source | None:
    """A source from ``text[lo:hi]`` (sentence-relative); ``None`` if it names nobody."""
    segment = text[lo:hi]
    tokens = [t for t in tokenize(segment, lang)][-_MAX_SOURCE_WORDS:]
    if not tokens:
        return None
    keys, kind = _keys(tokens, lang)
    if not kind:
        return None
    start, end = lo + tokens[0].start, lo + tokens[-1].end
    metonyms = METONYMS.get(lang, {})
    extra = [t.lower for t in tokenize(apposition, lang) if t.capital
             and not is_stopword(t.lower, lang) and not is_generic_source(t.lower, lang)]
    affiliation = keys + tuple(metonyms[k] for k in keys if k in metonyms) + tuple(extra)
    return Source(text[start:end], offset + start, offset + end, keys,
                  pronoun=kind == "pronoun", generic=kind == "generic",
                  affiliation=tuple(dict.fromkeys(affiliation)))


def _segment_before(text: str, pos: int, lang: str = "") -> int:
    cut = max((m.end() for m in _BOUNDARY.finditer(text, 0, pos)), default=0)
    clause = _CLAUSE_WORDS.get(lang)
    if clause:
        # The speaker is the subject of the reporting verb's own clause: "a new policy
        # that denies" names nobody, "though officials said" names "officials".
        cut = max([cut] + [m.end() for m in clause.finditer(text, cut, pos)])
    return cut


def _segment_after(text: str, pos: int) -> int:
    match = _BOUNDARY.search(text, pos)
    return match.start() if match else len(text)


def _after_quote(text: str, pos: int) -> bool:
    before = text[:pos].rstrip().rstrip(",").rstrip()
    return bool(before) and before[-1] in _CLOSERS


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
        verb = match.group().lower()
        if lang == "en":
            previous = re.findall(r"[\w'-]+", text[:match.start()])
            if previous and previous[-1].lower() in _EN_NOT_VERB_AFTER:
                continue
        cue = True
        if lang == "en" and verb in _EN_PARTICIPLES:
            continue
        if found and _COORDINATED.search(text[:match.start()]):
            continue  # "X repeated that ... and said ...": the same speaker
        lo = _segment_before(text, match.start(), lang)
        if lo > 0 and not text[lo:match.start()].strip() and text[lo - 1] in _CLOSERS:
            # A quoted name ends the speaker phrase ("Инициативная группа «Сохраним
            # парк» опровергла"): the phrase starts before the quotation.
            opener = max(text.rfind(o, 0, lo - 1) for o in QUOTE_PAIRS)
            if opener > 0:
                lo = _segment_before(text, opener, lang)
        src = _source(text, offset, lo, match.start(), lang)
        if src is None and (lang != "en" or (verb in _EN_INVERTED
                                             and _after_quote(text, match.start()))):
            src = _source(text, offset, match.end(), _segment_after(text, match.end()), lang)
        if src is None and lo > 0 and text[lo - 1] == ",":
            # "The Commission, which drafts the law, said": the speaker opens the sentence.
            first = _segment_after(text, 0)
            src = _source(text, offset, 0, first, lang, apposition=text[first:match.start()])
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
    if verbs and not according:
        subject = _ko_subject(text, offset, quotes, verbs[-1].start())
        src = _source(text, offset, subject[0], subject[1], "ko") if subject else None
        if src:
            found.append(src)
        elif not found:
            # A pronoun ("그는") or no subject at all: Korean drops a speaker already
            # named ("...라고 말했다").
            found.append(Source("", offset, offset, (), True))
    return found, bool(according or verbs)


_KO_QUOTATIVE = {"다고", "라고", "냐고", "자고", "이라고", "으라고"}


def _ko_subject(text: str, offset: int, quotes: list[tuple[int, int]],
                verb_at: int) -> tuple[int, int] | None:
    """Span of the speaker noun phrase of a Korean reporting verb: the subject after
    the quoted clause ("...다고 변호사 측이 밝혔다"), else the sentence's first topic or
    subject ("국방부는 ...다고 밝혔다")."""
    morphs = [m for m in _kiwi().tokenize(text) if m.start < verb_at]

    def inside(pos: int) -> bool:
        return any(q0 <= offset + pos < q1 for q0, q1 in quotes)

    quotative = max((m.start for m in morphs if str(m.tag) == "JKQ"
                     or (str(m.tag) == "EC" and m.form in _KO_QUOTATIVE)), default=-1)
    subjects: list[tuple[int, int]] = []
    for i, m in enumerate(morphs):
        if str(m.tag) in ("JX", "JKS") and m.form in ("은", "는", "이", "가") \
                and not inside(m.start):
            j = i
            while j > 0 and str(morphs[j - 1].tag).split("-")[0] in _KO_NP_TAGS \
                    and not inside(morphs[j - 1].start):
                j -= 1
            if j < i:
                subjects.append((morphs[j].start, m.start))
    after = [s for s in subjects if s[0] > quotative >= 0]
    if after:
        return after[-1]
    if quotative >= 0:
        # Before the quotative ending, a subject may belong to the reported clause
        # ("이러한 조치들은 ...했다고 말했다"): keep it only if it reads as a speaker.
        subjects = [s for s in subjects if _ko_speaker_like(morphs, s)]
    return subjects[0] if subjects else None


# Endings of nouns for people and bodies (기자, 대변인, 경찰청, 국방부, 단체, 정부 측).
_KO_SPEAKER_ENDINGS = ("자", "인", "관", "원", "청", "부", "처", "단", "회", "국", "소", "당",
                       "측", "팀", "체", "찰", "령", "군", "장", "가", "위", "사", "대", "터",
                       "행", "맹", "조", "실")


def _ko_speaker_like(morphs: list, span: tuple[int, int]) -> bool:
    nouns = [m for m in morphs if span[0] <= m.start < span[1]
             and str(m.tag).split("-")[0] in ("NNG", "NNP", "SL", "SH", "NP", "XSN")]
    return any(str(m.tag).split("-")[0] in ("NNP", "SL", "SH", "NP")
               or is_generic_source(m.form, "ko") or m.form.endswith(_KO_SPEAKER_ENDINGS)
               for m in nouns)


def _resolve(sentences: list[SentenceInfo], lang: str) -> None:
    """Point "he said", "the ministry said" and continued quotations at the sentence
    that named the speaker (at most four sentences back; for "the ministry", the
    latest speaker whose phrase contains "ministry")."""
    for sentence in sentences:
        if sentence.own_speakers:
            continue
        generic = [s for s in sentence.named_sources if s.generic]
        # A sentence that is all quotation continues the last speaker's words; a
        # quoted phrase inside a sentence is a citation or scare quotes.
        continued = not sentence.cue and sentence.text[:1] in QUOTE_PAIRS
        if not sentence.sources and not continued:
            continue
        for back in range(sentence.index - 1, max(-1, sentence.index - 5), -1):
            speakers = sentences[back].own_speakers
            if not speakers:
                continue
            if generic and not any(
                    keys_within(g.keys, [t.lower for t in tokenize(s.text, lang)], lang)
                    for g in generic for s in speakers):
                continue
            sentence.antecedent = back
            break
        if sentence.antecedent is None and generic and sentence.index > 0 \
                and sentences[sentence.index - 1].own_speakers:
            # A synonym right after a named speaker ("Министерство обороны России
            # заявило ... В ведомстве сообщили ...") refers back to it.
            sentence.antecedent = sentence.index - 1


def keys_within(inner: tuple[str, ...], outer: list[str], lang: str) -> bool:
    """True when every key word of ``inner`` occurs (in some form) in ``outer``."""
    if lang == "ko" and len(outer) > 1:
        # Morphemes of one name (공정/거래/위원회) against its abbreviation (공정위).
        outer = list(outer) + ["".join(outer)]
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
            if keys_within(a.affiliation, list(b.affiliation), lang) or \
                    keys_within(b.affiliation, list(a.affiliation), lang):
                parent[find(i)] = find(j)
    groups: dict[int, list[Source]] = {}
    for i, src in enumerate(sources):
        groups.setdefault(find(i), []).append(src)
    return list(groups.values())


def _clip_unclosed(quotes: list[tuple[int, int, bool]],
                   spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Quotation spans; one never closed ends with the sentence that opens it, so a
    sentence reads the same in the article and, alone, in a summary."""
    out = []
    for start, end, closed in quotes:
        if not closed:
            end = next((e for s, e in spans if s <= start < e), end)
        out.append((start, end))
    return out


def analyse(text: str, lang: str) -> Analysis:
    """Split ``text`` into sentences and find each one's attribution and sources."""
    return _analyse_cached(text, lang)


@lru_cache(maxsize=64)
def _analyse_cached(text: str, lang: str) -> Analysis:
    spans = sentence_spans(text, lang)
    quotes = _clip_unclosed(find_quote_spans(text), spans)
    sentences: list[SentenceInfo] = []
    for index, (start, end) in enumerate(spans):
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
    _resolve(sentences, lang)
    # Sides: particular speakers, plus generic ones that refer back to nobody.
    named = [s for sent in sentences for s in
             (sent.own_speakers if sent.antecedent is not None else sent.named_sources)]
    return Analysis(text, lang, sentences, quotes, _group_sides(named, lang))


def side_label(side: list[Source]) -> str:
    """The phrase that first names a side in the text, for messages."""
    return side[0].text


def speaker_on_side(speaker: Source, side: list[Source], lang: str) -> bool:
    """True when ``speaker`` (found in another text, e.g. a summary) is one of
    ``side``'s speakers: its phrase contains every key word of one of them
    ("the Russian defence ministry" for "Russia's defence ministry"), or its own key
    words belong to one of them ("Peskov" for "Kremlin spokesman Dmitry Peskov")."""
    if speaker.pronoun or not speaker.keys:
        return False
    words = list(speaker.affiliation) + [t.lower for t in tokenize(speaker.text, lang)]
    specific = [s for s in side if not s.generic] or side
    return any(keys_within(s.keys, words, lang) or
               (not speaker.generic and keys_within(speaker.keys, list(s.affiliation), lang))
               for s in specific)
