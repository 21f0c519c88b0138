"""The catalogue: loading, validation, routing and licence filtering."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from service.errors import InvalidInput, NoRoute
from service.registry import Registry
from service.settings import default_registry_path

LANGS = ["en", "uk", "ru", "ko"]


def test_default_catalogue_routes_all_twelve_directions_with_commercial_models() -> None:
    registry = Registry.load(default_registry_path())
    expected_multilingual = {("en", "ko"), ("uk", "ko"), ("ru", "ko"), ("ko", "uk")}
    for src in LANGS:
        for tgt in LANGS:
            if src == tgt:
                continue
            route = registry.route_translation(src, tgt)
            (step,) = route.steps
            entry = registry.get(step.model)
            assert entry.commercial, (src, tgt, entry.name)
            if (src, tgt) in expected_multilingual:
                assert route.kind == "multilingual"
                assert entry.hub_id == "facebook/m2m100_418M"
            else:
                assert route.kind == "direct"
                assert entry.hub_id == f"Helsinki-NLP/opus-mt-{src}-{tgt}"
                assert entry.family == "marian"


def test_nllb_is_listed_but_opt_in_and_non_commercial() -> None:
    registry = Registry.load(default_registry_path())
    nllb = registry.get("nllb-200-distilled-600m")
    assert not nllb.commercial
    assert not registry.usable(nllb)
    assert "NEWSROOM_ENABLE_MODELS" in registry.why_unusable(nllb)
    opted = Registry.load(default_registry_path(), enable_models=["nllb-200-distilled-600m"])
    assert "NEWSROOM_ALLOW_NON_COMMERCIAL" in opted.why_unusable(nllb)
    both = Registry.load(default_registry_path(), enable_models=["nllb-200-distilled-600m"],
                         allow_non_commercial=True)
    assert both.usable(both.get("nllb-200-distilled-600m"))


def _write(tmp_path: Path, models: dict) -> Path:
    path = tmp_path / "registry.yaml"
    path.write_text(yaml.safe_dump({"version": 1, "models": models}), "utf-8")
    return path


def test_pivot_through_english_when_no_direct_or_multilingual_model(tmp_path: Path) -> None:
    marian = {"family": "marian", "task": "translate", "licence": "apache-2.0"}
    path = _write(tmp_path, {"a": dict(marian, directions=["uk-en"], path="a"),
                             "b": dict(marian, directions=["en-ko"], path="b")})
    route = Registry.load(path).route_translation("uk", "ko")
    assert route.kind == "pivot"
    assert [(s.model, s.source, s.target) for s in route.steps] == [
        ("a", "uk", "en"), ("b", "en", "ko")]
    with pytest.raises(NoRoute, match="No model in the catalogue translates ko -> uk"):
        Registry.load(path).route_translation("ko", "uk")


def test_local_path_is_resolved_relative_to_the_catalogue(tmp_path: Path) -> None:
    path = _write(tmp_path, {"m": {"family": "marian", "task": "translate", "licence": "mit",
                                   "directions": ["en-uk"], "path": "weights/m"}})
    assert Registry.load(path).get("m").local_path() == (tmp_path / "weights/m").resolve()


def test_invalid_catalogues_give_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="Model catalogue not found"):
        Registry.load(tmp_path / "missing.yaml")
    bad = _write(tmp_path, {"m": {"family": "marian", "task": "translate", "licence": "mit",
                                  "directions": ["english-to-ukrainian"]}})
    with pytest.raises(InvalidInput, match="entry 'm' is invalid"):
        Registry.load(bad)
    with pytest.raises(InvalidInput, match="Unknown model 'nope'; known models: m"):
        Registry.load(_write(tmp_path, {"m": {"family": "marian", "task": "translate",
                                              "licence": "mit"}})).get("nope")
