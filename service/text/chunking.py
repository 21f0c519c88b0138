"""Plan an article's translation: paragraphs -> sentences -> segments within a token budget.

A *segment* is one unit sent to a model. By default each sentence is its own segment
(``max_sentences_per_chunk=1``): the batching scheduler groups segments from many
requests and sorts them by length, and short, similar-length segments pad less and
batch better. Passing a larger ``max_sentences_per_chunk`` packs consecutive sentences
of the same paragraph (never across paragraphs) while the packed text stays within
``max_tokens``, which gives the model more context at the cost of coarser batching.

Nothing is ever truncated. A sentence longer than ``max_tokens`` is cut into parts that
each fit, at the safest boundary available: clause punctuation followed by a space
(``; : , — –``), then any whitespace, then (for scripts written without spaces, or a
very long token such as a URL) between characters. Every part is translated.

``count_tokens`` must count what the model will see, special tokens included (e.g. the
``</s>`` a Marian tokenizer appends); pass a ``max_tokens`` a little below the model's
hard limit, because the count of a concatenation is not always the sum of its parts.

Reassembly joins the translations of one paragraph with a single space (sentences are
translated independently, so the source's inter-sentence spacing cannot be mapped onto
the translation), except between parts of a sentence that was cut between characters,
which are joined with nothing. Paragraph separators are restored verbatim.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from service.text.paragraphs import ParagraphLayout, split_paragraphs
from service.text.sentences import split_sentence_spans

TokenCounter = Callable[[str], int]

# A cut after clause punctuation is only taken where whitespace follows, so the two
# halves are separate words and can be rejoined with a space.
_CLAUSE_CUT_RE = re.compile(r"[;:,\u2014\u2013\uff0c\u3001\uff1b\uff1a](?=\s)")
_SPACE_RE = re.compile(r"\s+")


def has_letters(text: str) -> bool:
    """True if ``text`` contains at least one letter (in any script).

    The default test for whether a paragraph is worth translating: lines made only of
    digits, punctuation or symbols ("* * *", "12:30", "—") pass through unchanged, as a
    model would only make them worse.
    """
    return any(ch.isalpha() for ch in text)


@dataclass(frozen=True)
class _Piece:
    """One segment's place in the article: its paragraph and how it joins the previous
    piece of the same paragraph (``" "`` or ``""``)."""

    paragraph: int
    joiner: str


@dataclass
class ArticlePlan:
    """The segments to translate, in order, and how to put their translations back."""

    layout: ParagraphLayout
    segments: list[str] = field(default_factory=list)
    #: Index of the paragraph each segment belongs to (same length as ``segments``).
    segment_paragraphs: list[int] = field(default_factory=list)
    #: Paragraphs passed through untranslated (no letters, or excluded by the caller).
    kept_paragraphs: frozenset[int] = frozenset()
    _joiners: list[str] = field(default_factory=list, repr=False)

    def reassemble(self, translations: Sequence[str]) -> str:
        """Rebuild the article with ``translations[i]`` in place of ``segments[i]``."""
        if len(translations) != len(self.segments):
            raise ValueError(
                f"expected {len(self.segments)} translations, got {len(translations)}")
        bodies: list[list[str]] = [[] for _ in self.layout.paragraphs]
        for index, translation in enumerate(translations):
            parts = bodies[self.segment_paragraphs[index]]
            translation = translation.strip()
            if parts and translation:
                parts.append(self._joiners[index])
            if translation:
                parts.append(translation)
        out = [
            self.layout.paragraphs[i] if i in self.kept_paragraphs else "".join(parts)
            for i, parts in enumerate(bodies)
        ]
        return self.layout.join(out)


def plan_article(text: str, lang: str, count_tokens: TokenCounter, max_tokens: int, *,
                 max_sentences_per_chunk: int = 1,
                 translate_if: Callable[[str], bool] = has_letters) -> ArticlePlan:
    """Cut ``text`` (in language ``lang``) into segments of at most ``max_tokens`` tokens.

    ``translate_if(body)`` decides per paragraph whether it is translated; the others
    are kept verbatim (default: paragraphs without letters). Raises ``ValueError`` if
    ``max_tokens`` is too small to hold even a single character.
    """
    if max_tokens < 1:
        raise ValueError(f"max_tokens must be >= 1, got {max_tokens}")
    if max_sentences_per_chunk < 1:
        raise ValueError(
            f"max_sentences_per_chunk must be >= 1, got {max_sentences_per_chunk}")
    layout = split_paragraphs(text)
    plan = ArticlePlan(layout=layout)
    kept: set[int] = set()
    for index, body in enumerate(layout.paragraphs):
        if not translate_if(body):
            kept.add(index)
            continue
        for segment, joiner in _paragraph_segments(body, lang, count_tokens, max_tokens,
                                                   max_sentences_per_chunk):
            plan.segments.append(segment)
            plan.segment_paragraphs.append(index)
            plan._joiners.append(joiner)
    plan.kept_paragraphs = frozenset(kept)
    return plan


def _paragraph_segments(body: str, lang: str, count: TokenCounter, max_tokens: int,
                        max_sentences: int) -> list[tuple[str, str]]:
    """Segments of one paragraph with the joiner that precedes each."""
    spans = split_sentence_spans(body, lang)
    out: list[tuple[str, str]] = []
    i = 0
    while i < len(spans):
        # Pack sentences i..j-1 while the packed source text fits the budget. The text
        # runs from the first sentence's start to the last one's end, so the model sees
        # the original spacing between them.
        j = i + 1
        while (j < len(spans) and j - i < max_sentences
               and count(body[spans[i].start:spans[j].end]) <= max_tokens):
            j += 1
        packed = body[spans[i].start:spans[j - 1].end]
        if j - i > 1 or count(packed) <= max_tokens:
            out.append((packed, " "))
        else:
            parts = split_to_fit(packed, count, max_tokens)
            out.extend((part, " ") if k == 0 else (part, joiner)
                       for k, (part, joiner) in enumerate(parts))
        i = j
    return out


def split_to_fit(text: str, count: TokenCounter, max_tokens: int) -> list[tuple[str, str]]:
    """Cut ``text`` into parts that each count ``<= max_tokens``.

    Returns ``(part, joiner)`` pairs, where ``joiner`` is what separated the part from
    the previous one in the source (``" "`` for a whitespace cut, ``""`` for a cut
    between characters; ``" "`` for the first part). Parts are whitespace-trimmed and
    together hold every non-space character of ``text`` in order.
    """
    text = text.strip()
    if not text:
        return []
    if count(text) <= max_tokens:
        return [(text, " ")]
    for cut_re in (_CLAUSE_CUT_RE, _SPACE_RE):
        pieces = _cut(text, cut_re)
        if len(pieces) > 1:
            return _pack(pieces, count, max_tokens)
    return _hard_split(text, count, max_tokens)


def _cut(text: str, cut_re: re.Pattern[str]) -> list[str]:
    """Split after each punctuation match (or at each whitespace run), trimmed."""
    pieces: list[str] = []
    cursor = 0
    for match in cut_re.finditer(text):
        # Clause punctuation stays with the text before it; whitespace is dropped.
        end = match.end() if cut_re is _CLAUSE_CUT_RE else match.start()
        piece = text[cursor:end].strip()
        if piece:
            pieces.append(piece)
        cursor = match.end()
    tail = text[cursor:].strip()
    if tail:
        pieces.append(tail)
    return pieces


def _pack(pieces: list[str], count: TokenCounter, max_tokens: int) -> list[tuple[str, str]]:
    """Greedily join consecutive pieces with spaces while they fit; split further any
    piece that does not fit alone."""
    out: list[tuple[str, str]] = []
    i = 0
    while i < len(pieces):
        if count(pieces[i]) > max_tokens:
            parts = split_to_fit(pieces[i], count, max_tokens)
            out.append((parts[0][0], " "))
            out.extend(parts[1:])
            i += 1
            continue
        # Largest j with pieces[i:j] fitting: grow exponentially, then bisect, so a
        # long sentence costs O(log n) counts per part rather than O(n).
        def fits(j: int, i: int = i) -> bool:
            return count(" ".join(pieces[i:j])) <= max_tokens

        lo, step = i + 1, 1
        while lo + step <= len(pieces) and fits(lo + step):
            lo += step
            step *= 2
        hi = min(lo + step, len(pieces) + 1)
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if fits(mid):
                lo = mid
            else:
                hi = mid
        out.append((" ".join(pieces[i:lo]), " "))
        i = lo
    return out


def _hard_split(text: str, count: TokenCounter, max_tokens: int) -> list[tuple[str, str]]:
    """Cut between characters (never before a combining mark) into fitting parts."""
    out: list[tuple[str, str]] = []
    start = 0
    while start < len(text):
        lo, hi = start, len(text)
        # Longest prefix text[start:end] that fits (counts grow with length, near enough
        # for bisection; the chosen part is verified below).
        while hi > lo:
            mid = (lo + hi + 1) // 2
            if count(text[start:mid]) <= max_tokens:
                lo = mid
            else:
                hi = mid - 1
        end = lo
        while end > start + 1 and end < len(text) and unicodedata.combining(text[end]):
            end -= 1
        # A tokenizer may count a prefix higher than a longer one; step back if so.
        while end > start and count(text[start:end]) > max_tokens:
            end -= 1
        if end == start:
            raise ValueError(
                f"max_tokens={max_tokens} cannot hold even one character "
                f"({text[start]!r} counts {count(text[start])} tokens)")
        part = text[start:end].strip()
        if part:
            out.append((part, "" if out else " "))
        start = end
    return out
