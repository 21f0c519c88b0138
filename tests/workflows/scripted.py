"""Controllable engines behind the real engine interface, for the enforcement paths of
instruction-model summaries: a generator whose output the test chooses (so it can
invent a number, drop a side or add a loaded word on purpose) and an NLI classifier
whose verdicts the test chooses. They are installed in place of the tiny models'
engines, so the request goes through the real registry, scheduler, prompt,
enforcement and report code."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from service.engines.base import BatchKey, Generated


@dataclass
class ScriptedGenerator:
    """An instruction-model engine whose output is ``reply(prompt)``."""

    reply: Callable[[str], str]
    name: str = "tiny-qwen3"
    kind: str = "scripted"
    device: str = "cpu"
    max_input_tokens: int = 4096
    prompts: list[str] = field(default_factory=list)
    keys: list[BatchKey] = field(default_factory=list)
    batches: list[int] = field(default_factory=list)

    def render_chat(self, messages: Sequence[dict[str, str]]) -> str:
        return "".join(f"<|{m['role']}|>\n{m['content']}\n" for m in messages) + "<|assistant|>\n"

    def count_tokens(self, text: str, src_lang: str | None = None) -> int:
        return len(text.split())

    def generate(self, texts: Sequence[str], key: BatchKey) -> list[Generated]:
        self.prompts.extend(texts)
        self.keys.append(key)
        self.batches.append(len(texts))
        return [Generated(self.reply(text), len(self.reply(text).split())) for text in texts]

    def close(self) -> None:
        pass


@dataclass
class ScriptedNLI:
    """An NLI classifier: a hypothesis containing any of ``contradicted`` is
    contradicted by every premise, any other is entailed."""

    contradicted: tuple[str, ...] = ()
    name: str = "tiny-nli"
    kind: str = "scripted"
    device: str = "cpu"
    max_input_tokens: int = 512
    pairs: list[tuple[str, str]] = field(default_factory=list)

    def classify(self, pairs: Sequence[tuple[str, str]]) -> list[dict[str, float]]:
        self.pairs.extend(pairs)
        out = []
        for _premise, hypothesis in pairs:
            bad = any(word in hypothesis for word in self.contradicted)
            out.append({"entailment": 0.02 if bad else 0.95, "neutral": 0.03,
                        "contradiction": 0.95 if bad else 0.02})
        return out

    def close(self) -> None:
        pass


def install(runtime: Any, *engines: Any) -> None:
    """Serve ``engines`` (by their ``name``) instead of loading the catalogue's
    weights: the model handles load them as if from disk (call before any use)."""
    scripted = {engine.name: engine for engine in engines}
    real = runtime.models._loader

    def loader(entry: Any) -> Any:
        return scripted[entry.name] if entry.name in scripted else real(entry)

    runtime.models._loader = loader
