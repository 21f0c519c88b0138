"""HTML: only text nodes are translated; markup is kept byte-for-byte."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from service.text.html import extract_text_nodes

PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>News &amp; views</title>
<style>p { color: red; }</style>
<script>var label = "<b>do not translate</b>"; if (a < b) {}</script></head>
<body>
  <!-- editor's note: keep -->
  <p class="lead" title="Keep this title" data-x='a&amp;b'>Hello&nbsp;<b>world</b> &mdash; it&#39;s  fine.&nbsp;</p>
  <p translate="no">Brand <i>Name</i></p>
  <pre>kept   as is</pre><code>x = 1</code>
  <img src="a.png" alt="A photo"><br/>
  <ul><li>One<li>Two</ul>
  Tail text &lt;escaped&gt;
</body></html>
"""


def test_texts_are_the_translatable_nodes() -> None:
    doc = extract_text_nodes(PAGE)
    assert doc.texts == ["News & views", "Hello", "world", "— it's  fine.", "One", "Two",
                         "Tail text <escaped>"]


def test_identity_translation_gives_identical_html() -> None:
    doc = extract_text_nodes(PAGE)
    assert doc.render(doc.texts) == PAGE


class _Markup(HTMLParser):
    """Everything but text: tags with attributes, comments, declarations, script data."""

    def __init__(self) -> None:
        super().__init__()
        self.items: list[tuple] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.items.append(("start", tag, attrs))
        self._in_script = tag in ("script", "style", "pre", "code")

    def handle_endtag(self, tag):
        self.items.append(("end", tag))
        self._in_script = False

    def handle_startendtag(self, tag, attrs):
        self.items.append(("startend", tag, attrs))

    def handle_comment(self, data):
        self.items.append(("comment", data))

    def handle_decl(self, decl):
        self.items.append(("decl", decl))

    def handle_data(self, data):
        if self._in_script:
            self.items.append(("raw", data))


def markup_of(source: str) -> list[tuple]:
    parser = _Markup()
    parser.feed(source)
    parser.close()
    return parser.items


def test_uppercasing_changes_only_text_nodes() -> None:
    doc = extract_text_nodes(PAGE)
    out = doc.render([t.upper() for t in doc.texts])
    assert markup_of(out) == markup_of(PAGE)
    assert "HELLO&nbsp;<b>WORLD</b> — IT'S  FINE.&nbsp;</p>" in out
    assert 'title="Keep this title"' in out and 'alt="A photo"' in out
    assert 'var label = "<b>do not translate</b>"' in out
    assert "<pre>kept   as is</pre><code>x = 1</code>" in out
    assert '<p translate="no">Brand <i>Name</i></p>' in out
    assert "TAIL TEXT &lt;ESCAPED&gt;\n</body>" in out
    assert extract_text_nodes(out).texts == [t.upper() for t in doc.texts]


def test_translations_are_escaped_and_edge_whitespace_kept() -> None:
    doc = extract_text_nodes("<p>\n  Tom &amp; Jerry  \n</p>")
    assert doc.texts == ["Tom & Jerry"]
    assert doc.render(["<Tom> & Jerry"]) == "<p>\n  &lt;Tom&gt; &amp; Jerry  \n</p>"


def test_fragment_without_tags() -> None:
    doc = extract_text_nodes("  plain text  ")
    assert doc.texts == ["plain text"]
    assert doc.render(["простий текст"]) == "  простий текст  "


def test_whitespace_only_nodes_are_not_texts() -> None:
    doc = extract_text_nodes("<div>\n  <p> </p>&nbsp;\n</div>")
    assert doc.texts == []
    assert doc.render([]) == "<div>\n  <p> </p>&nbsp;\n</div>"


def test_render_rejects_wrong_number_of_translations() -> None:
    doc = extract_text_nodes("<p>a</p><p>b</p>")
    with pytest.raises(ValueError, match="expected 2 translations, got 3"):
        doc.render(["x", "y", "z"])
