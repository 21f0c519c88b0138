"""Structured JSON logging (one JSON object per line) for the service and CLI."""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import Any

_STANDARD = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """Render a record and its ``extra=`` fields as one JSON line."""

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
                  + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                payload[key] = value
        if record.exc_info:
            payload["exc"] = self.formatException(record.exc_info)
        return json.dumps(payload, ensure_ascii=False, default=str)


def configure_logging(level: str = "info", json_lines: bool = True) -> None:
    """Send logs to stderr, as JSON lines or plain text."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if json_lines
                         else logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    route_library_logs_to_root()
    # Hugging Face libraries are chatty at INFO (progress bars, weight loading).
    for noisy in ("transformers", "huggingface_hub", "httpx", "filelock"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))


def route_library_logs_to_root() -> None:
    """Make every Hugging Face log line go through the root handler, once.

    huggingface_hub adds a plain ``StreamHandler`` to its ``huggingface_hub`` logger
    when imported *and* lets records propagate to the root: each of its warnings (its
    "Retrying in 1s [Retry 1/5]" among them) was printed twice, once plain and once as
    JSON. transformers adds its own handler and stops propagation, so its warnings were
    printed plain only. Both libraries' handlers go; propagation stays on."""
    try:
        import huggingface_hub.utils.logging  # noqa: F401  (adds its handler on import)
    except ImportError:
        pass
    try:
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_default_handler()
        transformers_logging.enable_propagation()
    except ImportError:
        pass
    for name in ("huggingface_hub", "transformers"):
        library = logging.getLogger(name)
        library.handlers[:] = []
        library.propagate = True


def quiet_hf_progress() -> None:
    """Silence transformers' progress bars and advisory warnings on the CLI."""
    import os
    import warnings

    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_NO_ADVISORY_WARNINGS", "1")
    warnings.filterwarnings("ignore", message="Recommended: pip install sacremoses")
    try:
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        hf_logging.set_verbosity_error()
    except ImportError:
        pass
