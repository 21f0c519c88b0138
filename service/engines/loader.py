"""Where a model's weights are and how an engine is built from them: the one place.

Where weights come from, in order: the entry's local ``path``; ``models/<name>/``
(what ``newsroom-mt models pull`` writes); the Hugging Face cache or Hub by
``hub_id`` + ``revision`` (``HF_HUB_OFFLINE=1`` keeps it to the cache). CTranslate2
entries are served from a converted folder next to those weights. A model that
cannot be had raises :class:`ModelUnavailable` naming the model and the pull command.

This module keeps no per-model state: the model handles (``service/serving/``) own
loaded engines, their load state and their errors.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

from service.engines.base import Engine
from service.engines.device import Placement, choose_placement, configure_threads
from service.errors import EngineNotInstalled, ModelNotLocal, ModelUnavailable
from service.registry import ModelEntry

log = logging.getLogger(__name__)

#: transformers' loading switches process-global state (meta-device initialisation,
#: default dtype): two loads in parallel threads corrupt each other ("Cannot copy out
#: of meta tensor"), so the process loads one model at a time.
_LOAD_LOCK = threading.Lock()


def pull_hint(entry: ModelEntry) -> str:
    """The command that makes ``entry`` available offline."""
    return f"newsroom-mt models pull {entry.name}"


def local_weights(entry: ModelEntry, models_dir: Path) -> Path | None:
    """The local folder holding ``entry``'s weights, if any."""
    explicit = entry.local_path()
    if explicit is not None:
        return explicit if explicit.is_dir() else None
    pulled = models_dir / entry.name
    if (pulled / "config.json").is_file():
        return pulled
    return None


def engine_kind(entry: ModelEntry, settings: Any) -> str:
    """Which engine serves ``entry``: its own setting, else the global one (NLI
    classifiers always run on transformers: CTranslate2 does not convert them)."""
    if entry.task == "nli":
        return "transformers"
    return entry.engine or settings.engine


def weights_available(entry: ModelEntry, settings: Any) -> bool:
    """Loadable without a network call (local folder, conversion or HF cache)."""
    models_dir = settings.resolved_models_dir()
    weights = local_weights(entry, models_dir)
    if engine_kind(entry, settings) == "ctranslate2":
        # Served from a converted folder; the original weights may be gone.
        from service.engines.ct2_convert import has_conversion

        return has_conversion(entry, weights, models_dir)
    if weights is not None:
        return True
    if entry.hub_id is None:
        return False
    try:
        from huggingface_hub import try_to_load_from_cache

        cached = try_to_load_from_cache(entry.hub_id, "config.json", revision=entry.revision)
    except Exception:  # a malformed cache must not break a request
        return False
    return isinstance(cached, str)


class PlacementChooser:
    """Device and dtype, chosen once per process on first load (thread-safe)."""

    def __init__(self, settings: Any) -> None:
        self._settings = settings
        self._placement: Placement | None = None
        self._lock = threading.Lock()

    def __call__(self) -> Placement:
        """The placement, choosing it (and torch's thread count) on first call."""
        with self._lock:
            if self._placement is None:
                self._placement = choose_placement(self._settings.device, self._settings.dtype)
                configure_threads(self._settings.threads)
            return self._placement


def load_engine(entry: ModelEntry, settings: Any, placement: Placement) -> Engine:
    """Build ``entry``'s engine (blocking; one load at a time per process).

    Raises :class:`ModelUnavailable` (or :class:`EngineNotInstalled`) with a message a
    client or operator can act on."""
    with _LOAD_LOCK:
        if engine_kind(entry, settings) == "ctranslate2":
            return _load_ct2(entry, settings, placement)
        return _load_transformers(entry, settings, placement)


def _load_transformers(entry: ModelEntry, settings: Any, placement: Placement) -> Engine:
    source: str | Path | None = local_weights(entry, settings.resolved_models_dir())
    if source is None:
        if entry.path is not None:
            raise ModelNotLocal(
                f"Model '{entry.name}' is not available: folder {entry.local_path()} "
                "does not exist.", field="model")
        source = entry.hub_id
    if source is None:
        raise ModelUnavailable(f"Model '{entry.name}' has neither a path nor a hub_id.",
                               field="model")
    if isinstance(source, str) and not settings.download_missing \
            and not weights_available(entry, settings):
        # Never make a request wait on a download (or on network retries): weights
        # come from `models pull`, the HF cache, or NEWSROOM_DOWNLOAD_MISSING=true.
        raise ModelNotLocal(
            f"Model '{entry.name}' ({entry.hub_id}) is not available locally (not in "
            f"{settings.resolved_models_dir() / entry.name} nor in the Hugging Face "
            f"cache). Pull it with: {pull_hint(entry)}", field="model")
    try:
        return _transformers_engine(entry, source, settings, placement)
    except (OSError, ValueError, ImportError) as exc:
        # huggingface_hub raises OSError subclasses (offline, missing repo, no
        # network); transformers raises ValueError/OSError for unusable folders.
        raise ModelUnavailable(
            f"Model '{entry.name}' ({entry.hub_id or entry.path}) is not available "
            f"locally and could not be loaded: {first_line(exc)}. "
            f"Pull it with: {pull_hint(entry)}", field="model") from exc


def _transformers_engine(entry: ModelEntry, source: str | Path, settings: Any,
                         placement: Placement) -> Engine:
    """The transformers engine class for the entry's kind of model."""
    from service.engines.transformers_engine import TransformersEngine

    if entry.instruction:
        from service.engines.causal_lm import CausalLMEngine, causal_dtype

        return CausalLMEngine.load(entry, source, placement,
                                   causal_dtype(placement, settings.dtype))
    if entry.task == "nli":
        from service.engines.nli import NLIEngine

        return NLIEngine.load(entry, source, placement)  # type: ignore[return-value]
    engine = TransformersEngine.load(entry, source, placement)
    # One bulk lane (torch's threads already use every core) plus the interactive lanes:
    # a headline runs beside a bulk batch instead of waiting for it (docs/engines.md).
    engine.parallel_batches = 1 + max(0, int(settings.interactive_lanes))
    return engine


def _load_ct2(entry: ModelEntry, settings: Any, placement: Placement) -> Engine:
    weights = local_weights(entry, settings.resolved_models_dir())
    try:
        from service.engines.ct2_engine import CTranslate2Engine
        if entry.instruction:
            from service.engines.ct2_generator import CTranslate2GeneratorEngine

            return CTranslate2GeneratorEngine.load_entry(entry, settings, placement, weights)
    except ImportError as exc:
        raise EngineNotInstalled(
            "The CTranslate2 engine is not installed: pip install 'newsroom-mt[ct2]' "
            "(or set NEWSROOM_ENGINE=transformers).", field="engine") from exc
    return CTranslate2Engine.load_entry(entry, settings, placement, weights)


def load_by_name(registry: Any, settings: Any, name: str) -> Engine:
    """Load catalogue entry ``name`` outside any server (benchmarks, tools, tests)."""
    return load_engine(registry.get(name), settings, PlacementChooser(settings)())


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message (the type name if it has none)."""
    text = str(exc).strip().splitlines()
    return text[0].rstrip(".") if text else type(exc).__name__
