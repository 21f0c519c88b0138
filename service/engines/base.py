"""The engine interface that every engine implements (transformers, CTranslate2).

The scheduler and everything above it see only :class:`Engine`: they hand it a
batch of source texts that share one :class:`BatchKey` and get one
:class:`Generated` per text back, in order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable


@dataclass(frozen=True)
class GenerationOptions:
    """Decoding parameters; ``None`` means the model's own default."""

    num_beams: int | None = None
    max_new_tokens: int | None = None
    min_new_tokens: int | None = None
    no_repeat_ngram_size: int | None = None
    length_penalty: float | None = None


@dataclass(frozen=True)
class BatchKey:
    """Items can share one ``generate`` call only when their keys are equal."""

    src_lang: str | None
    tgt_lang: str | None
    options: GenerationOptions = field(default_factory=GenerationOptions)
    #: Text prepended to every source (e.g. "summarize: " for T5-style models).
    prefix: str = ""


@dataclass(frozen=True)
class Generated:
    """One output: decoded text and the number of tokens generated for it."""

    text: str
    tokens: int


@dataclass(frozen=True)
class Decoding:
    """What one batch key asks of the decoder, for the scheduler's cost estimate:
    rows decoded per input (``beams``) and the bounds of its output length."""

    beams: int = 1
    max_new_tokens: int | None = None
    min_new_tokens: int = 0


@runtime_checkable
class Engine(Protocol):
    """A loaded seq2seq model that turns batches of texts into texts."""

    #: Catalogue name of the model this engine serves.
    name: str
    #: "transformers" or "ctranslate2".
    kind: str
    #: Device in use, e.g. "cpu", "cuda:0".
    device: str
    #: Longest source, in tokens (special tokens included), the model accepts.
    max_input_tokens: int

    # Optional, read with ``getattr`` by the scheduler:
    #   ``parallel_batches: int`` - batches the engine runs at once (default 1);
    #   ``decoding(key) -> Decoding`` - beams and output bounds of ``key``;
    #   ``entry.max_batch_tokens`` - the catalogue's padded tokens per batch for this
    #   model (default: the setting).

    def count_tokens(self, text: str, src_lang: str | None = None) -> int:
        """Source tokens ``text`` becomes, special tokens included."""
        ...

    def generate(self, texts: Sequence[str], key: BatchKey) -> list[Generated]:
        """Run the model on ``texts`` (blocking; call from a worker thread)."""
        ...

    def close(self) -> None:
        """Release the model's memory."""
        ...
