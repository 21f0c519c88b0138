"""Every log line is printed once, as JSON, whichever library wrote it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# The warning huggingface_hub logs before each retry of a failed request, and one from
# transformers; both libraries install their own stderr handlers when imported.
EMIT = """
from service.logs import configure_logging
configure_logging("info", json_lines=True)
from huggingface_hub.utils import logging as hub_logging
hub_logging.get_logger("huggingface_hub.utils._http").warning("Retrying in 1s [Retry 1/5].")
from transformers.utils import logging as transformers_logging
transformers_logging.get_logger("transformers.modeling_utils").warning("weights not used")
"""


def test_library_warnings_are_printed_once_as_json() -> None:
    result = subprocess.run([sys.executable, "-c", EMIT], capture_output=True, text=True,
                            cwd=ROOT, check=True)
    lines = result.stderr.splitlines()
    records = [json.loads(line) for line in lines]  # no plain-text copy in between
    assert [(r["logger"], r["msg"]) for r in records] == [
        ("huggingface_hub.utils._http", "Retrying in 1s [Retry 1/5]."),
        ("transformers.modeling_utils", "weights not used")]
