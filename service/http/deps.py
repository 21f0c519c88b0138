"""What every route family shares: the app's state, admitting a caller (key + rate),
charging its quota, and running work that is cancelled if the client disconnects.

Routes import from here (never from ``app.py``, which imports the routes).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import TypeVar

from starlette.requests import Request

from service.http.auth import KeyStore, Principal
from service.http.errors import ClientDisconnected, ErrorFamily
from service.http.limits import CallerLimiter
from service.settings import Settings
from service.workflows.runtime import Runtime

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass
class HttpState:
    """Held on ``app.state.http``; ``runtime`` is set by the lifespan."""

    settings: Settings
    keys: KeyStore
    limiter: CallerLimiter
    families: list[ErrorFamily] = field(default_factory=list)
    runtime: Runtime | None = None


def http_state(request: Request) -> HttpState:
    """The app's :class:`HttpState`."""
    return request.app.state.http  # type: ignore[no-any-return]


def get_runtime(request: Request) -> Runtime:
    """The process :class:`Runtime` (present from start-up to shutdown)."""
    runtime = http_state(request).runtime
    if runtime is None:  # only between lifespan shutdown and process exit
        from service.errors import ServiceStopping

        raise ServiceStopping("the server is starting or shutting down; retry shortly",
                              retry_after=1.0)
    return runtime


def admit(request: Request, body_key: str | None = None) -> Principal:
    """Authenticate the caller and count the request against its rate limit.

    Raises :class:`~service.errors.Unauthorized` or :class:`~service.errors.RateLimited`.
    The principal is kept on ``request.state.principal`` for logging (its key id only).
    """
    state = http_state(request)
    principal = state.keys.authenticate(request, body_key)
    request.state.principal = principal
    state.limiter.hit(principal.bucket)
    return principal


def charge(request: Request, principal: Principal, chars: int) -> None:
    """Count ``chars`` against the caller's daily quota (:class:`QuotaExceeded`)."""
    http_state(request).limiter.charge(principal.bucket, chars)


async def native_caller(request: Request) -> Principal:
    """FastAPI dependency of the native ``/v1`` routes: :func:`admit` without body key."""
    return admit(request)


async def until_disconnect(request: Request, work: Awaitable[T]) -> T:
    """Await ``work``; if the client disconnects first, cancel it (its queued batch
    items are dropped by the scheduler) and raise :class:`ClientDisconnected`.

    The request body must already have been read: the watcher then waits for the
    server's ``http.disconnect`` message, which arrives only when the client goes.
    """
    task = asyncio.ensure_future(work)
    watcher = asyncio.ensure_future(_wait_disconnect(request))
    try:
        await asyncio.wait({task, watcher}, return_when=asyncio.FIRST_COMPLETED)
    except asyncio.CancelledError:
        task.cancel()
        raise
    finally:
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher
    if task.done():
        return task.result()
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await task
    log.info("client disconnected; work cancelled",
             extra={"request_id": getattr(request.state, "request_id", None)})
    raise ClientDisconnected("the client disconnected before the answer was ready")


async def _wait_disconnect(request: Request) -> None:
    while True:
        message = await request.receive()
        if message.get("type") == "http.disconnect":
            return
