"""Abstractive summaries from an instruction model (Qwen3), and the faithfulness check
that verifies them before they are served.

Steps for one article (in its own language; a summary in another language is the
checked one translated afterwards, see :mod:`service.workflows.summarization`):

1. the claims table (:func:`service.summarize.prompts.prompt_claims`);
2. the neutral-summary prompt for the language, rendered with the model's chat
   template; an article too long for the model's input keeps its first sentences (a
   note says how many), since a news article front-loads what matters;
3. one generation through the model's batching scheduler, greedy, with an output budget
   from ``max_words`` (:func:`service.summarize.prompts.max_new_tokens_for`), so
   concurrent summaries share batches;
4. the output trimmed to ``max_sentences`` sentences and ``max_words`` words at
   sentence boundaries.

:meth:`InstructionSummarizer.verifier` builds the optional NLI check that enforcement
runs on every summary it considers (``NEWSROOM_SUMMARY_NLI``: auto / on / off).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from service.engines.base import BatchKey, GenerationOptions
from service.errors import ModelUnavailable
from service.registry import ModelEntry
from service.summarize.enforcement import Verifier
from service.summarize.prompts import (
    PromptClaims,
    max_new_tokens_for,
    prompt_claims,
    summary_messages,
)
from service.text.sentences import split_sentences
from service.workflows.runtime import Runtime


@dataclass
class InstructionOutput:
    """A generated summary and what was done to produce it."""

    text: str
    claims: PromptClaims
    prompt_tokens: int
    new_tokens: int
    notes: list[str] = field(default_factory=list)


def fit_article(engine: Any, article: str, lang: str, claims: PromptClaims, *,
                max_sentences: int, max_words: int) -> tuple[str, int, str | None]:
    """The rendered prompt that fits ``engine.max_input_tokens`` (blocking: tokenizes),
    its token count, and a note when the article had to be shortened."""
    def render(text: str) -> tuple[str, int]:
        prompt = engine.render_chat(summary_messages(
            text, lang, claims, max_sentences=max_sentences, max_words=max_words))
        return prompt, engine.count_tokens(prompt)

    prompt, tokens = render(article)
    if tokens <= engine.max_input_tokens:
        return prompt, tokens, None
    sentences = split_sentences(article.replace("\n", " "), lang)
    lo, hi = 1, len(sentences) - 1  # largest prefix that fits: binary search
    best = None
    while lo <= hi:
        mid = (lo + hi) // 2
        candidate = render(" ".join(sentences[:mid]))
        if candidate[1] <= engine.max_input_tokens:
            best, lo = (mid, *candidate), mid + 1
        else:
            hi = mid - 1
    if best is None:
        raise ModelUnavailable(
            f"Model '{engine.name}' accepts {engine.max_input_tokens} prompt tokens; the "
            "instructions and claims table alone are longer.", field="text")
    kept, prompt, tokens = best
    return prompt, tokens, (f"article shortened to its first {kept} of {len(sentences)} "
                            f"sentences to fit the model's input ({engine.max_input_tokens} "
                            "tokens)")


def bound_summary(text: str, lang: str, max_sentences: int, max_words: int) -> tuple[str, bool]:
    """At most ``max_sentences`` sentences and ``max_words`` words, cut at sentence
    boundaries (the first sentence is always kept); returns the text and whether it
    was cut."""
    sentences = split_sentences(" ".join(text.split()), lang)
    kept: list[str] = []
    words = 0
    for sentence in sentences[:max_sentences]:
        count = len(sentence.split())
        if kept and words + count > max_words:
            break
        kept.append(sentence)
        words += count
    return " ".join(kept), len(kept) < len(sentences)


class InstructionSummarizer:
    """The instruction-model path of :class:`SummarizationService`."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    async def summarize(self, entry: ModelEntry, article: str, lang: str, *, priority: int,
                        max_sentences: int, max_words: int,
                        deadline: float | None = None) -> InstructionOutput:
        """Generate a neutral summary of ``article`` in ``lang`` (steps in module doc),
        within the request's absolute ``deadline`` (default: ``request_timeout_s``)."""
        handle = self.runtime.models.handle(entry.name)
        async with handle.using():
            engine = handle.engine
            if not hasattr(engine, "render_chat"):
                raise ModelUnavailable(f"Model '{entry.name}' ({engine.kind}) cannot render chat "
                                       "prompts.", field="model")
            claims = await self.runtime.off_loop(prompt_claims, article, lang)
            prompt, tokens, note = await self.runtime.off_loop(
                fit_article, engine, article, lang, claims, max_sentences=max_sentences,
                max_words=max_words)
            budget = max_new_tokens_for(max_words, lang)
            cap = entry.generation.get("max_new_tokens")
            key = BatchKey(lang, lang, GenerationOptions(
                num_beams=1, max_new_tokens=min(budget, int(cap)) if cap else budget))
            if deadline is None:
                deadline = self.runtime.new_deadline()
            generated = (await handle.generate([prompt], key, deadline=deadline,
                                               priority=priority))[0]
        text, cut = bound_summary(generated.text, lang, max_sentences, max_words)
        notes = [note] if note else []
        if cut:
            notes.append(f"model output cut to {max_sentences} sentences / {max_words} words")
        return InstructionOutput(text, claims, tokens, generated.tokens, notes)

    async def verifier(self, article: str, lang: str) -> tuple[Verifier | None, dict[str, Any]]:
        """The faithfulness check for ``article`` and a description of it for the
        response (``checked``, ``model``, ``reason``)."""
        from service.summarize.faithfulness import check_faithfulness

        settings = self.runtime.settings
        if settings.summary_nli == "off":
            return None, {"checked": False, "reason": "disabled (NEWSROOM_SUMMARY_NLI=off)"}
        entry = self.runtime.registry.nli_model(settings.nli_model)
        if entry is None:
            if settings.summary_nli == "on":
                raise ModelUnavailable("NEWSROOM_SUMMARY_NLI=on but the catalogue has no "
                                       "usable NLI model (task: nli).", field="model")
            return None, {"checked": False, "reason": "no NLI model in the catalogue"}
        if settings.summary_nli == "auto" and not self.runtime.models.available(entry.name):
            return None, {"checked": False, "model": entry.name,
                          "reason": f"NLI model '{entry.name}' is not local (pull it with: "
                                    f"newsroom-mt models pull {entry.name})"}
        engine = await self.runtime.models.handle(entry.name).ensure_engine()

        def verify(summary: str) -> Any:
            return check_faithfulness(
                article, summary, lang, engine.classify, model=entry.name,
                min_entailment=settings.nli_min_entailment,
                max_contradiction=settings.nli_max_contradiction)

        return verify, {"checked": True, "model": entry.name}
