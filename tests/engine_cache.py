"""Engines loaded once per test module, straight from the loader (no scheduler), for
tests of the engines themselves."""

from __future__ import annotations

from service.engines.base import Engine
from service.engines.loader import PlacementChooser, load_engine
from service.registry import Registry
from service.settings import Settings


class EngineCache:
    """``get(name)``: the catalogue model's engine, loaded on first use."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.registry = Registry.from_settings(settings)
        self._placement = PlacementChooser(settings)
        self._engines: dict[str, Engine] = {}

    def get(self, name: str) -> Engine:
        """The loaded engine of ``name``."""
        if name not in self._engines:
            self._engines[name] = load_engine(self.registry.get(name), self.settings,
                                              self._placement())
        return self._engines[name]

    def close(self) -> None:
        """Free every engine loaded so far."""
        for engine in self._engines.values():
            engine.close()
        self._engines.clear()
