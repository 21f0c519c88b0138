"""Locate the command-line checkers the ``dev`` extra installs."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path


def dev_tool(name: str) -> str:
    """Path of ``name`` next to this Python (its virtual environment) or on PATH.

    A missing tool is a failure, not a skip: the ``dev`` extra installs it, and CI must
    run these checks."""
    beside = Path(sys.executable).parent / name
    if beside.is_file():
        return str(beside)
    found = shutil.which(name)
    if found is None:
        raise AssertionError(f"{name} is not installed: pip install -e '.[dev]'")
    return found
