"""What the batch does to one record: summarise and/or translate it, in-process
(through the same runtime, schedulers and batching as the server) or by calling a
running server. Both produce the same output fields:

HTML records (``.html`` files, or ``--html`` texts) are pages: their main article is
extracted (:mod:`service.text.extract`) and summarised and translated as text, and
its metadata comes out as ``article``; with ``html_mode="page"`` the translations are
of the whole page instead (markup kept, :mod:`service.text.html`).

``language``, ``language_confidence``; with a summary: ``summary``,
``summary_language``, ``summary_mode``, ``neutrality``, ``enforcement``,
``claims``, ``disputes``, ``furniture`` (and
``source_summary`` when the summary was translated, ``summary_notes``); with
translations: ``translations`` ({lang: text}); ``routes`` ({"summary": [...steps],
lang: {"kind", "steps"}}).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from service.errors import LanguageNotDetected, NewsroomError, Overloaded, ServiceStopping
from service.text.extract import Article, extract_article

#: Attempts for one call that keeps getting "busy, retry later" answers.
MAX_ATTEMPTS = 8


@dataclass(frozen=True)
class Task:
    """What to produce for each record."""

    summarize: bool = False
    #: Summary language (None: the article's).
    summary_target: str | None = None
    mode: str = "auto"
    max_sentences: int | None = None
    max_words: int | None = None
    translate_to: tuple[str, ...] = field(default_factory=tuple)
    #: Source language for every record, or "auto".
    source: str = "auto"
    #: HTML records: translate the extracted "article" (as text) or the whole "page".
    html_mode: str = "article"

    def output_format(self, fmt: str) -> str:
        """The format of a record's translations (mirror files are named after it)."""
        return "html" if fmt == "html" and self.html_mode == "page" else "text"

    def describe(self) -> str:
        """``summarize``, ``translate`` or ``summarize+translate``."""
        parts = (["summarize"] if self.summarize else []) + \
            (["translate"] if self.translate_to else [])
        return "+".join(parts)


class RecordFailed(Exception):
    """One record could not be processed; ``reason`` is a short kind."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


class Processor(Protocol):
    """Turns one record's text into output fields."""

    async def process(self, text: str, fmt: str) -> dict[str, Any]:
        """Output fields for one record; raises :class:`RecordFailed` or a
        :class:`NewsroomError`."""
        ...

    async def aclose(self) -> None:
        """Release resources (models, connections)."""
        ...


async def article_of(text: str) -> Article:
    """The main article of an HTML record (extraction runs off the event loop);
    :class:`RecordFailed` when the page holds none."""
    article = await asyncio.to_thread(extract_article, text)
    if not article.text.strip():
        raise RecordFailed("no_article", "no article text found in the page")
    return article


def article_fields(article: Article) -> dict[str, Any]:
    """The ``article`` output field: the page's metadata (without the text)."""
    return {k: v for k, v in article.to_dict().items() if k != "text"}


async def retry_overloaded(call: Any) -> Any:
    """Await ``call()``, waiting out :class:`Overloaded` answers (not a stopping model)."""
    for attempt in range(MAX_ATTEMPTS):
        try:
            return await call()
        except ServiceStopping:
            raise
        except Overloaded as exc:
            if attempt == MAX_ATTEMPTS - 1:
                raise
            await asyncio.sleep(exc.retry_after)
    raise AssertionError("unreachable")


class LocalProcessor:
    """In-process: one :class:`Runtime`; every record's sentences go through the shared
    per-model schedulers, so many documents fill each batch. Batch work runs at
    ``priority`` -1 so interactive work in the same process would come first."""

    def __init__(self, runtime: Any, task: Task, *, priority: int = -1) -> None:
        from service.workflows.summarization import SummarizationService
        from service.workflows.translation import TranslationService

        self.runtime = runtime
        self.task = task
        self.priority = priority
        self.translation = TranslationService(runtime)
        self.summarization = SummarizationService(runtime, self.translation)
        # Fail before reading any record when a language code is wrong.
        for lang in task.translate_to:
            self.translation.check_languages(task.source, lang)
        if task.summary_target:
            self.translation.check_languages(task.source, task.summary_target)

    async def process(self, text: str, fmt: str) -> dict[str, Any]:
        """Detect once, then summarise and translate concurrently."""
        out: dict[str, Any] = {}
        plain = text
        if fmt == "html":
            article = await article_of(text)
            plain = article.text
            out["article"] = article_fields(article)
        source = self.task.source
        if source == "auto":
            detection = await self.runtime.off_loop(self.runtime.detector.detect_article,
                                                    plain)
            if detection.language is None:
                raise RecordFailed("unknown_language", "could not identify the language "
                                   f"({detection.reason}); supported: "
                                   f"{', '.join(self.runtime.languages)}")
            out["language"] = detection.language
            out["language_confidence"] = round(detection.confidence, 4)
        else:
            out["language"], out["language_confidence"] = source, 1.0

        jobs = []
        if self.task.summarize:
            # The detected language is passed on: the article is identified once.
            jobs.append(self._summary(plain, out["language"], out))
        if self.task.translate_to:
            if self.task.output_format(fmt) == "text":
                text, fmt = plain, "text"
            jobs.append(self._translations(text, fmt, out))
        await asyncio.gather(*jobs)
        return out

    async def _summary(self, plain: str, source: str, out: dict[str, Any]) -> None:
        task = self.task
        result = await retry_overloaded(lambda: self.summarization.summarize(
            plain, source=source, target=task.summary_target, mode=task.mode,
            max_sentences=task.max_sentences, max_words=task.max_words,
            priority=self.priority))
        merge_routes(out, summary_fields(result.to_dict()))

    async def _translations(self, text: str, fmt: str, out: dict[str, Any]) -> None:
        async def one(lang: str) -> tuple[str, Any]:
            results = await retry_overloaded(lambda: self.translation.translate_many(
                [text], source=self.task.source, target=lang, fmt=fmt,
                priority=self.priority, field_name="text"))
            return lang, results[0]

        done = await asyncio.gather(*(one(lang) for lang in self.task.translate_to))
        out["translations"] = {lang: r.text for lang, r in done}
        routes = out.setdefault("routes", {})
        for lang, r in done:
            routes[lang] = ({"kind": r.route.kind, "steps": r.route.describe()}
                            if r.route is not None else {"kind": "identity", "steps": []})

    async def aclose(self) -> None:
        """Stop the schedulers and free the models."""
        await self.runtime.close()


def summary_fields(body: dict[str, Any]) -> dict[str, Any]:
    """Output fields from a ``SummaryResult.to_dict()`` / ``/v1/summarize`` body."""
    fields = {"summary": body.get("summary"),
              "summary_language": body.get("target_language"),
              "summary_mode": body.get("mode_used"),
              "neutrality": body.get("neutrality"),
              "enforcement": body.get("enforcement"),
              "claims": body.get("claims", []),
              "disputes": body.get("disputes", []),
              "furniture": body.get("furniture", []),
              "routes": {"summary": body.get("model_route", [])}}
    if body.get("source_summary"):  # the checked summary before translation
        fields["source_summary"] = body["source_summary"]
    if body.get("notes"):
        fields["summary_notes"] = body["notes"]
    return fields


#: Order of the output fields (whichever job finished first).
FIELD_ORDER = {name: i for i, name in enumerate((
    "article", "language", "language_confidence", "summary", "summary_language", "summary_mode",
    "neutrality", "enforcement", "claims", "disputes", "furniture", "source_summary",
    "summary_notes", "translations", "routes"))}


def ordered(fields: dict[str, Any]) -> dict[str, Any]:
    """``fields`` in :data:`FIELD_ORDER` (unknown names last, as they came)."""
    return dict(sorted(fields.items(), key=lambda kv: FIELD_ORDER.get(kv[0], len(FIELD_ORDER))))


def merge_routes(out: dict[str, Any], extra: dict[str, Any]) -> None:
    """Merge ``extra`` into ``out``, combining their ``routes``."""
    routes = {**out.get("routes", {}), **extra.pop("routes", {})}
    out.update(extra)
    if routes:
        out["routes"] = routes


def failure_of(exc: BaseException) -> tuple[str, str]:
    """(reason, message) for the errors file."""
    if isinstance(exc, RecordFailed):
        return exc.reason, exc.message
    if isinstance(exc, LanguageNotDetected):
        return "unknown_language", exc.message
    if isinstance(exc, NewsroomError):
        return exc.error_type, exc.message
    return "internal_error", f"{type(exc).__name__}: {exc}"


def languages_arg(value: str | Sequence[str] | None) -> tuple[str, ...]:
    """``"uk,ru"`` -> ("uk", "ru"), without duplicates, order kept."""
    if value is None:
        return ()
    items = value.split(",") if isinstance(value, str) else list(value)
    seen: dict[str, None] = {}
    for item in items:
        code = item.strip().lower()
        if code:
            seen[code] = None
    return tuple(seen)
