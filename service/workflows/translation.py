"""Application service: translate whole articles (plain text or HTML).

An article is cut into paragraphs; with ``source="auto"`` each paragraph's language is
identified (mixed articles translate each paragraph from its own language; paragraphs
already in the target language pass through). Paragraphs are cut into sentence
segments under the model's input limit (each counted once), the segments of all texts
of the request go to each model's handle in one submission (one fair-share unit of the
scheduler), and the article is reassembled in order. CPU text work runs in the
runtime's text pool, and one deadline bounds the whole request.
Pivot routes (e.g. uk -> en -> ko) re-segment the intermediate text for the second
model.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from service.engines.base import BatchKey, GenerationOptions
from service.errors import InvalidInput, LanguageNotDetected
from service.languages import normalize_language
from service.registry import Route
from service.serving.handle import ModelHandle
from service.text.chunking import ArticlePlan as SegmentPlan
from service.text.chunking import plan_article as plan_segments
from service.text.html import HtmlOptions, parse_html
from service.text.langid import Detection, article_language
from service.text.paragraphs import split_paragraphs
from service.workflows.runtime import Runtime

#: A paragraph whose own detection is less sure than this follows the article's language.
PARAGRAPH_MIN_CONFIDENCE = 0.8


@dataclass
class TranslationResult:
    """One translated text and how it was produced."""

    text: str
    source: str | None
    confidence: float
    detected: bool
    route: Route | None
    #: Routes per source language when paragraphs came from several languages.
    routes: dict[str, Route] = field(default_factory=dict)

    def route_steps(self) -> list[dict[str, str]]:
        """The primary route as JSON-ready steps."""
        return self.route.describe() if self.route is not None else []


@dataclass
class ArticlePlan:
    """An article cut into units (paragraph bodies, or HTML text nodes), each with its
    source language (``None``: no letters), and the route for each language."""

    units: list[str]
    languages: list[str | None]
    detection: Detection
    target: str
    detected: bool
    #: ``text`` (units are paragraph bodies) or ``html`` (units are text nodes).
    fmt: str
    #: Rebuilds the article from one translated body per unit.
    render: Callable[[list[str]], str]
    routes: dict[str, Route] = field(default_factory=dict)

    def to_translate(self) -> list[int]:
        """Indexes of the units a model must translate (not empty, not already in the
        target language, language known)."""
        return [i for i, (unit, lang) in enumerate(zip(self.units, self.languages))
                if lang is not None and lang != self.target and unit.strip()]


class TranslationService:
    """Translate texts through the catalogue's routes and the batching schedulers."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    # --- public API --------------------------------------------------------------
    def check_languages(self, source: str | None, target: str | None) -> tuple[str, str]:
        """Validate codes (``source`` may be ``auto``); raise with the supported list."""
        served = self.runtime.languages
        src = normalize_language(source, served, field="source", allow_auto=True)
        tgt = normalize_language(target, served, field="target")
        if src != "auto":
            self.runtime.registry.route_translation(src, tgt)
        return src, tgt

    async def translate_many(self, texts: Sequence[str], *, source: str | None = "auto",
                             target: str, fmt: Literal["text", "html"] = "text",
                             options: GenerationOptions | None = None,
                             priority: int | None = None, field_name: str = "texts",
                             html_options: HtmlOptions | None = None,
                             deadline: float | None = None) -> list[TranslationResult]:
        """Translate every text (results in input order).

        The segments of all texts go to each model in one submission: the request is
        one fair-share unit of the scheduler whatever its number of texts.
        ``priority`` defaults to the request's class: interactive (small) or bulk, see
        :func:`priority_for`. ``html_options`` tune ``fmt="html"`` (DeepL's
        tag-handling parameters). ``deadline`` is the request's absolute deadline on
        the runtime's clock (default: ``request_timeout_s`` from now); every stage
        shares it, and past it :class:`DeadlineExceeded` is raised and queued work
        dropped."""
        src, tgt = self.check_languages(source, target)
        if priority is None:
            priority = priority_for(sum(len(t) for t in texts), self.runtime.settings)
        if deadline is None:
            deadline = self.runtime.new_deadline()
        names = [f"{field_name}[{i}]" if len(texts) > 1 else field_name
                 for i in range(len(texts))]
        job = _Job(options=options, priority=priority, deadline=deadline)
        return await self.runtime.within(deadline, self._translate_all(
            list(texts), names, src, tgt, fmt, html_options, job))

    async def translate(self, text: str, *, source: str | None = "auto", target: str,
                        fmt: Literal["text", "html"] = "text",
                        options: GenerationOptions | None = None,
                        deadline: float | None = None) -> TranslationResult:
        """Translate one article."""
        return (await self.translate_many([text], source=source, target=target, fmt=fmt,
                                          options=options, field_name="text",
                                          deadline=deadline))[0]

    async def _translate_all(self, texts: list[str], names: list[str], src: str, tgt: str,
                             fmt: str, html_options: HtmlOptions | None, job: _Job
                             ) -> list[TranslationResult]:
        # Layout and language id are CPU work: in the text pool, one task per text.
        plans = await asyncio.gather(*(
            self.runtime.off_loop(self.plan_article, text, src, tgt, fmt, name, html_options)
            for text, name in zip(texts, names)))
        done = await self._translate_pieces(
            [(plan, index) for plan in plans for index in plan.to_translate()], job)
        return [self.finish_article(plan, [done.get((id(plan), i), unit)
                                           for i, unit in enumerate(plan.units)])
                for plan in plans]

    # --- articles paragraph by paragraph (the streaming form) -------------------------
    def plan_article(self, text: str, src: str, tgt: str, fmt: str,
                     field_name: str = "text", html_options: HtmlOptions | None = None
                     ) -> ArticlePlan:
        """Cut ``text`` into units (paragraph bodies; for HTML the sentences of its
        blocks and its translatable attributes) and give each its source language;
        ``src``/``tgt`` must already be checked codes. CPU work: call it through
        ``runtime.off_loop``.

        Raises :class:`LanguageNotDetected` or :class:`NoRoute` before any model work.
        """
        if fmt == "html":
            # Blocks delimit paragraphs; the model gets whole sentences without
            # markup, and service.text.html puts the inline tags back.
            document = parse_html(text, html_options)
            detection, block_languages = self._paragraph_languages(document.blocks, src,
                                                                   field_name)
            if detection.language is None and document.attributes and src == "auto":
                detection = self._identify("\n".join(document.attributes), src, field_name)
            html_plan = document.plan(block_languages, detection.language, tgt)
            units = list(html_plan.units)
            languages: list[str | None] = list(html_plan.languages)
            render: Callable[[list[str]], str] = html_plan.render
        else:
            layout = split_paragraphs(text)
            units = list(layout.paragraphs)
            detection, languages = self._paragraph_languages(layout.paragraphs, src,
                                                             field_name)
            render = layout.join
        plan = ArticlePlan(units=units, languages=languages, detection=detection,
                           target=tgt, detected=src == "auto", fmt=fmt,
                           render=render)
        for lang in {plan.languages[i] for i in plan.to_translate()}:
            assert lang is not None
            plan.routes[lang] = self.runtime.registry.route_translation(lang, tgt)
        return plan

    async def prepare(self, plan: ArticlePlan) -> None:
        """Load every model the plan's routes use, so that a missing model fails
        before the first paragraph (:class:`ModelUnavailable`)."""
        for model in dict.fromkeys(m for r in plan.routes.values() for m in r.models):
            await self.runtime.models.handle(model).ensure_ready()

    async def stream_units(self, plan: ArticlePlan, *, options: GenerationOptions | None
                           = None, priority: int | None = None,
                           deadline: float | None = None
                           ) -> AsyncIterator[tuple[int, str]]:
        """Yield ``(unit index, translated text)`` as units are done (units that need
        no model first).

        Units go to the schedulers in article order, in waves that double in size (a
        few paragraphs first, so they come back quickly, then up to two batches'
        worth): one submission per wave and language, as the plain endpoint makes one
        per request, so batches stay full. The launcher yields to the event loop after
        each wave, so the scheduler starts on the first wave while later ones are cut
        into segments. If the consumer stops early (client disconnect) or a unit
        fails, waves in flight are cancelled (their queued items leave the scheduler)
        and the rest never start. ``deadline`` (absolute, default
        ``request_timeout_s`` from now) bounds every wave.
        """
        if priority is None:
            priority = priority_for(sum(len(u) for u in plan.units), self.runtime.settings)
        if deadline is None:
            deadline = self.runtime.new_deadline()
        job = _Job(options=options, priority=priority, deadline=deadline)
        wanted = plan.to_translate()
        wanted_set = set(wanted)
        for index, unit in enumerate(plan.units):
            if index not in wanted_set:
                yield index, unit
        finished: asyncio.Queue[asyncio.Future[dict[int, str]]] = asyncio.Queue()
        waves = stream_waves(wanted, self.runtime.settings.max_batch_items)
        running: list[asyncio.Future[dict[int, str]]] = []

        async def launch() -> None:
            for wave in waves:
                task = asyncio.ensure_future(self._translate_units(plan, wave, job))
                running.append(task)
                task.add_done_callback(finished.put_nowait)
                await asyncio.sleep(0)  # let this wave reach its scheduler first

        launcher = asyncio.ensure_future(launch())
        try:
            for _ in waves:
                task = await finished.get()
                for index, text in sorted(task.result().items()):
                    yield index, text
            await launcher
        finally:
            launcher.cancel()
            for task in running:
                task.cancel()
            await asyncio.gather(launcher, *running, return_exceptions=True)

    def finish_article(self, plan: ArticlePlan, bodies: Sequence[str]) -> TranslationResult:
        """The article rebuilt around translated ``bodies`` (one per unit)."""
        detection, tgt, routes = plan.detection, plan.target, plan.routes
        primary = routes.get(detection.language) if detection.language else None
        if primary is None and detection.language is not None and detection.language != tgt:
            primary = self.runtime.registry.route_translation(detection.language, tgt)
        return TranslationResult(text=plan.render(list(bodies)), source=detection.language,
                                 confidence=detection.confidence, detected=plan.detected,
                                 route=primary, routes=routes if len(routes) > 1 else {})

    def _identify(self, text: str, src: str, field_name: str) -> Detection:
        if src != "auto":
            return Detection(src, 1.0)
        detection = self.runtime.detector.detect(text)
        if detection.language is None and detection.reason != "no letters":
            raise LanguageNotDetected(self._not_detected_message(field_name, detection),
                                      field=field_name)
        return detection

    def _paragraph_languages(self, paragraphs: Sequence[str], src: str, field_name: str
                             ) -> tuple[Detection, list[str | None]]:
        if src != "auto":
            return Detection(src, 1.0), [src] * len(paragraphs)
        detector = self.runtime.detector
        detections = [detector.detect(p) for p in paragraphs]
        article = article_language(detections)
        if article.language is None and article.reason != "no letters":
            raise LanguageNotDetected(self._not_detected_message(field_name, article),
                                      field=field_name)
        languages: list[str | None] = []
        for det in detections:
            if det.language is not None and det.confidence >= PARAGRAPH_MIN_CONFIDENCE:
                languages.append(det.language)
            elif det.letters == 0:
                languages.append(None)
            else:
                languages.append(article.language)
        return article, languages

    def _not_detected_message(self, field_name: str, detection: Detection) -> str:
        served = ", ".join(self.runtime.languages)
        return (f"Could not identify the language of {field_name} ({detection.reason}); "
                f"supported languages: {served}. Pass 'source' explicitly.")

    # --- units (paragraph bodies or HTML text nodes) ----------------------------------
    async def _translate_units(self, plan: ArticlePlan, indexes: Sequence[int], job: _Job
                               ) -> dict[int, str]:
        """The units of one plan at ``indexes`` translated (index -> text)."""
        done = await self._translate_pieces([(plan, index) for index in indexes], job)
        return {index: text for (_, index), text in done.items()}

    async def _translate_pieces(self, pieces: Sequence[tuple[ArticlePlan, int]], job: _Job
                                ) -> dict[tuple[int, int], str]:
        """Units of one or more plans translated (``(id(plan), index)`` -> text): one
        submission per source language and route step, whatever the number of plans."""
        out: dict[tuple[int, int], str] = {}
        groups: dict[str, list[tuple[ArticlePlan, int]]] = {}
        for plan, index in pieces:
            groups.setdefault(plan.languages[index] or "", []).append((plan, index))

        async def run_group(lang: str, group: list[tuple[ArticlePlan, int]]) -> None:
            current = [plan.units[i] for plan, i in group]
            route = group[0][0].routes[lang]
            for step in route.steps:
                current = await self._run_step(current, step.model, step.source,
                                               step.target, job)
            out.update(((id(plan), i), text) for (plan, i), text in zip(group, current))

        await asyncio.gather(*(run_group(lang, group) for lang, group in groups.items()))
        return out

    async def _run_step(self, bodies: list[str], model: str, src: str, tgt: str,
                        job: _Job) -> list[str]:
        """Translate units with one model: segment (in the text pool, counting each
        segment's tokens once), one submission, rejoin."""
        handle = self.runtime.models.handle(model)
        async with handle.using():
            plans, tokens = await self.runtime.off_loop(_segment_units, handle, bodies, src)
            segments = [segment for plan in plans for segment in plan.segments]
            key = BatchKey(src, tgt, job.options or GenerationOptions())
            generated = await handle.generate(segments, key, deadline=job.deadline,
                                              priority=job.priority, tokens=tokens)
        texts = [g.text for g in generated]
        results, cursor = [], 0
        for plan in plans:
            n = len(plan.segments)
            results.append(plan.reassemble(texts[cursor:cursor + n]))
            cursor += n
        return results


@dataclass(frozen=True)
class _Job:
    """What every stage of one request shares."""

    options: GenerationOptions | None
    priority: int
    deadline: float


def _segment_units(handle: ModelHandle, bodies: list[str], src: str
                   ) -> tuple[list[SegmentPlan], list[int]]:
    """Segment ``bodies`` for ``handle``'s model and return the plans and every
    segment's token count, each counted once (blocking: runs in the text pool)."""
    counter = TokenMemo(lambda text: handle.count_tokens(text, src))
    plans = [plan_segments(body, src, counter, handle.max_input_tokens) for body in bodies]
    tokens = [counter(segment) for plan in plans for segment in plan.segments]
    return plans, tokens


class TokenMemo:
    """A token counter that counts each distinct text once: chunking counts every
    segment it keeps, and the scheduler then reuses those counts."""

    def __init__(self, count: Callable[[str], int]) -> None:
        self._count = count
        self._seen: dict[str, int] = {}
        #: Calls that reached the model's tokenizer.
        self.misses = 0

    def __call__(self, text: str) -> int:
        """Tokens of ``text`` (from memory when counted before)."""
        found = self._seen.get(text)
        if found is None:
            found = self._seen[text] = self._count(text)
            self.misses += 1
        return found


#: Scheduler priority classes: interactive requests are served before bulk ones and
#: never share a batch with them; batch runs (CLI) come last.
PRIORITY_INTERACTIVE = 1
PRIORITY_BULK = 0
PRIORITY_BATCH_JOB = -1


def stream_waves(indexes: Sequence[int], batch_items: int) -> list[list[int]]:
    """``indexes`` cut into waves of 2, 4, 8... items, up to ``2 * batch_items``."""
    waves: list[list[int]] = []
    size, cap, cursor = 2, max(2, 2 * batch_items), 0
    while cursor < len(indexes):
        waves.append(list(indexes[cursor:cursor + size]))
        cursor += size
        size = min(size * 2, cap)
    return waves


def priority_for(chars: int, settings: Any) -> int:
    """Interactive class for requests up to ``interactive_max_chars`` characters (a
    headline, a paragraph), bulk otherwise, so an archive upload never delays them."""
    return PRIORITY_INTERACTIVE if chars <= settings.interactive_max_chars else PRIORITY_BULK


def describe_result(result: TranslationResult) -> dict[str, Any]:
    """JSON-ready summary of a result (used by the CLI)."""
    return {"text": result.text, "source": result.source,
            "confidence": round(result.confidence, 4), "route": result.route_steps()}


def ensure_text(value: Any, field_name: str) -> str:
    """Reject non-string input early with the field named."""
    if not isinstance(value, str):
        raise InvalidInput(f"{field_name} must be a string", field=field_name)
    return value
