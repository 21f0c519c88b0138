"""``POST /v1/translate/stream``: one article translated paragraph by paragraph, as
server-sent events (``text/event-stream``).

Everything that can be refused is refused before the stream starts, as an ordinary
JSON error with its status (400, 401, 429 with ``Retry-After``, 503 for a model that
is not local): validation, languages and routes, the caller's limits, loading the
route's models. The stream then carries these events, each ``data`` one JSON object:

- ``start``: the source language (and confidence), the target, the route(s) and the
  source units (paragraph bodies; for ``format=html`` the sentences of its blocks), each
  with its language and whether a model translates it;
- ``paragraph``: ``index``, translated ``text``, ``done`` and ``total``, in the order
  units finish;
- ``done``: ``translation``, the same object ``/v1/translate`` returns for the text;
- ``error``: ``{"error": {...}, "status": N, "retry_after": S?}``, the native error
  body plus the status the plain endpoint would have answered; the stream ends.

A client that disconnects cancels the units still queued.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import StreamingResponse

from service.errors import NewsroomError
from service.http import schemas as s
from service.http.auth import Principal
from service.http.deps import charge, get_runtime, native_caller
from service.http.errors import native_body, retry_after, status_for
from service.http.limits import check_texts
from service.workflows.translation import ArticlePlan, TranslationService

log = logging.getLogger(__name__)

router = APIRouter(prefix="/v1", tags=["native"])

_EVENTS_DOC = {
    "description": "Server-sent events: `start`, one `paragraph` per unit as it is done, "
                   "then `done` (or `error`); see the README.",
    # One event: its name and its JSON data (as the text of the ``data`` line).
    "content": {"text/event-stream": {"schema": {
        "type": "object", "required": ["event", "data"],
        "properties": {"event": {"type": "string",
                                 "enum": ["start", "paragraph", "done", "error"]},
                       "data": {"type": "string", "contentMediaType": "application/json"}},
    }}},
}
#: SSE responses must reach the browser unbuffered and uncached.
_STREAM_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


def sse(event: str, data: dict[str, Any]) -> bytes:
    """One server-sent event (JSON data on one line: JSON escapes newlines)."""
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return f"event: {event}\ndata: {payload}\n\n".encode()


@router.post("/translate/stream", response_class=StreamingResponse,
             responses={200: _EVENTS_DOC, **s.error_responses(400, 401, 429, 503)},
             summary="Translate one article, paragraph by paragraph (server-sent events)")
async def translate_stream(body: s.TranslateStreamRequest, request: Request,
                           caller: Principal = Depends(native_caller)) -> StreamingResponse:
    """Translate ``text`` like ``/v1/translate`` does, sending each paragraph as soon as
    it is translated: events ``start``, ``paragraph`` (repeated), ``done`` or ``error``."""
    runtime = get_runtime(request)
    deadline = runtime.new_deadline()  # one deadline for the whole stream
    chars = check_texts(runtime.settings, [body.text], "text")
    service = TranslationService(runtime)
    src, tgt = service.check_languages(body.source, body.target)
    # Paragraphs and language id are CPU work: in the text pool, off the event loop.
    plan = await runtime.off_loop(service.plan_article, body.text, src, tgt, body.format)
    charge(request, caller, chars)
    await service.prepare(plan)
    return StreamingResponse(_events(service, plan, request, deadline),
                             media_type="text/event-stream", headers=_STREAM_HEADERS)


def start_event(plan: ArticlePlan) -> dict[str, Any]:
    """The ``start`` event's data."""
    wanted = set(plan.to_translate())
    detection = plan.detection
    primary = plan.routes.get(detection.language or "")
    return {
        "source": detection.language, "confidence": round(detection.confidence, 4),
        "detected": plan.detected, "target": plan.target, "format": plan.fmt,
        "route": s.RouteInfo.of(primary).model_dump() if primary is not None else None,
        "routes": {lang: s.RouteInfo.of(r).model_dump() for lang, r in plan.routes.items()},
        "total": len(plan.units),
        "paragraphs": [{"index": i, "text": unit, "language": lang, "translate": i in wanted}
                       for i, (unit, lang) in enumerate(zip(plan.units, plan.languages))],
    }


async def _events(service: TranslationService, plan: ArticlePlan, request: Request,
                  deadline: float) -> AsyncIterator[bytes]:
    """The event stream. Starlette cancels this generator when the client
    disconnects; :meth:`TranslationService.stream_units` then drops queued units."""
    yield sse("start", start_event(plan))
    bodies = list(plan.units)
    total = len(plan.units)
    try:
        done = 0
        async for index, text in service.stream_units(plan, deadline=deadline):
            bodies[index] = text
            done += 1
            yield sse("paragraph", {"index": index, "text": text, "done": done,
                                    "total": total})
        result = service.finish_article(plan, bodies)
        yield sse("done", {"translation": s.Translation.of(result).model_dump()})
    except NewsroomError as exc:
        yield sse("error", error_event(exc))
        log.warning("stream failed", extra={
            "request_id": getattr(request.state, "request_id", None),
            "error": exc.error_type, "detail": exc.message})


def error_event(exc: NewsroomError) -> dict[str, Any]:
    """The ``error`` event's data: the native error body, the status and wait."""
    data = native_body(exc)
    data["status"] = status_for(exc)
    wait = retry_after(exc)
    if wait is not None:
        data["retry_after"] = wait
    return data
