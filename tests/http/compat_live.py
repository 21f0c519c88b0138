"""A real uvicorn server in a background thread, for tests that drive the
compatibility routes with the official client libraries (which need a live URL)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import uvicorn

from service.http.app import create_app
from service.settings import Settings


class _Server(uvicorn.Server):
    """uvicorn that signals when it accepts connections (no polling, no sleeps)."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.ready = threading.Event()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        self.ready.set()


def tiny_settings(registry: Path, models_dir: Path, **overrides: Any) -> Settings:
    """Settings on the tiny catalogue, ignoring the caller's ``NEWSROOM_*`` variables."""
    saved = {k: os.environ.pop(k) for k in list(os.environ) if k.startswith("NEWSROOM_")}
    try:
        return Settings(registry=registry, models_dir=models_dir, max_wait_ms=2.0,
                        **overrides)
    finally:
        os.environ.update(saved)


@contextlib.contextmanager
def live_server(settings: Settings) -> Iterator[str]:
    """Serve ``create_app(settings)`` on a free local port; yield its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(create_app(settings), log_level="warning", lifespan="on")
    server = _Server(config)
    failure: list[BaseException] = []

    def run() -> None:
        try:
            asyncio.run(server.serve(sockets=[sock]))
        except BaseException as exc:  # surfaced below instead of hanging the test
            failure.append(exc)
            server.ready.set()

    thread = threading.Thread(target=run, name="live-server", daemon=True)
    thread.start()
    if not server.ready.wait(timeout=120) or failure or not server.started:
        server.should_exit = True
        raise RuntimeError(f"test server did not start: {failure}")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=60)
        sock.close()
