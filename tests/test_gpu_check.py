"""scripts/gpu-check.sh on a machine it cannot use: one JSON line saying why, exit 3."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "gpu-check.sh"


def _run(env: dict[str, str]) -> tuple[int, dict]:
    result = subprocess.run(["bash", str(SCRIPT)], env=env, capture_output=True, text=True,
                            timeout=120)
    lines = result.stdout.splitlines()
    assert len(lines) == 1, result.stdout + result.stderr
    return result.returncode, json.loads(lines[0])


@pytest.mark.skipif(shutil.which("nvidia-smi") is not None, reason="this machine has a driver")
def test_without_a_driver_it_says_so() -> None:
    code, line = _run(dict(os.environ, PYTHON=sys.executable))
    assert code == 3
    assert line == {"check": "gpu", "passed": False, "gpu": None,
                    "reason": "no NVIDIA GPU: nvidia-smi is not installed (no NVIDIA driver "
                              "on this machine)"}


def test_with_a_gpu_but_the_cpu_build_of_torch_it_says_so(tmp_path: Path) -> None:
    import torch

    if torch.cuda.is_available():
        pytest.skip("torch sees a CUDA device here")
    fake = tmp_path / "nvidia-smi"  # a driver reporting one GPU
    fake.write_text("#!/bin/sh\necho 'NVIDIA H200, 143771 MiB, 570.86'\n")
    fake.chmod(0o755)
    env = dict(os.environ, PYTHON=sys.executable, PATH=f"{tmp_path}:{os.environ['PATH']}")
    code, line = _run(env)
    assert code == 3 and line["gpu"] is None
    assert line["reason"].startswith("torch sees no CUDA device (")
    assert "install a CUDA build first" in line["reason"]
