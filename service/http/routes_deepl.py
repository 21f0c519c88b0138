"""DeepL API v2-compatible routes: ``POST /v2/translate``, ``GET /v2/languages``,
``GET /v2/usage``.

Tools and the official ``deepl`` client libraries work by changing only the server
URL. Behaviour follows DeepL's documented API:

- the key comes as ``Authorization: DeepL-Auth-Key KEY`` (``Bearer`` and the legacy
  ``auth_key`` field work too); a missing or unknown key is 403;
- ``text`` is a list (JSON array, or ``text=`` repeated in a form); ``target_lang``
  takes DeepL's upper-case codes (``EN-GB``/``EN-US``/``EN``, ``UK``, ``RU``, ``KO``;
  case-insensitive); without ``source_lang`` each text's language is identified;
- ``translations[]`` carry ``detected_source_language`` (upper case) and ``text``, plus
  ``billed_characters`` when ``show_billed_characters`` is set (the ``deepl`` client
  always sets it) and ``model_type_used`` when ``model_type`` is given;
- ``tag_handling=html|xml`` goes through the HTML translator (whole sentences across
  inline tags, markup kept); ``ignore_tags`` (content untouched), ``non_splitting_tags``
  (inline), ``splitting_tags`` (delimit sentences) and ``outline_detection=0`` (only
  ``splitting_tags`` delimit) are honoured; ``billed_characters`` counts text, not
  markup;
- parameters that only tune DeepL's own engine (``split_sentences``,
  ``preserve_formatting``, ``context``, ``model_type``, ``formality=default|prefer_*``)
  are accepted; ones whose effect cannot be honoured (glossaries, style rules,
  translation memories, custom instructions, ``formality=more|less``: no language here
  supports formality) get DeepL's 400 ``{"message": "Value for '...' not supported."}``
  rather than being dropped silently;
- errors are ``{"message": ...}`` (with a ``detail`` where it helps); over a size limit
  413, over the daily character quota 456, over the request rate 429 with
  ``Retry-After``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from starlette.requests import Request
from starlette.responses import Response

from service.errors import (
    InvalidInput,
    LimitExceeded,
    NewsroomError,
    QuotaExceeded,
    Unauthorized,
    UnsupportedLanguage,
)
from service.http import compat_openapi as api
from service.http.auth import Principal
from service.http.compat_params import Params, read_params
from service.http.deps import admit, charge, get_runtime, http_state, until_disconnect
from service.http.errors import ErrorFamily
from service.http.limits import check_texts
from service.languages import LANGUAGE_NAMES, normalize_language
from service.text.html import HtmlOptions, text_length
from service.workflows.translation import TranslationService

router = APIRouter(tags=["DeepL compatible"])

#: Paths whose errors use DeepL's body shape.
PATHS = ("/v2/",)
#: DeepL reports "no limit" as this character limit.
UNLIMITED_CHARACTERS = 1_000_000_000_000
#: Target codes with regional variants in DeepL's target list, and their names.
REGIONAL_TARGETS: dict[str, tuple[tuple[str, str], ...]] = {
    "en": (("EN-GB", "English (British)"), ("EN-US", "English (American)")),
}
#: Features whose parameters are refused rather than ignored, and why.
UNSUPPORTED: dict[str, str] = {
    "glossary_id": "glossaries are not supported by this server",
    "glossary_ids": "glossaries are not supported by this server",
    "style_id": "style rules are not supported by this server",
    "translation_memory_id": "translation memories are not supported by this server",
    "custom_instructions": "custom instructions are not supported by this server",
}
_SPLIT_SENTENCES = frozenset({"0", "1", "nonewlines"})
_MODEL_TYPES = frozenset({"quality_optimized", "latency_optimized",
                          "prefer_quality_optimized"})
_FORMALITY_ACCEPTED = frozenset({"default", "prefer_more", "prefer_less"})
_FORMALITY_REFUSED = frozenset({"more", "less"})


class DeepLBadRequest(InvalidInput):
    """A 400 whose ``message`` is DeepL's own wording; ``detail`` explains further."""

    def __init__(self, message: str, *, field: str | None = None, detail: str = "") -> None:
        super().__init__(message, field=field)
        self.detail = detail


# --- errors --------------------------------------------------------------------------

def render_error(exc: NewsroomError, status: int, headers: dict[str, str]) -> Response:
    """DeepL's error body: ``{"message": ...}`` and, when there is one, ``detail``."""
    body: dict[str, Any] = {"message": exc.message}
    detail = getattr(exc, "detail", "")
    if detail:
        body["detail"] = detail
    headers = {k: v for k, v in headers.items() if k.lower() != "www-authenticate"}
    return JSONResponse(body, status_code=status, headers=headers)


#: Registered on the app: errors under ``/v2/`` in DeepL's shape and status codes.
error_family = ErrorFamily("deepl", PATHS, render_error,
                           overrides={QuotaExceeded: 456, LimitExceeded: 413,
                                      Unauthorized: 403})


def _admit(request: Request, params: Params) -> Principal:
    legacy = params.get("auth_key")
    return admit(request, str(legacy) if legacy else None)


# --- language codes ---------------------------------------------------------------------

def to_deepl(code: str) -> str:
    """DeepL's spelling of a base language code (``uk`` -> ``UK``)."""
    return code.upper()


def from_deepl(value: Any, served: list[str], name: str) -> str:
    """The served base code of a DeepL code (``EN-GB`` -> ``en``), or DeepL's 400."""
    try:
        code = normalize_language(str(value), served, field=name)
    except UnsupportedLanguage as exc:
        supported = ", ".join(_target_codes(served) if name == "target_lang"
                              else [to_deepl(c) for c in served])
        raise DeepLBadRequest(f"Value for '{name}' not supported.", field=name,
                              detail=f"Supported: {supported}.") from exc
    return code


def _target_codes(served: list[str]) -> list[str]:
    codes: list[str] = []
    for code in sorted(served):
        codes += [c for c, _ in REGIONAL_TARGETS.get(code, ((to_deepl(code), ""),))]
    return codes


# --- request parsing -------------------------------------------------------------------------

def _texts(params: Params) -> list[str]:
    texts = params.getlist("text")
    if not texts:
        raise DeepLBadRequest("Parameter 'text' not specified.", field="text")
    if not all(isinstance(t, str) for t in texts):
        raise DeepLBadRequest("Value for 'text' not supported.", field="text",
                              detail="text must be a list of strings")
    return texts


def _check_options(params: Params) -> None:
    """Refuse what cannot be honoured; accept what only tunes DeepL's engine."""
    for name, why in UNSUPPORTED.items():
        if params.get(name) not in (None, "", []):
            raise DeepLBadRequest(f"Value for '{name}' not supported.", field=name,
                                  detail=why)
    split = params.get("split_sentences")
    if split is not None and str(split).lower() not in _SPLIT_SENTENCES:
        raise DeepLBadRequest("Value for 'split_sentences' not supported.",
                              field="split_sentences", detail="use 0, 1 or nonewlines")
    model_type = params.get("model_type")
    if model_type is not None and str(model_type) not in _MODEL_TYPES:
        raise DeepLBadRequest("Value for 'model_type' not supported.", field="model_type")
    formality = params.get("formality")
    if formality is not None and str(formality).lower() not in _FORMALITY_ACCEPTED:
        if str(formality).lower() in _FORMALITY_REFUSED:
            raise DeepLBadRequest("'formality' is not supported for given 'target_lang'.",
                                  field="formality",
                                  detail="no served language supports formality; "
                                         "use prefer_more or prefer_less")
        raise DeepLBadRequest("Value for 'formality' not supported.", field="formality")


def _tag_list(params: Params, name: str) -> frozenset[str]:
    """A tag-list parameter: comma-separated (the clients join lists so), repeated,
    or a JSON list; names compared in lower case."""
    tags: set[str] = set()
    for value in params.getlist(name):
        if not isinstance(value, str):
            raise DeepLBadRequest(f"Value for '{name}' not supported.", field=name,
                                  detail="a comma-separated list of tag names")
        tags.update(t.strip().lower() for t in value.split(",") if t.strip())
    return frozenset(tags)


def _html_options(params: Params) -> HtmlOptions:
    """DeepL's tag-handling parameters as :class:`HtmlOptions`."""
    outline = params.get("outline_detection")
    return HtmlOptions(
        ignore_tags=_tag_list(params, "ignore_tags"),
        non_splitting_tags=_tag_list(params, "non_splitting_tags"),
        splitting_tags=_tag_list(params, "splitting_tags"),
        outline_detection=True if outline in (None, "") else params.flag("outline_detection"))


def _format(params: Params) -> str:
    tag_handling = params.get("tag_handling")
    if tag_handling in (None, ""):
        return "text"
    if str(tag_handling).lower() in ("html", "xml"):
        return "html"
    raise DeepLBadRequest("Value for 'tag_handling' not supported.", field="tag_handling",
                          detail="use html or xml")


# --- routes ------------------------------------------------------------------------------------

@router.post("/v2/translate", summary="Translate texts (DeepL API v2 compatible)",
             openapi_extra=api.DEEPL_TRANSLATE_BODY,
             responses=api.deepl_responses(api.DEEPL_TRANSLATE_OK, "Translations",
                                           400, 403, 413, 429, 456, 503, 504))
async def translate(request: Request) -> JSONResponse:
    """DeepL ``POST /v2/translate`` (JSON or form)."""
    params = await read_params(request)
    principal = _admit(request, params)
    texts = _texts(params)
    target = params.get("target_lang")
    if target in (None, ""):
        raise DeepLBadRequest("Parameter 'target_lang' not specified.", field="target_lang")
    _check_options(params)
    fmt = _format(params)

    runtime = get_runtime(request)
    served = runtime.languages
    tgt = from_deepl(target, served, "target_lang")
    source = params.get("source_lang")
    src = "auto" if source in (None, "") else from_deepl(source, served, "source_lang")
    options = _html_options(params)
    measure = (lambda t: text_length(t, options)) if fmt == "html" else len
    chars = check_texts(runtime.settings, texts, field="text", measure=measure)

    service = TranslationService(runtime)
    service.check_languages(src, tgt)  # no route: fail before the quota is charged
    charge(request, principal, chars)
    results = await until_disconnect(request, service.translate_many(
        texts, source=src, target=tgt, fmt=fmt, field_name="text",
        html_options=options if fmt == "html" else None))

    billed = params.flag("show_billed_characters")
    model_type = params.get("model_type")
    translations = []
    for text, result in zip(texts, results):
        # A text without letters has no language; it comes back unchanged, as if it
        # were already in the target language.
        item: dict[str, Any] = {
            "detected_source_language": to_deepl(result.source or tgt),
            "text": result.text}
        if billed:
            item["billed_characters"] = measure(text)
        if model_type:
            item["model_type_used"] = str(model_type).removeprefix("prefer_")
        translations.append(item)
    return JSONResponse({"translations": translations})


@router.get("/v2/languages", summary="Supported languages (DeepL API v2 compatible)",
            openapi_extra=api.query_parameter(
                "type", {"type": "string", "enum": ["source", "target"]},
                "source (default) or target languages"),
            responses=api.deepl_responses(api.DEEPL_LANGUAGES_OK, "Languages",
                                          400, 403, 429))
async def languages(request: Request) -> JSONResponse:
    """DeepL ``GET /v2/languages?type=source|target``.

    ``type`` may also come as a form body: the ``deepl`` client sends it that way.
    """
    params = await read_params(request)
    _admit(request, params)
    kind = params.get("type")
    kind = "source" if kind is None else str(kind).lower()
    if kind not in ("source", "target"):
        raise DeepLBadRequest("Value for 'type' not supported.", field="type",
                              detail="use source or target")
    runtime = get_runtime(request)
    served = runtime.languages
    routes = {code: runtime.registry.translation_targets(code, served) for code in served}
    if kind == "source":
        return JSONResponse([
            {"language": to_deepl(code), "name": LANGUAGE_NAMES.get(code, code)}
            for code in sorted(served) if routes[code]])
    reachable = {tgt for targets in routes.values() for tgt in targets}
    items: list[dict[str, Any]] = []
    for code in sorted(reachable):
        name = LANGUAGE_NAMES.get(code, code)
        for deepl_code, label in REGIONAL_TARGETS.get(code, ((to_deepl(code), name),)):
            items.append({"language": deepl_code, "name": label,
                          "supports_formality": False})
    return JSONResponse(items)


@router.get("/v2/usage", summary="Characters used today (DeepL API v2 compatible)",
            responses=api.deepl_responses(api.DEEPL_USAGE_OK, "Usage", 403, 429))
async def usage(request: Request) -> JSONResponse:
    """DeepL ``GET /v2/usage``: ``character_count`` counts the caller's characters
    today (UTC); ``character_limit`` is the daily quota (DeepL's "unlimited" value,
    10^12, when no quota is set)."""
    params = await read_params(request)
    principal = _admit(request, params)
    state = http_state(request)
    limit = state.limiter.chars_per_day or UNLIMITED_CHARACTERS
    return JSONResponse({"character_count": state.limiter.usage(principal.bucket),
                         "character_limit": limit})
