"""Translate the text of an HTML fragment or page without touching its markup.

:func:`extract_text_nodes` finds the translatable text nodes with the standard
library's ``html.parser`` and remembers where each sits in the source;
:meth:`HtmlDocument.render` puts translations back. Everything outside the replaced
nodes (tags, attributes, comments, doctype, entities, whitespace) is copied
byte-for-byte from the source, and a node whose translation equals its text is
copied verbatim too, so rendering the texts themselves returns the input unchanged.

Not translated: the contents of ``script``, ``style``, ``code``, ``pre``, ``kbd``,
``samp``, ``var``, ``textarea`` and ``template``; elements marked ``translate="no"``
(the HTML standard's opt-out) and everything inside them; whitespace-only nodes.
Attribute values (``alt``, ``title``) are left as they are. Inline markup splits text:
``Hello <b>world</b>`` gives two nodes, translated separately.

A text node is the source between two pieces of markup; its entities are decoded in
:attr:`HtmlDocument.texts` and the translation is escaped on the way back. Leading and
trailing whitespace of a node (including ``&nbsp;`` written as an entity) is kept in
its source form around the translation.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from html.parser import HTMLParser

_SKIP_ELEMENTS = frozenset({"script", "style", "code", "pre", "kbd", "samp", "var",
                            "textarea", "template"})
# Elements that never have an end tag, so never enclose text.
_VOID_ELEMENTS = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input",
                            "link", "meta", "param", "source", "track", "wbr"})
# One unit of raw text: a character reference or a single character.
_UNIT_RE = re.compile(r"&(?:#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[A-Za-z][A-Za-z0-9]*;?)|.",
                      re.DOTALL)


@dataclass(frozen=True)
class _Node:
    """A translatable node: ``source[start:end]`` is its core (edge whitespace excluded)."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class HtmlDocument:
    """Parsed HTML: ``texts`` to translate, and :meth:`render` to put them back."""

    source: str
    nodes: tuple[_Node, ...]

    @property
    def texts(self) -> list[str]:
        """Translatable text of each node, entities decoded, edge whitespace stripped."""
        return [node.text for node in self.nodes]

    def render(self, translations: Sequence[str]) -> str:
        """The source with each node's text replaced by its (HTML-escaped) translation."""
        if len(translations) != len(self.nodes):
            raise ValueError(
                f"expected {len(self.nodes)} translations, got {len(translations)}")
        parts: list[str] = []
        cursor = 0
        for node, translation in zip(self.nodes, translations):
            parts.append(self.source[cursor:node.start])
            if translation == node.text:
                parts.append(self.source[node.start:node.end])
            else:
                parts.append(html.escape(translation, quote=False))
            cursor = node.end
        parts.append(self.source[cursor:])
        return "".join(parts)


class _Collector(HTMLParser):
    """Records the source offset of every markup event and which text is skipped."""

    def __init__(self, source: str) -> None:
        # convert_charrefs=False: text arrives raw, so offsets match the source.
        super().__init__(convert_charrefs=False)
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", source)]
        self._stack: list[tuple[str, bool]] = []  # (tag, skipped) of open elements
        #: (offset, kind, inside a skipped element) per event; kind: "text"/"markup".
        self.events: list[tuple[int, str, bool]] = []

    def _offset(self) -> int:
        line, column = self.getpos()
        return self._line_starts[line - 1] + column

    def _skipping(self) -> bool:
        return bool(self._stack) and self._stack[-1][1]

    def _text(self) -> None:
        self.events.append((self._offset(), "text", self._skipping()))

    def _markup(self) -> None:
        self.events.append((self._offset(), "markup", self._skipping()))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._markup()
        if tag in _VOID_ELEMENTS:
            return
        opted_out = any(k == "translate" and (v or "").strip().lower() == "no"
                        for k, v in attrs)
        self._stack.append((tag, self._skipping() or tag in _SKIP_ELEMENTS or opted_out))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._markup()

    def handle_endtag(self, tag: str) -> None:
        self._markup()
        # Close up to the matching open element; a stray end tag closes nothing
        # (browsers also close unclosed <p>, <li> implicitly this way).
        for depth in range(len(self._stack) - 1, -1, -1):
            if self._stack[depth][0] == tag:
                del self._stack[depth:]
                break

    def handle_data(self, data: str) -> None:
        self._text()

    def handle_entityref(self, name: str) -> None:
        self._text()

    def handle_charref(self, name: str) -> None:
        self._text()

    def handle_comment(self, data: str) -> None:
        self._markup()

    def handle_decl(self, decl: str) -> None:
        self._markup()

    def handle_pi(self, data: str) -> None:
        self._markup()

    def unknown_decl(self, data: str) -> None:
        self._markup()


def extract_text_nodes(source: str) -> HtmlDocument:
    """Parse ``source`` (a fragment or a whole page) and find its translatable text."""
    collector = _Collector(source)
    collector.feed(source)
    collector.close()
    events = collector.events + [(len(source), "markup", False)]
    nodes: list[_Node] = []
    run_start: int | None = None
    run_skipped = False
    for offset, kind, skipped in events:
        if kind == "text":
            if run_start is None:
                run_start, run_skipped = offset, skipped
            continue
        if run_start is not None and not run_skipped:
            node = _make_node(source, run_start, offset)
            if node is not None:
                nodes.append(node)
        run_start = None
    return HtmlDocument(source, tuple(nodes))


def _make_node(source: str, start: int, end: int) -> _Node | None:
    """The node for raw text ``source[start:end]``, trimmed of (possibly entity-written)
    whitespace at both ends; ``None`` if only whitespace."""
    units = [(m.start(), m.end(), html.unescape(m.group()))
             for m in _UNIT_RE.finditer(source, start, end)]
    first = next((i for i, u in enumerate(units) if not u[2].isspace()), None)
    if first is None:
        return None
    last = max(i for i, u in enumerate(units) if not u[2].isspace())
    core_start, core_end = units[first][0], units[last][1]
    return _Node(core_start, core_end, html.unescape(source[core_start:core_end]))
