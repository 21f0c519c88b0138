"""Sentence splitting per language with maintained rule-based libraries.

- en: pysbd (handles abbreviations such as "Mr." and "p.m.");
- ru, uk: razdel (Natasha project; handles Cyrillic initials and abbreviations);
- ko: kiwipiepy (finds boundaries even without final punctuation).

Splitters return character spans into the original text so callers can reassemble
an article with its original spacing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from service.text.analysers import kiwi, pysbd_en


@dataclass(frozen=True)
class Span:
    """One sentence: ``text == source[start:end]`` (surrounding whitespace excluded)."""

    start: int
    end: int
    text: str


def _strip_span(text: str, start: int, end: int) -> Span | None:
    """Trim whitespace from a span; ``None`` if nothing is left."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start >= end:
        return None
    return Span(start, end, text[start:end])


def _raw_spans(text: str, lang: str) -> list[tuple[int, int]]:
    if lang == "en":
        return [(s.start, s.end) for s in pysbd_en().segment(text)]
    if lang in ("ru", "uk"):
        import razdel

        return [(s.start, s.stop) for s in razdel.sentenize(text)]
    if lang == "ko":
        return [(s.start, s.end) for s in kiwi().split_into_sents(text)]
    # Other languages: split after terminal punctuation followed by space.
    spans: list[tuple[int, int]] = []
    pos = 0
    for match in re.finditer(r"(?<=[.!?。！？])\s+", text):
        spans.append((pos, match.start()))
        pos = match.end()
    spans.append((pos, len(text)))
    return spans


def split_sentence_spans(text: str, lang: str) -> list[Span]:
    """Split ``text`` (one paragraph) into sentence spans, in order, covering every
    non-space character exactly once."""
    if not text.strip():
        return []
    spans: list[Span] = []
    cursor = 0
    for start, end in _raw_spans(text, lang):
        # Libraries occasionally return overlapping or gapped spans; clamp them so
        # that every character is covered once and nothing is dropped.
        start = max(start, cursor)
        if end <= start:
            continue
        if start > cursor and text[cursor:start].strip():
            start = cursor
        span = _strip_span(text, start, end)
        if span is not None:
            spans.append(span)
        cursor = end
    if cursor < len(text):
        tail = _strip_span(text, cursor, len(text))
        if tail is not None:
            spans.append(tail)
    return spans


def split_sentences(text: str, lang: str) -> list[str]:
    """Split ``text`` into sentences (strings, whitespace-trimmed)."""
    return [span.text for span in split_sentence_spans(text, lang)]
