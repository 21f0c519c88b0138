"""Disputes: a claim the article shows to be contested appears in the summary only
together with each counter-claim, each attributed to its own side.

For each dispute of the article's claims table (:mod:`service.summarize.claims`),
summary sentences are matched to the claim's sentences or the counter-claim's (the
article sentence they restate, or their topic words and speaker's side). When the
summary carries either position it must carry both, each with a speaker of the
right side; a position attributed to the other side is a misattribution, and a
disputed claim stated only in the summary's own voice is reported as such.
"""

from __future__ import annotations

from dataclasses import dataclass

# A module import: claims.analysis imports this package's modules in turn.
from service.summarize.claims import analysis as claims_analysis
from service.summarize.claims.table import ClaimsTable, Dispute
from service.summarize.neutrality.report import CheckResult, Finding
from service.summarize.neutrality.sources import Analysis

NAME = "disputes"
#: Message parts of findings that are a sentence's own fault (a position given to
#: the wrong side, or stated in the summary's voice): enforcement replaces that
#: sentence; other findings are repaired by adding the missing position.
SENTENCE_FAULTS = ("is attributed in the summary to", "is stated without attribution")
#: A summary sentence touches a position when it shares this many topic words with
#: the position's sentences (and has no better match elsewhere).
MIN_TOPIC = 2
MIN_SHARE = 0.3


@dataclass(frozen=True)
class _Mention:
    """A summary sentence touching a dispute: which position, for which side."""

    index: int
    position: str  # "claim" or "counter"
    side: str | None
    names_claim_side: bool


def tables(article: Analysis, summary: Analysis) -> tuple[ClaimsTable, ClaimsTable]:
    """The article's claims table and the summary's, with sides named alike."""
    names = claims_analysis.side_names(article)
    return claims_analysis.claims_of(article), claims_analysis.claims_of(summary, article, names)


def _topics(article: Analysis, group: tuple[int, ...]) -> set[str]:
    return set().union(set(), *(claims_analysis.topic_stems(article, i) for i in group))


def topic_match(article: Analysis, summary: Analysis, index: int) -> int | None:
    """The article sentence whose claim summary sentence ``index`` restates: most
    topic words in common (speaker phrases and reporting verbs left out, so that
    "X said Y" matches "Z said Y", not "X denied W"), at least ``MIN_TOPIC`` and
    ``MIN_SHARE`` of its own."""
    topic = claims_analysis.topic_stems(summary, index)
    best, best_key = None, (0, 0.0)
    for sentence in article.sentences:
        other = claims_analysis.topic_stems(article, sentence.index)
        shared = len(topic & other)
        key = (shared, shared / max(1, len(topic | other)))
        if shared and key > best_key:
            best, best_key = sentence.index, key
    if best is None or best_key[0] < MIN_TOPIC or best_key[0] < MIN_SHARE * len(topic):
        return None
    return best


def mentions(article: Analysis, summary: Analysis, art: ClaimsTable, summ: ClaimsTable,
             dispute: Dispute) -> list[_Mention]:
    """Summary sentences that carry one of the dispute's positions: a denial by
    anyone on the dispute's topic is the counter-claim, other sentences take the
    position of the article sentence they restate."""
    names = claims_analysis.side_names(summary, article, claims_analysis.side_names(article))
    counter_topic = _topics(article, dispute.counter_group)
    claim_topic = _topics(article, dispute.claim_group)
    found = []
    for sentence in summary.sentences:
        row = summ.claim_at(sentence.index)
        side = row.side if row and not row.lead else None
        match = topic_match(article, summary, sentence.index)
        topic = claims_analysis.topic_stems(summary, sentence.index)
        position = None
        if row is not None and row.stance == "denies" and (
                match in dispute.sentences or side == dispute.counter_side
                or len(topic & (claim_topic | counter_topic)) >= MIN_TOPIC):
            position = "counter"
        elif match in dispute.counter_group:
            position = "counter"
        elif match in dispute.claim_group:
            position = "claim"
        if position is None:
            continue
        named = position == "counter" and dispute.claim_side in claims_analysis._named_sides(
            summary, sentence.index, side, names)
        found.append(_Mention(sentence.index, position, side, named))
    return found


def _short(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def check_dispute(article: Analysis, summary: Analysis, art: ClaimsTable,
                  summ: ClaimsTable, dispute: Dispute) -> list[Finding]:
    """Findings for one dispute (none when the summary does not mention it)."""
    found = mentions(article, summary, art, summ, dispute)
    if not found:
        return []
    findings: list[Finding] = []

    def add(message: str, index: int | None) -> None:
        if index is None:
            text = art.sentences[dispute.counter]
            findings.append(Finding(NAME, message, text, None, None))
            return
        s = summary.sentences[index]
        findings.append(Finding(NAME, message, s.text, s.start, s.end))

    claims = [m for m in found if m.position == "claim"]
    counters = [m for m in found if m.position == "counter"]
    for m in claims:
        if m.side is not None and m.side != dispute.claim_side:
            add(f"claim of '{dispute.claim_side}' is attributed in the summary to "
                f"'{m.side}'", m.index)
    for m in counters:
        if m.side is not None and m.side != dispute.counter_side:
            add(f"counter-claim of '{dispute.counter_side}' is attributed in the summary to "
                f"'{m.side}'", m.index)
    claim_ok = any(m.side == dispute.claim_side for m in claims) or any(
        m.side == dispute.counter_side and m.names_claim_side for m in counters)
    counter_ok = any(m.side == dispute.counter_side for m in counters)
    for m in claims + counters:
        if m.side is None:
            side = dispute.claim_side if m.position == "claim" else dispute.counter_side
            add(f"claim of '{side}', disputed in the article, is stated without "
                f"attribution", m.index)
    if (claims or counters) and not counter_ok:
        first = (claims or counters)[0].index
        add(f"claim of '{dispute.claim_side}' is disputed in the article by "
            f"'{dispute.counter_side}' (\"{_short(art.sentences[dispute.counter])}\"), "
            f"whose counter-claim is missing from the summary", first)
    elif counters and not claim_ok and not claims:
        add(f"counter-claim of '{dispute.counter_side}' appears without the claim of "
            f"'{dispute.claim_side}' it answers (\"{_short(art.sentences[dispute.claim])}\")",
            counters[0].index)
    return findings


def check(article: Analysis, summary: Analysis, *, same_language: bool) -> CheckResult:
    """Flag disputes the summary carries one-sidedly or with a position misattributed."""
    if not same_language:
        return CheckResult.across_languages(NAME, "claims", article.lang, summary.lang)
    result = CheckResult(NAME)
    art, summ = tables(article, summary)
    for dispute in art.disputes:
        for finding in check_dispute(article, summary, art, summ, dispute):
            if finding not in result.findings:
                result.findings.append(finding)
    return result
