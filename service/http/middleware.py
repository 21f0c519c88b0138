"""One pure-ASGI middleware for every request: request id, body checks, access log
and metrics.

- ``X-Request-ID``: taken from the request when it is a sane token, else generated;
  echoed on the response and put in every log line about the request.
- Body: read here, up to ``max_body_bytes`` (over it: the family's limit error,
  before any route runs); JSON bodies must be UTF-8. The body is then replayed to the
  app, and later ``receive()`` calls go to the server (so routes still see the
  client's disconnect).
- One JSON log line and one metrics observation per request, labelled with the route
  template (``/v1/translate``), never the raw path, so labels stay bounded.

Pure ASGI rather than ``BaseHTTPMiddleware``: the latter wraps ``receive`` and breaks
disconnect detection and streaming.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.errors import InvalidInput, LimitExceeded, NewsroomError
from service.http.errors import family_for

log = logging.getLogger("service.http.access")

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")
_JSON_TYPES = ("application/json",)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return None


def route_label(scope: Scope) -> str:
    """The matched route's path template, or ``unmatched``."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    if isinstance(path, str):
        return scope.get("root_path", "") + path if path.startswith("/") else path
    return "unmatched"


class RequestMiddleware:
    """See the module docstring. Reads its settings and families from ``app.state.http``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope["app"].state.http
        started = time.perf_counter()
        incoming = _header(scope, b"x-request-id")
        request_id = incoming if incoming and _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        status = {"code": 0}

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                headers = [(k, v) for k, v in message.get("headers", [])
                           if k.lower() != b"x-request-id"]
                headers.append((b"x-request-id", request_id.encode("latin-1")))
                message = {**message, "headers": headers}
            await send(message)

        try:
            body_or_error = await self._read_body(scope, receive, state.settings.max_body_bytes)
            if isinstance(body_or_error, NewsroomError):
                response = family_for(state.families, scope["path"]).respond(body_or_error)
                await response(scope, receive, send_with_id)
            else:
                await self.app(scope, _replay(body_or_error, receive), send_with_id)
        except Exception:
            status["code"] = status["code"] or 500
            log.exception("unhandled error", extra=self._fields(scope, request_id,
                                                                status["code"], started))
            raise
        finally:
            code = status["code"] or 499  # nothing sent: the client went away first
            seconds = time.perf_counter() - started
            runtime = state.runtime
            if runtime is not None:
                runtime.metrics.observe_request(route_label(scope), code, seconds)
            log.log(logging.WARNING if code >= 500 else logging.INFO, "request",
                    extra=self._fields(scope, request_id, code, started))

    @staticmethod
    async def _read_body(scope: Scope, receive: Receive, limit: int
                         ) -> bytes | NewsroomError:
        """The whole body, or the error to answer instead (too large, not UTF-8)."""
        declared = _header(scope, b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            return _too_large(int(declared), limit)
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                return _too_large(size, limit, at_least=True)
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        content_type = (_header(scope, b"content-type") or "").split(";")[0].strip().lower()
        if body and content_type in _JSON_TYPES:
            try:
                body.decode("utf-8")
            except UnicodeDecodeError as exc:
                return InvalidInput(f"body is not valid UTF-8 (invalid byte at offset "
                                    f"{exc.start})", field="body")
        return body

    @staticmethod
    def _fields(scope: Scope, request_id: str, status: int, started: float) -> dict[str, Any]:
        fields: dict[str, Any] = {
            "request_id": request_id, "method": scope.get("method"),
            "path": scope.get("path"), "route": route_label(scope), "status": status,
            "ms": round((time.perf_counter() - started) * 1000, 1),
        }
        principal = scope.get("state", {}).get("principal")
        if principal is not None and principal.key_id:
            fields["key_id"] = principal.key_id  # a fingerprint, never the key
        return fields


def _too_large(size: int, limit: int, at_least: bool = False) -> LimitExceeded:
    more = "more than " if at_least else ""
    return LimitExceeded(f"request body has {more}{size} bytes; the limit is {limit} bytes "
                         "(max_body_bytes)", field="body", limit="max_body_bytes")


def _replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that yields ``body`` once, then defers to the server's."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
