"""The one table that maps domain errors to HTTP status codes, and the error bodies.

Every failure a client can see goes through here: domain errors raised by the
application layer, request-validation errors (malformed JSON, wrong types, missing
fields), HTTP errors (404, 405) and the middleware's body checks. Each API family
(native ``/v1``, LibreTranslate, DeepL) renders them in its own body shape and may
override a few statuses (DeepL: 413 for limits, 456 for quota); a family is an
:class:`ErrorFamily` registered on the app and chosen by path prefix.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.responses import Response

from service.errors import (
    DeadlineExceeded,
    GenerationFailed,
    InvalidInput,
    LimitExceeded,
    ModelBusy,
    ModelUnavailable,
    NewsroomError,
    NoRoute,
    Overloaded,
    QuotaExceeded,
    RateLimited,
    ServiceStopping,
    Unauthorized,
)

#: Domain error class -> HTTP status, most specific first (the first match wins).
STATUS_TABLE: tuple[tuple[type[NewsroomError], int], ...] = (
    (QuotaExceeded, 429),
    (RateLimited, 429),
    (Unauthorized, 401),
    (LimitExceeded, 400),
    (NoRoute, 400),
    (InvalidInput, 400),          # also UnsupportedLanguage, LanguageNotDetected
    (ServiceStopping, 503),
    (Overloaded, 429),
    (ModelUnavailable, 503),      # also EngineNotInstalled
    (ModelBusy, 409),
    (DeadlineExceeded, 504),
    (GenerationFailed, 500),
)


class HttpError(NewsroomError):
    """A protocol-level error that has no domain meaning (404, 405, ...)."""

    def __init__(self, message: str, *, status: int, error_type: str,
                 headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.error_type = error_type
        self.headers = dict(headers or {})


class ClientDisconnected(NewsroomError):
    """The client went away before its answer was ready (logged as status 499)."""

    error_type = "client_disconnected"


def status_for(exc: NewsroomError,
               overrides: Mapping[type[NewsroomError], int] | None = None) -> int:
    """HTTP status of ``exc``: a family's override first, then :data:`STATUS_TABLE`."""
    if isinstance(exc, HttpError):
        return exc.status
    if isinstance(exc, ClientDisconnected):
        return 499
    for table in (overrides or {}).items(), STATUS_TABLE:
        for cls, status in table:
            if isinstance(exc, cls):
                return status
    return 500


def retry_after(exc: NewsroomError) -> int | None:
    """Whole seconds for a ``Retry-After`` header, if the error has one."""
    seconds = getattr(exc, "retry_after", None)
    if seconds is None:
        return None
    return max(1, math.ceil(float(seconds)))


def error_headers(exc: NewsroomError) -> dict[str, str]:
    """Headers every family sends with ``exc`` (``Retry-After``, ``Allow``...)."""
    headers = dict(exc.headers) if isinstance(exc, HttpError) else {}
    wait = retry_after(exc)
    if wait is not None:
        headers["Retry-After"] = str(wait)
    if isinstance(exc, Unauthorized):
        headers.setdefault("WWW-Authenticate", "Bearer")
    return headers


# --- error families ---------------------------------------------------------------

#: Renders one error as a response: ``(exc, status, headers) -> Response``.
Renderer = Callable[[NewsroomError, int, dict[str, str]], Response]


def native_body(exc: NewsroomError) -> dict[str, Any]:
    """``{"error": {"type", "message", "field"?, "limit"?}}`` of the native API."""
    error: dict[str, Any] = {"type": exc.error_type, "message": exc.message}
    if exc.field:
        error["field"] = exc.field
    limit = getattr(exc, "limit", "")
    if limit:
        error["limit"] = limit
    return {"error": error}


def render_native(exc: NewsroomError, status: int, headers: dict[str, str]) -> Response:
    """The native API's error response."""
    return JSONResponse(native_body(exc), status_code=status, headers=headers)


@dataclass(frozen=True)
class ErrorFamily:
    """How one API family shows errors: paths it owns, body shape, status overrides."""

    name: str
    prefixes: tuple[str, ...]
    render: Renderer
    overrides: Mapping[type[NewsroomError], int] = field(default_factory=dict)

    def owns(self, path: str) -> bool:
        return any(path == p.rstrip("/") or path.startswith(p) for p in self.prefixes)

    def respond(self, exc: NewsroomError) -> Response:
        """The response for ``exc`` in this family's shape."""
        return self.render(exc, status_for(exc, self.overrides), error_headers(exc))


NATIVE = ErrorFamily("native", ("/",), render_native)


def family_for(families: Sequence[ErrorFamily], path: str) -> ErrorFamily:
    """The first family owning ``path`` (the native one as fallback)."""
    for family in families:
        if family.owns(path):
            return family
    return NATIVE


# --- converting framework errors into domain errors ----------------------------------

def _field_name(loc: Iterable[Any]) -> str:
    """``("body", "texts", 2)`` -> ``texts[2]``; ``("query", "q")`` -> ``q``."""
    parts = list(loc)
    if parts and parts[0] in ("body", "query", "path", "header", "form"):
        parts = parts[1:]
    name = ""
    for part in parts:
        if isinstance(part, int):
            name += f"[{part}]"
        else:
            name += f".{part}" if name else str(part)
    return name or "body"


def validation_to_domain(exc: RequestValidationError) -> InvalidInput:
    """The first validation error as an :class:`InvalidInput` naming field and reason."""
    errors = exc.errors()
    if not errors:
        return InvalidInput("invalid request", field="body")
    first = errors[0]
    kind = first.get("type", "")
    if kind == "json_invalid":
        reason = (first.get("ctx") or {}).get("error", "JSON decode error")
        loc = first.get("loc", ())
        pos = loc[1] if len(loc) > 1 else "?"
        return InvalidInput(f"body is not valid JSON: {reason} at character {pos}",
                            field="body")
    name = _field_name(first.get("loc", ()))
    message = str(first.get("msg", "invalid value"))
    # pydantic prefixes our own ValueErrors with "Value error, ".
    message = message.removeprefix("Value error, ")
    if kind == "missing":
        message = "field required"
    elif kind == "extra_forbidden":
        message = "unknown field"
    elif kind == "model_attributes_type" or (kind == "dict_type" and name == "body"):
        return InvalidInput("body must be a JSON object (Content-Type: application/json)",
                            field="body")
    if name == "body":  # a rule across fields (e.g. "exactly one of text or texts")
        return InvalidInput(message, field=name)
    return InvalidInput(f"{name}: {message}", field=name)
