"""Domain errors. Layers below HTTP raise these; the HTTP layer maps each class to a
status code in one table (``service/http/errors.py``)."""

from __future__ import annotations


class NewsroomError(Exception):
    """Base class: ``message`` is safe to show to a client; ``field`` names the input."""

    error_type = "error"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidInput(NewsroomError):
    """The request is malformed or a value is out of range."""

    error_type = "invalid_request"


class UnsupportedLanguage(InvalidInput):
    """A language code that this deployment does not serve."""

    error_type = "unsupported_language"


class LanguageNotDetected(InvalidInput):
    """``source=auto`` but the text's language could not be identified."""

    error_type = "language_not_detected"


class LimitExceeded(NewsroomError):
    """A size limit (characters, texts, body) was exceeded; ``limit`` names it."""

    error_type = "limit_exceeded"

    def __init__(self, message: str, *, field: str | None = None, limit: str = "") -> None:
        super().__init__(message, field=field)
        self.limit = limit


class ModelUnavailable(NewsroomError):
    """A model the request needs is not available locally or cannot be loaded;
    ``retry_after`` (seconds) when the next load attempt is already scheduled."""

    error_type = "model_unavailable"

    def __init__(self, message: str, *, field: str | None = None,
                 retry_after: float | None = None) -> None:
        super().__init__(message, field=field)
        self.retry_after = retry_after


class ModelNotLocal(ModelUnavailable):
    """A model's weights (or its CTranslate2 conversion) are not on this machine: an
    operator has to pull or convert them. Not a failure of the process: it turns
    neither ``/readyz`` nor ``/healthz`` (the request that needs it gets 503)."""


class ModelBusy(NewsroomError):
    """A model cannot be unloaded or reloaded now: requests are using it."""

    error_type = "model_busy"


class NoRoute(NewsroomError):
    """The catalogue has no model (direct, multilingual or pivot) for a direction."""

    error_type = "no_route"


class EngineNotInstalled(ModelUnavailable):
    """An optional engine (e.g. CTranslate2) was requested but is not installed."""

    error_type = "engine_not_installed"


class Overloaded(NewsroomError):
    """The queue is full; retry after ``retry_after`` seconds."""

    error_type = "overloaded"

    def __init__(self, message: str, *, retry_after: float = 1.0) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class DeadlineExceeded(NewsroomError):
    """The request did not finish within its deadline."""

    error_type = "timeout"


class GenerationFailed(NewsroomError):
    """The engine failed on this request's input (other requests are unaffected)."""

    error_type = "generation_failed"


class ServiceStopping(Overloaded):
    """The server is draining and accepts no new work."""

    error_type = "shutting_down"


class Unauthorized(NewsroomError):
    """Missing or unknown API key."""

    error_type = "unauthorized"


class RateLimited(NewsroomError):
    """Per-key request rate exceeded."""

    error_type = "rate_limited"

    def __init__(self, message: str, *, retry_after: float = 60.0) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class QuotaExceeded(RateLimited):
    """Per-key daily character quota exceeded."""

    error_type = "quota_exceeded"
