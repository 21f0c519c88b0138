"""Model-based faithfulness check of a summary (SummaC-style zero-shot NLI).

Each summary sentence is the hypothesis; windows of consecutive article sentences are
the premises. A sentence's entailment score is its best window's entailment
probability, its contradiction score the highest contradiction probability of any
window. A sentence is flagged when its entailment is below ``min_entailment`` or its
contradiction above ``max_contradiction``. A summary sentence that is an article
sentence word for word is supported by construction and not sent to the model (an
extractive or repaired summary costs nothing to re-check).

The result is one more check in the neutrality report, ``faithfulness``, with the
scores of every sentence. Thresholds are settings: no calibration is published for
uk/ru/ko (see shared notes), so the defaults (0.5 / 0.5) are the plain decision rule
of the classifier, to be calibrated on labelled summaries.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from service.summarize.neutrality.report import CheckResult, Finding
from service.summarize.neutrality.sources import analyse

NAME = "faithfulness"
#: Article sentences per premise window (SummaC uses sentence-level and small
#: multi-sentence blocks; three keeps a window well under the 512-token input).
WINDOW_SENTENCES = 3

Classifier = Callable[[Sequence[tuple[str, str]]], list[dict[str, float]]]


@dataclass
class FaithfulnessResult(CheckResult):
    """The check's result with per-sentence scores (for the report)."""

    model: str | None = None
    sentences: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: the usual check fields plus ``model`` and ``sentences``."""
        body = super().to_dict()
        body.update(model=self.model, sentences=self.sentences)
        return body


def windows(sentences: Sequence[str], size: int = WINDOW_SENTENCES) -> list[str]:
    """Overlapping windows of ``size`` consecutive sentences (stride 1)."""
    if len(sentences) <= size:
        return [" ".join(sentences)] if sentences else []
    return [" ".join(sentences[i:i + size]) for i in range(len(sentences) - size + 1)]


def check_faithfulness(article: str, summary: str, lang: str, classify: Classifier, *,
                       model: str | None = None, min_entailment: float = 0.5,
                       max_contradiction: float = 0.5) -> FaithfulnessResult:
    """Score each sentence of ``summary`` against windows of ``article``."""
    article_sentences = [s.text.strip() for s in analyse(article, lang).sentences]
    verbatim = {s for s in article_sentences if s}
    premises = windows([s for s in article_sentences if s])
    result = FaithfulnessResult(NAME, model=model)
    spans = [(s.start, s.end) for s in analyse(summary, lang).sentences
             if summary[s.start:s.end].strip()]
    to_score = [(a, b) for a, b in spans if summary[a:b].strip() not in verbatim]
    pairs = [(premise, summary[a:b].strip()) for a, b in to_score for premise in premises]
    scores = classify(pairs) if pairs else []
    per_sentence = {span: scores[i * len(premises):(i + 1) * len(premises)]
                    for i, span in enumerate(to_score)}
    for a, b in spans:
        text = summary[a:b].strip()
        rows = per_sentence.get((a, b))
        if rows is None:
            result.sentences.append({"sentence": text, "verbatim": True})
            continue
        entail = max(r["entailment"] for r in rows)
        contra = max(r["contradiction"] for r in rows)
        result.sentences.append({"sentence": text, "entailment": round(entail, 4),
                                 "contradiction": round(contra, 4)})
        if contra > max_contradiction:
            message = (f"contradicted by the article (contradiction {contra:.2f} > "
                       f"{max_contradiction:.2f})")
        elif entail < min_entailment:
            message = (f"not supported by the article (entailment {entail:.2f} < "
                       f"{min_entailment:.2f})")
        else:
            continue
        result.findings.append(Finding(NAME, message, text, a, b))
    return result


def skipped(reason: str, model: str | None = None) -> FaithfulnessResult:
    """The check when it cannot or need not run (``reason`` says why)."""
    return FaithfulnessResult(NAME, skipped=True, reason=reason, model=model)
