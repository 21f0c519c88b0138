"""Shared fixtures: tiny random-weight models of every family, built once per test
session through the real ``models tiny`` code and loaded through the real registry."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# Tests never reach the Hub: a model that is not local must fail fast and clearly.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
os.environ.setdefault("TRANSFORMERS_NO_ADVISORY_WARNINGS", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


@pytest.fixture(scope="session")
def tiny_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Folder with tiny models of each family and their ``registry.yaml``."""
    from service.tiny_models import write_tiny_models

    out = tmp_path_factory.mktemp("tiny-models")
    write_tiny_models(out)
    return out


@pytest.fixture(scope="session")
def tiny_tc_big_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Tiny models in catalogue v2's shape: multi-target Marian models whose vocabularies
    hold ``>>ukr<<``/``>>rus<<``/``>>bel<<``, Korean<->Slavic through English."""
    from service.tiny_models import write_tiny_models

    out = tmp_path_factory.mktemp("tiny-tc-big")
    write_tiny_models(out, layout="tc-big")
    return out


@pytest.fixture(scope="session")
def tiny_registry(tiny_dir: Path) -> Path:
    """Path of the tiny catalogue."""
    return tiny_dir / "registry.yaml"


@pytest.fixture()
def tiny_settings(tiny_registry: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Settings pointing at the tiny catalogue, isolated from the caller's NEWSROOM_* env."""
    from service.settings import Settings

    for key in list(os.environ):
        if key.startswith("NEWSROOM_"):
            monkeypatch.delenv(key, raising=False)
    return Settings(registry=tiny_registry, models_dir=tmp_path / "pulled", max_wait_ms=2.0)


@pytest.fixture()
def tiny_env(tiny_registry: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """Environment for subprocesses (CLI, server) that use the tiny catalogue."""
    for key in list(os.environ):
        if key.startswith("NEWSROOM_"):
            monkeypatch.delenv(key, raising=False)
    env = dict(os.environ, NEWSROOM_REGISTRY=str(tiny_registry), HF_HUB_OFFLINE="1")
    yield env
