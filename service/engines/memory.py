"""How much memory a loaded engine's weights take, for the model memory budget.

Every engine kind is measured the same way from what it holds, so no engine needs to
report it: torch models by their parameters and buffers as loaded (dtype included);
CTranslate2 models by the size of ``model.bin`` scaled from the stored quantization to
the compute type they were loaded with. Activations, caches and tokenizers are not
counted: the budget bounds the weights, which dominate and do not change while serving.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

#: Bytes per weight of each CTranslate2 type (int8 variants keep their non-quantized
#: layers in the second type, a small share of a Transformer's weights).
_CT2_WEIGHT_BYTES = {"int8": 1, "int8_float32": 1, "int8_float16": 1, "int8_bfloat16": 1,
                     "float16": 2, "bfloat16": 2, "float32": 4}


def torch_weights_bytes(model: Any) -> int:
    """Bytes of a torch model's parameters and buffers as loaded."""
    tensors = list(model.parameters()) + list(model.buffers())
    return int(sum(t.numel() * t.element_size() for t in tensors))


def ct2_weights_bytes(folder: Path, compute_type: str) -> int:
    """Approximate bytes of a converted model loaded with ``compute_type``: ``model.bin``
    scaled from the quantization recorded at conversion (an int8 file loaded as float32
    takes about four times its size)."""
    from service.engines.ct2_convert import ConversionRecord

    try:
        size = (folder / "model.bin").stat().st_size
    except OSError:
        return 0
    record = ConversionRecord.read(folder)
    stored = _CT2_WEIGHT_BYTES.get(record.quantization if record else "", 0)
    wanted = _CT2_WEIGHT_BYTES.get(compute_type, 0)
    return int(size * wanted / stored) if stored and wanted else size


def engine_memory_bytes(engine: Any) -> int:
    """Bytes the engine's weights take (0 when it holds nothing measurable)."""
    model = getattr(engine, "model", None)
    if model is not None and hasattr(model, "parameters"):
        return torch_weights_bytes(model)
    path, compute_type = getattr(engine, "path", None), getattr(engine, "compute_type", None)
    if isinstance(path, Path) and isinstance(compute_type, str):
        return ct2_weights_bytes(path, compute_type)
    return 0
