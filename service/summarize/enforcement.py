"""Enforce neutrality on a candidate (abstractive) summary.

Policies:

- ``report-only``: return the candidate and its report (action ``reported`` when it
  fails a check, ``none`` when it passes);
- ``fallback``: a candidate that fails any check is replaced by the extractive
  summary (action ``fallback``);
- ``repair``: sentences with novel content or loaded language are dropped; a
  sentence that lost its attribution is replaced by the article sentence it
  restates, with its speaker; each missing side gets the article sentence that
  best carries it; a dispute carried one-sidedly (or a party of a dispute left out)
  gets the claim and the counter-claim, each with its speaker; a disputed claim
  given to the wrong side, or stated without a speaker, is replaced by the article
  sentence with its speaker. A repair that still fails falls back to the extractive summary
  (action ``fallback``, ``reason`` says why).

With a ``verify`` function (the model-based faithfulness check), its result joins
every report as one more check, and ``repair`` first replaces each sentence that fails
it (or has novel content or loaded language) with the article sentence it came from,
with its speaker (see :mod:`service.summarize.faithfulness`).

The returned ``report`` is always the report of the returned summary, and
``candidate_report`` that of the candidate.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from service.errors import InvalidInput
from service.summarize.claims import analyse_claims
from service.summarize.extractive import extractive_summary, join_sentences, speaker_unit
from service.summarize.furniture import clean_article
from service.summarize.neutrality import CheckResult, NeutralityReport, check_neutrality
from service.summarize.neutrality.attribution import best_match
from service.summarize.neutrality.disputes import SENTENCE_FAULTS, mentions
from service.summarize.neutrality.disputes import tables as disputes_tables
from service.summarize.neutrality.sources import Analysis, analyse

#: An extra check run on every summary enforcement looks at (summary -> result).
Verifier = Callable[[str], CheckResult]
Policy = Literal["repair", "fallback", "report-only"]
Action = Literal["none", "repaired", "fallback", "reported"]
POLICIES: tuple[str, ...] = ("repair", "fallback", "report-only")
#: Checks whose findings make a sentence unusable (it is dropped, not fixed).
_DROP = ("novel_content", "loaded_language")


@dataclass
class EnforcementResult:
    """What :func:`enforce` returns; ``changes`` lists each repair step."""

    summary: str
    action: Action
    report: NeutralityReport
    candidate_report: NeutralityReport
    changes: list[str] = field(default_factory=list)
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"summary": self.summary, "action": self.action, "reason": self.reason,
                "changes": self.changes, "report": self.report.to_dict(),
                "candidate_report": self.candidate_report.to_dict()}


def checked(article: str, summary: str, lang: str,
            verify: Verifier | None = None) -> NeutralityReport:
    """The neutrality report of ``summary``, with ``verify``'s check added."""
    report = check_neutrality(article, summary, lang)
    if verify is not None:
        extra = verify(summary)
        report.checks[extra.name] = extra
    return report


def enforce(article: str, candidate: str, lang: str, policy: Policy, *,
            max_sentences: int, max_words: int,
            verify: Verifier | None = None) -> EnforcementResult:
    """Check ``candidate`` against ``article`` and apply ``policy`` (see module doc).

    ``max_sentences``/``max_words`` bound the extractive fallback; a repaired
    summary keeps the candidate's own length plus what the repair adds.
    """
    if policy not in POLICIES:
        raise InvalidInput(f"Unknown neutrality policy '{policy}'; supported: "
                           f"{', '.join(POLICIES)}.", field="policy")
    candidate_report = checked(article, candidate, lang, verify)
    if candidate_report.passed:
        return EnforcementResult(candidate, "none", candidate_report, candidate_report)
    failed = ", ".join(candidate_report.failed)
    if policy == "report-only":
        return EnforcementResult(candidate, "reported", candidate_report, candidate_report,
                                 reason=f"candidate failed: {failed}")
    if policy == "repair":
        from service.summarize.sentence_repair import replace_failing_sentences

        first, changes = replace_failing_sentences(article, candidate, lang, candidate_report)
        repaired, more = _repair(article, first, lang, check_neutrality(article, first, lang)
                                 if first != candidate else candidate_report)
        changes += more
        if repaired:
            report = checked(article, repaired, lang, verify)
            if report.passed:
                return EnforcementResult(repaired, "repaired", report, candidate_report,
                                         changes, reason=f"candidate failed: {failed}")
            why = f"repaired summary still failed: {', '.join(report.failed)}"
        else:
            why = "repair left no sentence"
        return _fallback(article, lang, candidate_report, max_sentences, max_words,
                         reason=f"candidate failed: {failed}; {why}", changes=changes,
                         verify=verify)
    return _fallback(article, lang, candidate_report, max_sentences, max_words,
                     reason=f"candidate failed: {failed}", verify=verify)


def _fallback(article: str, lang: str, candidate_report: NeutralityReport,
              max_sentences: int, max_words: int, *, reason: str,
              changes: list[str] | None = None,
              verify: Verifier | None = None) -> EnforcementResult:
    summary = extractive_summary(article, lang, max_sentences=max_sentences,
                                 max_words=max_words)
    report = checked(article, summary.text, lang, verify)
    return EnforcementResult(summary.text, "fallback", report, candidate_report,
                             list(changes or []) + ["replaced by the extractive summary"],
                             reason=reason)


def _repair(article: str, candidate: str, lang: str,
            report: NeutralityReport) -> tuple[str, list[str]]:
    """Apply the repair steps; return the repaired text ("" if nothing is left)."""
    clean = clean_article(article, lang).text
    art = analyse(clean, lang)
    cand = analyse(candidate, lang)
    changes: list[str] = []
    # (position in article order, text); candidate sentences sit after the article
    # sentence they restate, or after the previous kept sentence.
    parts: list[tuple[float, str]] = []
    position = -1.0
    for sentence in cand.sentences:
        hits = [f for f in report.findings if f.start is not None
                and sentence.start <= f.start < sentence.end]
        match, _ = best_match(sentence, art)
        if match is not None:
            position = float(match)
        number = sentence.index + 1
        if any(f.check in _DROP for f in hits):
            spans = ", ".join(f"'{f.span_text}'" for f in hits if f.check in _DROP)
            changes.append(f"dropped sentence {number} ({spans})")
            continue
        if any(f.check == "attribution" or (f.check == "disputes" and any(
                marker in f.message for marker in SENTENCE_FAULTS)) for f in hits):
            if match is None:
                changes.append(f"dropped sentence {number} (attribution)")
                continue
            for i in speaker_unit(art, match):
                parts.append((float(i), art.sentences[i].text))
            changes.append(f"sentence {number} replaced by the article sentence with its "
                           f"source")
            continue
        parts.append((position + 0.5, sentence.text))
    text = _join(parts)
    if text:
        text = _add_positions(clean, text, lang, art, parts, changes)
    return text, changes


def _add_positions(clean: str, text: str, lang: str, art: Analysis,
                   parts: list[tuple[float, str]], changes: list[str]) -> str:
    """Give every dispute the summary carries one-sidedly, and every missing party,
    both its positions (the claim and the counter-claim, each with its speaker)."""
    after = check_neutrality(clean, text, lang)
    if after.checks["disputes"].passed and after.checks["sides"].passed:
        return text
    table = analyse_claims(clean, lang)
    summ = analyse(text, lang)
    art_table, summ_table = disputes_tables(art, summ)
    missing = {f.message.split("'")[1] for f in after.checks["sides"].findings}
    for dispute in table.disputes:
        found = mentions(art, summ, art_table, summ_table, dispute)
        if not found and not missing & {dispute.claim_side, dispute.counter_side}:
            continue
        carried = {m.position for m in found if m.side == (
            dispute.claim_side if m.position == "claim" else dispute.counter_side)}
        for position, index, side in (("claim", dispute.claim, dispute.claim_side),
                                      ("counter", dispute.counter, dispute.counter_side)):
            unit = speaker_unit(art, index)
            if position in carried or all(art.sentences[i].text in text for i in unit):
                continue
            parts.extend((float(i), art.sentences[i].text) for i in unit)
            changes.append(f"added the position of '{side}' "
                           f"(sentence {index + 1} of the article)")
        missing -= {dispute.claim_side, dispute.counter_side}
    return _join(parts)


def _join(parts: list[tuple[float, str]]) -> str:
    seen: set[str] = set()
    out: list[str] = []
    for _, text in sorted(parts, key=lambda p: p[0]):
        if text not in seen:
            seen.add(text)
            out.append(text)
    return join_sentences(out)
