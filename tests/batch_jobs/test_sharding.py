"""Sharding: N workers split any input exactly, the same way in every process."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from service.batch_jobs.sharding import Shard, shard_of

IDS = [f"2024/{month:02d}/story-{i}.txt" for month in range(1, 13) for i in range(40)] + \
    ["Київ", "서울", "москва", "7", ""]


@pytest.mark.parametrize("count", [1, 2, 3, 5, 8])
def test_shards_cover_every_id_exactly_once(count: int) -> None:
    owners = {record_id: [i for i in range(count) if Shard(i, count).owns(record_id)]
              for record_id in IDS}
    assert all(len(found) == 1 for found in owners.values())
    # Every shard gets a share (the hash spreads ids; 485 ids over <= 8 shards).
    assert {found[0] for found in owners.values()} == set(range(count))


def test_shard_of_does_not_depend_on_python_hash_seed() -> None:
    code = ("from service.batch_jobs.sharding import shard_of; "
            f"print([shard_of(i, 7) for i in {IDS[:50]!r}])")
    answers = set()
    for seed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                             text=True, check=True).stdout.strip()
        answers.add(out)
    assert answers == {str([shard_of(i, 7) for i in IDS[:50]])}


def test_parse() -> None:
    assert Shard.parse("2/5") == Shard(2, 5)
    assert Shard.parse(None) == Shard(0, 1)
    assert str(Shard.parse(" 0 / 4 ")) == "0/4"
    with pytest.raises(ValueError, match=r"^shard must look like i/N \(e.g. 0/4\), got 'x'$"):
        Shard.parse("x")
    with pytest.raises(ValueError, match=r"^shard index must be in 0..3, got 4$"):
        Shard.parse("4/4")
    with pytest.raises(ValueError, match="^shard count must be at least 1, got 0$"):
        Shard.parse("0/0")
