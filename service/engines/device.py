"""Choose the device and dtype once per process: cuda (fp16/bf16) > mps > cpu (fp32)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Placement:
    """Where a model runs: torch device string and torch dtype name."""

    device: str
    dtype: str


def choose_placement(device: str = "auto", dtype: str = "auto") -> Placement:
    """Resolve ``auto`` settings against the hardware present.

    CUDA gets bfloat16 where the card supports it (Ampere+; no overflow on large
    activations), else float16. MPS gets float16. CPU gets float32: half precision on
    CPU is slower than fp32 in torch for seq2seq generation.
    """
    import torch

    if device == "auto":
        if torch.cuda.is_available():
            device = "cuda"
        elif getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
            device = "mps"
        else:
            device = "cpu"
    elif device == "cuda" and not torch.cuda.is_available():
        raise RuntimeError("NEWSROOM_DEVICE=cuda but torch sees no CUDA device")
    if dtype == "auto":
        if device.startswith("cuda"):
            dtype = "bfloat16" if torch.cuda.is_bf16_supported() else "float16"
        elif device == "mps":
            dtype = "float16"
        else:
            dtype = "float32"
    return Placement(device=device, dtype=dtype)


def torch_dtype(name: str) -> Any:
    """``"float16"`` -> ``torch.float16``."""
    import torch

    return getattr(torch, name)


def configure_threads(threads: int) -> None:
    """Set torch intra-op threads when asked (0 keeps torch's default = cores)."""
    if threads > 0:
        import torch

        torch.set_num_threads(threads)
