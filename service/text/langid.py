"""Language identification restricted to the languages a deployment serves.

Built on lingua-language-detector, restricted to the configured languages (lingua with
every language needs more than 1 GB; four languages need ~150 MB). Restricting lingua
has a catch: it always answers with one of the configured languages, even for French.
So a text is reported as *not identified* (``language=None``, with a ``reason``) when:

1. ``no letters``: it has no letters at all (digits, punctuation, empty);
2. ``script``: most of its letters are in a script that no configured language is
   written in (Greek, Arabic, Chinese characters or Japanese kana when only en/uk/ru/ko
   are served). Korean's script is Hangul (hanja mixed into Korean text is fine as
   long as Hangul dominates). In that count a Hangul syllable weighs three letters and
   a Latin letter half (other scripts' news borrows Latin names freely). Letters in
   other scripts than the dominant one are then hidden from lingua and the rules
   below, so English names inside Korean or Ukrainian text do not tip the answer;
3. ``foreign letters``: in words that start in lower case (capitalised words are
   mostly names, which keep their spelling: José, Bogotá, Müller), at least 3 letters,
   and at least 4 % of the letters in the detected language's script, are outside the
   alphabets of the configured languages in that script (e.g. é, ñ, ß, ş for English;
   ў, ә, ј for Russian and Ukrainian);
4. ``other language``: for a Latin-script result, a second lingua detector that also
   knows twelve common Latin-script languages (fr, de, es, it, pt, nl, pl, tr, cs, sv,
   ro, hu; low-accuracy mode, ~10 MB) is nearly certain (>= 0.99) that the text is one
   of those, and gives the detected language less than 0.001. This catches accent-free
   French, Italian or Dutch that rule 3 cannot. Cyrillic has no such check: lingua
   confuses Ukrainian with Kazakh and Macedonian too often; rule 3 covers Serbian,
   Belarusian, Kazakh and Macedonian by their letters, Bulgarian stays undetected;
5. ``low confidence``: lingua's confidence for its answer is below ``min_confidence``.

Russian and Ukrainian are told apart by lingua's word statistics plus a spelling
constraint that lingua does not enforce on short texts: a text using і ї є or ґ is not
Russian and one using ы э ъ or ё is not Ukrainian (unless it uses both, e.g. a
Ukrainian paragraph quoting Russian); lingua's confidences are renormalised over the
languages that remain.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from service.text.paragraphs import split_paragraphs

#: Script(s) each language is written in, as the first word of Unicode character names.
_SCRIPTS: dict[str, frozenset[str]] = {
    # Korean counts as Hangul only: hanja alone would make Chinese text "Korean".
    "ko": frozenset({"HANGUL"}),
    "uk": frozenset({"CYRILLIC"}),
    "ru": frozenset({"CYRILLIC"}),
    "be": frozenset({"CYRILLIC"}),
    "bg": frozenset({"CYRILLIC"}),
    "kk": frozenset({"CYRILLIC"}),
    "mk": frozenset({"CYRILLIC"}),
    "sr": frozenset({"CYRILLIC"}),
    "ja": frozenset({"HIRAGANA", "KATAKANA", "CJK"}),
    "zh": frozenset({"CJK"}),
    "el": frozenset({"GREEK"}),
    "ar": frozenset({"ARABIC"}),
    "fa": frozenset({"ARABIC"}),
    "he": frozenset({"HEBREW"}),
    "hi": frozenset({"DEVANAGARI"}),
    "th": frozenset({"THAI"}),
    "ka": frozenset({"GEORGIAN"}),
    "hy": frozenset({"ARMENIAN"}),
}
_LATIN = frozenset({"LATIN"})
#: Weight of a letter when choosing the dominant script: a Hangul syllable spells what
#: takes about three Latin letters, and Latin letters count half because news in other
#: scripts borrows Latin names and brands freely (BBC, Nielsen), the reverse is rare.
_SCRIPT_WEIGHTS = {"HANGUL": 3.0, "LATIN": 0.5}

#: Full alphabets (lower case) for rule 3; languages not listed skip the rule.
_ALPHABETS: dict[str, frozenset[str]] = {
    "en": frozenset("abcdefghijklmnopqrstuvwxyz"),
    "ru": frozenset("абвгдеёжзийклмнопрстуфхцчшщъыьэюя"),
    "uk": frozenset("абвгґдеєжзиіїйклмнопрстуфхцчшщьюя"),
}

#: Latin-script languages that rule 4 checks against (unless configured).
_LATIN_SENTINELS = ("fr", "de", "es", "it", "pt", "nl", "pl", "tr", "cs", "sv", "ro", "hu")

_WORD_RE = re.compile(r"\w+")
#: One sentence per script, to load every model detection can reach (see ``warm``).
_WARM_SAMPLES = ("The city council approved the new budget on Tuesday.",
                 "Міська рада у вівторок ухвалила новий бюджет.",
                 "Городской совет во вторник утвердил новый бюджет.",
                 "시의회는 화요일에 새 예산을 승인했다.")
_FOREIGN_MIN_LETTERS = 3
_FOREIGN_MIN_SHARE = 0.04
_SENTINEL_MIN_CONFIDENCE = 0.99
_SENTINEL_MAX_OWN = 0.001


@dataclass(frozen=True)
class Detection:
    """Result of identifying one text.

    ``language`` is a configured code or ``None``; ``confidence`` (0..1) is lingua's
    confidence for ``language`` (0.0 when ``None``); ``reason`` says why it is ``None``
    (empty otherwise); ``letters`` counts the letters, used to weigh paragraphs.
    """

    language: str | None
    confidence: float
    reason: str = ""
    letters: int = 0


@lru_cache(maxsize=4096)
def _script(ch: str) -> str:
    """First word of the character's Unicode name: LATIN, CYRILLIC, HANGUL, CJK, ..."""
    return unicodedata.name(ch, "UNKNOWN").split(" ", 1)[0]


def script_of(language: str) -> frozenset[str]:
    """Scripts ``language`` is written in (Latin for anything not listed)."""
    return _SCRIPTS.get(language, _LATIN)


class LanguageDetector:
    """Identify which of ``languages`` a text is in (see the module docstring).

    lingua's models are loaded on first use, once, and shared by threads.
    """

    def __init__(self, languages: Sequence[str], min_confidence: float = 0.5) -> None:
        if not languages:
            raise ValueError("LanguageDetector needs at least one language")
        if not 0.0 <= min_confidence <= 1.0:
            raise ValueError(f"min_confidence must be in [0, 1], got {min_confidence}")
        self.languages = tuple(dict.fromkeys(code.lower() for code in languages))
        self.min_confidence = min_confidence
        self._iso = {code: _iso_code(code) for code in self.languages}
        self._lock = threading.Lock()
        self._main: Any = None
        self._latin_check: Any = None

    # --- lingua, built lazily -------------------------------------------------
    def _detector(self) -> Any:
        with self._lock:
            if self._main is None:
                from lingua import LanguageDetectorBuilder

                self._main = LanguageDetectorBuilder.from_iso_codes_639_1(
                    *self._iso.values()).build()
            return self._main

    def _latin_detector(self) -> Any:
        with self._lock:
            if self._latin_check is None:
                from lingua import LanguageDetectorBuilder

                codes = [c for c in self.languages if script_of(c) == _LATIN]
                codes += [c for c in _LATIN_SENTINELS if c not in self.languages]
                self._latin_check = LanguageDetectorBuilder.from_iso_codes_639_1(
                    *(_iso_code(c) for c in codes)).with_low_accuracy_mode().build()
            return self._latin_check

    # --- public API -----------------------------------------------------------
    def warm(self) -> None:
        """Load lingua's language models now (blocking; call once at start-up).

        lingua loads them on first use, in Rust, holding the GIL for up to seconds:
        on a request thread that stalls the event loop and every other request."""
        for sample in _WARM_SAMPLES:
            self.detect(sample)

    def detect(self, text: str) -> Detection:
        """Identify the language of ``text`` (one paragraph or a whole article)."""
        scripts: Counter[str] = Counter()
        for ch in text:
            if ch.isalpha():
                script = _script(ch)
                scripts[script] += _SCRIPT_WEIGHTS.get(script, 1)
        letters = sum(1 for ch in text if ch.isalpha())
        if not letters:
            return Detection(None, 0.0, "no letters", 0)
        dominant = scripts.most_common(1)[0][0]
        if not any(dominant in script_of(code) for code in self.languages):
            return Detection(None, 0.0, "script", letters)
        if len(scripts) > 1:
            # Names in another script (English names in Korean or Ukrainian news) would
            # otherwise tip lingua towards that script's language.
            text = "".join(ch for ch in text if not ch.isalpha() or _script(ch) == dominant)

        values = {v.language.iso_code_639_1.name.lower(): float(v.value)
                  for v in self._detector().compute_language_confidence_values(text)}
        values = self._spelling_constraint(text, dominant, values)
        language = max(values, key=values.__getitem__)
        confidence = values[language]

        if self._has_foreign_letters(text, language):
            return Detection(None, 0.0, "foreign letters", letters)
        if script_of(language) == _LATIN and self._is_other_latin(text, language):
            return Detection(None, 0.0, "other language", letters)
        if confidence < self.min_confidence:
            return Detection(None, 0.0, "low confidence", letters)
        return Detection(language, confidence, "", letters)

    def detect_paragraphs(self, text: str) -> list[Detection]:
        """One detection per non-empty paragraph (line) of ``text``, in order."""
        return [self.detect(body) for body in split_paragraphs(text).paragraphs]

    def detect_article(self, text: str) -> Detection:
        """The article's language: per paragraph, then the language holding the most
        letters. ``confidence`` is the letter-weighted confidence of the winner over
        all letters, so a half-French article scores about 0.5."""
        return article_language(self.detect_paragraphs(text), self.min_confidence)

    def _spelling_constraint(self, text: str, script: str, values: dict[str, float]
                             ) -> dict[str, float]:
        """Drop configured languages of ``script`` whose alphabet lacks a letter of the
        text (Russian never writes і ї є ґ, Ukrainian never ы э ъ ё) and renormalise
        lingua's confidences over the rest. If every such language lacks some letter
        (a Ukrainian text quoting Russian), nothing is dropped."""
        used = {ch for ch in text.lower() if ch.isalpha() and _script(ch) == script}
        ruled_out = {code for code in values
                     if script in script_of(code) and code in _ALPHABETS
                     and not used <= _ALPHABETS[code]}
        same_script = {code for code in values if script in script_of(code)}
        if not ruled_out or ruled_out >= same_script:
            return values
        kept = {code: v for code, v in values.items() if code not in ruled_out}
        total = sum(kept.values())
        if total <= 0:
            return values
        return {code: v / total for code, v in kept.items()}

    def _has_foreign_letters(self, text: str, language: str) -> bool:
        """Rule 3: many letters of the language's script outside the alphabets of the
        configured languages written in it.

        Only words that start in lower case count: capitalised words are mostly names
        (José, Bogotá, Müller), which any language borrows with their spelling.
        """
        if language not in _ALPHABETS:
            return False
        scripts = script_of(language)
        alphabet = frozenset().union(*(
            _ALPHABETS[code] for code in self.languages
            if code in _ALPHABETS and script_of(code) == scripts))
        in_script = [ch for word in _WORD_RE.findall(text) if not word[0].isupper()
                     for ch in word.lower() if ch.isalpha() and _script(ch) in scripts]
        foreign = sum(1 for ch in in_script if ch not in alphabet)
        return (foreign >= _FOREIGN_MIN_LETTERS
                and foreign >= _FOREIGN_MIN_SHARE * len(in_script))

    def _is_other_latin(self, text: str, language: str) -> bool:
        values = self._latin_detector().compute_language_confidence_values(text)
        top = values[0]
        top_code = top.language.iso_code_639_1.name.lower()
        if top_code in self.languages or top.value < _SENTINEL_MIN_CONFIDENCE:
            return False
        own = next((v.value for v in values
                    if v.language.iso_code_639_1.name.lower() == language), 0.0)
        return own < _SENTINEL_MAX_OWN


def article_language(detections: Sequence[Detection], min_confidence: float = 0.0
                     ) -> Detection:
    """Combine paragraph detections: the language with the most letters wins.

    ``confidence`` = sum(letters * confidence) of the winner's paragraphs / letters of
    all paragraphs with letters (including unidentified ones). ``None`` with reason
    ``"no letters"`` if no paragraph has letters, ``"not identified"`` if none was
    identified, ``"low confidence"`` if the combined confidence is below
    ``min_confidence``.
    """
    total = sum(d.letters for d in detections)
    if not total:
        return Detection(None, 0.0, "no letters", 0)
    letters: Counter[str] = Counter()
    weighted: Counter[str] = Counter()
    for detection in detections:
        if detection.language is not None:
            letters[detection.language] += detection.letters
            weighted[detection.language] += detection.letters * detection.confidence
    if not letters:
        return Detection(None, 0.0, "not identified", total)
    language = letters.most_common(1)[0][0]
    confidence = weighted[language] / total
    if confidence < min_confidence:
        return Detection(None, 0.0, "low confidence", total)
    return Detection(language, confidence, "", total)


def _iso_code(code: str) -> Any:
    """lingua's ISO 639-1 enum member for ``code``; ``ValueError`` if lingua lacks it."""
    from lingua import IsoCode639_1

    member = getattr(IsoCode639_1, code.upper(), None)
    if member is None:
        raise ValueError(f"language '{code}' is not supported by the language detector")
    return member
