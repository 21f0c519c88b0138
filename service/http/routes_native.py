"""The native JSON API: ``/v1/translate``, ``/v1/summarize``, ``/v1/detect``,
``/v1/languages`` and ``/v1/models``.

Routes are thin: validate sizes and charge the caller here, then call the
application services; every failure is a domain error rendered by the error table.
Model work runs under :func:`~service.http.deps.until_disconnect`, so a client that
goes away stops holding queue places.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request

from service.http import schemas as s
from service.http.auth import Principal
from service.http.deps import charge, get_runtime, native_caller, until_disconnect
from service.http.limits import check_texts, html_chars, measure_for
from service.languages import LANGUAGE_NAMES
from service.workflows.extraction import ExtractionService
from service.workflows.translation import TranslationService

router = APIRouter(prefix="/v1", tags=["native"])

_WORK_ERRORS = s.error_responses(400, 401, 429, 503, 504)
_LIST_ERRORS = s.error_responses(400, 401, 429)


@router.post("/translate", response_model=s.TranslateResponse, responses=_WORK_ERRORS,
             summary="Translate one text or a list of texts")
async def translate(body: s.TranslateRequest, request: Request,
                    caller: Principal = Depends(native_caller)) -> s.TranslateResponse:
    """Translate ``text`` or ``texts`` (plain text or HTML) into ``target``.

    Paragraphs and line breaks are kept. With ``format=html`` block elements delimit
    paragraphs, sentences are translated whole across inline tags (which are put back
    around the matching words), and tags, attributes, entities and spacing are kept;
    HTML is limited and billed by its text characters. Each result carries the
    (detected) source language, its confidence and the model route used.
    """
    runtime = get_runtime(request)
    deadline = runtime.new_deadline()  # one deadline for every stage of the request
    texts, field = body.items()
    chars = check_texts(runtime.settings, texts, field, measure_for(body.format))
    service = TranslationService(runtime)
    service.check_languages(body.source, body.target)  # fail before charging the quota
    charge(request, caller, chars)
    results = await until_disconnect(request, service.translate_many(
        texts, source=body.source, target=body.target, fmt=body.format, field_name=field,
        deadline=deadline))
    return s.TranslateResponse(translations=[s.Translation.of(r) for r in results])


@router.post("/summarize", response_model=s.SummarizeResponse, responses=_WORK_ERRORS,
             summary="Summarise an article neutrally")
async def summarize(body: s.SummarizeRequest, request: Request,
                    caller: Principal = Depends(native_caller)) -> dict[str, Any]:
    """A short neutral summary of ``text`` (optionally in another language) with the
    report of the four neutrality checks. With ``format=html`` the page's main
    article is extracted first and returned as ``article``."""
    runtime = get_runtime(request)
    deadline = runtime.new_deadline()  # one deadline for every stage of the request
    chars = check_texts(runtime.settings, [body.text], "text", measure_for(body.format))
    charge(request, caller, chars)
    # Imported here: the summariser pulls in the neutrality checks, which the
    # translation-only routes do not need at start-up.
    from service.workflows.summarization import SummarizationService

    text, article = body.text, None
    if body.format == "html":
        article = await ExtractionService(runtime).extract(body.text, url=body.url,
                                                           field_name="text")
        text = article.article.text
    result = await until_disconnect(request, SummarizationService(runtime).summarize(
        text, source=body.source, target=body.target, mode=body.mode,
        max_sentences=body.max_sentences, max_words=body.max_words, deadline=deadline))
    out = result.to_dict()
    if article is not None:
        out["article"] = article.to_dict()
    return out


@router.post("/extract", response_model=s.ExtractResponse, responses=_LIST_ERRORS,
             summary="Extract the main article of a web page")
async def extract(body: s.ExtractRequest, request: Request,
                  caller: Principal = Depends(native_caller)) -> dict[str, Any]:
    """The article of ``html`` (navigation, share bars, comments and ads left out) with
    its title, byline, date, language and canonical URL. Limited and billed by the
    page's text characters."""
    runtime = get_runtime(request)
    chars = check_texts(runtime.settings, [body.html], "html", html_chars)
    charge(request, caller, chars)
    result = await ExtractionService(runtime).extract(body.html, url=body.url)
    return result.to_dict()


@router.post("/detect", response_model=s.DetectResponse, responses=_LIST_ERRORS,
             summary="Identify the language of texts")
async def detect(body: s.DetectRequest, request: Request,
                 caller: Principal = Depends(native_caller)) -> s.DetectResponse:
    """The language of each text among the served ones, with a confidence in 0..1;
    ``language`` is null (with a ``reason``) when it cannot be told."""
    runtime = get_runtime(request)
    texts, field = body.items()
    chars = check_texts(runtime.settings, texts, field)
    charge(request, caller, chars)
    detector = runtime.detector
    # lingua is CPU work: the bounded text pool keeps the event loop free.
    found = await runtime.off_loop(lambda: [detector.detect_article(t) for t in texts])
    return s.DetectResponse(detections=[
        s.Detection(language=d.language, confidence=round(d.confidence, 4),
                    reason=d.reason or None) for d in found])


@router.get("/languages", response_model=s.LanguagesResponse, responses=_LIST_ERRORS,
            summary="Languages served and their targets")
async def languages(request: Request,
                    caller: Principal = Depends(native_caller)) -> s.LanguagesResponse:
    """Every served language with the targets some catalogue route reaches."""
    runtime = get_runtime(request)
    served = runtime.languages
    return s.LanguagesResponse(languages=[
        s.Language(code=code, name=LANGUAGE_NAMES.get(code, code),
                   targets=runtime.registry.translation_targets(code, served))
        for code in served])


@router.get("/models", response_model=s.ModelsResponse, responses=_LIST_ERRORS,
            summary="Catalogue models and their state")
async def models(request: Request,
                 caller: Principal = Depends(native_caller)) -> s.ModelsResponse:
    """Every catalogue entry: task, directions, licence and the attribution it requires,
    published scores, whether routing may use it, whether its weights are local, its
    load state (and why it failed), on which device it runs and the memory its weights
    take; and the loaded total against the model memory budget."""
    runtime = get_runtime(request)
    registry = runtime.registry
    rows = []
    for row in runtime.models.rows():
        entry, st = row.entry, row.status
        rows.append(s.ModelInfo(
            id=entry.name, task=entry.task, family=entry.family,
            directions=entry.directions, languages=entry.languages, licence=entry.licence,
            commercial=entry.commercial, usable=registry.usable(entry),
            unusable_reason=registry.why_unusable(entry), local=row.local,
            loaded=st.state.value == "ready", state=st.state.value, device=st.device,
            engine=row.engine,
            load_seconds=round(st.load_seconds, 3) if st.load_seconds is not None else None,
            error=st.error, attribution=entry.attribution,
            target_tokens=entry.target_tokens,
            scores=[s.PublishedScoreInfo(**score.model_dump()) for score in entry.scores],
            memory_bytes=row.memory_bytes))
    loaded_bytes, budget_bytes = runtime.models.memory()
    return s.ModelsResponse(models=rows, memory=s.ModelsMemory(
        loaded_bytes=loaded_bytes, budget_bytes=budget_bytes))

