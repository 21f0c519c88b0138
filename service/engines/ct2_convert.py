"""Convert a local Hugging Face model into a CTranslate2 folder, and find it again.

Layout (what ``newsroom-mt models convert NAME --quantization Q`` writes)::

    <weights folder>/                  # models/<name>/ after a pull, or the entry's path
    <weights folder>-ct2-<Q>/          # CTranslate2 model.bin + config + tokenizer files
        newsroom-ct2.json              # the record: model name, family, quantization, source

The CTranslate2 engine finds a model's conversions by that naming rule and checks the
record names the same catalogue entry, so converting is all it takes for the engine
to route to it. A catalogue entry may instead name its folder with ``ct2_path``.

The converted folder is self-contained: the tokenizer files are copied in, so the
engine never needs the original weights at run time.

``ctranslate2`` (and torch, for reading the weights) are imported inside the
functions that need them: importing this module costs nothing.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from service.errors import InvalidInput, ModelUnavailable
from service.registry import ModelEntry

log = logging.getLogger(__name__)

#: Name of the record written inside each converted folder.
RECORD_FILE = "newsroom-ct2.json"
#: Storage quantizations ``models convert`` offers (CTranslate2 re-quantizes at load
#: time when the engine asks for another compute type).
QUANTIZATIONS: tuple[str, ...] = ("int8", "int8_float16", "float16", "float32")
#: Families whose conversion and generation the CTranslate2 engine handles.
CT2_FAMILIES: frozenset[str] = frozenset({"marian", "m2m100", "nllb", "mt5", "t5", "bart",
                                          "qwen3"})
#: Files copied next to model.bin so the folder carries its own tokenizer.
_TOKENIZER_FILES: tuple[str, ...] = (
    "tokenizer_config.json", "special_tokens_map.json", "tokenizer.json", "vocab.json",
    "source.spm", "target.spm", "sentencepiece.bpe.model", "spiece.model",
    "added_tokens.json", "generation_config.json",
    # Byte-level BPE (Qwen) and the chat template transformers 5 saves on its own.
    "merges.txt", "chat_template.jinja",
)


@dataclass(frozen=True)
class ConversionRecord:
    """What ``newsroom-ct2.json`` holds about one converted folder."""

    model: str
    family: str
    quantization: str
    source: str
    ctranslate2_version: str
    created: str
    #: The source model's position limit (CTranslate2's config does not keep it).
    max_positions: int | None = None

    @classmethod
    def read(cls, folder: Path) -> ConversionRecord | None:
        """The record in ``folder``, or ``None`` when absent or unreadable."""
        try:
            raw = json.loads((folder / RECORD_FILE).read_text("utf-8"))
            texts = {k: str(raw[k]) for k in ("model", "family", "quantization", "source",
                                                "ctranslate2_version", "created")}
            positions = raw.get("max_positions")
            return cls(**texts, max_positions=int(positions) if positions else None)
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def write(self, folder: Path) -> None:
        """Write the record into ``folder``."""
        (folder / RECORD_FILE).write_text(json.dumps(asdict(self), indent=2) + "\n", "utf-8")


@dataclass(frozen=True)
class Conversion:
    """A converted folder found for a model."""

    path: Path
    quantization: str


def conversion_dir(weights: Path, quantization: str) -> Path:
    """Where the ``quantization`` conversion of ``weights`` lives: a sibling folder."""
    return weights.parent / f"{weights.name}-ct2-{quantization}"


def convert_hint(entry: ModelEntry, quantization: str = "int8") -> str:
    """The command that converts ``entry`` for the CTranslate2 engine."""
    return f"newsroom-mt models convert {entry.name} --quantization {quantization}"


def find_conversions(entry: ModelEntry, weights: Path | None) -> list[Conversion]:
    """Every converted folder of ``entry``: its ``ct2_path`` if set, else the
    ``<weights>-ct2-*`` siblings whose record names this entry."""
    if entry.ct2_path is not None:
        folder = Path(entry.ct2_path).expanduser()
        if not folder.is_absolute():
            folder = (entry.base_dir / folder).resolve()
        if not (folder / "model.bin").is_file():
            return []
        record = ConversionRecord.read(folder)
        return [Conversion(folder, record.quantization if record else "unknown")]
    if weights is None:
        return []
    found = []
    for folder in sorted(weights.parent.glob(f"{weights.name}-ct2-*")):
        record = ConversionRecord.read(folder)
        if record is None or record.model != entry.name or not (folder / "model.bin").is_file():
            continue
        found.append(Conversion(folder, record.quantization))
    return found


def _full_vocab_tokenizer(tokenizer: Any) -> Any:
    """Make ``get_vocab`` list M2M100's language tokens (``__en__`` ...).

    transformers 5 keeps them outside the vocabulary and the special-token map, so the
    CTranslate2 converter would build a vocabulary 100 rows short of the embeddings and
    refuse the model. The ids are the tokenizer's own, so token order is unchanged.
    """
    extra = getattr(tokenizer, "lang_token_to_id", None)
    if not extra:
        return tokenizer
    original = tokenizer.get_vocab

    def get_vocab() -> dict[str, int]:
        vocab = dict(original())
        vocab.update(extra)
        return vocab

    tokenizer.get_vocab = get_vocab
    return tokenizer


def _converter(source: Path) -> Any:
    from ctranslate2.converters import TransformersConverter

    class _Converter(TransformersConverter):  # type: ignore[misc]
        def load_tokenizer(self, tokenizer_class: Any, model_name_or_path: str,
                           **kwargs: Any) -> Any:
            tokenizer = super().load_tokenizer(tokenizer_class, model_name_or_path, **kwargs)
            return _full_vocab_tokenizer(tokenizer)

    copy = [name for name in _TOKENIZER_FILES if (source / name).is_file()]
    return _Converter(str(source), copy_files=copy)


def _max_positions(weights: Path) -> int | None:
    try:
        config = json.loads((weights / "config.json").read_text("utf-8"))
    except (OSError, ValueError):
        return None
    value = config.get("max_position_embeddings")
    return value if isinstance(value, int) and value > 0 else None


def converted_source_vocabulary(folder: Path) -> set[str]:
    """Tokens of a converted folder's source vocabulary (shared or separate)."""
    for name in ("source_vocabulary.json", "shared_vocabulary.json"):
        try:
            return set(json.loads((folder / name).read_text("utf-8")))
        except (OSError, ValueError):
            continue
    return set()


def _check_target_tokens(entry: ModelEntry, out: Path) -> None:
    """A multi-target model is useless converted without its target tokens: fail the
    conversion (and say which) rather than the first request."""
    vocabulary = converted_source_vocabulary(out)
    missing = [t for t in entry.target_tokens.values() if t not in vocabulary]
    if missing:
        raise InvalidInput(
            f"Model '{entry.name}': the converted vocabulary in {out} lacks the target "
            f"token(s) {', '.join(missing)} named in the catalogue.", field="model")


def convert_model(entry: ModelEntry, weights: Path | None, quantization: str = "int8",
                  *, force: bool = False) -> Path:
    """Convert ``entry``'s local weights into ``<weights>-ct2-<quantization>/`` with its
    record; returns the folder. Raises :class:`ModelUnavailable` when the weights are not
    local (pull first) and :class:`InvalidInput` for an unsupported family or
    quantization or an existing folder without ``force``."""
    if quantization not in QUANTIZATIONS:
        raise InvalidInput(f"Unknown quantization '{quantization}'; choose one of: "
                           f"{', '.join(QUANTIZATIONS)}.", field="quantization")
    if entry.family not in CT2_FAMILIES:
        raise InvalidInput(
            f"Model '{entry.name}' is a {entry.family} model; the CTranslate2 engine "
            f"serves: {', '.join(sorted(CT2_FAMILIES))}.", field="model")
    if weights is None or not (weights / "config.json").is_file():
        raise ModelUnavailable(
            f"Model '{entry.name}' has no local weights to convert: pull it first with "
            f"newsroom-mt models pull {entry.name}", field="model")
    import ctranslate2

    out = conversion_dir(weights, quantization)
    if out.exists() and not force:
        raise InvalidInput(f"{out} already exists; pass --force to convert again.",
                           field="model")
    _converter(weights).convert(str(out), quantization=quantization, force=True)
    _check_target_tokens(entry, out)
    ConversionRecord(
        model=entry.name, family=entry.family, quantization=quantization,
        source=str(weights), ctranslate2_version=ctranslate2.__version__,
        created=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        max_positions=_max_positions(weights)).write(out)
    log.info("model converted", extra={"model": entry.name, "quantization": quantization,
                                       "path": str(out)})
    return out


def has_conversion(entry: ModelEntry, weights: Path | None, models_dir: Path) -> bool:
    """Whether the CTranslate2 engine would find a converted folder for ``entry``
    (``weights``: its local folder if any). Imports nothing heavy."""
    expected = weights or entry.local_path() or models_dir / entry.name
    return bool(find_conversions(entry, expected))
