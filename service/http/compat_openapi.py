"""OpenAPI descriptions of the LibreTranslate and DeepL routes.

Those routes read their fields themselves (JSON or form, see ``compat_params``), so
FastAPI cannot derive their request bodies; these helpers describe the bodies, the
success shapes and each family's error body for ``/docs`` and schema-driven tests.
"""

from __future__ import annotations

from typing import Any

_STRING: dict[str, Any] = {"type": "string"}
_TEXTS: dict[str, Any] = {"type": "array", "items": _STRING}
#: Required fields must be non-empty: both APIs treat "" as missing.
_FILLED: dict[str, Any] = {"type": "string", "minLength": 1}
_FILLED_TEXTS: dict[str, Any] = {"type": "array", "items": _STRING, "minItems": 1}


def request_body(properties: dict[str, Any], required: list[str], *,
                 form_properties: dict[str, Any] | None = None) -> dict[str, Any]:
    """``openapi_extra`` for a body accepted as JSON or as a form."""
    json_schema = {"type": "object", "properties": properties, "required": required}
    form_schema = {"type": "object", "properties": form_properties or properties,
                   "required": required}
    return {"requestBody": {"required": True, "content": {
        "application/json": {"schema": json_schema},
        "application/x-www-form-urlencoded": {"schema": form_schema}}}}


def query_parameter(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    """``openapi_extra`` for one optional query parameter."""
    return {"parameters": [{"name": name, "in": "query", "required": False,
                            "schema": schema, "description": description}]}


def _json(schema: dict[str, Any], description: str,
          headers: dict[str, Any] | None = None) -> dict[str, Any]:
    entry: dict[str, Any] = {"description": description,
                             "content": {"application/json": {"schema": schema}}}
    if headers:
        entry["headers"] = headers
    return entry


_RETRY_AFTER = {"Retry-After": {"schema": {"type": "integer"},
                                "description": "Seconds to wait."}}

# --- LibreTranslate -------------------------------------------------------------------

_LT_ERROR = {"type": "object", "properties": {"error": _STRING}, "required": ["error"]}
_LT_ERRORS = {
    400: "Invalid request: missing field, unsupported language or format, over a size "
         "limit (named), or no API key when keys are required.",
    403: "Unknown API key.",
    429: "Slowdown: over the per-key rate or daily quota, or the queue is full.",
    503: "A model is unavailable or the server is shutting down.",
    504: "The request did not finish within its deadline.",
}


def lt_responses(ok: dict[str, Any], ok_description: str, *statuses: int
                 ) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a LibreTranslate route: its 200 and ``{"error"}`` errors."""
    out: dict[int | str, dict[str, Any]] = {200: _json(ok, ok_description)}
    for status in statuses:
        out[status] = _json(_LT_ERROR, _LT_ERRORS[status],
                            _RETRY_AFTER if status in (429, 503) else None)
    return out


_DETECTION = {"type": "object", "properties": {
    "confidence": {"type": "integer", "minimum": 0, "maximum": 100},
    "language": _STRING}, "required": ["confidence", "language"]}

LT_TRANSLATE_BODY = request_body({
    "q": {"oneOf": [_FILLED, _FILLED_TEXTS], "description": "Text or list of texts."},
    "source": {**_FILLED, "description": "Source language code or 'auto'."},
    "target": {**_FILLED, "description": "Target language code."},
    "format": {"type": "string", "enum": ["text", "html"], "default": "text"},
    "alternatives": {"type": "integer", "minimum": 0, "default": 0,
                     "description": "Accepted; always answered with no alternatives."},
    "api_key": _STRING,
}, ["q", "source", "target"], form_properties={
    "q": _FILLED, "source": _FILLED, "target": _FILLED,
    "format": {"type": "string", "enum": ["text", "html"]},
    "alternatives": {"type": "integer", "minimum": 0}, "api_key": _STRING})

LT_TRANSLATE_OK = {"type": "object", "properties": {
    "translatedText": {"oneOf": [_STRING, _TEXTS]},
    "detectedLanguage": {"oneOf": [_DETECTION, {"type": "array", "items": _DETECTION}]},
    "alternatives": {"type": "array"},
}, "required": ["translatedText"]}

LT_DETECT_BODY = request_body({"q": {"oneOf": [_FILLED, _FILLED_TEXTS]}, "api_key": _STRING},
                              ["q"], form_properties={"q": _FILLED, "api_key": _STRING})
LT_DETECT_OK = {"type": "array", "items": _DETECTION}
LT_LANGUAGES_OK = {"type": "array", "items": {"type": "object", "properties": {
    "code": _STRING, "name": _STRING, "targets": _TEXTS},
    "required": ["code", "name", "targets"]}}

# --- DeepL ------------------------------------------------------------------------------

_DEEPL_ERROR = {"type": "object", "properties": {"message": _STRING, "detail": _STRING},
                "required": ["message"]}
_DEEPL_ERRORS = {
    400: "Bad request: missing or unsupported parameter value.",
    403: "Missing or unknown authentication key.",
    413: "Over a size limit (named in the message).",
    429: "Too many requests (per-key rate), or the queue is full.",
    456: "Daily character quota exceeded.",
    503: "A model is unavailable or the server is shutting down.",
    504: "The request did not finish within its deadline.",
}


def deepl_responses(ok: dict[str, Any], ok_description: str, *statuses: int
                    ) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a DeepL route: its 200 and ``{"message"}`` errors."""
    out: dict[int | str, dict[str, Any]] = {200: _json(ok, ok_description)}
    for status in statuses:
        out[status] = _json(_DEEPL_ERROR, _DEEPL_ERRORS[status],
                            _RETRY_AFTER if status in (429, 456, 503) else None)
    return out


DEEPL_TRANSLATE_BODY = request_body({
    "text": {**_FILLED_TEXTS, "description": "Texts to translate (repeat `text=` in a form)."},
    "source_lang": {"type": "string", "description": "EN, UK, RU, KO; omit to detect."},
    "target_lang": {**_FILLED, "description": "EN-GB, EN-US, EN, UK, RU, KO."},
    "tag_handling": {"type": "string", "enum": ["html", "xml"]},
    "split_sentences": {"type": "string", "enum": ["0", "1", "nonewlines"]},
    "preserve_formatting": {"type": "boolean"},
    "formality": {"type": "string", "enum": ["default", "prefer_more", "prefer_less"]},
    "model_type": {"type": "string", "enum": sorted(["quality_optimized",
                                                     "latency_optimized",
                                                     "prefer_quality_optimized"])},
    "context": _STRING,
    "show_billed_characters": {"type": "boolean"},
}, ["text", "target_lang"])

DEEPL_TRANSLATE_OK = {"type": "object", "properties": {"translations": {
    "type": "array", "items": {"type": "object", "properties": {
        "detected_source_language": _STRING, "text": _STRING,
        "billed_characters": {"type": "integer"}, "model_type_used": _STRING},
        "required": ["detected_source_language", "text"]}}}, "required": ["translations"]}

DEEPL_LANGUAGES_OK = {"type": "array", "items": {"type": "object", "properties": {
    "language": _STRING, "name": _STRING, "supports_formality": {"type": "boolean"}},
    "required": ["language", "name"]}}

DEEPL_USAGE_OK = {"type": "object", "properties": {
    "character_count": {"type": "integer"}, "character_limit": {"type": "integer"}},
    "required": ["character_count", "character_limit"]}
