"""HTTP test fixtures: the app over the tiny catalogue, in process (TestClient) or as a
real server subprocess (``python -m service serve``)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from server_process import run_server

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


@pytest.fixture()
def live_server() -> Callable[..., Any]:
    """``with live_server(env, *serve_args, log_path=...) as (proc, base_url)``."""
    return run_server


@pytest.fixture()
def server_env(tiny_env: dict[str, str]) -> dict[str, str]:
    """Environment for a server subprocess: tiny catalogue, unbuffered, plain logs off."""
    return dict(tiny_env, PYTHONUNBUFFERED="1", NEWSROOM_MAX_WAIT_MS="2",
                TOKENIZERS_PARALLELISM="false", HF_HUB_OFFLINE="1",
                PYTHONPATH=os.pathsep.join(filter(None, [
                    str(Path(__file__).resolve().parents[2]), os.environ.get("PYTHONPATH")])))
