"""Optional folder output that mirrors the input tree.

For a record with id ``politics/2024/a.txt`` it writes, under the mirror root:

- ``politics/2024/a.txt.json``: the same object as the record's JSONL line;
- ``politics/2024/a.txt.summary.txt``: the summary, when there is one;
- ``politics/2024/a.uk.txt`` (``a.uk.html`` for HTML): each translation.

Each file is written to a temporary name and renamed, so a killed run leaves no
half-written file. The JSONL output stays the record of what is done; the mirror is
rewritten for records processed again.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path, PurePosixPath
from typing import Any

_UNSAFE = re.compile(r"[^\w.\-]+")


def mirror_path(root: Path, record_id: str) -> Path:
    """Where a record's files go: its id as a relative path, made safe (no absolute
    paths, no ``..``, odd characters replaced)."""
    parts = [_UNSAFE.sub("_", p) for p in PurePosixPath(record_id.replace("\\", "/")).parts
             if p not in ("", ".", "..", "/")]
    parts = [p if p.strip(".") else "_" for p in parts] or ["_"]
    return root.joinpath(*parts)


class MirrorWriter:
    """Writes each finished record's files under ``root``."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def write(self, record: dict[str, Any], fmt: str) -> None:
        """Write the record's JSON, summary and translations."""
        base = mirror_path(self.root, str(record["id"]))
        _atomic_write(base.with_name(base.name + ".json"),
                      json.dumps(record, ensure_ascii=False, indent=2) + "\n")
        summary = record.get("summary")
        if isinstance(summary, str):
            _atomic_write(base.with_name(base.name + ".summary.txt"), summary + "\n")
        suffix = ".html" if fmt == "html" else ".txt"
        stem = base.stem if base.suffix.lower() in (".txt", ".md", ".html", ".htm") \
            else base.name
        for lang, text in (record.get("translations") or {}).items():
            _atomic_write(base.with_name(f"{stem}.{lang}{suffix}"), text)


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
