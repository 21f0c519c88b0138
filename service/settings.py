"""One settings object for every knob: environment variables (prefix ``NEWSROOM_``),
overridden by CLI flags (passed as init keyword arguments).

Nothing reads the environment at import time: call :func:`load_settings` (or build
``Settings(...)``) where the program starts, and pass the object down.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from typing_extensions import Annotated

#: Repository root when running from a checkout or an editable install.
_PROJECT_ROOT = Path(__file__).resolve().parent.parent


def default_registry_path() -> Path:
    """``./models/registry.yaml`` if present, else the catalogue next to the package."""
    local = Path("models/registry.yaml")
    if local.is_file():
        return local.resolve()
    return _PROJECT_ROOT / "models" / "registry.yaml"


def _split_csv(value: Any) -> Any:
    """Accept ``"a,b"`` from the environment as well as real lists."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


class Settings(BaseSettings):
    """Every configurable knob of newsroom-mt."""

    model_config = SettingsConfigDict(env_prefix="NEWSROOM_", extra="ignore")

    # --- catalogue and models -------------------------------------------------
    registry: Path = Field(default_factory=default_registry_path,
                           description="Model catalogue (YAML).")
    models_dir: Path | None = Field(
        default=None,
        description="Where `models pull` stores weights; default: the registry's folder.")
    languages: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["en", "uk", "ru", "ko"],
        description="Languages this deployment serves (comma-separated in env).")
    allow_non_commercial: bool = Field(
        default=False, description="Allow models whose licence forbids commercial use.")
    enable_models: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Opt-in catalogue entries to enable (comma-separated).")
    download_missing: bool = Field(
        default=False, description="Download a model from the Hub on first use when it is "
                                   "neither pulled nor cached (off: fail fast with the pull "
                                   "command).")
    preload: bool = Field(default=False, description="Load the required models at start-up.")
    model_memory_budget_mib: float = Field(
        default=0, ge=0, description="Total memory the loaded models' weights may take "
        "(MiB; 0 = no limit). Past it, the least recently used models with no work queued "
        "are unloaded (they load again on their next use).")
    pull: bool = Field(
        default=False, description="serve: pull the default catalogue's missing models from "
                                   "the Hub in the background while serving (one Hub probe "
                                   "first; each model is usable as it lands).")
    required_models: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Models /readyz waits for (comma-separated); empty = every default model "
                    "when preload is on, none otherwise.")

    # --- engine ---------------------------------------------------------------
    engine: Literal["transformers", "ctranslate2"] = Field(
        default="transformers", description="Default engine; a registry entry may override it.")
    device: Literal["auto", "cpu", "cuda", "mps"] = "auto"
    dtype: Literal["auto", "float32", "float16", "bfloat16"] = "auto"
    ct2_compute_type: str = Field(
        default="auto", description="CTranslate2 compute type (auto: int8 on CPU, "
                                    "int8_float16 on CUDA).")
    threads: int = Field(default=0, description="Intra-op threads per batch (0 = auto: "
                         "CTranslate2 the usable cores divided among its batch lanes, torch "
                         "its own default).")
    ct2_inter_threads: int = Field(
        default=0, ge=0, description="CTranslate2 batch lanes: batches one model runs at once, "
        "each on its own translator (0 = auto: one per usable core on a CPU, one on CUDA). "
        "The interactive lanes come on top.")

    # --- batching -------------------------------------------------------------
    max_batch_items: int = Field(default=32, ge=1)
    max_batch_tokens: int = Field(default=4096, ge=16)
    max_wait_ms: float = Field(default=10.0, ge=0)
    batch_regroup_ms: float = Field(
        default=300.0, ge=0, description="After a batch, wait up to this long for the callers "
        "it answered to send their next input, when they would fill the next batch (the wait "
        "ends sooner once they are back and pause for 100 ms).")
    max_queue_items: int = Field(default=4096, ge=1,
                                 description="Queued sentences per model before 429/503.")
    interactive_max_chars: int = Field(
        default=1000, ge=0, description="Requests up to this many characters are "
        "interactive: served before bulk work and never batched with it.")
    bulk_batch_items_while_interactive: int = Field(
        default=8, ge=0, description="While interactive requests are arriving, bulk batches "
        "hold at most this many items, so an interactive request never waits behind a long "
        "batch (0 = off: full bulk batches always). Applies to models without an "
        "interactive lane (interactive_lanes=0, instruction models); lanes make it "
        "unnecessary.")
    interactive_lanes: int = Field(
        default=1, ge=0, description="Extra batch lanes (CTranslate2 translators, or concurrent "
        "transformers generate calls) kept for interactive requests, so a headline never "
        "waits for a bulk batch to end (0 = none).")
    max_batch_seconds: float = Field(
        default=15.0, ge=0, description="No batch is planned to run longer than this, by the "
        "scheduler's calibrated estimate (0 = no cap; deadlines still bound every batch). "
        "Long beam-search outputs on a CPU decode faster in small batches on parallel lanes.")
    bulk_batch_seconds_while_interactive: float = Field(
        default=0.0, ge=0, description="While interactive requests are arriving, bulk batches "
        "are planned to run at most this long (0 = off).")
    request_timeout_s: float = Field(
        default=120.0, gt=0, description="One deadline per request, set when it arrives "
        "and shared by every stage (detection, each model step, map-reduce rounds).")
    text_workers: int = Field(
        default=0, ge=0, description="Threads for CPU text work off the event loop "
        "(segmentation, language id, token counting, summary analysis); 0 = the usable "
        "cores, at most 4.")

    # --- model health -----------------------------------------------------------
    model_retry_backoff_s: float = Field(
        default=1.0, gt=0, description="After a failed load, the next attempt waits this "
        "long, doubling with each failure up to model_retry_backoff_max_s.")
    model_retry_backoff_max_s: float = Field(default=60.0, gt=0)
    unhealthy_grace_s: float = Field(
        default=300.0, gt=0, description="A required or once-loaded model that stays "
        "failed this long turns /healthz to 503 so the orchestrator restarts the process.")

    # --- HTTP -----------------------------------------------------------------
    host: str = "127.0.0.1"
    port: int = 8080
    max_chars_per_text: int = Field(default=50_000, ge=1)
    max_chars_per_request: int = Field(default=200_000, ge=1)
    max_texts_per_request: int = Field(default=128, ge=1)
    max_body_bytes: int = Field(default=1_000_000, ge=1)
    api_keys: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Accepted API keys (comma-separated); empty = open.")
    api_keys_file: Path | None = Field(default=None, description="File with one key per line.")
    rate_limit_rpm: int = Field(default=0, ge=0, description="Requests/minute per key (0 = off).")
    chars_per_day: int = Field(default=0, ge=0, description="Characters/day per key (0 = off).")
    drain_timeout_s: float = Field(default=30.0, ge=0,
                                   description="On SIGTERM, time allowed for requests in flight.")
    log_level: str = "info"
    log_json: bool = True

    # --- summaries --------------------------------------------------------------
    summary_enforcement: Literal["repair", "fallback", "report-only"] = "fallback"
    summary_max_sentences: int = Field(default=3, ge=1)
    summary_max_words: int = Field(default=80, ge=5)
    summary_model: str | None = Field(
        default=None, description="Summarisation model to use (catalogue name); default: the "
                                  "first usable one for the language in catalogue order.")
    summary_nli: Literal["auto", "on", "off"] = Field(
        default="auto", description="Model-based faithfulness check of abstractive summaries: "
        "auto = when the NLI model is local, on = required (503 if missing), off.")
    nli_model: str | None = Field(default=None, description="NLI model (catalogue name).")
    nli_min_entailment: float = Field(
        default=0.5, ge=0, le=1, description="A summary sentence whose best article window "
        "entails it with less probability than this is flagged as unsupported.")
    nli_max_contradiction: float = Field(
        default=0.5, ge=0, le=1, description="A summary sentence that some article window "
        "contradicts with more probability than this is flagged.")

    @field_validator("languages", "required_models", "api_keys", "enable_models", mode="before")
    @classmethod
    def _csv(cls, value: Any) -> Any:
        return _split_csv(value)

    @field_validator("languages")
    @classmethod
    def _lower(cls, value: list[str]) -> list[str]:
        return [v.lower() for v in value]

    @model_validator(mode="after")
    def _refuse_contradictions(self) -> Settings:
        errors = [problem for problem, fatal in self.contradictions() if fatal]
        if errors:
            raise ValueError("contradictory settings: " + "; ".join(errors))
        return self

    def contradictions(self) -> list[tuple[str, bool]]:
        """Settings that contradict each other, as ``(message naming the values,
        fatal)``. Fatal ones are refused when the settings are built; the others are
        logged as warnings at start-up (:func:`warn_contradictions`)."""
        found: list[tuple[str, bool]] = []
        if self.max_queue_items < self.max_batch_items:
            found.append((f"max_queue_items={self.max_queue_items} is below "
                          f"max_batch_items={self.max_batch_items}: no batch could ever "
                          "be full", True))
        if self.max_chars_per_text > self.max_chars_per_request:
            found.append((f"max_chars_per_text={self.max_chars_per_text} exceeds "
                          f"max_chars_per_request={self.max_chars_per_request}: the "
                          "request limit applies first", False))
        if self.bulk_batch_items_while_interactive >= self.max_batch_items:
            found.append((f"bulk_batch_items_while_interactive="
                          f"{self.bulk_batch_items_while_interactive} is not below "
                          f"max_batch_items={self.max_batch_items}: bulk batches are never "
                          "shortened for interactive requests", False))
        if self.interactive_max_chars > self.max_chars_per_request:
            found.append((f"interactive_max_chars={self.interactive_max_chars} exceeds "
                          f"max_chars_per_request={self.max_chars_per_request}: every "
                          "request is interactive and bulk work is never told apart", False))
        if self.model_retry_backoff_s > self.model_retry_backoff_max_s:
            found.append((f"model_retry_backoff_s={self.model_retry_backoff_s} exceeds "
                          f"model_retry_backoff_max_s={self.model_retry_backoff_max_s}",
                          True))
        if self.unhealthy_grace_s < self.model_retry_backoff_s:
            found.append((f"unhealthy_grace_s={self.unhealthy_grace_s} is below "
                          f"model_retry_backoff_s={self.model_retry_backoff_s}: /healthz "
                          "fails before a failed model is retried once", False))
        if self.max_batch_seconds and self.max_batch_seconds >= self.request_timeout_s:
            found.append((f"max_batch_seconds={self.max_batch_seconds} is not below "
                          f"request_timeout_s={self.request_timeout_s}: a full batch may "
                          "outlive the deadline of every request in it", False))
        if self.bulk_batch_seconds_while_interactive and self.max_batch_seconds \
                and self.bulk_batch_seconds_while_interactive >= self.max_batch_seconds:
            found.append((f"bulk_batch_seconds_while_interactive="
                          f"{self.bulk_batch_seconds_while_interactive} is not below "
                          f"max_batch_seconds={self.max_batch_seconds}: bulk batches are "
                          "never shortened for interactive requests", False))
        if self.request_timeout_s * 1000 < self.max_wait_ms:
            found.append((f"request_timeout_s={self.request_timeout_s} is below "
                          f"max_wait_ms={self.max_wait_ms}: requests expire while their "
                          "batch is still forming", False))
        return found

    def resolved_models_dir(self) -> Path:
        """Folder holding pulled weights (``models/<name>/``)."""
        return self.models_dir if self.models_dir is not None else self.registry.parent


def load_settings(**overrides: Any) -> Settings:
    """Build settings from the environment, with CLI overrides (``None`` = not given)."""
    return Settings(**{k: v for k, v in overrides.items() if v is not None})


def warn_contradictions(settings: Settings) -> list[str]:
    """Log (and return) the non-fatal contradictions of ``settings``; call at start-up."""
    warnings = [problem for problem, fatal in settings.contradictions() if not fatal]
    for problem in warnings:
        logging.getLogger(__name__).warning("settings contradict each other: %s", problem)
    return warnings
