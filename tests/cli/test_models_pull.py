"""``newsroom-mt models pull`` without a reachable Hub: one probe, one message, exit 1."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from server_process import free_port

ROOT = Path(__file__).resolve().parents[2]


def test_pull_without_the_hub_fails_at_once_with_what_to_do(tmp_path: Path) -> None:
    endpoint = f"http://127.0.0.1:{free_port()}"  # nothing listens: like no route to the Hub
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("NEWSROOM_") and k != "HF_HUB_OFFLINE"}
    env.update(HF_ENDPOINT=endpoint, NEWSROOM_MODELS_DIR=str(tmp_path))
    result = subprocess.run([sys.executable, "-m", "service", "models", "pull"], cwd=ROOT,
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    errors = [line for line in lines if line.startswith("error: ")]
    assert len(errors) == 1 and len(lines) == 1, result.stderr  # said once, not logged too
    assert errors[0].startswith(f"error: The Hugging Face Hub cannot be reached at {endpoint}")
    for needed in ("HF_ENDPOINT", "HF_HUB_OFFLINE=1", "Air-gapped model supply"):
        assert needed in errors[0]
    assert "Retry" not in result.stderr and "could not be pulled" not in result.stderr
    assert len(lines) == len(set(lines)), "a line was printed twice"
    assert list(tmp_path.iterdir()) == []
