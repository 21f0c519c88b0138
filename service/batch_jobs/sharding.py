"""Deterministic sharding: worker ``i`` of ``N`` takes the records whose id hashes to
``i``. The hash is SHA-1 of the UTF-8 id (stable across processes, machines and Python
versions, unlike ``hash()``), so N workers with the same input cover it exactly: every
record lands in one shard and only one, whatever the order they read it in."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

_SPEC = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")


@dataclass(frozen=True)
class Shard:
    """Worker ``index`` (0-based) of ``count``."""

    index: int = 0
    count: int = 1

    def __post_init__(self) -> None:
        if self.count < 1 or not 0 <= self.index < self.count:
            raise ValueError(f"shard index must be in 0..{self.count - 1}, got {self.index}")

    @classmethod
    def parse(cls, spec: str | None) -> Shard:
        """``"i/N"`` (e.g. ``"0/4"``) -> Shard; None or empty -> the whole input."""
        if spec is None or not spec.strip():
            return cls()
        match = _SPEC.match(spec)
        if match is None:
            raise ValueError(f"shard must look like i/N (e.g. 0/4), got {spec!r}")
        index, count = int(match.group(1)), int(match.group(2))
        if count < 1:
            raise ValueError(f"shard count must be at least 1, got {count}")
        if index >= count:
            raise ValueError(f"shard index must be in 0..{count - 1}, got {index}")
        return cls(index, count)

    def owns(self, record_id: str) -> bool:
        """True when the record with ``record_id`` belongs to this shard."""
        return self.count == 1 or shard_of(record_id, self.count) == self.index

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


def shard_of(record_id: str, count: int) -> int:
    """The shard (0..count-1) that ``record_id`` belongs to."""
    digest = hashlib.sha1(record_id.encode("utf-8", "surrogatepass")).digest()
    return int.from_bytes(digest[:8], "big") % count
