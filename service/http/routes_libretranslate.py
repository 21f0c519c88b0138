"""LibreTranslate-compatible routes: ``POST /translate``, ``POST /detect``,
``GET /languages``.

Tools written for LibreTranslate work by changing only the base URL: the fields,
response shapes, status codes and error bodies (``{"error": "..."}``) follow
LibreTranslate's documented API and its server's behaviour:

- fields come as JSON or as a form; ``q`` is a string or (JSON) a list of strings and
  ``translatedText`` mirrors it; ``source`` may be ``auto``, and then the answer
  carries ``detectedLanguage`` ``{"confidence": 0-100, "language"}`` (a list of them
  when ``q`` is a list: each text is identified on its own);
- ``format=html`` goes through the same HTML translator as ``/v1/translate`` (whole
  sentences across inline tags, markup kept) and counts only text characters;
- ``alternatives=N`` is accepted; the models decode greedily and have no alternative
  hypotheses, so ``alternatives`` comes back empty (``[]``, or one ``[]`` per text);
- ``api_key`` is read from the body (or an ``Authorization`` header); when keys are
  configured a missing key is 400 and an unknown key 403, as LibreTranslate does;
- over a size limit: 400 naming the limit; over a per-key rate or quota: 429
  ``{"error": "Slowdown: ..."}`` with ``Retry-After``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from starlette.requests import Request
from starlette.responses import Response

from service.errors import (
    InvalidInput,
    LanguageNotDetected,
    NewsroomError,
    RateLimited,
    Unauthorized,
    UnsupportedLanguage,
)
from service.http import compat_openapi as api
from service.http.auth import Principal, presented_key
from service.http.compat_params import Params, read_params
from service.http.deps import admit, charge, get_runtime, http_state, until_disconnect
from service.http.errors import ErrorFamily
from service.http.limits import check_texts, measure_for
from service.languages import LANGUAGE_NAMES, normalize_language
from service.workflows.translation import TranslationResult, TranslationService

router = APIRouter(tags=["LibreTranslate compatible"])

#: LibreTranslate's answer when keys are required and the request has none.
MISSING_KEY_MESSAGE = "Please contact the server operator to get an API key"
#: LibreTranslate's answer for a key it does not know.
INVALID_KEY_MESSAGE = "Invalid API key"
#: Paths whose errors use LibreTranslate's body shape.
PATHS = ("/translate", "/detect", "/languages")


# --- errors --------------------------------------------------------------------------

def render_error(exc: NewsroomError, status: int, headers: dict[str, str]) -> Response:
    """LibreTranslate's error body: ``{"error": message}``; 429s start ``Slowdown:``."""
    message = exc.message
    if isinstance(exc, RateLimited):
        message = f"Slowdown: {message}"
    return JSONResponse({"error": message}, status_code=status, headers=headers)


#: Registered on the app: errors under :data:`PATHS` in LibreTranslate's shape.
#: LibreTranslate answers an unknown key with 403 (the native API's 401 is not used).
error_family = ErrorFamily("libretranslate", PATHS, render_error,
                           overrides={Unauthorized: 403})


def _admit(request: Request, params: Params) -> Principal:
    """Authenticate as LibreTranslate does: no key 400, unknown key 403."""
    body_key = params.raw.get("api_key") if params.is_json else params.get("api_key")
    if body_key is not None and not isinstance(body_key, str):
        raise InvalidInput("Invalid request: api_key must be a string", field="api_key")
    body_key = body_key or None
    if http_state(request).keys.enabled and presented_key(request, body_key) is None:
        raise InvalidInput(MISSING_KEY_MESSAGE, field="api_key")
    try:
        return admit(request, body_key)
    except Unauthorized as exc:
        # A key was presented and well formed (checked above), so it is unknown.
        raise Unauthorized(INVALID_KEY_MESSAGE, field="api_key") from exc


# --- request parsing -------------------------------------------------------------------

def _required(params: Params, name: str) -> Any:
    value = params.raw.get(name) if params.is_json and name in params.raw else params.get(name)
    if value is None or value == "" or value == []:
        raise InvalidInput(f"Invalid request: missing {name} parameter", field=name)
    return value


def _texts(q: Any, is_json: bool) -> tuple[list[str], bool]:
    """``q`` as a list of texts and whether it was a list (a batch)."""
    batch = isinstance(q, list)
    items = q if batch else [q]
    if not all(isinstance(item, str) for item in items):
        raise InvalidInput("Invalid request: q must be a string or a list of strings",
                           field="q")
    if not is_json:
        # LibreTranslate normalises form line endings to LF before counting characters.
        items = ["\n".join(item.splitlines()) for item in items]
    return list(items), batch


def _language(code: Any, served: list[str], name: str, allow_auto: bool) -> str:
    if not isinstance(code, str):
        raise InvalidInput(f"Invalid request: {name} must be a string", field=name)
    try:
        return normalize_language(code, served, field=name, allow_auto=allow_auto)
    except UnsupportedLanguage as exc:
        raise UnsupportedLanguage(
            f"{code} is not supported (supported: {', '.join(served)})", field=name
        ) from exc


def _alternatives(params: Params) -> int:
    value = params.get("alternatives")
    if value in (None, ""):
        return 0
    try:
        return max(0, int(value))
    except (TypeError, ValueError):
        raise InvalidInput("Invalid request: alternatives parameter is not a number",
                           field="alternatives") from None


def _detected(result: TranslationResult, target: str) -> dict[str, Any]:
    """``detectedLanguage`` of one text; confidence 0-100 as LibreTranslate reports it.

    A text without letters (digits, punctuation) has no language; it comes back
    unchanged, so it is reported as the target language with confidence 0.
    """
    if result.source is None:
        return {"confidence": 0, "language": target}
    return {"confidence": round(result.confidence * 100), "language": result.source}


# --- routes ------------------------------------------------------------------------------

@router.post("/translate", summary="Translate text (LibreTranslate compatible)",
             openapi_extra=api.LT_TRANSLATE_BODY,
             responses=api.lt_responses(api.LT_TRANSLATE_OK, "Translated text(s)",
                                        400, 403, 429, 503, 504))
async def translate(request: Request) -> JSONResponse:
    """LibreTranslate ``POST /translate``: ``q``, ``source``, ``target``, ``format``,
    ``alternatives``, ``api_key`` as JSON or form."""
    params = await read_params(request)
    principal = _admit(request, params)
    q = _required(params, "q")
    source = _required(params, "source")
    target = _required(params, "target")
    alternatives = _alternatives(params)
    texts, batch = _texts(q, params.is_json)

    runtime = get_runtime(request)
    settings = runtime.settings
    fmt = params.get("format") or "text"
    if fmt not in ("text", "html"):
        raise InvalidInput(f"{fmt} format is not supported", field="format")
    chars = check_texts(settings, texts, field="q", measure=measure_for(fmt))
    src = _language(source, runtime.languages, "source", allow_auto=True)
    tgt = _language(target, runtime.languages, "target", allow_auto=False)

    service = TranslationService(runtime)
    service.check_languages(src, tgt)  # no route: fail before the quota is charged
    charge(request, principal, chars)
    results = await until_disconnect(request, service.translate_many(
        texts, source=src, target=tgt, fmt=fmt, field_name="q"))

    body: dict[str, Any] = {
        "translatedText": [r.text for r in results] if batch else results[0].text}
    if src == "auto":
        detected = [_detected(r, tgt) for r in results]
        body["detectedLanguage"] = detected if batch else detected[0]
    if alternatives > 0:
        body["alternatives"] = [[] for _ in results] if batch else []
    return JSONResponse(body)


@router.post("/detect", summary="Detect the language of a text (LibreTranslate compatible)",
             openapi_extra=api.LT_DETECT_BODY,
             responses=api.lt_responses(api.LT_DETECT_OK, "Detections", 400, 403, 429))
async def detect(request: Request) -> JSONResponse:
    """LibreTranslate ``POST /detect``: ``[{"confidence": 0-100, "language"}]``."""
    params = await read_params(request)
    _admit(request, params)
    q = _required(params, "q")
    texts, _ = _texts(q, params.is_json)
    runtime = get_runtime(request)
    check_texts(runtime.settings, texts, field="q")
    text = "\n".join(texts)
    detection = await runtime.off_loop(runtime.detector.detect_article, text)
    if detection.language is None:
        served = ", ".join(runtime.languages)
        raise LanguageNotDetected(
            f"Could not identify the language of q ({detection.reason}); "
            f"supported languages: {served}", field="q")
    return JSONResponse([{"confidence": round(detection.confidence * 100),
                          "language": detection.language}])


@router.get("/languages", summary="Supported languages (LibreTranslate compatible)",
            responses=api.lt_responses(api.LT_LANGUAGES_OK, "Languages"))
async def languages(request: Request) -> JSONResponse:
    """LibreTranslate ``GET /languages``: ``[{"code", "name", "targets"}]``.

    Like LibreTranslate, the list needs no API key.
    """
    runtime = get_runtime(request)
    served = runtime.languages
    registry = runtime.registry
    return JSONResponse([
        {"code": code, "name": LANGUAGE_NAMES.get(code, code),
         "targets": registry.translation_targets(code, served)}
        for code in served])
