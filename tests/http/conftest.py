"""HTTP test fixtures: the app over the tiny catalogue, in process (TestClient) or as a
real server subprocess (``python -m service serve``)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from service.http.app import create_app
from service.settings import Settings

ClientFactory = Callable[..., TestClient]


@pytest.fixture()
def make_client(tiny_settings: Settings) -> Iterator[ClientFactory]:
    """``make_client(**setting_overrides)``: a started TestClient (lifespan run)."""
    opened: list[TestClient] = []

    def make(**overrides: Any) -> TestClient:
        settings = tiny_settings.model_copy(update=overrides)
        client = TestClient(create_app(settings), raise_server_exceptions=False)
        client.__enter__()
        opened.append(client)
        return client

    yield make
    for client in reversed(opened):
        client.__exit__(None, None, None)


@pytest.fixture()
def client(make_client: ClientFactory) -> TestClient:
    """The app with default settings over the tiny catalogue."""
    return make_client()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture()
def live_server() -> Callable[..., Any]:
    """``with live_server(env, *serve_args, log_path=...) as (proc, base_url)``."""
    return run_server


@contextmanager
def run_server(env: dict[str, str], *args: str, log_path: Path | None = None
                ) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """Run ``python -m service serve`` on a free port until /healthz answers; yield the
    process and its base URL; terminate it afterwards if still running."""
    port = free_port()
    log = open(log_path, "wb") if log_path is not None else subprocess.DEVNULL
    proc = subprocess.Popen(
        [sys.executable, "-m", "service", "serve", "--host", "127.0.0.1", "--port", str(port),
         *args], env=env, stdout=log, stderr=log, cwd=Path(__file__).resolve().parents[2])
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(proc, base)
        yield proc, base
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if log_path is not None:
            log.close()  # type: ignore[union-attr]


def _wait_healthy(proc: subprocess.Popen[bytes], base: str, limit_s: float = 120.0) -> None:
    # Polling a start-up is not synchronising a test on a sleep: the server gives no
    # other signal that it listens, and the limit only bounds a broken start.
    give_up = time.monotonic() + limit_s
    while time.monotonic() < give_up:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode} during start-up")
        try:
            if httpx.get(f"{base}/healthz", timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError("server did not answer /healthz")


@pytest.fixture()
def server_env(tiny_env: dict[str, str]) -> dict[str, str]:
    """Environment for a server subprocess: tiny catalogue, unbuffered, plain logs off."""
    return dict(tiny_env, PYTHONUNBUFFERED="1", NEWSROOM_MAX_WAIT_MS="2",
                TOKENIZERS_PARALLELISM="false", HF_HUB_OFFLINE="1",
                PYTHONPATH=os.pathsep.join(filter(None, [
                    str(Path(__file__).resolve().parents[2]), os.environ.get("PYTHONPATH")])))
