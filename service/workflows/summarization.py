"""Application service: short, neutral summaries of news articles.

0. Page furniture is removed from the article (the response lists it) and the
   claims table (who said what, and the disputes) is built from what is left.
1. The summary is first written in the article's own language, so the neutrality
   report can compare it with the article word for word:
   - ``extractive``: sentence ranking (always available, no weights);
   - ``abstractive``: a summarisation model for the language from the catalogue, or,
     when there is none, translate to English -> summarise -> translate back (the
     route lists every step). Articles over the model's input limit are summarised
     chunk by chunk and the partial summaries summarised again (map-reduce).
   - an instruction model (Qwen3) is prompted instead, in the article's language, with
     the claims table (:mod:`service.workflows.instruct`);
   - ``auto``: abstractive when a summarisation model can be loaded without a download,
     else extractive; ``notes`` say which.
2. An abstractive summary goes through enforcement (``repair``, ``fallback`` or
   ``report-only``, from settings), with the model-based faithfulness check when an
   NLI model is available (``NEWSROOM_SUMMARY_NLI``); the response says what was done
   and why.
3. For another ``target`` language the checked summary is translated; the report
   stays the one computed against the source article.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from service.engines.base import BatchKey, GenerationOptions
from service.errors import InvalidInput, LanguageNotDetected, ModelUnavailable, NoRoute
from service.languages import normalize_language
from service.registry import ModelEntry
from service.serving.handle import ModelHandle
from service.summarize.claims import analyse_claims
from service.summarize.extractive import extractive_summary
from service.summarize.furniture import clean_article
from service.summarize.neutrality import NeutralityReport, check_neutrality
from service.text.chunking import plan_article
from service.workflows.runtime import Runtime
from service.workflows.translation import TokenMemo, TranslationService, priority_for

T = TypeVar("T")
Mode = Literal["auto", "extractive", "abstractive"]
MODES = ("auto", "extractive", "abstractive")
#: Map-reduce stops after this many rounds even if the joined summaries are long.
MAX_REDUCE_ROUNDS = 3


@dataclass
class SummaryResult:
    """A summary, how it was made, and its neutrality report."""

    summary: str
    source_language: str
    target_language: str
    mode_used: str
    model_route: list[dict[str, str]]
    report: NeutralityReport
    enforcement: dict[str, Any]
    #: The checked summary in the source language when ``target`` differs.
    source_summary: str | None = None
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    #: Who said what in the article (:class:`ClaimsTable.to_dict`): ``claims`` rows
    #: and ``disputes``.
    claims: dict[str, Any] = field(default_factory=lambda: {"claims": [], "disputes": []})
    #: Page furniture left out of the article before summarising.
    furniture: list[dict[str, Any]] = field(default_factory=list)
    #: True when the limits were exceeded to carry both sides of a dispute.
    over_limit: bool = False

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (the ``/v1/summarize`` response body)."""
        body: dict[str, Any] = {
            "summary": self.summary, "source_language": self.source_language,
            "target_language": self.target_language, "mode_used": self.mode_used,
            "model_route": self.model_route, "neutrality": report_dict(self.report),
            "enforcement": self.enforcement, "claims": self.claims["claims"],
            "disputes": self.claims["disputes"], "furniture": self.furniture,
            "over_limit": self.over_limit}
        if self.source_summary is not None:
            body["source_summary"] = self.source_summary
        if self.notes:
            body["notes"] = self.notes
        return body


def route_model(route: list[dict[str, str]]) -> str:
    """The summarising model of an abstractive route."""
    return next((step["model"] for step in route if step.get("task") == "summarize"), "?")


def report_dict(report: NeutralityReport) -> dict[str, Any]:
    """JSON-ready neutrality report."""
    return {"passed": report.passed, "language": report.lang,
            "summary_language": report.summary_lang,
            "failed": report.failed, "skipped": report.skipped,
            "checks": {name: check.to_dict() for name, check in report.checks.items()}}


class SummarizationService:
    """Summaries through the extractive ranker or the catalogue's models."""

    def __init__(self, runtime: Runtime, translation: TranslationService | None = None) -> None:
        self.runtime = runtime
        self.translation = translation or TranslationService(runtime)

    async def summarize(self, text: str, *, source: str | None = "auto",
                        target: str | None = None, mode: str = "auto",
                        max_sentences: int | None = None, max_words: int | None = None,
                        priority: int | None = None,
                        deadline: float | None = None) -> SummaryResult:
        """Summarise ``text``; see the module docstring for the steps.

        ``deadline`` is the request's absolute deadline on the runtime's clock
        (default: ``request_timeout_s`` from now), shared by detection, every
        translation leg, every map-reduce round and the translation of the summary;
        past it :class:`DeadlineExceeded` is raised and queued work dropped."""
        if deadline is None:
            deadline = self.runtime.new_deadline()
        return await self.runtime.within(deadline, self._summarize(
            text, source=source, target=target, mode=mode, max_sentences=max_sentences,
            max_words=max_words, priority=priority, deadline=deadline))

    async def _summarize(self, text: str, *, source: str | None, target: str | None,
                         mode: str, max_sentences: int | None, max_words: int | None,
                         priority: int | None, deadline: float) -> SummaryResult:
        started = time.perf_counter()
        off_loop = self.runtime.off_loop
        settings = self.runtime.settings
        if priority is None:
            priority = priority_for(len(text), settings)
        if mode not in MODES:
            raise InvalidInput(f"mode must be one of {', '.join(MODES)}; got '{mode}'",
                               field="mode")
        max_sentences = max_sentences or settings.summary_max_sentences
        max_words = max_words or settings.summary_max_words
        if max_sentences < 1:
            raise InvalidInput("max_sentences must be >= 1", field="max_sentences")
        if max_words < 5:
            raise InvalidInput("max_words must be >= 5", field="max_words")
        if not text.strip():
            raise InvalidInput("text is empty", field="text")
        served = self.runtime.languages
        src = normalize_language(source, served, field="source", allow_auto=True)
        if src == "auto":
            detection = await off_loop(self.runtime.detector.detect_article, text)
            if detection.language is None:
                raise LanguageNotDetected(
                    f"Could not identify the language of text ({detection.reason}); "
                    f"supported languages: {', '.join(served)}. Pass 'source' explicitly.",
                    field="text")
            src = detection.language
        tgt = normalize_language(target, served, field="target") if target else src
        if tgt != src:
            self.runtime.registry.route_translation(src, tgt)  # fail early: NoRoute
        # Page furniture (datelines, share bars, copyright lines) is never content.
        clean = await off_loop(clean_article, text, src)
        if clean.text.strip():
            text = clean.text
        claims = await off_loop(analyse_claims, text, src)

        notes: list[str] = []
        route: list[dict[str, str]] = []
        enforcement: dict[str, Any] = {"policy": settings.summary_enforcement,
                                       "action": "none"}
        candidate: str | None = None
        over_limit = False
        if mode == "auto" and not self._abstractive_available(src):
            notes.append("no summarisation model is available locally; used extractive")
        elif mode in ("auto", "abstractive"):
            try:
                candidate, route = await self._abstractive(
                    text, src, priority, max_sentences=max_sentences, max_words=max_words,
                    notes=notes, deadline=deadline)
            except (ModelUnavailable, NoRoute) as exc:
                if mode == "abstractive":
                    raise
                notes.append(f"abstractive unavailable, used extractive: {exc.message}")
            else:
                if mode == "auto":
                    notes.append(f"auto: used the abstractive model '{route_model(route)}' "
                                 "(its weights are local)")
        if candidate is not None:
            from service.summarize.enforcement import enforce
            from service.workflows.instruct import InstructionSummarizer

            verify, enforcement["faithfulness"] = await InstructionSummarizer(
                self.runtime).verifier(text, src)
            outcome = await off_loop(enforce, text, candidate, src,
                                      settings.summary_enforcement,
                                      max_sentences=max_sentences, max_words=max_words,
                                      verify=verify)
            summary, report = outcome.summary, outcome.report
            enforcement["action"] = outcome.action
            if outcome.changes:
                enforcement["changes"] = outcome.changes
            if outcome.reason:
                enforcement["reason"] = outcome.reason
            if outcome.action != "none":
                enforcement["candidate"] = candidate
                enforcement["candidate_report"] = report_dict(outcome.candidate_report)
            mode_used = "extractive" if outcome.action == "fallback" else "abstractive"
        else:
            extract = await off_loop(extractive_summary, text, src,
                                      max_sentences=max_sentences, max_words=max_words)
            summary = extract.text
            over_limit = extract.over_limit
            if extract.note:
                notes.append(extract.note)
            report = await off_loop(check_neutrality, text, summary, src)
            mode_used = "extractive"
            route = [{"task": "extract", "model": "extractive", "language": src}]

        source_summary = None
        if tgt != src:
            translated = await self.translation.translate_many(
                [summary], source=src, target=tgt, priority=priority, field_name="summary",
                deadline=deadline)
            source_summary, summary = summary, translated[0].text
            route = route + [dict(step, task="translate")
                             for step in translated[0].route_steps()]
        return SummaryResult(summary=summary, source_language=src, target_language=tgt,
                             mode_used=mode_used, model_route=route, report=report,
                             enforcement=enforcement, source_summary=source_summary,
                             notes=notes, seconds=time.perf_counter() - started,
                             claims=claims.to_dict(),
                             furniture=[r.to_dict() for r in clean.removed],
                             over_limit=over_limit)

    # --- abstractive --------------------------------------------------------------
    def _abstractive_available(self, src: str) -> bool:
        """Whether every model of the abstractive route can be had without a download
        (``auto`` never makes a request wait on the network)."""
        registry, models = self.runtime.registry, self.runtime.models
        entry = registry.summarizer_for(src, self.runtime.settings.summary_model)
        if entry is not None:
            return models.available(entry.name)
        pivot = registry.summarizer_for("en")
        if pivot is None or not models.available(pivot.name):
            return False
        try:
            legs = registry.route_translation(src, "en").models + \
                registry.route_translation("en", src).models
        except NoRoute:
            return False
        return all(models.available(name) for name in legs)

    async def _abstractive(self, text: str, src: str, priority: int, *, max_sentences: int,
                           max_words: int, notes: list[str], deadline: float
                           ) -> tuple[str, list[dict[str, str]]]:
        registry = self.runtime.registry
        entry = registry.summarizer_for(src, self.runtime.settings.summary_model)
        if entry is not None and entry.instruction:
            from service.workflows.instruct import InstructionSummarizer

            out = await InstructionSummarizer(self.runtime).summarize(
                entry, text, src, priority=priority, max_sentences=max_sentences,
                max_words=max_words, deadline=deadline)
            notes.extend(out.notes)
            return out.text, [{"task": "summarize", "model": entry.name, "language": src,
                               "prompt": f"neutral-summary/{src}"}]
        if entry is not None:
            summary = await self._map_reduce(entry, text, src, priority, deadline)
            return summary, [{"task": "summarize", "model": entry.name, "language": src}]
        pivot = registry.summarizer_for("en")
        if pivot is None:
            raise ModelUnavailable(f"No summarisation model in the catalogue for '{src}' or "
                                   "for English (to summarise through translation).",
                                   field="mode")
        there = (await self.translation.translate_many(
            [text], source=src, target="en", priority=priority, field_name="text",
            deadline=deadline))[0]
        english = await self._map_reduce(pivot, there.text, "en", priority, deadline)
        back = (await self.translation.translate_many(
            [english], source="en", target=src, priority=priority, field_name="summary",
            deadline=deadline))[0]
        route = [dict(step, task="translate") for step in there.route_steps()]
        route.append({"task": "summarize", "model": pivot.name, "language": "en"})
        route += [dict(step, task="translate") for step in back.route_steps()]
        return back.text, route

    async def _map_reduce(self, entry: ModelEntry, text: str, lang: str, priority: int,
                          deadline: float) -> str:
        """Summarise chunks that fit the model, then the joined partial summaries;
        every round shares the request's ``deadline``."""
        handle = self.runtime.models.handle(entry.name)
        async with handle.using():
            key = BatchKey(lang, lang, GenerationOptions())
            current = text
            for _round in range(MAX_REDUCE_ROUNDS):
                # Whole sentences, packed up to the model's input limit (text pool: CPU work).
                segments, tokens = await self.runtime.off_loop(_chunk, handle, current, lang)
                if not segments:
                    return ""
                parts = await handle.generate(segments, key, deadline=deadline,
                                              priority=priority, tokens=tokens)
                current = " ".join(p.text.strip() for p in parts if p.text.strip())
                if len(segments) == 1:
                    return current
        return current


def _chunk(handle: ModelHandle, text: str, lang: str) -> tuple[list[str], list[int]]:
    """One map-reduce round's chunks and their token counts, each counted once."""
    counter = TokenMemo(lambda chunk: handle.count_tokens(chunk, lang))
    plan = plan_article(" ".join(text.split("\n")), lang, counter, handle.max_input_tokens,
                        max_sentences_per_chunk=10_000)
    return plan.segments, [counter(segment) for segment in plan.segments]
