"""Settings that contradict each other: refused (naming the values) when they cannot
work, logged as a warning at start-up when they merely defeat each other."""

from __future__ import annotations

import logging

import pytest
from pydantic import ValidationError

from service.settings import Settings
from service.workflows.runtime import Runtime


def test_impossible_combinations_are_refused_naming_the_values(tiny_settings) -> None:
    with pytest.raises(ValidationError) as info:
        Settings(registry=tiny_settings.registry, max_batch_items=64, max_queue_items=32)
    assert ("contradictory settings: max_queue_items=32 is below max_batch_items=64: no "
            "batch could ever be full") in str(info.value)
    with pytest.raises(ValidationError, match=r"model_retry_backoff_s=90.0 exceeds "
                                              r"model_retry_backoff_max_s=60.0"):
        Settings(registry=tiny_settings.registry, model_retry_backoff_s=90)


async def test_defeating_combinations_are_warned_about_at_start_up(
        tiny_settings, caplog: pytest.LogCaptureFixture) -> None:
    settings = Settings(registry=tiny_settings.registry, models_dir=tiny_settings.models_dir,
                        max_batch_items=8, bulk_batch_items_while_interactive=8,
                        max_chars_per_text=300_000)
    with caplog.at_level(logging.WARNING, logger="service.settings"):
        runtime = Runtime(settings)
    await runtime.close()
    warnings = [r.getMessage() for r in caplog.records if r.name == "service.settings"]
    assert warnings == [
        "settings contradict each other: max_chars_per_text=300000 exceeds "
        "max_chars_per_request=200000: the request limit applies first",
        "settings contradict each other: bulk_batch_items_while_interactive=8 is not "
        "below max_batch_items=8: bulk batches are never shortened for interactive "
        "requests"]


def test_the_defaults_do_not_contradict_each_other(tiny_settings) -> None:
    assert Settings(registry=tiny_settings.registry).contradictions() == []
