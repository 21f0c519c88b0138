"""Batch test fixtures."""

from __future__ import annotations

import os

import pytest
from batch_helpers import ROOT


@pytest.fixture()
def batch_env(tiny_env: dict[str, str]) -> dict[str, str]:
    """Subprocess environment: tiny catalogue, short batching wait, project importable."""
    return dict(tiny_env, NEWSROOM_MAX_WAIT_MS="2", TOKENIZERS_PARALLELISM="false",
                PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT),
                                                         os.environ.get("PYTHONPATH")])))
