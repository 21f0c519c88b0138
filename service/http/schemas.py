"""Request and response models of the native ``/v1`` API (they make its OpenAPI schema).

Requests forbid unknown fields, so a misspelt field (``"targt"``) is a 400 naming it
rather than a silently ignored option.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from service.registry import Route
from service.workflows.translation import TranslationResult


def _not_nullable(schema: dict[str, Any], **extra: Any) -> None:
    """Drop the ``null`` branch of an optional field's schema (in place)."""
    branches = [b for b in schema.pop("anyOf", []) if b.get("type") != "null"]
    if len(branches) == 1:
        schema.update(branches[0])
    schema.update(extra)


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TextsInput(_Request):
    """Exactly one of ``text`` (one string) or ``texts`` (a list of strings)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "oneOf": [{"required": ["text"]}, {"required": ["texts"]}]})

    # Absent, not null: the schema says "exactly one of" with oneOf, null is refused.
    text: str | None = Field(default=None, description="One text.",
                             json_schema_extra=_not_nullable)
    texts: list[str] | None = Field(
        default=None, description="Several texts; results come back in the same order.",
        json_schema_extra=lambda schema: _not_nullable(schema, minItems=1))

    @field_validator("text", "texts", mode="before")
    @classmethod
    def _not_null(cls, value: Any, info: ValidationInfo) -> Any:
        # Runs only for values the client sent: an explicit null is not "absent".
        if value is None:
            kind = "a string" if info.field_name == "text" else "a list of strings"
            raise ValueError(f"must be {kind}, not null (leave the field out instead)")
        return value

    @model_validator(mode="after")
    def _one_of(self) -> TextsInput:
        if (self.text is None) == (self.texts is None):
            raise ValueError("give exactly one of 'text' or 'texts'")
        return self

    def items(self) -> tuple[list[str], str]:
        """The texts and the field name to report errors against."""
        if self.text is not None:
            return [self.text], "text"
        return list(self.texts or []), "texts"


class TranslateRequest(TextsInput):
    """``POST /v1/translate``."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "oneOf": [{"required": ["text"]}, {"required": ["texts"]}],
        "examples": [{"text": "Kyiv is the capital of Ukraine.", "target": "uk"},
                     {"texts": ["<p>Hello <b>world</b></p>"], "source": "en",
                      "target": "ko", "format": "html"}]})

    source: str = Field(default="auto", description="Source language code, or 'auto'.")
    target: str = Field(description="Target language code (en, uk, ru, ko).")
    format: Literal["text", "html"] = Field(
        default="text", description="'html': tags, attributes, entities and spacing are "
                                    "kept; sentences are translated whole across inline "
                                    "tags, and alt/title/aria-label values are "
                                    "translated. Limits and quotas count the text, not "
                                    "the markup.")


class TranslateStreamRequest(_Request):
    """``POST /v1/translate/stream``: one article, answered as server-sent events."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "examples": [{"text": "First paragraph.\n\nSecond paragraph.", "target": "uk"}]})

    text: str = Field(description="The article; each non-empty line is a paragraph.")
    source: str = Field(default="auto", description="Source language code, or 'auto' "
                                                    "(detected per paragraph).")
    target: str = Field(description="Target language code (en, uk, ru, ko).")
    format: Literal["text", "html"] = Field(
        default="text", description="'html': units are the sentences of its blocks; "
                                    "the `done` event carries the rebuilt HTML.")


class DetectRequest(TextsInput):
    """``POST /v1/detect``."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "oneOf": [{"required": ["text"]}, {"required": ["texts"]}],
        "examples": [{"text": "Київ — столиця України."}]})


class SummarizeRequest(_Request):
    """``POST /v1/summarize``."""

    text: str = Field(description="The article.",
                      json_schema_extra={"minLength": 1, "pattern": "\\S"})
    source: str = Field(default="auto", description="Article language, or 'auto'.")
    target: str | None = Field(default=None, description="Summary language (default: "
                                                         "the article's).")
    mode: Literal["auto", "abstractive", "extractive"] = "auto"
    max_sentences: int | None = Field(default=None, ge=1, le=20)
    max_words: int | None = Field(default=None, ge=5, le=500)
    format: Literal["text", "html"] = Field(
        default="text", description="'html': `text` is a web page; its main article is "
                                    "extracted first (navigation, comments and ads left "
                                    "out) and the response carries it as `article`.")
    url: str | None = Field(default=None, description="Where the page came from (html "
                                                      "only; resolves relative links).")


class ExtractRequest(_Request):
    """``POST /v1/extract``."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "examples": [{"html": "<html><body><nav>Home</nav><article><h1>Title</h1>"
                              "<p>Article text.</p></article></body></html>",
                      "url": "https://example.org/news/1"}]})

    html: str = Field(description="The page (HTML).",
                      json_schema_extra={"minLength": 1, "pattern": "\\S"})
    url: str | None = Field(default=None, description="Where the page came from.")


class ExtractResponse(BaseModel):
    """The main article of a page and its metadata (null when the page gives none)."""

    text: str = Field(description="The article, paragraphs separated by blank lines.")
    title: str | None
    byline: str | None
    date: str | None = Field(description="Publication date (YYYY-MM-DD).")
    language: str | None = Field(description="Language identified in the text.")
    language_confidence: float
    declared_language: str | None = Field(description="Language the page declares.")
    canonical_url: str | None
    site_name: str | None
    description: str | None


# --- responses -------------------------------------------------------------------

class RouteStep(BaseModel):
    model: str
    source: str
    target: str


class RouteInfo(BaseModel):
    """Which models produced a text: ``direct``, ``multilingual``, ``pivot`` (through
    English) or ``identity`` (already in the target language)."""

    kind: str
    steps: list[RouteStep]

    @classmethod
    def of(cls, route: Route) -> RouteInfo:
        return cls(kind=route.kind, steps=[RouteStep(**s) for s in route.describe()])


class Translation(BaseModel):
    text: str
    source: str | None = Field(description="Source language (detected when 'auto'); null "
                                           "when the text has no letters.")
    confidence: float = Field(description="Detection confidence (1.0 when given).")
    detected: bool = Field(description="Whether the source language was detected.")
    route: RouteInfo | None
    routes: dict[str, RouteInfo] = Field(
        default_factory=dict, description="Per source language, when paragraphs came in "
                                          "several languages.")

    @classmethod
    def of(cls, result: TranslationResult) -> Translation:
        return cls(text=result.text, source=result.source,
                   confidence=round(result.confidence, 4), detected=result.detected,
                   route=RouteInfo.of(result.route) if result.route is not None else None,
                   routes={lang: RouteInfo.of(r) for lang, r in result.routes.items()})


class TranslateResponse(BaseModel):
    translations: list[Translation]


class ClaimRow(BaseModel):
    """One row of the claims table (``service.summarize.claims.Claim``)."""

    index: int = Field(description="Sentence index in the cleaned article.")
    speaker: str | None
    side: str | None = Field(description="The party the speaker speaks for.")
    stance: str = Field(description="asserts, denies, accuses or confirms.")
    verb: str | None = None
    answers: int | None = Field(default=None, description="Claim a denial answers.")
    restates: int | None = Field(default=None,
                                 description="Claim a reporter's sentence restates.")
    sentence: str


class DisputeRow(BaseModel):
    """A contested claim and its counter-claim (``service.summarize.claims.Dispute``)."""

    claim: int
    counter: int
    claim_side: str
    counter_side: str
    claim_group: list[int]
    counter_group: list[int]


class FurnitureRow(BaseModel):
    """A piece of page furniture left out (offsets into the submitted text)."""

    kind: str
    text: str
    start: int
    end: int


class SummarizeResponse(BaseModel):
    """The summary, how it was made, and its neutrality report (see the README)."""

    model_config = ConfigDict(extra="allow")

    summary: str
    source_language: str
    target_language: str
    mode_used: str
    model_route: list[dict[str, str]]
    neutrality: dict[str, Any]
    enforcement: dict[str, Any]
    source_summary: str | None = None
    notes: list[str] = Field(default_factory=list)
    claims: list[ClaimRow] = Field(default_factory=list, description=(
        "Who said what in the article: one row per attributed sentence and per reporter's "
        "sentence restating a disputed claim."))
    disputes: list[DisputeRow] = Field(default_factory=list, description=(
        "Claims the article shows to be contested, with the counter-claim (sentence "
        "indices); the summary carries both positions of each one it mentions."))
    furniture: list[FurnitureRow] = Field(default_factory=list, description=(
        "Page furniture left out of the article before summarising."))
    over_limit: bool = Field(default=False, description=(
        "True when max_sentences/max_words were exceeded to carry both sides of a dispute."))


class Detection(BaseModel):
    language: str | None
    confidence: float
    reason: str | None = Field(default=None, description="Why language is null.")


class DetectResponse(BaseModel):
    detections: list[Detection]


class Language(BaseModel):
    code: str
    name: str
    targets: list[str]


class LanguagesResponse(BaseModel):
    languages: list[Language]


class PublishedScoreInfo(BaseModel):
    """A published quality figure (not measured by this service)."""

    direction: str
    metric: str
    test_set: str
    value: float
    source: str


class ModelInfo(BaseModel):
    id: str
    task: str
    family: str
    directions: list[str]
    languages: list[str]
    licence: str
    commercial: bool
    usable: bool = Field(description="Whether routing may use it under this deployment's "
                                     "licence and opt-in settings.")
    unusable_reason: str | None = None
    local: bool = Field(description="Weights present locally.")
    loaded: bool
    state: str = Field(description="unloaded, loading, ready or failed (a failed model is "
                                   "reloaded on next use, with backoff).")
    device: str | None
    engine: str | None
    load_seconds: float | None
    error: str | None = Field(description="Why the model is failed (last load error or "
                                          "how its batching worker died).")
    attribution: str | None = Field(
        default=None, description="Attribution the licence requires (e.g. CC BY 4.0).")
    target_tokens: dict[str, str] = Field(
        default_factory=dict, description="Multi-target models: token added per target.")
    scores: list[PublishedScoreInfo] = Field(
        default_factory=list, description="Published scores (metric, test set, source).")
    memory_bytes: int | None = Field(
        default=None, description="Memory its weights take while loaded (null: not loaded).")


class ModelsMemory(BaseModel):
    loaded_bytes: int = Field(description="Weights of every loaded model.")
    budget_bytes: int = Field(description="NEWSROOM_MODEL_MEMORY_BUDGET_MIB in bytes "
                                          "(0: no limit); least recently used idle models "
                                          "are unloaded to stay within it.")


class ModelsResponse(BaseModel):
    models: list[ModelInfo]
    memory: ModelsMemory


class FailingModel(BaseModel):
    error: str | None
    failing_for_s: float


class Health(BaseModel):
    status: str
    failing: dict[str, FailingModel] = Field(
        default_factory=dict, description="Models failing for longer than "
        "unhealthy_grace_s (only when status is 'failing', with HTTP 503).")


class PullProgress(BaseModel):
    """The background pull of ``serve --pull``."""

    state: Literal["idle", "probing", "pulling", "done", "failed"]
    wanted: int
    local: list[str]
    pulled: list[str]
    failed: dict[str, str]
    pending: list[str]
    current: str | None
    current_bytes: int | None = None
    message: str | None


class Readiness(BaseModel):
    ready: bool
    missing: list[str]
    unhealthy: dict[str, str]
    stopping: bool
    pull: PullProgress | None = None
    message: str


class ErrorDetail(BaseModel):
    type: str
    message: str
    field: str | None = None
    limit: str | None = None


class ErrorResponse(BaseModel):
    """Every native error: ``{"error": {"type", "message", "field"?, "limit"?}}``."""

    error: ErrorDetail


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses=`` entries for the given error statuses."""
    described = {
        400: "Invalid request (malformed JSON, wrong type, unknown language, over a size "
             "limit); `field` names the input.",
        401: "Missing or invalid API key.",
        429: "Rate limit, daily quota or queue full; see `Retry-After`.",
        503: "A model is unavailable or the server is shutting down.",
        504: "The request did not finish within its deadline.",
    }
    out: dict[int | str, dict[str, Any]] = {}
    for status in statuses:
        entry: dict[str, Any] = {"model": ErrorResponse, "description": described[status]}
        if status in (429, 503):
            entry["headers"] = {"Retry-After": {"schema": {"type": "integer"},
                                                "description": "Seconds to wait."}}
        out[status] = entry
    return out
