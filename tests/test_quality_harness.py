"""bench/quality.py end to end on the tiny catalogue-v2-shaped models: a line-aligned
test set goes through the real service path, every direction whose models are local is
scored by sacrebleu, the others are skipped with the reason."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

sacrebleu = pytest.importorskip("sacrebleu")

REPO = Path(__file__).resolve().parent.parent
NTREX = REPO.parent / "shared" / "data" / "ntrex128"
FILES = {"en": "eng.txt", "uk": "ukr.txt", "ru": "rus.txt", "ko": "kor.txt"}
LINES = 4


def _test_set(folder: Path) -> Path:
    """The first lines of NTREX-128 (or, without it, of the tiny corpus) per language."""
    folder.mkdir()
    for lang, name in FILES.items():
        if (NTREX / name).is_file():
            lines = (NTREX / name).read_text("utf-8").splitlines()[:LINES]
        else:
            lines = [f"{lang} line {i}." for i in range(LINES)]
        (folder / name).write_text("\n".join(lines) + "\n", "utf-8")
    return folder


def _run(args: list[str], registry: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSROOM_")}
    env.update(NEWSROOM_REGISTRY=str(registry), NEWSROOM_MODELS_DIR=str(tmp_path / "pulled"),
               NEWSROOM_DEVICE="cpu", HF_HUB_OFFLINE="1")
    return subprocess.run([sys.executable, str(REPO / "bench" / "quality.py"), *args],
                          env=env, capture_output=True, text=True, timeout=900)


def test_every_local_direction_is_scored_by_sacrebleu_through_the_routes(
        tiny_tc_big_dir: Path, tmp_path: Path) -> None:
    # A copy without the en->ko model: directions that need it are skipped, by name.
    models = tmp_path / "models"
    shutil.copytree(tiny_tc_big_dir, models)
    shutil.rmtree(models / "tc-big-en-ko")
    data = _test_set(tmp_path / "data")
    hyps = tmp_path / "hyps"
    result = _run(["--data", str(data), "--hypotheses", str(hyps)],
                  models / "registry.yaml", tmp_path)
    assert result.returncode == 0, result.stderr
    (line,) = result.stdout.strip().splitlines()  # one JSON line
    report = json.loads(line)
    assert report["bench"] == "quality" and report["data"] == str(data)
    needs_en_ko = {"en-ko", "uk-ko", "ru-ko"}
    assert set(report["skipped"]) == needs_en_ko
    for direction in needs_en_ko:
        assert report["skipped"][direction].startswith("not local: tiny-tc-big-en-ko")
    expected = {f"{s}-{t}" for s in FILES for t in FILES if s != t} - needs_en_ko
    assert set(report["directions"]) == expected
    catalogue = yaml.safe_load((models / "registry.yaml").read_text("utf-8"))
    assert "tiny-tc-big-en-zle" in catalogue["models"]
    for direction, row in report["directions"].items():
        src, tgt = direction.split("-")
        assert row["lines"] == LINES and row["seconds"] > 0 and row["lines_per_second"] > 0
        assert row["load_and_warmup_seconds"] > 0
        assert row["kind"] == ("pivot" if "ko" in (src, tgt) and "en" not in (src, tgt)
                               else "direct")
        assert row["route"][0]["source"] == src and row["route"][-1]["target"] == tgt
        # The figures are sacrebleu's on the outputs the harness wrote.
        outputs = (hyps / f"{direction}.txt").read_text("utf-8").splitlines()
        references = (data / FILES[tgt]).read_text("utf-8").splitlines()
        assert len(outputs) == LINES
        assert row["chrf"] == round(sacrebleu.corpus_chrf(outputs, [references]).score, 2)
        assert row["bleu"] == round(sacrebleu.corpus_bleu(outputs, [references]).score, 2)
        assert row["chrf_signature"].startswith("nrefs:1|") and "version:" in row["chrf_signature"]


def test_unaligned_test_sets_are_refused_naming_the_counts(tiny_tc_big_dir: Path,
                                                          tmp_path: Path) -> None:
    data = _test_set(tmp_path / "data")
    (data / "kor.txt").write_text("하나\n", "utf-8")
    result = _run(["--data", str(data)], tiny_tc_big_dir / "registry.yaml", tmp_path)
    assert result.returncode == 1
    assert (f"quality: {data} is not line-aligned: lines per language "
            "{'en': 4, 'uk': 4, 'ru': 4, 'ko': 1}") in result.stderr
