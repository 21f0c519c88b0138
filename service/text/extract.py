"""Main-article extraction from a web page, with its metadata and encoding.

A page fetched from a wire or another outlet carries navigation, share bars, comment
widgets, cookie banners and scripts around the article; summarising or translating
all of it would summarise the navigation. :func:`extract_article` keeps the article:
its text (paragraphs separated by blank lines), title, byline, publication date,
declared language and canonical URL.

The extractor is trafilatura (maintained, Apache-2.0; it falls back to its own
readability and jusText ports on pages where its main heuristics find too little).
It was chosen over readability-lxml after comparing both on the pages under
``bench/data/extraction`` (``python bench/extract_eval.py --extractor readability``);
see docs/ARCHITECTURE.md for the figures. Comments are always left out.

:func:`decode_html` turns bytes into text: a byte-order mark, the transport's charset,
or the page's ``<meta charset>`` when declared (and valid), otherwise UTF-8 when the
bytes are valid UTF-8, otherwise the encoding charset-normalizer finds most likely.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import asdict, dataclass
from typing import Any

from service.errors import InvalidInput

#: Where a page declares its encoding: ``<meta charset=...>`` or the http-equiv form.
_META_CHARSET_RE = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
#: How much of the page to search for the declaration (the HTML standard says 1024
#: bytes; pages with long heads put it later).
_SNIFF_BYTES = 4096
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))


@dataclass(frozen=True)
class Article:
    """The article of a page. ``text`` is empty when no article was found."""

    text: str
    title: str | None = None
    byline: str | None = None
    #: Publication date, ISO 8601 (``YYYY-MM-DD``) when the page gives one.
    date: str | None = None
    #: The language the page declares (``<html lang>``, ``og:locale``, ...), if any.
    declared_language: str | None = None
    canonical_url: str | None = None
    site_name: str | None = None
    description: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return asdict(self)


def _codec(name: str | None) -> str | None:
    """The Python codec for a charset label, ``None`` if unknown."""
    if not name:
        return None
    try:
        return codecs.lookup(name.strip().strip("\"'")).name
    except LookupError:
        return None


def decode_html(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Decode a page; return its text and the encoding used (see the module doc)."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return data.decode(name), name
    candidates = [_codec(declared)]
    match = _META_CHARSET_RE.search(data[:_SNIFF_BYTES])
    if match:
        candidates.append(_codec(match.group(1).decode("ascii", "replace")))
    for name in candidates:
        if name is None:
            continue
        try:
            return data.decode(name), name
        except UnicodeDecodeError:
            continue  # a wrong declaration: sniff instead
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise InvalidInput("the page's bytes are in no known text encoding", field="html")
    return str(best), best.encoding


def _clean(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _paragraphs(text: str) -> str:
    """trafilatura separates paragraphs with one newline; the service uses blank lines."""
    lines = [line.strip() for line in text.splitlines()]
    return "\n\n".join(line for line in lines if line)


_LANG_RE = re.compile(r"<html[^>]*?\slang\s*=\s*[\"']?([A-Za-z]{2,3})", re.IGNORECASE)


def extract_article(page: str, url: str | None = None) -> Article:
    """The main article of ``page`` (HTML text) and its metadata. ``url`` (where the
    page came from) helps resolve a relative canonical URL."""
    import trafilatura

    document = trafilatura.bare_extraction(
        page, url=url, with_metadata=True, include_comments=False, include_tables=True,
        include_images=False, deduplicate=False, favor_precision=True)
    lang_match = _LANG_RE.search(page[:_SNIFF_BYTES * 4])
    declared = lang_match.group(1).lower() if lang_match else None
    if document is None:
        return Article(text="", declared_language=declared, canonical_url=url)
    meta = document.as_dict() if hasattr(document, "as_dict") else dict(document)
    return Article(
        text=_paragraphs(meta.get("text") or ""),
        title=_clean(meta.get("title")),
        byline=_clean(meta.get("author")),
        date=_clean(meta.get("date")),
        declared_language=_clean(meta.get("language")) or declared,
        canonical_url=_clean(meta.get("url")) or url,
        site_name=_clean(meta.get("sitename")),
        description=_clean(meta.get("description")),
    )
