"""Page-furniture cleanup: what a web page puts around an article that is not the
article (datelines and timestamps, repeated headlines, bylines, share and follow
bars, comment widgets, ads, "Read more" blocks, subscription and copyright lines).

The cleanup works on lines (paragraphs), the unit pages and plain-text exports keep
furniture in, with per-language data (:mod:`service.summarize.furniture_data`) and
structural cues:

- a line that *is* a furniture word ("Share", "Реклама", "댓글 3") or a share bar;
- a short line containing a furniture phrase ("Please enable JavaScript", "ⓒ");
- a line without final punctuation that carries a date or a time (a dateline,
  "date 2025-04-26 <headline> Saturday, April 26, 2025 11:01:03 AM");
- a byline; a line repeating an earlier line (the headline printed twice);
- the title lines under a "Read more"/"Related" header.

Article sentences are never dropped: a line with final punctuation is dropped only
for a furniture phrase, and a wire dateline opening the first sentence ("KYIV
(Reuters) -") is cut off the sentence, not the sentence itself.

The first line without final punctuation, when the article has more, is its
headline: it stays in the text but never takes a summary slot (``headline``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from service.summarize import furniture_data as data

#: A line with more words than this is article text whatever it contains.
_MAX_FURNITURE_WORDS = 30
#: A byline or dateline is short.
_MAX_SHORT_WORDS = 14
_FINAL = re.compile(r"[.!?…。！？][\"'”’»)\]]*$")


@dataclass(frozen=True)
class Removed:
    """A piece of page furniture left out: its kind, text and span in the input."""

    kind: str
    text: str
    start: int
    end: int

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {"kind": self.kind, "text": self.text, "start": self.start, "end": self.end}


@dataclass
class CleanArticle:
    """The article text without furniture (lines joined by ``\\n``), what was left
    out, and the headline's span in ``text`` (``None`` when there is none)."""

    text: str
    removed: list[Removed] = field(default_factory=list)
    headline: tuple[int, int] | None = None


@dataclass(frozen=True)
class _Patterns:
    line: re.Pattern[str]
    phrase: re.Pattern[str]
    related: re.Pattern[str]
    byline: re.Pattern[str]
    stamp: re.Pattern[str]
    prefix: re.Pattern[str]


@lru_cache(maxsize=8)
def _patterns(lang: str) -> _Patterns:
    return _Patterns(
        line=data.compiled(data.LINE["all"] + data.LINE.get(lang, [])),
        phrase=data.compiled(data.PHRASE["all"] + data.PHRASE.get(lang, [])),
        related=re.compile(data.RELATED.get(lang, data.RELATED["en"]), re.IGNORECASE),
        byline=re.compile(data.BYLINE.get(lang, data.BYLINE["en"])),
        stamp=re.compile(rf"(?:{data.STAMP_WORDS})\b\s*:?", re.IGNORECASE),
        prefix=re.compile(data.PREFIX.get(lang, data.PREFIX["en"])),
    )


def _has_final(line: str) -> bool:
    return bool(_FINAL.search(line))


def line_kind(line: str, lang: str) -> str | None:
    """The furniture kind of one line (trimmed), or ``None`` for article text."""
    p = _patterns(lang)
    words = len(line.split())
    if not line or words > _MAX_FURNITURE_WORDS:
        return None
    bare = line.strip(" \t|·•-–—:")
    header = p.related.match(line)
    if header and (header.end() == len(line) or not _has_final(line)):
        return "related"  # "Read more:", "Читайте также: <title>"
    if p.line.fullmatch(bare) or p.line.fullmatch(line):
        return "widget"
    if data.SHARE_BAR.fullmatch(bare) and bare:
        return "share"
    if p.phrase.search(line):
        return "notice"
    final = _has_final(line)
    if words <= _MAX_SHORT_WORDS and not final and p.byline.fullmatch(bare):
        return "byline"
    if not final and _is_dateline(line, p):
        return "dateline"
    return None


def _is_dateline(line: str, p: _Patterns) -> bool:
    """A timestamp line: one that opens with a stamp word or a date/time, or that
    carries a full date with its year and a clock time ("<headline> Saturday, April
    26, 2025 11:01:03 AM"). A headline with a time in it ("17:30 on Sunday: the
    ideal time for a pint") is neither."""
    if p.stamp.match(line) and any(c.isdigit() for c in line):
        return True
    if data.DATE_OR_TIME.match(line.lstrip("([ ")):
        return True
    return bool(data.FULL_DATE.search(line) and data.CLOCK.search(line))


def _strip_prefix(line: str, lang: str) -> int:
    """Length of a wire dateline opening ``line`` (0 when there is none)."""
    match = _patterns(lang).prefix.match(line)
    if not match or match.end() >= len(line):
        return 0
    return match.end()


def clean_article(text: str, lang: str) -> CleanArticle:
    """Remove page furniture from ``text`` (plain text, one paragraph per line)."""
    return _clean_cached(text, lang)


@lru_cache(maxsize=64)
def _clean_cached(text: str, lang: str) -> CleanArticle:
    lines = [(m.start(), m.end(), m.group().strip()) for m in re.finditer(r"[^\n]+", text)]
    removed: list[Removed] = []
    kept: list[str] = []
    seen: set[str] = set()
    in_related = False
    first_text = True
    for start, end, line in lines:
        if not line:
            continue
        kind = line_kind(line, lang)
        if kind is None and in_related and not _has_final(line) and len(line.split()) <= 20:
            kind = "related"
        elif kind is None and line.casefold() in seen and not _has_final(line) \
                and len(line.split()) <= _MAX_SHORT_WORDS * 2:
            kind = "repeated"  # a headline printed twice; sentences may repeat
        in_related = kind == "related" or (in_related and kind is not None)
        offset = start + (len(text[start:end]) - len(text[start:end].lstrip()))
        if kind is not None:
            removed.append(Removed(kind, line, offset, offset + len(line)))
            continue
        seen.add(line.casefold())
        if first_text and _patterns(lang).prefix.fullmatch(line):
            # A wire dateline on a line of its own ("(서울=연합뉴스) 홍길동 기자 =").
            removed.append(Removed("dateline", line, offset, offset + len(line)))
            continue
        if first_text:
            cut = _strip_prefix(line, lang)
            if cut:
                removed.append(Removed("dateline", line[:cut].strip(), offset, offset + cut))
                line = line[cut:]
            first_text = False
        kept.append(line)
    clean = "\n".join(kept)
    return CleanArticle(clean, removed, headline_span(clean))


def headline_span(text: str) -> tuple[int, int] | None:
    """Span of the headline of a cleaned article: its first line when that line has
    no final punctuation and more lines follow (``None`` otherwise)."""
    first = text.split("\n", 1)
    if len(first) < 2 or not first[0].strip() or not first[1].strip() \
            or _has_final(first[0].strip()):
        return None
    return (0, len(first[0]))


def sentences_lost(text: str, lang: str) -> int:
    """Sentences of ``text`` that cleanup drops (whole, or more than half their
    words): the measure behind "article sentences are never dropped"."""
    from service.summarize.neutrality.sources import sentence_spans

    cleaned = clean_article(text, lang)
    lost = 0
    for start, end in sentence_spans(text, lang):
        cut = sum(max(0, min(end, r.end) - max(start, r.start)) for r in cleaned.removed)
        if cut * 2 > end - start:
            lost += 1
    return lost
