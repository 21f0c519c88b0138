"""Load each model once per process and hand out its engine.

Where weights come from, in order: the entry's local ``path``; ``models/<name>/``
(what ``newsroom-mt models pull`` writes); the Hugging Face cache or Hub by
``hub_id`` + ``revision`` (``HF_HUB_OFFLINE=1`` keeps it to the cache). A model that
cannot be had raises :class:`ModelUnavailable` naming the model and the pull command.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from service.engines.base import Engine
from service.engines.device import Placement, choose_placement, configure_threads
from service.errors import EngineNotInstalled, ModelUnavailable
from service.registry import ModelEntry, Registry

log = logging.getLogger(__name__)

_LOAD_LOCK = threading.Lock()
#: After a failed load, requests fail fast with the same error for this long.
FAILURE_TTL_S = 60.0


@dataclass(frozen=True)
class ModelStatus:
    """What ``/v1/models`` and ``models list`` show about one entry."""

    name: str
    loaded: bool
    local: bool
    device: str | None
    engine: str | None
    load_seconds: float | None
    error: str | None


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


class ModelManager:
    """Thread-safe, load-once cache of engines keyed by catalogue name."""

    def __init__(self, registry: Registry, settings: Any,
                 on_loaded: Callable[[str, float], None] | None = None) -> None:
        self.registry = registry
        self.settings = settings
        self._engines: dict[str, Engine] = {}
        self._load_seconds: dict[str, float] = {}
        self._errors: dict[str, str] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()
        self._placement: Placement | None = None
        self._failed_at: dict[str, tuple[float, str]] = {}
        self._on_loaded = on_loaded

    @property
    def placement(self) -> Placement:
        """Device and dtype, chosen once."""
        if self._placement is None:
            self._placement = choose_placement(self.settings.device, self.settings.dtype)
            configure_threads(self.settings.threads)
        return self._placement

    def is_loaded(self, name: str) -> bool:
        return name in self._engines

    def available(self, name: str) -> bool:
        """Loaded, or loadable without a network call (local folder or HF cache)."""
        if name in self._engines:
            return True
        entry = self.registry.get(name)
        models_dir = self.settings.resolved_models_dir()
        weights = local_weights(entry, models_dir)
        if self.engine_kind(entry) == "ctranslate2":
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

    def forget_failure(self, name: str) -> None:
        """Drop a remembered load failure (its weights have just been pulled)."""
        self._failed_at.pop(name, None)
        self._errors.pop(name, None)

    def loaded(self) -> dict[str, Engine]:
        """Engines loaded so far."""
        return dict(self._engines)

    def engine_kind(self, entry: ModelEntry) -> str:
        """Which engine serves ``entry``: its own setting, else the global one (NLI
        classifiers always run on transformers: CTranslate2 does not convert them)."""
        if entry.task == "nli":
            return "transformers"
        return entry.engine or self.settings.engine

    def get(self, name: str) -> Engine:
        """The engine for ``name``, loading it on first use (blocking)."""
        engine = self._engines.get(name)
        if engine is not None:
            return engine
        with self._guard:
            lock = self._locks.setdefault(name, threading.Lock())
        with lock:
            engine = self._engines.get(name)
            if engine is None:
                entry = self.registry.get(name)
                failed = self._failed_at.get(name)
                if failed is not None and time.monotonic() - failed[0] < FAILURE_TTL_S:
                    # Do not retry a failed download on every request (each try can
                    # take tens of seconds of network retries).
                    raise ModelUnavailable(failed[1], field="model")
                # transformers' loading switches process-global state (meta-device
                # initialisation, default dtype): two loads in parallel threads corrupt
                # each other ("Cannot copy out of meta tensor"), so load one at a time.
                with _LOAD_LOCK:
                    try:
                        engine = self._load(entry)
                    except ModelUnavailable as exc:
                        self._failed_at[name] = (time.monotonic(), exc.message)
                        raise
                    self._failed_at.pop(name, None)
                self._engines[name] = engine
            return engine

    def _load(self, entry: ModelEntry) -> Engine:
        started = time.perf_counter()
        kind = self.engine_kind(entry)
        try:
            if kind == "ctranslate2":
                engine = self._load_ct2(entry)
            else:
                engine = self._load_transformers(entry)
        except ModelUnavailable as exc:
            self._errors[entry.name] = exc.message
            raise
        elapsed = time.perf_counter() - started
        self._load_seconds[entry.name] = elapsed
        self._errors.pop(entry.name, None)
        log.info("model loaded", extra={"model": entry.name, "engine": kind,
                                        "device": engine.device, "seconds": round(elapsed, 3)})
        if self._on_loaded is not None:
            self._on_loaded(entry.name, elapsed)
        return engine

    def _load_transformers(self, entry: ModelEntry) -> Engine:

        source: str | Path | None = local_weights(entry, self.settings.resolved_models_dir())
        if source is None:
            if entry.path is not None:
                raise ModelUnavailable(
                    f"Model '{entry.name}' is not available: folder {entry.local_path()} "
                    "does not exist.", field="model")
            source = entry.hub_id
        if source is None:
            raise ModelUnavailable(f"Model '{entry.name}' has neither a path nor a hub_id.",
                                   field="model")
        if isinstance(source, str) and not self.settings.download_missing \
                and not self.available(entry.name):
            # Never make a request wait on a download (or on network retries): weights
            # come from `models pull`, the HF cache, or NEWSROOM_DOWNLOAD_MISSING=true.
            raise ModelUnavailable(
                f"Model '{entry.name}' ({entry.hub_id}) is not available locally (not in "
                f"{self.settings.resolved_models_dir() / entry.name} nor in the Hugging Face "
                f"cache). Pull it with: {pull_hint(entry)}", field="model")
        try:
            return self._transformers_engine(entry, source)
        except (OSError, ValueError, ImportError) as exc:
            # huggingface_hub raises OSError subclasses (offline, missing repo, no
            # network); transformers raises ValueError/OSError for unusable folders.
            raise ModelUnavailable(
                f"Model '{entry.name}' ({entry.hub_id or entry.path}) is not available "
                f"locally and could not be loaded: {_first_line(exc)}. "
                f"Pull it with: {pull_hint(entry)}", field="model") from exc

    def _transformers_engine(self, entry: ModelEntry, source: str | Path) -> Engine:
        """The transformers engine class for the entry's kind of model."""
        from service.engines.transformers_engine import TransformersEngine

        if entry.instruction:
            from service.engines.causal_lm import CausalLMEngine, causal_dtype

            return CausalLMEngine.load(entry, source, self.placement,
                                       causal_dtype(self.placement, self.settings.dtype))
        if entry.task == "nli":
            from service.engines.nli import NLIEngine

            return NLIEngine.load(entry, source, self.placement)  # type: ignore[return-value]
        return TransformersEngine.load(entry, source, self.placement)

    def _load_ct2(self, entry: ModelEntry) -> Engine:
        try:
            from service.engines.ct2_engine import CTranslate2Engine
            if entry.instruction:
                from service.engines.ct2_generator import CTranslate2GeneratorEngine

                return CTranslate2GeneratorEngine.load_entry(entry, self.settings,
                                                             self.placement)
        except ImportError as exc:
            raise EngineNotInstalled(
                "The CTranslate2 engine is not installed: pip install 'newsroom-mt[ct2]' "
                "(or set NEWSROOM_ENGINE=transformers).", field="engine") from exc
        return CTranslate2Engine.load_entry(entry, self.settings, self.placement)

    def status(self) -> list[ModelStatus]:
        """Status of every catalogue entry."""
        models_dir = self.settings.resolved_models_dir()
        rows = []
        for entry in self.registry.all_entries():
            engine = self._engines.get(entry.name)
            rows.append(ModelStatus(
                name=entry.name, loaded=engine is not None,
                local=local_weights(entry, models_dir) is not None,
                device=engine.device if engine is not None else None,
                engine=engine.kind if engine is not None else self.engine_kind(entry),
                load_seconds=self._load_seconds.get(entry.name),
                error=self._errors.get(entry.name)))
        return rows

    def close(self) -> None:
        """Release every engine."""
        for engine in self._engines.values():
            engine.close()
        self._engines.clear()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0].rstrip(".") if text else type(exc).__name__
