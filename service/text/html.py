"""Translate HTML sentence by sentence, keeping every tag, attribute, entity and space.

:func:`parse_html` reads a fragment or a page with the standard library's
``html.parser`` (which reports where every piece of markup sits in the source) and
cuts its text into **blocks**: block elements (``p``, ``li``, ``h1``, ``td``, ``div``,
``br``, ...) delimit them; inline elements (``b``, ``i``, ``em``, ``strong``, ``a``,
``span``, ``sup``, ...) do not, so ``<p>Seoul <b>said</b> nothing.</p>`` is one block
whose text is ``Seoul said nothing.``. :meth:`HtmlDocument.plan` splits each block
into sentences (:mod:`service.text.sentences`) and lists what the model must
translate: whole sentences with no markup in them, and the ``alt``, ``title`` and
``aria-label`` attribute values. :meth:`HtmlPlan.render` puts the translations back.

How inline tags find their place in a translated sentence (alignment, no placeholders
the model could mangle): every inline tag is a zero-width marker at a character offset
of the block's text. Offsets are mapped to the translation piecewise-linearly between
anchors: sentence boundaries, and words that appear exactly once in both the source
and the translation (a link's text such as ``Reuters``, numbers). Between anchors a
position is interpolated and snapped to a word boundary. Markers keep their source
order (positions never decrease), so the output has exactly the source's tags, once
each, nested as before, each written with its source text byte for byte (attributes
included); every character of the translation is written. The worst case is a tag
around slightly different words, never a lost, duplicated or reordered tag, or lost
text.

Everything outside translated text is copied from the source byte for byte: tags,
comments, doctype, whitespace around and between sentences, and the contents of
``script``, ``style``, ``pre``, ``textarea``, ``template``, ``code``, ``kbd``,
``samp``, ``var``, of elements marked ``translate="no"`` or ``class="notranslate"``,
and of DeepL's ``ignore_tags``. A block whose translation equals its text comes out
unchanged; characters that the source wrote as entities (``&nbsp;``, ``&mdash;``) are
written with the same entity in the translation.

DeepL's options (:class:`HtmlOptions`): ``ignore_tags`` (content untouched),
``non_splitting_tags`` (treated as inline), ``splitting_tags`` (always delimit), and
``outline_detection=False`` (only ``splitting_tags`` delimit blocks).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser

from service.text.sentences import Span, split_sentence_spans

#: Elements whose content is never translated (copied byte for byte).
SKIP_ELEMENTS = frozenset({"script", "style", "pre", "textarea", "template", "code", "kbd",
                           "samp", "var", "svg", "math", "noscript"})
#: Phrasing (inline) elements: they do not end a sentence.
INLINE_ELEMENTS = frozenset({
    "a", "abbr", "acronym", "b", "bdi", "bdo", "big", "cite", "code", "data", "del",
    "dfn", "em", "font", "i", "img", "input", "ins", "kbd", "label", "mark", "nobr", "q",
    "s", "samp", "small", "span", "strike", "strong", "sub", "sup", "time", "tt", "u",
    "var", "wbr", "math", "svg", "ruby", "rb", "rt", "rp"})
#: Elements that never have an end tag.
VOID_ELEMENTS = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input",
                           "link", "meta", "param", "source", "track", "wbr"})
#: Attributes whose values are human-readable text.
TRANSLATED_ATTRIBUTES = ("alt", "title", "aria-label")
#: Sentence-final punctuation a closing tag should not swallow.
_TRAILING_PUNCT = ".,;:!?…»\"”’)"
# One unit of raw text: a character reference or a single character.
_UNIT_RE = re.compile(r"&(?:#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[A-Za-z][A-Za-z0-9]*;?)|.",
                      re.DOTALL)
# Tokens that usually survive translation verbatim (numbers, Latin names).
_SPACES_RE = re.compile(r"[ \t\r\n]+")
_ANCHOR_TOKEN_RE = re.compile(r"\d[\d.,:%]*|[A-Za-z][A-Za-z'’-]*[A-Za-z]")


@dataclass(frozen=True)
class HtmlOptions:
    """DeepL's tag-handling switches (tag names are lower case)."""

    ignore_tags: frozenset[str] = frozenset()
    non_splitting_tags: frozenset[str] = frozenset()
    splitting_tags: frozenset[str] = frozenset()
    outline_detection: bool = True

    def splits(self, tag: str) -> bool:
        """Whether ``tag`` delimits blocks (ends the sentence before it)."""
        if tag in self.splitting_tags:
            return True
        # Ignored elements stay in their sentence, untouched, like inline code.
        if (not self.outline_detection or tag in self.non_splitting_tags
                or tag in self.ignore_tags):
            return False
        return tag not in INLINE_ELEMENTS


@dataclass(frozen=True)
class _Event:
    """One parser event: ``source[start:end]`` is its raw text."""

    kind: str  # start, end, startend, text, other
    start: int
    end: int
    tag: str = ""
    attrs: tuple[tuple[str, str | None], ...] = ()


@dataclass
class _Marker:
    """Markup inside a block, at ``offset`` in the block's decoded text."""

    kind: str  # open, close, single
    start: int
    end: int
    offset: int
    partner: int | None = None  # index of the matching open/close marker


@dataclass
class _Block:
    """A run of text and inline markup between two block boundaries."""

    start: int
    end: int = 0
    #: (raw start, raw end, decoded text) of each text run.
    texts: list[tuple[int, int, str]] = field(default_factory=list)
    markers: list[_Marker] = field(default_factory=list)
    length: int = 0  # decoded text length so far

    @property
    def plain(self) -> str:
        return "".join(t for _, _, t in self.texts)


@dataclass(frozen=True)
class _Attribute:
    """A translatable attribute value: ``source[start:end]`` is its raw value."""

    start: int
    end: int
    quote: str
    text: str


class _Collector(HTMLParser):
    """Lists events with their source offsets (raw text, entities undecoded)."""

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=False)
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", source)]
        self.raw: list[tuple[str, int, str, tuple[tuple[str, str | None], ...]]] = []

    def _add(self, kind: str, tag: str = "",
             attrs: Iterable[tuple[str, str | None]] = ()) -> None:
        line, column = self.getpos()
        self.raw.append((kind, self._line_starts[line - 1] + column, tag, tuple(attrs)))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._add("start", tag, attrs)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._add("startend", tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        self._add("end", tag)

    def handle_data(self, data: str) -> None:
        self._add("text")

    def handle_entityref(self, name: str) -> None:
        self._add("text")

    def handle_charref(self, name: str) -> None:
        self._add("text")

    def handle_comment(self, data: str) -> None:
        self._add("other")

    def handle_decl(self, decl: str) -> None:
        self._add("other")

    def handle_pi(self, data: str) -> None:
        self._add("other")

    def unknown_decl(self, data: str) -> None:
        self._add("other")


def _events(source: str) -> list[_Event]:
    collector = _Collector(source)
    collector.feed(source)
    collector.close()
    raw = collector.raw
    # Events are contiguous: each ends where the next begins.
    ends = [r[1] for r in raw[1:]] + [len(source)]
    return [_Event(kind, start, end, tag, attrs)
            for (kind, start, tag, attrs), end in zip(raw, ends) if end > start]


def _opted_out(tag: str, attrs: Sequence[tuple[str, str | None]],
               options: HtmlOptions) -> bool:
    """``translate="no"``, ``class="notranslate"`` or one of DeepL's ``ignore_tags``."""
    if tag in options.ignore_tags:
        return True
    for name, value in attrs:
        if name == "translate" and (value or "").strip().lower() == "no":
            return True
        if name == "class" and "notranslate" in (value or "").split():
            return True
    return False


class _Builder:
    """Walks the events once and collects blocks and translatable attributes."""

    def __init__(self, source: str, options: HtmlOptions) -> None:
        self.source = source
        self.options = options
        self.blocks: list[_Block] = []
        self.attributes: list[_Attribute] = []
        self._block: _Block | None = None
        # Open elements: (tag, inline marker index in the current block or None).
        self._stack: list[tuple[str, int | None]] = []
        # While inside untouched content: (tag, start offset, depth of same-tag nesting).
        self._skip: tuple[str, int, int] | None = None
        self._skip_splits = False

    # --- blocks ------------------------------------------------------------------
    def _flush(self) -> None:
        if self._block is not None and self._block.plain.strip():
            self.blocks.append(self._block)
        self._block = None
        self._stack = [(tag, None) for tag, _ in self._stack]

    def _current(self, start: int) -> _Block:
        if self._block is None:
            self._block = _Block(start)
        return self._block

    def _marker(self, kind: str, start: int, end: int) -> int | None:
        """Add a marker to the current block (opening one only for an open tag)."""
        if self._block is None and kind != "open":
            return None
        block = self._current(start)
        block.markers.append(_Marker(kind, start, end, block.length))
        block.end = end
        return len(block.markers) - 1

    # --- events --------------------------------------------------------------------
    def feed(self, event: _Event) -> None:
        if self._skip is not None:
            self._in_skip(event)
        elif event.kind == "text":
            block = self._current(event.start)
            text = html.unescape(self.source[event.start:event.end])
            if block.texts and block.texts[-1][1] == event.start:
                s, _, t = block.texts[-1]
                # Re-decode the merged raw run: entities may have been split.
                block.texts[-1] = (s, event.end, html.unescape(self.source[s:event.end]))
                block.length += len(block.texts[-1][2]) - len(t)
            else:
                block.texts.append((event.start, event.end, text))
                block.length += len(text)
            block.end = event.end
        elif event.kind == "start":
            self._start(event)
        elif event.kind == "startend":
            self._void(event)
        elif event.kind == "end":
            self._end(event)
        else:
            self._marker("single", event.start, event.end)

    def _start(self, event: _Event) -> None:
        tag = event.tag
        if tag in VOID_ELEMENTS:
            self._void(event)
            return
        skipped = tag in SKIP_ELEMENTS or _opted_out(tag, event.attrs, self.options)
        if not skipped:
            self._attributes(event)
        if self.options.splits(tag):
            self._flush()
            if skipped:
                self._skip = (tag, event.start, 0)
                self._skip_splits = True
            else:
                self._stack.append((tag, None))
            return
        if skipped:
            # Inline and untouched: the whole element becomes one marker.
            self._skip = (tag, event.start, 0)
            self._skip_splits = False
            return
        self._stack.append((tag, self._marker("open", event.start, event.end)))

    def _void(self, event: _Event) -> None:
        if not _opted_out(event.tag, event.attrs, self.options):
            self._attributes(event)
        if self.options.splits(event.tag):
            self._flush()
        else:
            self._marker("single", event.start, event.end)

    def _end(self, event: _Event) -> None:
        tag = event.tag
        depth = next((i for i in range(len(self._stack) - 1, -1, -1)
                      if self._stack[i][0] == tag), None)
        if depth is None:  # a stray end tag: keep it where it is
            if not self.options.splits(tag):
                self._marker("single", event.start, event.end)
            return
        opened = self._stack[depth][1]
        del self._stack[depth:]
        if self.options.splits(tag):
            self._flush()
            return
        index = self._marker("close", event.start, event.end)
        if opened is not None and index is not None and self._block is not None:
            markers = self._block.markers
            if opened < len(markers) and markers[opened].kind == "open":
                markers[opened].partner = index
                markers[index].partner = opened

    def _in_skip(self, event: _Event) -> None:
        assert self._skip is not None
        tag, start, depth = self._skip
        if event.kind == "start" and event.tag == tag:
            self._skip = (tag, start, depth + 1)
        elif event.kind == "end" and event.tag == tag:
            if depth:
                self._skip = (tag, start, depth - 1)
                return
            self._skip = None
            if not self._skip_splits:
                self._marker("single", start, event.end)

    def finish(self) -> None:
        if self._skip is not None and not self._skip_splits:
            # Unclosed inline element: untouched up to the end of the source.
            self._marker("single", self._skip[1], len(self.source))
        self._skip = None
        self._flush()

    # --- attributes ----------------------------------------------------------------
    def _attributes(self, event: _Event) -> None:
        wanted = {name for name, value in event.attrs
                  if name in TRANSLATED_ATTRIBUTES and value and value.strip()}
        if not wanted:
            return
        raw = self.source[event.start:event.end]
        for match in _ATTR_RE.finditer(raw):
            name = match.group(1).lower()
            if name not in wanted:
                continue
            wanted.discard(name)  # the parser keeps the first of duplicates too
            group = next(g for g in (2, 3, 4) if match.group(g) is not None)
            quote = {2: '"', 3: "'", 4: ""}[group]
            value = match.group(group)
            self.attributes.append(_Attribute(
                event.start + match.start(group), event.start + match.end(group), quote,
                html.unescape(value)))


_ATTR_RE = re.compile(
    r"""(?<=[\s"'])([^\s"'>/=]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""")


@dataclass(frozen=True)
class HtmlDocument:
    """Parsed HTML: its text blocks and translatable attribute values."""

    source: str
    _blocks: tuple[_Block, ...]
    _attributes: tuple[_Attribute, ...]

    @property
    def blocks(self) -> list[str]:
        """The text of each block, entities decoded, edge whitespace stripped."""
        return [b.plain.strip() for b in self._blocks]

    @property
    def attributes(self) -> list[str]:
        """The decoded value of each translatable attribute, in source order."""
        return [a.text for a in self._attributes]

    @property
    def text_length(self) -> int:
        """Characters of translatable text (what limits and billing count)."""
        return sum(len(b) for b in self.blocks) + sum(len(a.strip()) for a in self.attributes)

    def plain_text(self) -> str:
        """The blocks' text, one paragraph each (for language id and summaries)."""
        return "\n\n".join(b for b in self.blocks if b)

    def plan(self, languages: Sequence[str | None], attribute_language: str | None,
             target: str) -> HtmlPlan:
        """What to translate: each block's sentences (blocks in ``target`` or without
        a language are kept) and the attribute values (in ``attribute_language``).
        Equal texts in the same language are listed once."""
        if len(languages) != len(self._blocks):
            raise ValueError(f"expected {len(self._blocks)} languages, got {len(languages)}")
        plan = HtmlPlan(self)
        for text, lang in zip(self.blocks, languages):
            if lang is None or lang == target or not text:
                plan.block_sentences.append(None)
                continue
            spans = split_sentence_spans(text, lang)
            # Runs of spaces (left by an untouched inline element, or by source
            # indentation) are one space for the model.
            plan.block_sentences.append([(span, plan.unit(_SPACES_RE.sub(" ", span.text), lang))
                                         for span in spans])
        for attribute in self._attributes:
            keep = attribute_language is None or attribute_language == target
            plan.attribute_units.append(
                None if keep or not attribute.text.strip()
                else plan.unit(attribute.text.strip(), attribute_language))
        return plan


@dataclass
class HtmlPlan:
    """The texts to translate for one document (``units`` with their ``languages``)
    and how to put their translations back (:meth:`render`)."""

    document: HtmlDocument
    units: list[str] = field(default_factory=list)
    languages: list[str | None] = field(default_factory=list)
    block_sentences: list[list[tuple[Span, int]] | None] = field(default_factory=list)
    attribute_units: list[int | None] = field(default_factory=list)
    _index: dict[tuple[str, str | None], int] = field(default_factory=dict)

    def unit(self, text: str, lang: str | None) -> int:
        """The index of ``text`` among the units, added if new."""
        key = (text, lang)
        if key not in self._index:
            self._index[key] = len(self.units)
            self.units.append(text)
            self.languages.append(lang)
        return self._index[key]

    def render(self, translations: Sequence[str]) -> str:
        """The document with every unit replaced by its translation."""
        if len(translations) != len(self.units):
            raise ValueError(f"expected {len(self.units)} translations, "
                             f"got {len(translations)}")
        doc = self.document
        attr_values: dict[int, tuple[_Attribute, str]] = {}
        for attribute, unit in zip(doc._attributes, self.attribute_units):
            if unit is not None and translations[unit] != attribute.text.strip():
                attr_values[attribute.start] = (attribute, translations[unit])
        writer = _Writer(doc.source, attr_values)
        parts: list[str] = []
        cursor = 0
        for block, sentences in zip(doc._blocks, self.block_sentences):
            parts.append(writer.raw(cursor, block.start))
            pairs = None if sentences is None or all(
                translations[u] == self.units[u] for _, u in sentences) else [
                (span, translations[u]) for span, u in sentences]
            parts.append(writer.block(block, pairs))
            cursor = block.end
        parts.append(writer.raw(cursor, len(doc.source)))
        return "".join(parts)


def parse_html(source: str, options: HtmlOptions | None = None) -> HtmlDocument:
    """Parse ``source`` (a fragment or a whole page) into blocks and attributes."""
    builder = _Builder(source, options or HtmlOptions())
    for event in _events(source):
        builder.feed(event)
    builder.finish()
    return HtmlDocument(source, tuple(builder.blocks), tuple(builder.attributes))


def text_length(source: str, options: HtmlOptions | None = None) -> int:
    """Characters of translatable text in ``source`` (markup, scripts, styles and
    untouched elements not counted)."""
    return parse_html(source, options).text_length


# --- writing ------------------------------------------------------------------------

class _Writer:
    """Writes source ranges (with translated attribute values) and translated blocks."""

    def __init__(self, source: str, attributes: dict[int, tuple[_Attribute, str]]) -> None:
        self.source = source
        self.attributes = attributes
        self._starts = sorted(attributes)

    def raw(self, start: int, end: int) -> str:
        """``source[start:end]`` with translated attribute values substituted."""
        parts: list[str] = []
        cursor = start
        for pos in self._starts:
            if pos < start or pos >= end:
                continue
            attribute, value = self.attributes[pos]
            parts.append(self.source[cursor:attribute.start])
            escaped = html.escape(value, quote=True)
            parts.append(f'"{escaped}"' if not attribute.quote else escaped)
            cursor = attribute.end
        parts.append(self.source[cursor:end])
        return "".join(parts)

    def block(self, block: _Block, sentences: list[tuple[Span, str]] | None) -> str:
        """One block: its source when untranslated, else the translation with the
        block's markup placed (see the module docstring)."""
        if not sentences:
            return self.raw(block.start, block.end)
        plain = block.plain
        core_start = len(plain) - len(plain.lstrip())
        core = plain.strip()
        core_end = core_start + len(core)
        target, knots = _target_and_knots(core, sentences)
        _add_anchors(core, target, block.markers, core_start, knots)
        entities = _entity_spellings(self.source, block)

        prefix_end = _raw_offset(self.source, block, core_start)
        suffix_start = _raw_offset(self.source, block, core_end)
        inner = [i for i, m in enumerate(block.markers) if core_start <= m.offset <= core_end]
        ys = _place(core, target, knots, block, inner, core_start)
        parts = [self._raw_except(block, block.start, prefix_end, core_start, before=True)]
        cursor = 0
        for index, y in zip(inner, ys):
            marker = block.markers[index]
            parts.append(_escape(target[cursor:y], entities))
            parts.append(self.raw(marker.start, marker.end))
            x = marker.offset - core_start
            if (marker.kind == "single" and 0 < x < len(core) and core[x - 1].isspace()
                    and core[x].isspace() and 0 < y < len(target)
                    and target[y - 1].isspace()):
                parts.append(" ")  # "Run <code>ls</code> now": a space on both sides
            cursor = max(cursor, y)
        parts.append(_escape(target[cursor:], entities))
        parts.append(self._raw_except(block, suffix_start, block.end, core_end, before=False))
        return "".join(parts)

    def _raw_except(self, block: _Block, start: int, end: int, offset: int,
                    before: bool) -> str:
        """The block's edge (leading or trailing whitespace with the markers in it),
        leaving out markers that go inside the translation."""
        parts: list[str] = []
        items: list[tuple[int, int, bool]] = []  # (start, end, is text)
        for s, e, _ in block.texts:
            s2, e2 = max(s, start), min(e, end)
            if s2 < e2:
                items.append((s2, e2, True))
        for m in block.markers:
            outside = m.offset < offset if before else m.offset > offset
            if outside:
                items.append((m.start, m.end, False))
        for s, e, _ in sorted(items):
            parts.append(self.raw(s, e))
        return "".join(parts)


def _raw_offset(source: str, block: _Block, offset: int) -> int:
    """The source offset of decoded text offset ``offset`` of the block."""
    seen = 0
    for start, end, text in block.texts:
        if offset <= seen + len(text):
            want = offset - seen
            pos = start
            decoded = 0
            for match in _UNIT_RE.finditer(source, start, end):
                if decoded >= want:
                    return match.start()
                decoded += len(html.unescape(match.group()))
                pos = match.end()
            return pos
        seen += len(text)
    return block.end


def _entity_spellings(source: str, block: _Block) -> dict[str, str]:
    """Characters the block's source wrote as entities (other than ``&amp;`` and the
    like), with their spelling, so translations write them the same way."""
    spellings: dict[str, str] = {}
    for start, end, _ in block.texts:
        for match in re.finditer(r"&(?:#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[A-Za-z][A-Za-z0-9]*;)",
                                  source[start:end]):
            char = html.unescape(match.group())
            if len(char) == 1 and char not in "&<>":
                spellings.setdefault(char, match.group())
    return spellings


def _escape(text: str, entities: dict[str, str]) -> str:
    out = html.escape(text, quote=False)
    for char, spelling in entities.items():
        out = out.replace(char, spelling)
    return out


# --- placing markers ----------------------------------------------------------------

def _target_and_knots(core: str, sentences: list[tuple[Span, str]]
                      ) -> tuple[str, list[tuple[int, int]]]:
    """The translated block (sentence translations joined by the source's gaps) and
    anchor points (source offset, target offset) at every sentence boundary."""
    parts: list[str] = []
    knots = [(0, 0)]
    cursor = 0
    length = 0
    for span, translation in sentences:
        gap = core[cursor:span.start]
        parts.append(gap)
        length += len(gap)
        knots.append((span.start, length))
        parts.append(translation)
        length += len(translation)
        knots.append((span.end, length))
        cursor = span.end
    parts.append(core[cursor:])
    length += len(core) - cursor
    knots.append((len(core), length))
    return "".join(parts), knots


def _consistent(knots: list[tuple[int, int]], x: int, y: int) -> bool:
    return all((kx < x and ky <= y) or (kx > x and ky >= y) or (kx == x and ky == y)
               for kx, ky in knots)


def _add_anchors(core: str, target: str, markers: list[_Marker], core_start: int,
                 knots: list[tuple[int, int]]) -> None:
    """Add anchors for tagged text and tokens found exactly once on both sides."""
    words: list[str] = []
    for marker in markers:
        if marker.kind == "open" and marker.partner is not None:
            inner = core[max(0, marker.offset - core_start):
                         max(0, markers[marker.partner].offset - core_start)].strip()
            if len(inner) >= 2:
                words.append(inner)
    words += [m.group() for m in _ANCHOR_TOKEN_RE.finditer(core)]
    for word in words:
        if core.count(word) != 1 or target.count(word) != 1:
            continue
        x, y = core.index(word), target.index(word)
        for kx, ky in ((x, y), (x + len(word), y + len(word))):
            if _consistent(knots, kx, ky):
                knots.append((kx, ky))
    knots.sort()


def _place(core: str, target: str, knots: list[tuple[int, int]], block: _Block,
           inner: list[int], core_start: int) -> list[int]:
    """Target offsets of the markers ``inner`` (indexes into the block's markers),
    non-decreasing in source order."""
    ys: list[int] = []
    for index in inner:
        marker = block.markers[index]
        x = marker.offset - core_start
        same = [ky for kx, ky in knots if kx == x]
        if same:
            y = max(same) if marker.kind == "open" else min(same)
        else:
            (x0, y0), (x1, y1) = _around(knots, x)
            y = round(y0 + (x - x0) * (y1 - y0) / (x1 - x0)) if x1 > x0 else y0
            y = _snap(target, y, y0, y1, marker.kind, core, x)
        ys.append(max(y, ys[-1]) if ys else y)
    _widen_empty(target, block, inner, ys, core, core_start)
    return ys


def _around(knots: list[tuple[int, int]], x: int) -> tuple[tuple[int, int], tuple[int, int]]:
    before = max((k for k in knots if k[0] < x), default=knots[0])
    after = min((k for k in knots if k[0] > x), default=knots[-1])
    return before, after


def _snap(target: str, y: int, lo: int, hi: int, kind: str, core: str, x: int) -> int:
    """Move ``y`` to the nearest word boundary within ``[lo, hi]``."""
    def start_ok(p: int) -> bool:
        return p < len(target) and not target[p].isspace() and (
            p == 0 or target[p - 1].isspace())

    def end_ok(p: int) -> bool:
        return p > 0 and not target[p - 1].isspace() and (
            p == len(target) or target[p].isspace())

    test = {"open": start_ok, "close": end_ok}.get(
        kind, lambda p: start_ok(p) or end_ok(p))
    candidates = [p for p in range(lo, hi + 1) if test(p)]
    if not candidates:
        return y
    best = min(candidates, key=lambda p: (abs(p - y), p))
    if kind == "close" and not (x > 0 and core[x - 1] in _TRAILING_PUNCT):
        # "<b>said nothing</b>." : leave the sentence's final punctuation outside.
        while best - 1 > lo and target[best - 1] in _TRAILING_PUNCT:
            best -= 1
    return best


def _widen_empty(target: str, block: _Block, inner: list[int], ys: list[int], core: str,
                 core_start: int) -> None:
    """An element whose source text is not empty should not come out empty: extend
    it to the end of the next word when the markers after it allow."""
    where = {index: i for i, index in enumerate(inner)}
    for i, index in enumerate(inner):
        marker = block.markers[index]
        if marker.kind != "open" or marker.partner not in where:
            continue
        j = where[marker.partner]
        close = block.markers[marker.partner]
        if ys[j] > ys[i] or not core[marker.offset - core_start:
                                     close.offset - core_start].strip():
            continue
        limit = ys[j + 1] if j + 1 < len(ys) else len(target)
        p = ys[i]
        while p < limit and target[p].isspace():
            p += 1
        while p < limit and not target[p].isspace():
            p += 1
        if p > ys[i]:
            # Markers nested inside close there too, keeping the order.
            for k in range(i + 1, j + 1):
                if block.markers[inner[k]].kind != "open":
                    ys[k] = p
    for k in range(1, len(ys)):
        ys[k] = max(ys[k], ys[k - 1])
