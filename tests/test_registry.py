"""The catalogue: loading, validation, routing and licence filtering."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from service.errors import InvalidInput, NoRoute
from service.registry import Registry
from service.settings import default_registry_path

LANGS = ["en", "uk", "ru", "ko"]


#: Catalogue v2's route per direction (docs/models.md gives the published scores and
#: the reasoning): tc-big models where they exist, Korean<->Slavic through English.
V2_ROUTES = {
    ("en", "uk"): ["opus-mt-tc-big-en-zle"], ("en", "ru"): ["opus-mt-tc-big-en-zle"],
    ("uk", "en"): ["opus-mt-tc-big-zle-en"], ("ru", "en"): ["opus-mt-tc-big-zle-en"],
    ("uk", "ru"): ["opus-mt-tc-big-zle-zle"], ("ru", "uk"): ["opus-mt-tc-big-zle-zle"],
    ("en", "ko"): ["opus-mt-tc-big-en-ko"], ("ko", "en"): ["opus-mt-tc-big-ko-en"],
    ("uk", "ko"): ["opus-mt-tc-big-zle-en", "opus-mt-tc-big-en-ko"],
    ("ru", "ko"): ["opus-mt-tc-big-zle-en", "opus-mt-tc-big-en-ko"],
    ("ko", "uk"): ["opus-mt-tc-big-ko-en", "opus-mt-tc-big-en-zle"],
    ("ko", "ru"): ["opus-mt-tc-big-ko-en", "opus-mt-tc-big-en-zle"],
}


def test_default_catalogue_routes_all_twelve_directions_with_commercial_models() -> None:
    registry = Registry.load(default_registry_path())
    for src in LANGS:
        for tgt in LANGS:
            if src == tgt:
                continue
            route = registry.route_translation(src, tgt)
            assert route.models == V2_ROUTES[(src, tgt)], (src, tgt)
            assert route.kind == ("pivot" if len(route.models) == 2 else "direct")
            for step in route.steps:
                entry = registry.get(step.model)
                assert entry.commercial and entry.family == "marian"
                assert entry.hub_id == f"Helsinki-NLP/{entry.name}"


def test_multi_target_defaults_name_the_target_token_for_each_direction() -> None:
    registry = Registry.load(default_registry_path())
    for name in ("opus-mt-tc-big-en-zle", "opus-mt-tc-big-zle-zle"):
        entry = registry.get(name)
        assert entry.target_tokens == {"uk": ">>ukr<<", "ru": ">>rus<<"}
        assert entry.source_prefix("uk") == ">>ukr<< "
        assert entry.source_prefix("ru") == ">>rus<< "
    single = registry.get("opus-mt-tc-big-en-ko")
    assert single.target_token("ko") is None and single.source_prefix("ko") == ""


def test_every_default_model_carries_attribution_and_published_scores() -> None:
    registry = Registry.load(default_registry_path())
    defaults = registry.default_models(LANGS)
    assert len(defaults) == 5
    for name in defaults:
        entry = registry.get(name)
        assert entry.licence == "cc-by-4.0"
        # CC-BY-4.0 requires attribution: the creator, the licence and a link.
        assert entry.attribution and "University of Helsinki" in entry.attribution
        assert "CC BY 4.0" in entry.attribution and entry.hub_id in entry.attribution
        served = {d for d in entry.directions}
        scored = {s.direction for s in entry.scores if s.metric == "chrF"}
        assert served <= scored, name
        for score in entry.scores:
            assert score.source and score.test_set.startswith("flores")


def test_previous_defaults_stay_as_opt_in_alternatives() -> None:
    registry = Registry.load(default_registry_path())
    for name in ("opus-mt-en-uk", "opus-mt-uk-en", "opus-mt-en-ru", "opus-mt-ru-en",
                 "opus-mt-ru-uk", "opus-mt-uk-ru", "opus-mt-ko-en", "opus-mt-ko-ru",
                 "m2m100-418m", "m2m100-1.2b", "madlad400-3b-mt"):
        entry = registry.get(name)
        assert entry.commercial and not registry.usable(entry), name
        assert entry.attribution, name
    # Enabling an alternative makes routing use it for its directions.
    opted = Registry.load(default_registry_path(), enable_models=["opus-mt-en-uk"])
    assert opted.route_translation("en", "uk").models == ["opus-mt-en-uk"]
    assert opted.route_translation("en", "ru").models == ["opus-mt-tc-big-en-zle"]
    # Enabled, M2M100 serves Korean<->Slavic directly instead of the pivot.
    m2m = Registry.load(default_registry_path(), enable_models=["m2m100-418m"])
    route = m2m.route_translation("uk", "ko")
    assert (route.kind, route.models) == ("multilingual", ["m2m100-418m"])
    assert m2m.route_translation("en", "uk").models == ["opus-mt-tc-big-en-zle"]


def test_target_tokens_must_cover_every_target(tmp_path: Path) -> None:
    entry = {"family": "marian", "task": "translate", "licence": "cc-by-4.0",
             "directions": ["en-uk", "en-ru"], "target_tokens": {"uk": ">>ukr<<"}}
    with pytest.raises(InvalidInput, match="target_tokens has no token for target"
                                           r"\(s\) ru"):
        Registry.load(_write(tmp_path, {"m": entry}))
    entry["target_tokens"] = {"uk": ">>ukr<<", "ru": " >>rus<<"}
    with pytest.raises(InvalidInput, match="target token for 'ru' must be a non-empty token"):
        Registry.load(_write(tmp_path, {"m": entry}))
    entry["target_tokens"] = {"uk": ">>ukr<<", "ru": ">>rus<<"}
    loaded = Registry.load(_write(tmp_path, {"m": entry})).get("m")
    with pytest.raises(InvalidInput, match="Model 'm' cannot translate into 'ko'; its "
                                           "targets are: ru, uk"):
        loaded.target_token("ko")


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


def test_notice_lists_every_default_model_with_its_licence() -> None:
    notice = (Path(__file__).resolve().parent.parent / "NOTICE").read_text("utf-8")
    registry = Registry.load(default_registry_path())
    for name in registry.default_models(LANGS):
        assert f"- {name} (" in notice, name
    assert "CC BY 4.0" in notice


def test_docs_models_table_names_each_directions_route() -> None:
    """docs/models.md's table must stay true to the catalogue's routes."""
    import re

    docs = (Path(__file__).resolve().parent.parent / "docs" / "models.md").read_text("utf-8")
    registry = Registry.load(default_registry_path())
    rows = {}
    for line in docs.splitlines():
        match = re.match(r"\| (\w\w)->(\w\w) \| ([^|]+) \|", line)
        if match:
            rows[(match.group(1), match.group(2))] = match.group(3)
    assert len(rows) == 12
    for (src, tgt), cell in rows.items():
        named = ["opus-mt-tc-big-" + m for m in re.findall(r"(?:opus-mt-tc-big-)?"
                                                           r"\b((?:en|zle|ko)-(?:en|zle|ko))\b",
                                                           cell)]
        assert named == registry.route_translation(src, tgt).models, (src, tgt, cell)
