"""The model catalogue (``models/registry.yaml``) and routing of (task, source, target)
to models.

Routing for a translation direction prefers, in order:

1. ``direct``: an enabled model that lists the direction in ``directions``
   (Marian one-model-per-direction, a multi-target Marian model with ``target_tokens``,
   or a multilingual model named the default for it). An opt-in entry the operator
   enabled (``NEWSROOM_ENABLE_MODELS``) comes before the defaults for its directions:
   enabling an alternative means wanting it used;
2. ``multilingual``: an enabled model whose ``languages`` contain both languages;
3. ``pivot``: source -> English -> target, each leg resolved by rules 1-2.

Entries also carry what users must be told about them: the licence and its
``attribution`` text, and the ``scores`` published for them (metric, test set, value,
source), shown by ``/v1/models`` and ``newsroom-mt models list``.

The chosen :class:`Route` is reported to clients so they always know which models
produced a text.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from service.errors import InvalidInput, NoRoute

Family = Literal["marian", "m2m100", "nllb", "mt5", "t5", "bart", "mbart", "qwen3",
                 "deberta-v2"]
PIVOT_LANGUAGE = "en"
#: Decoder-only instruction models: prompted through a chat template, not fed raw text.
INSTRUCTION_FAMILIES: frozenset[str] = frozenset({"qwen3"})


class PublishedScore(BaseModel):
    """A quality figure someone published for a model: never measured here."""

    model_config = ConfigDict(extra="forbid")

    direction: str = Field(description="'en-uk', or the pivot route it was computed for.")
    metric: str = Field(description="chrF, BLEU, COMET ...")
    test_set: str = Field(description="e.g. flores200-devtest")
    value: float
    source: str = Field(description="Where the figure comes from (file or page).")


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
    #: Padded tokens per batch for this model, instead of ``NEWSROOM_MAX_BATCH_TOKENS``
    #: (which is sized for sentences): summarisation prompts are ~1,500-2,500 tokens.
    max_batch_tokens: int | None = Field(default=None, ge=16)
    prefix: str = ""
    #: Multi-target models: the token that selects each target language, put at the
    #: start of every source (Opus-MT ``>>ukr<<``, MADLAD ``<2uk>``).
    target_tokens: dict[str, str] = Field(default_factory=dict)
    #: Text the licence requires to be shown with the model's output (CC-BY-4.0).
    attribution: str | None = None
    scores: list[PublishedScore] = Field(default_factory=list)
    #: Free-text reasons for the choice (shown in docs and listings).
    notes: str | None = None
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

    @field_validator("target_tokens")
    @classmethod
    def _target_tokens(cls, value: dict[str, str]) -> dict[str, str]:
        for lang, token in value.items():
            if not token.strip() or token != token.strip():
                raise ValueError(f"target token for '{lang}' must be a non-empty token "
                                 "without surrounding spaces")
        return {lang.lower(): token for lang, token in value.items()}

    @model_validator(mode="after")
    def _tokens_cover_targets(self) -> ModelEntry:
        # A multi-target model fed a source without a token picks a target by itself:
        # every direction it serves must say which token selects its target.
        if self.target_tokens:
            targets = {tgt for _, tgt in self.pairs()} | set(self.languages)
            missing = sorted(targets - set(self.target_tokens))
            if missing:
                raise ValueError(f"target_tokens has no token for target(s) "
                                 f"{', '.join(missing)} (from directions/languages)")
        return self

    def target_token(self, tgt: str | None) -> str | None:
        """The token that selects ``tgt`` (``None`` for single-target models).

        Raises :class:`InvalidInput` when the model is multi-target and ``tgt`` is not
        one of its targets: translating without the token would pick a language at
        random."""
        if not self.target_tokens:
            return None
        token = self.target_tokens.get(tgt or "")
        if token is None:
            known = ", ".join(sorted(self.target_tokens))
            raise InvalidInput(f"Model '{self.name}' cannot translate into '{tgt}'; its "
                               f"targets are: {known}", field="target")
        return token

    def source_prefix(self, tgt: str | None, task_prefix: str = "") -> str:
        """What goes before every source text: the target token (``">>ukr<< "``), then
        the task prefix (``"summarize: "``)."""
        token = self.target_token(tgt)
        return (f"{token} " if token else "") + (task_prefix or self.prefix)

    def counting_prefix(self) -> str:
        """The prefix to count source tokens with when the target is not known: every
        target token is one vocabulary entry, so any of them counts the same."""
        first = next(iter(self.target_tokens.values()), None)
        return (f"{first} " if first else "") + self.prefix

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
        # Opt-in entries the operator enabled first (stable sort keeps catalogue order).
        candidates = sorted(self._usable("translate"),
                            key=lambda e: e.enabled or e.name not in self.enable_models)
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
