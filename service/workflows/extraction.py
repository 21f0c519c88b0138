"""Application service: get the article out of a web page.

:func:`service.text.extract.extract_article` does the extraction (CPU work, run off
the event loop); this adds the article's language as the service identifies it
(the page's own declaration is often missing or wrong) and refuses a page with no
article in it rather than handing on its navigation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from service.errors import InvalidInput
from service.text.extract import Article, extract_article
from service.workflows.runtime import Runtime


@dataclass(frozen=True)
class Extraction:
    """An article with the language the service identified in its text."""

    article: Article
    language: str | None
    confidence: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields (the article's, plus ``language`` and its confidence)."""
        return {**self.article.to_dict(), "language": self.language,
                "language_confidence": round(self.confidence, 4)}


class ExtractionService:
    """Extract articles from pages for the HTTP routes, the CLI and batch runs."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    async def extract(self, page: str, *, url: str | None = None,
                      field_name: str = "html") -> Extraction:
        """The article of ``page``; :class:`InvalidInput` naming ``field_name`` when
        the page has no article text."""
        article = await self.runtime.off_loop(extract_article, page, url)
        if not article.text.strip():
            raise InvalidInput(f"{field_name}: no article text found in the page",
                               field=field_name)
        detection = await self.runtime.off_loop(self.runtime.detector.detect_article,
                                                article.text)
        return Extraction(article, detection.language, detection.confidence)
