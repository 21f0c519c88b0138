"""The model catalogue (``models/registry.yaml``) and routing of (task, source, target)
to models.

Routing for a translation direction prefers, in order:

1. ``direct``: an enabled model that lists the direction in ``directions``
   (Marian one-model-per-direction, or a multilingual model named the default for it);
2. ``multilingual``: an enabled model whose ``languages`` contain both languages;
3. ``pivot``: source -> English -> target, each leg resolved by rules 1-2.

The chosen :class:`Route` is reported to clients so they always know which models
produced a text.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from service.errors import InvalidInput, NoRoute

Family = Literal["marian", "m2m100", "nllb", "mt5", "t5", "bart", "mbart", "qwen3",
                 "deberta-v2"]
PIVOT_LANGUAGE = "en"
#: Decoder-only instruction models: prompted through a chat template, not fed raw text.
INSTRUCTION_FAMILIES: frozenset[str] = frozenset({"qwen3"})


class ModelEntry(BaseModel):
    """One catalogue entry."""

    model_config = ConfigDict(extra="forbid")

    name: str
    hub_id: str | None = None
    revision: str = "main"
    path: str | None = Field(default=None, description="Local folder (relative to the registry).")
    family: Family
    #: ``nli``: a premise/hypothesis classifier (the summaries' faithfulness check).
    task: Literal["translate", "summarize", "nli"]
    directions: list[str] = Field(default_factory=list)
    languages: list[str] = Field(default_factory=list)
    licence: str
    commercial: bool = True
    enabled: bool = True
    engine: Literal["transformers", "ctranslate2"] | None = None
    ct2_path: str | None = Field(default=None, description="Converted CTranslate2 folder.")
    max_input_tokens: int | None = None
    prefix: str = ""
    generation: dict[str, Any] = Field(default_factory=dict)
    #: Folder of the registry file, for resolving relative paths (set by the loader).
    base_dir: Path = Path(".")

    @field_validator("directions")
    @classmethod
    def _directions(cls, value: list[str]) -> list[str]:
        for direction in value:
            parts = direction.split("-")
            if len(parts) != 2 or not all(parts):
                raise ValueError(f"direction '{direction}' must look like 'en-uk'")
        return [d.lower() for d in value]

    def pairs(self) -> list[tuple[str, str]]:
        """Directions as (source, target) tuples."""
        return [tuple(d.split("-")) for d in self.directions]  # type: ignore[misc]

    def serves_direct(self, src: str, tgt: str) -> bool:
        return f"{src}-{tgt}" in self.directions

    def serves_multilingual(self, src: str, tgt: str) -> bool:
        return src in self.languages and tgt in self.languages and src != tgt

    @property
    def instruction(self) -> bool:
        """Whether this is a decoder-only instruction model (prompted via chat template)."""
        return self.family in INSTRUCTION_FAMILIES

    def local_path(self) -> Path | None:
        """Absolute local folder given by ``path``, if any."""
        if self.path is None:
            return None
        candidate = Path(self.path).expanduser()
        return candidate if candidate.is_absolute() else (self.base_dir / candidate).resolve()


@dataclass(frozen=True)
class RouteStep:
    """One model call: ``model`` translates ``source`` -> ``target``."""

    model: str
    source: str
    target: str


@dataclass(frozen=True)
class Route:
    """How a direction is served: ``kind`` is direct, multilingual or pivot."""

    kind: Literal["direct", "multilingual", "pivot", "identity"]
    steps: tuple[RouteStep, ...]

    def describe(self) -> list[dict[str, str]]:
        """JSON-ready list of steps."""
        return [{"model": s.model, "source": s.source, "target": s.target} for s in self.steps]

    @property
    def models(self) -> list[str]:
        return [s.model for s in self.steps]


class Registry:
    """The loaded catalogue, filtered by licence and opt-in settings."""

    def __init__(self, entries: Iterable[ModelEntry], *, path: Path | None = None,
                 allow_non_commercial: bool = False,
                 enable_models: Sequence[str] = ()) -> None:
        self.path = path
        self._all = {e.name: e for e in entries}
        self.allow_non_commercial = allow_non_commercial
        self.enable_models = set(enable_models)

    # --- loading --------------------------------------------------------------
    @classmethod
    def load(cls, path: Path, *, allow_non_commercial: bool = False,
             enable_models: Sequence[str] = ()) -> Registry:
        """Parse and validate a catalogue file; raise :class:`InvalidInput` on errors."""
        try:
            raw = yaml.safe_load(Path(path).read_text("utf-8"))
        except FileNotFoundError as exc:
            raise InvalidInput(f"Model catalogue not found: {path}", field="registry") from exc
        except yaml.YAMLError as exc:
            raise InvalidInput(f"Model catalogue {path} is not valid YAML: {exc}",
                               field="registry") from exc
        if not isinstance(raw, dict) or not isinstance(raw.get("models"), dict):
            raise InvalidInput(f"Model catalogue {path} needs a 'models:' mapping",
                               field="registry")
        entries = []
        base_dir = Path(path).resolve().parent
        for name, body in raw["models"].items():
            try:
                entries.append(ModelEntry(name=name, base_dir=base_dir, **(body or {})))
            except (ValidationError, TypeError) as exc:
                raise InvalidInput(f"Model catalogue {path}: entry '{name}' is invalid: {exc}",
                                   field="registry") from exc
        return cls(entries, path=Path(path), allow_non_commercial=allow_non_commercial,
                   enable_models=enable_models)

    @classmethod
    def from_settings(cls, settings: Any) -> Registry:
        """Load the catalogue the settings point at."""
        return cls.load(settings.registry, allow_non_commercial=settings.allow_non_commercial,
                        enable_models=getattr(settings, "enable_models", ()))

    # --- queries --------------------------------------------------------------
    def all_entries(self) -> list[ModelEntry]:
        """Every entry, usable or not (for listings)."""
        return list(self._all.values())

    def get(self, name: str) -> ModelEntry:
        """Entry by name; :class:`InvalidInput` listing known names otherwise."""
        try:
            return self._all[name]
        except KeyError:
            known = ", ".join(sorted(self._all))
            raise InvalidInput(f"Unknown model '{name}'; known models: {known}",
                               field="model") from None

    def usable(self, entry: ModelEntry) -> bool:
        """Whether routing may pick ``entry`` under the licence and opt-in settings."""
        if not entry.enabled and entry.name not in self.enable_models:
            return False
        return entry.commercial or self.allow_non_commercial

    def why_unusable(self, entry: ModelEntry) -> str | None:
        """Human reason an entry is skipped by routing, or ``None``."""
        if not entry.enabled and entry.name not in self.enable_models:
            return f"opt-in: set NEWSROOM_ENABLE_MODELS={entry.name}"
        if not entry.commercial and not self.allow_non_commercial:
            return (f"licence {entry.licence} is non-commercial: set "
                    "NEWSROOM_ALLOW_NON_COMMERCIAL=true")
        return None

    def _usable(self, task: str) -> list[ModelEntry]:
        return [e for e in self._all.values() if e.task == task and self.usable(e)]

    def _one_leg(self, src: str, tgt: str) -> tuple[str, ModelEntry] | None:
        candidates = self._usable("translate")
        # Entries that name the direction come first (a direct Marian model, or the
        # multilingual model chosen as default for it), then any multilingual model.
        for entry in candidates:
            if entry.serves_direct(src, tgt):
                return ("multilingual" if entry.languages else "direct"), entry
        for entry in candidates:
            if entry.serves_multilingual(src, tgt):
                return "multilingual", entry
        return None

    def route_translation(self, src: str, tgt: str) -> Route:
        """The route for ``src`` -> ``tgt``; :class:`NoRoute` if none exists."""
        if src == tgt:
            return Route("identity", ())
        leg = self._one_leg(src, tgt)
        if leg is not None:
            kind, entry = leg
            return Route(kind, (RouteStep(entry.name, src, tgt),))  # type: ignore[arg-type]
        if PIVOT_LANGUAGE not in (src, tgt):
            first = self._one_leg(src, PIVOT_LANGUAGE)
            second = self._one_leg(PIVOT_LANGUAGE, tgt)
            if first is not None and second is not None:
                return Route("pivot", (RouteStep(first[1].name, src, PIVOT_LANGUAGE),
                                       RouteStep(second[1].name, PIVOT_LANGUAGE, tgt)))
        raise NoRoute(f"No model in the catalogue translates {src} -> {tgt} "
                      f"(directly, multilingually or through {PIVOT_LANGUAGE}).",
                      field="target")

    def summarizer_for(self, lang: str, preferred: str | None = None) -> ModelEntry | None:
        """A usable summarisation model for ``lang`` (one listing it), or ``None``:
        ``preferred`` (NEWSROOM_SUMMARY_MODEL) when it serves ``lang``, else the first
        in catalogue order."""
        if preferred:
            entry = self.get(preferred)
            if entry.task == "summarize" and self.usable(entry) and lang in entry.languages:
                return entry
        for entry in self._usable("summarize"):
            if lang in entry.languages:
                return entry
        return None

    def nli_model(self, preferred: str | None = None) -> ModelEntry | None:
        """The usable NLI model for faithfulness checks: ``preferred`` or the first."""
        if preferred:
            entry = self.get(preferred)
            return entry if entry.task == "nli" and self.usable(entry) else None
        usable = self._usable("nli")
        return usable[0] if usable else None

    def summarizers(self) -> list[ModelEntry]:
        """Every usable summarisation model."""
        return self._usable("summarize")

    def translation_targets(self, src: str, languages: Sequence[str]) -> list[str]:
        """Languages ``src`` can be translated into (any route)."""
        targets = []
        for tgt in languages:
            if tgt == src:
                continue
            try:
                self.route_translation(src, tgt)
            except NoRoute:
                continue
            targets.append(tgt)
        return targets

    def default_models(self, languages: Sequence[str]) -> list[str]:
        """Models needed to serve every direction among ``languages`` (for preloading)."""
        names: list[str] = []
        for src in languages:
            for tgt in languages:
                if src == tgt:
                    continue
                try:
                    route = self.route_translation(src, tgt)
                except NoRoute:
                    continue
                for model in route.models:
                    if model not in names:
                        names.append(model)
        return names
