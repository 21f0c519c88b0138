"""``newsroom-mt models convert`` and how the CTranslate2 engine finds what it wrote."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

pytest.importorskip("ctranslate2")

from service.cli.main import app  # noqa: E402
from service.engines.ct2_convert import (  # noqa: E402
    RECORD_FILE,
    find_conversions,
    has_conversion,
)
from service.registry import Registry  # noqa: E402


@pytest.fixture()
def models(tiny_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of two tiny models and a catalogue for them."""
    for key in list(os.environ):
        if key.startswith("NEWSROOM_"):
            monkeypatch.delenv(key, raising=False)
    out = tmp_path / "models"
    catalogue = yaml.safe_load((tiny_dir / "registry.yaml").read_text("utf-8"))
    keep = {"tiny-marian-en-uk", "tiny-marian-uk-en"}
    catalogue["models"] = {k: v for k, v in catalogue["models"].items() if k in keep}
    catalogue["models"]["opus-en-ko"] = {
        "hub_id": "Helsinki-NLP/opus-mt-en-ko", "family": "marian", "task": "translate",
        "directions": ["en-ko"], "licence": "apache-2.0"}
    for body in catalogue["models"].values():
        if "path" in body:
            shutil.copytree(tiny_dir / body["path"], out / body["path"])
    (out / "registry.yaml").write_text(yaml.safe_dump(catalogue), "utf-8")
    return out


def convert(models: Path, *args: str):
    return CliRunner().invoke(app, ["--registry", str(models / "registry.yaml"), "models",
                                    "convert", *args])


def test_convert_writes_a_self_contained_folder_next_to_the_model(models: Path) -> None:
    result = convert(models, "tiny-marian-en-uk", "--quantization", "float32")
    assert result.exit_code == 0, result.output
    folder = models / "marian-en-uk-ct2-float32"
    assert result.stdout.strip() == f"tiny-marian-en-uk: float32 -> {folder}"
    record = json.loads((folder / RECORD_FILE).read_text("utf-8"))
    assert (record["model"], record["family"], record["quantization"]) == (
        "tiny-marian-en-uk", "marian", "float32")
    assert record["max_positions"] == 128
    for name in ("model.bin", "source.spm", "target.spm", "vocab.json", "tokenizer_config.json"):
        assert (folder / name).is_file(), name
    entry = Registry.load(models / "registry.yaml").get("tiny-marian-en-uk")
    assert [c.path for c in find_conversions(entry, entry.local_path())] == [folder]


def test_convert_again_needs_force(models: Path) -> None:
    assert convert(models, "tiny-marian-en-uk", "-q", "int8").exit_code == 0
    again = convert(models, "tiny-marian-en-uk", "-q", "int8")
    folder = models / "marian-en-uk-ct2-int8"
    assert again.exit_code == 1
    assert again.stderr.splitlines() == [
        f"tiny-marian-en-uk: {folder} already exists; pass --force to convert again.",
        "error: 1 of 1 models could not be converted"]
    assert convert(models, "tiny-marian-en-uk", "-q", "int8", "--force").exit_code == 0


def test_unknown_quantization_is_a_usage_error(models: Path) -> None:
    result = convert(models, "tiny-marian-en-uk", "-q", "int4")
    assert result.exit_code == 2
    assert result.stderr.strip() == ("error: unknown quantization 'int4'; choose one of: "
                                     "int8, int8_float16, float16, float32")


def test_model_that_is_not_pulled_says_to_pull_it(models: Path) -> None:
    result = convert(models, "opus-en-ko")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "opus-en-ko: Model 'opus-en-ko' has no local weights to convert: pull it first "
        "with newsroom-mt models pull opus-en-ko")


def test_without_names_converts_every_local_model(models: Path) -> None:
    result = convert(models, "-q", "int8")
    assert result.exit_code == 0, result.output
    assert sorted((models).glob("*-ct2-int8")) == [models / "marian-en-uk-ct2-int8",
                                                   models / "marian-uk-en-ct2-int8"]


def test_a_folder_recorded_for_another_model_is_not_used(models: Path) -> None:
    assert convert(models, "tiny-marian-en-uk", "-q", "float32").exit_code == 0
    # Renamed to look like uk-en's conversion: the record still says en-uk.
    (models / "marian-en-uk-ct2-float32").rename(models / "marian-uk-en-ct2-float32")
    entry = Registry.load(models / "registry.yaml").get("tiny-marian-uk-en")
    assert find_conversions(entry, entry.local_path()) == []


def test_ct2_path_in_the_catalogue_names_the_folder(models: Path) -> None:
    assert convert(models, "tiny-marian-en-uk", "-q", "float32").exit_code == 0
    moved = models / "elsewhere"
    (models / "marian-en-uk-ct2-float32").rename(moved)
    catalogue = yaml.safe_load((models / "registry.yaml").read_text("utf-8"))
    catalogue["models"]["tiny-marian-en-uk"]["ct2_path"] = "elsewhere"
    (models / "registry.yaml").write_text(yaml.safe_dump(catalogue), "utf-8")
    entry = Registry.load(models / "registry.yaml").get("tiny-marian-en-uk")
    assert [(c.path, c.quantization) for c in find_conversions(entry, entry.local_path())] == [
        (moved, "float32")]


def test_conversion_is_found_after_the_original_weights_are_deleted(
        models: Path, tmp_path: Path) -> None:
    from engine_cache import EngineCache

    from service.engines.base import BatchKey
    from service.settings import Settings

    assert convert(models, "tiny-marian-en-uk", "-q", "int8").exit_code == 0
    shutil.rmtree(models / "marian-en-uk")
    registry = Registry.load(models / "registry.yaml")
    assert has_conversion(registry.get("tiny-marian-en-uk"), None, tmp_path / "pulled")
    assert not has_conversion(registry.get("tiny-marian-uk-en"), None, tmp_path / "pulled")
    settings = Settings(registry=models / "registry.yaml", models_dir=tmp_path / "pulled",
                        engine="ctranslate2")
    engine = EngineCache(settings).get("tiny-marian-en-uk")
    assert engine.kind == "ctranslate2"
    assert len(engine.generate(["Officials said the bridge would reopen."],
                               BatchKey("en", "uk"))) == 1
