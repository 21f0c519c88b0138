"""The FastAPI application: routers, the error handlers, the middleware, offline docs
and the lifespan that owns the :class:`~service.workflows.runtime.Runtime`.

``create_app(settings)`` is the only entry point; ``newsroom-mt serve`` runs it under
uvicorn. Compatibility families (LibreTranslate, DeepL) are modules exposing
``router: APIRouter`` and ``error_family: ErrorFamily``; the app includes each and
routes errors on their paths to their renderer.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
from collections.abc import AsyncIterator
from importlib.resources import files
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from service import __version__
from service.errors import NewsroomError
from service.http import routes_health, routes_native, routes_stream, routes_ui
from service.http.auth import KeyStore
from service.http.deps import HttpState
from service.http.errors import ErrorFamily, HttpError, family_for, validation_to_domain
from service.http.limits import CallerLimiter
from service.http.middleware import RequestMiddleware
from service.settings import Settings
from service.workflows.runtime import Runtime

log = logging.getLogger(__name__)

#: Compatibility modules (each: ``router`` and ``error_family``), included when present.
COMPAT_MODULES = ("service.http.routes_libretranslate", "service.http.routes_deepl")

_DOCS_STATIC = "/docs-static"
_HTTP_ERROR_TYPES = {404: "not_found", 405: "method_not_allowed", 400: "invalid_request",
                     413: "limit_exceeded", 401: "unauthorized", 403: "forbidden"}


def create_app(settings: Settings, *, runtime: Runtime | None = None) -> FastAPI:
    """The HTTP application for ``settings``.

    The runtime (catalogue, models, schedulers) is built in the lifespan unless one is
    given (tests), and closed at shutdown after requests in flight have finished.
    """
    state = HttpState(settings=settings, keys=KeyStore.from_settings(settings),
                      limiter=CallerLimiter.from_settings(settings))

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        state.runtime = runtime if runtime is not None else Runtime(settings)
        # Language models load once per process, holding the GIL: before serving.
        await state.runtime.off_loop(state.runtime.detector.warm)
        preload = asyncio.create_task(state.runtime.preload()) if settings.preload else None
        if settings.pull:
            state.runtime.start_pull()
        log.info("service started", extra={"languages": settings.languages,
                                           "required": state.runtime.required_models(),
                                           "api_keys": state.keys.enabled})
        try:
            yield
        finally:
            if preload is not None and not preload.done():
                preload.cancel()
                await asyncio.gather(preload, return_exceptions=True)
            # uvicorn has already drained requests in flight (timeout_graceful_shutdown);
            # now let queued batches finish and free the models.
            await state.runtime.close(settings.drain_timeout_s)
            state.runtime = None
            log.info("service stopped")

    app = FastAPI(title="newsroom-mt", version=__version__,
                  description="Translate news articles (en, uk, ru, ko) and write neutral "
                              "summaries. Native API under /v1; LibreTranslate- and "
                              "DeepL-compatible routes for existing clients.",
                  docs_url=None, redoc_url=None, lifespan=lifespan)
    app.state.http = state

    app.include_router(routes_native.router)
    app.include_router(routes_stream.router)
    app.include_router(routes_health.router)
    for name in COMPAT_MODULES:
        module = _optional_module(name)
        if module is not None:
            app.include_router(module.router)
            state.families.append(module.error_family)

    _install_error_handlers(app, state.families)
    app.add_middleware(RequestMiddleware)
    _install_docs(app)
    routes_ui.install(app)
    app.openapi = lambda: _openapi(app, state)  # type: ignore[method-assign]
    return app


def _optional_module(name: str) -> Any:
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name != name:
            raise
        return None


# --- errors -------------------------------------------------------------------------

def _install_error_handlers(app: FastAPI, families: list[ErrorFamily]) -> None:
    def respond(request: Request, exc: NewsroomError) -> Response:
        family = family_for(families, request.url.path)
        response = family.respond(exc)
        if response.status_code >= 500:
            log.warning("request failed", extra={
                "request_id": getattr(request.state, "request_id", None),
                "status": response.status_code, "error": exc.error_type,
                "detail": exc.message})
        return response

    async def domain_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, NewsroomError)
        return respond(request, exc)

    async def validation_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        return respond(request, validation_to_domain(exc))

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        error = HttpError(str(exc.detail), status=exc.status_code,
                          error_type=_HTTP_ERROR_TYPES.get(exc.status_code, "http_error"),
                          headers=exc.headers)
        if exc.status_code == 400:  # FastAPI's "error parsing the body"
            error.field = "body"
        return respond(request, error)

    app.add_exception_handler(NewsroomError, domain_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)


# --- docs and schema ----------------------------------------------------------------

def _install_docs(app: FastAPI) -> None:
    """Swagger UI from the ``fastapi-offline`` package's bundled assets: no CDN."""
    assets = files("fastapi_offline") / "static"
    app.mount(_DOCS_STATIC, StaticFiles(directory=str(assets)), name="docs-static")

    @app.get("/docs", include_in_schema=False)
    async def docs(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_swagger_ui_html(
            openapi_url=f"{root}{app.openapi_url}", title=f"{app.title} - API docs",
            oauth2_redirect_url=f"{root}/docs/oauth2-redirect",
            swagger_js_url=f"{root}{_DOCS_STATIC}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{_DOCS_STATIC}/swagger-ui.css",
            swagger_favicon_url=f"{root}{_DOCS_STATIC}/favicon.png")

    @app.get("/docs/oauth2-redirect", include_in_schema=False)
    async def oauth2_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()


def _openapi(app: FastAPI, state: HttpState) -> dict[str, Any]:
    """FastAPI's schema without its 422 (validation errors are 400 here), plus the
    bearer scheme when keys are required."""
    if app.openapi_schema is not None:
        return app.openapi_schema
    from fastapi.openapi.utils import get_openapi

    schema = get_openapi(title=app.title, version=app.version, description=app.description,
                         routes=app.routes)
    for path_item in schema.get("paths", {}).values():
        for operation in path_item.values():
            if isinstance(operation, dict):
                operation.get("responses", {}).pop("422", None)
    components = schema.setdefault("components", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        components.get("schemas", {}).pop(unused, None)
    _document_settings(components.get("schemas", {}), state.settings)
    if state.keys.enabled:
        components.setdefault("securitySchemes", {})["bearer"] = {
            "type": "http", "scheme": "bearer",
            "description": "API key (also accepted: `Authorization: DeepL-Auth-Key KEY`)."}
        for path, path_item in schema.get("paths", {}).items():
            if path.startswith("/v1/"):
                for operation in path_item.values():
                    if isinstance(operation, dict):
                        operation["security"] = [{"bearer": []}]
    app.openapi_schema = schema
    return schema


def _document_settings(schemas: dict[str, Any], settings: Settings) -> None:
    """Write this deployment's languages and size limits into the request schemas, so
    clients (and schema fuzzers) know them; the server enforces them either way."""
    served = list(settings.languages)
    text_limit = {"maxLength": settings.max_chars_per_text}
    for name in ("TranslateRequest", "TranslateStreamRequest", "DetectRequest",
                 "SummarizeRequest"):
        props = schemas.get(name, {}).get("properties", {})
        if "text" in props:
            props["text"].update(text_limit)
        if "texts" in props:
            props["texts"]["maxItems"] = settings.max_texts_per_request
            props["texts"].setdefault("items", {}).update(text_limit)
        if "source" in props:
            props["source"]["enum"] = ["auto", *served]
        target = props.get("target")
        if target is not None:
            if "anyOf" in target:  # optional target (summaries): a code or null
                target["anyOf"] = [{"type": "string", "enum": served}, {"type": "null"}]
            else:
                target["enum"] = served
