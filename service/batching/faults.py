"""Engine failures the scheduler treats specially."""

from __future__ import annotations

import sys


def is_out_of_memory(exc: BaseException) -> bool:
    """True for ``torch.cuda.OutOfMemoryError`` and the like, matched by class name so
    that this module needs no torch import."""
    return any(cls.__name__ == "OutOfMemoryError" for cls in type(exc).__mro__)


def release_accelerator_memory() -> None:
    """Return cached GPU memory after an OOM so the halves of a split batch have room."""
    torch = sys.modules.get("torch")
    if torch is not None and torch.cuda.is_available():
        torch.cuda.empty_cache()
