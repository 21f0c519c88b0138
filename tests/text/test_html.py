"""HTML translation: blocks delimit sentences, inline tags are carried over, markup is
kept byte for byte, and no tag or text is lost or duplicated, on hand-made cases and on
real news pages (bench/data/extraction)."""

from __future__ import annotations

import gzip
import json
import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest

from service.text.extract import decode_html
from service.text.html import TRANSLATED_ATTRIBUTES, HtmlOptions, parse_html, text_length

DATA = Path(__file__).resolve().parents[2] / "bench" / "data" / "extraction"

PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>News &amp; views</title>
<style>p { color: red; }</style>
<script>var label = "<b>do not translate</b>"; if (a < b) {}</script></head>
<body>
  <!-- editor's note: keep -->
  <p class="lead" title="Keep this title" data-x='a&amp;b'>Hello&nbsp;<b>world</b> &mdash; it&#39;s  fine.&nbsp;</p>
  <p translate="no">Brand <i>Name</i></p>
  <pre>kept   as is</pre><p>Run <code>ls -la</code> now.</p>
  <img src="a.png" alt="A photo"><br/>
  <ul><li>One<li>Two <span class="notranslate">ACME Corp</span> three.</ul>
  Tail text &lt;escaped&gt;
</body></html>
"""


class _Markup(HTMLParser):
    """Everything but translatable text: tags with attributes (translated attribute
    values blanked), comments, declarations, and the raw content of untouched
    elements."""

    def __init__(self) -> None:
        super().__init__()
        self.items: list[tuple] = []
        self._raw = 0

    def _attrs(self, attrs):
        return [(k, "*" if k in TRANSLATED_ATTRIBUTES and v and v.strip() else v)
                for k, v in attrs]

    def handle_starttag(self, tag, attrs):
        self.items.append(("start", tag, self._attrs(attrs)))
        if tag in ("script", "style", "pre", "code") or ("translate", "no") in attrs:
            self._raw += 1

    def handle_endtag(self, tag):
        self.items.append(("end", tag))
        if tag in ("script", "style", "pre", "code", "p") and self._raw:
            self._raw -= 1

    def handle_startendtag(self, tag, attrs):
        self.items.append(("startend", tag, self._attrs(attrs)))

    def handle_comment(self, data):
        self.items.append(("comment", data))

    def handle_decl(self, decl):
        self.items.append(("decl", decl))

    def handle_data(self, data):
        if self._raw:
            self.items.append(("raw", data))


def markup_of(source: str) -> list[tuple]:
    parser = _Markup()
    parser.feed(source)
    parser.close()
    return parser.items


def reverse_words(text: str) -> str:
    """A stand-in 'translation' that changes word order and lengths: the hardest case
    for re-placing tags (it is not the service's translation, only a transformation
    to check structure against)."""
    return " ".join(w[::-1] + "x" for w in reversed(text.split()))


def translate_with(source: str, fn, options: HtmlOptions | None = None) -> tuple[str, list]:
    doc = parse_html(source, options)
    plan = doc.plan(["en"] * len(doc.blocks), "en", "uk")
    outputs = [fn(u) for u in plan.units]
    return plan.render(outputs), [outputs[u] for s in plan.block_sentences if s
                                  for _, u in s]


def tokens(text: str) -> Counter:
    """Non-space characters with their counts: equal when no text was lost or
    duplicated (sentences the source wrote without a space between stay so)."""
    return Counter(re.sub(r"\s", "", text))


# --- hand-made cases -----------------------------------------------------------------

def test_blocks_hold_whole_sentences_across_inline_tags() -> None:
    doc = parse_html(PAGE)
    assert doc.blocks == ["News & views", "Hello\xa0world — it's  fine.", "Run  now.",
                          "One", "Two  three.", "Tail text <escaped>"]
    assert doc.attributes == ["Keep this title", "A photo"]
    plan = doc.plan(["en"] * len(doc.blocks), "en", "uk")
    assert plan.units == ["News & views", "Hello\xa0world — it's fine.", "Run now.", "One",
                          "Two three.", "Tail text <escaped>", "Keep this title", "A photo"]


def test_identity_translation_gives_identical_html() -> None:
    doc = parse_html(PAGE)
    plan = doc.plan(["en"] * len(doc.blocks), "en", "uk")
    assert plan.render(list(plan.units)) == PAGE
    # Blocks already in the target language are not even sent.
    assert doc.plan(["uk"] * len(doc.blocks), "uk", "uk").units == []


def test_uppercasing_keeps_markup_entities_and_spacing() -> None:
    out, _ = translate_with(PAGE, str.upper)
    assert markup_of(out) == markup_of(PAGE)
    assert "HELLO&nbsp;<b>WORLD</b> &mdash; IT&#39;S FINE.&nbsp;</p>" in out
    assert 'title="KEEP THIS TITLE"' in out and 'alt="A PHOTO"' in out
    assert "data-x='a&amp;b'" in out
    assert "<p>RUN <code>ls -la</code> NOW.</p>" in out
    assert '<span class="notranslate">ACME Corp</span>' in out
    assert '<p translate="no">Brand <i>Name</i></p>' in out
    assert "TAIL TEXT &lt;ESCAPED&gt;\n</body></html>\n" in out


def test_reordered_translation_keeps_every_tag_and_word_once() -> None:
    out, translations = translate_with(PAGE, reverse_words)
    assert markup_of(out) == markup_of(PAGE)
    produced = tokens(parse_html(out).plain_text())
    assert produced == tokens(" ".join(translations))


@pytest.mark.parametrize("source", [
    "<p>Seoul <b>said</b> nothing.</p>",
    "<p><b>Seoul said nothing.</b></p>",
    "<p>A <a href='/x' title='More'>link <i>with <u>deep</u></i> nesting</a> here.</p>",
    "<p>Unclosed <b>bold text</p><p>next <i>para</p>",
    "<p>Stray </b>end tag and <br> break. <img src=x.png alt='Pic'> Image.</p>",
    "<div>Text <!-- c --> with comment <span>and <em></em> empty</span>.</div>",
    "<p>Entities &amp; &lt;tags&gt; &quot;quoted&quot; &#169; 2026 &#x2014; ok</p>",
    "Loose text <b>without</b> any block.",
    "<table><tr><td>Cell <b>one</b></td><td>Cell two</td></tr></table>",
])
def test_structure_round_trip_hand_made(source: str) -> None:
    for fn in (str.upper, reverse_words, lambda t: "Початок " + t + " кінець"):
        out, translations = translate_with(source, fn)
        assert markup_of(out) == markup_of(source), (fn, out)
        assert tokens(parse_html(out).plain_text()) == tokens(" ".join(translations))


def test_inline_tag_lands_on_the_matching_word() -> None:
    out, _ = translate_with('<p>Officials told <a href="https://r.example">Reuters</a> '
                            'on Monday.</p>',
                            lambda t: "Посадовці повідомили Reuters у понеділок.")
    assert out == ('<p>Посадовці повідомили <a href="https://r.example">Reuters</a> у '
                   'понеділок.</p>')


def test_closing_tag_leaves_final_punctuation_outside() -> None:
    out, _ = translate_with("<p>Seoul <b>said nothing</b>.</p>",
                            lambda t: "Сеул нічого не сказав.")
    assert out.endswith("</b>.</p>") and out.count("<b>") == 1


def test_aria_label_translated_and_unquoted_values_quoted() -> None:
    out, _ = translate_with("<button aria-label=Close title='Close it'>X</button>",
                            lambda t: "Закрити & <піти>")
    assert out == ('<button aria-label="Закрити &amp; &lt;піти&gt;" '
                   "title='Закрити &amp; &lt;піти&gt;'>Закрити &amp; &lt;піти&gt;</button>")


def test_untouched_content_is_not_counted_or_sent() -> None:
    source = ('<p>Hi <code>x = 1</code> there.</p><pre>code</pre><script>var a;</script>'
              '<style>p{}</style><p translate="no">No</p><p class="a notranslate">No</p>'
              '<img alt="Photo">')
    doc = parse_html(source)
    assert doc.blocks == ["Hi  there."]
    assert text_length(source) == len("Hi  there.") + len("Photo")


def test_deepl_tag_options() -> None:
    source = "<p>First <x>part.</x> Second <y>part</y> ends.</p><z>Not this.</z>"
    assert parse_html(source).blocks == ["First", "part.", "Second", "part", "ends.",
                                         "Not this."]
    # ignore_tags: untouched, and inside the sentence like inline code.
    assert parse_html("<p>A <z>b</z> c.</p>",
                      HtmlOptions(ignore_tags=frozenset({"z"}))).blocks == ["A  c."]
    options = HtmlOptions(non_splitting_tags=frozenset({"x", "y"}),
                          ignore_tags=frozenset({"z"}))
    assert parse_html(source, options).blocks == ["First part. Second part ends."]
    options = HtmlOptions(splitting_tags=frozenset({"b"}))
    assert parse_html("<p>One <b>two</b> three</p>", options).blocks == ["One", "two",
                                                                          "three"]
    # Without outline detection only splitting_tags delimit.
    options = HtmlOptions(outline_detection=False, splitting_tags=frozenset({"hr"}))
    assert parse_html("<div>A.</div><div>B.</div><hr><p>C.</p>", options).blocks == [
        "A.B.", "C."]


# --- real pages ------------------------------------------------------------------------

def _pages() -> list[dict]:
    return json.loads((DATA / "pages.json").read_text(encoding="utf-8"))["pages"]


@pytest.mark.parametrize("page", _pages()[::3] + [p for p in _pages() if p["language"]
                                                  in ("ru", "ko")][:3],
                         ids=lambda p: f"{p['language']}-{p['id'][:8]}")
def test_structure_round_trip_on_real_pages(page: dict) -> None:
    source, _ = decode_html(gzip.decompress(
        (DATA / "html" / f"{page['id']}.html.gz").read_bytes()))
    doc = parse_html(source)
    plan = doc.plan(["en"] * len(doc.blocks), "en", "uk")
    assert plan.render(list(plan.units)) == source
    outputs = [reverse_words(u) for u in plan.units]
    out = plan.render(outputs)
    assert markup_of(out) == markup_of(source)
    sent = [outputs[u] for s in plan.block_sentences if s for _, u in s]
    assert tokens(parse_html(out).plain_text()) == tokens(" ".join(sent))
