"""One settings object for every knob: environment variables (prefix ``NEWSROOM_``),
overridden by CLI flags (passed as init keyword arguments).

Nothing reads the environment at import time: call :func:`load_settings` (or build
``Settings(...)``) where the program starts, and pass the object down.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field, field_validator
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
        default=100.0, ge=0, description="After a batch, wait up to this long for the callers "
        "it answered to send their next input, when they would fill the next batch.")
    max_queue_items: int = Field(default=4096, ge=1,
                                 description="Queued sentences per model before 429/503.")
    interactive_max_chars: int = Field(
        default=1000, ge=0, description="Requests up to this many characters are "
        "interactive: served before bulk work and never batched with it.")
    bulk_batch_items_while_interactive: int = Field(
        default=8, ge=0, description="While interactive requests are arriving, bulk batches "
        "hold at most this many items, so an interactive request never waits behind a long "
        "batch (0 = off: full bulk batches always).")
    interactive_lanes: int = Field(
        default=1, ge=0, description="Extra batch lanes (CTranslate2 translators) kept for "
        "interactive requests, so a headline never waits for a bulk batch to end (0 = none).")
    max_batch_seconds: float = Field(
        default=15.0, ge=0, description="No batch is planned to run longer than this, by the "
        "scheduler's calibrated estimate (0 = no cap; deadlines still bound every batch). "
        "Long beam-search outputs on a CPU decode faster in small batches on parallel lanes.")
    bulk_batch_seconds_while_interactive: float = Field(
        default=0.0, ge=0, description="While interactive requests are arriving, bulk batches "
        "are planned to run at most this long (0 = off).")
    request_timeout_s: float = Field(default=120.0, gt=0)

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

    def resolved_models_dir(self) -> Path:
        """Folder holding pulled weights (``models/<name>/``)."""
        return self.models_dir if self.models_dir is not None else self.registry.parent


def load_settings(**overrides: Any) -> Settings:
    """Build settings from the environment, with CLI overrides (``None`` = not given)."""
    return Settings(**{k: v for k, v in overrides.items() if v is not None})
