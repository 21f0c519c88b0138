"""Sides, counted over disputes: every party to a dispute (a claim and its denial)
that the summary mentions speaks in the summary, attributed.

Speakers that take part in no dispute are not counted: a summary need not quote
every source an article names, but it may not leave out one side of a contest.
"""

from __future__ import annotations

from service.summarize.neutrality.disputes import mentions, tables
from service.summarize.neutrality.report import CheckResult, Finding
from service.summarize.neutrality.sources import Analysis

NAME = "sides"


def check(article: Analysis, summary: Analysis, *, same_language: bool) -> CheckResult:
    """Flag each party to a dispute the summary mentions (either position) that no
    summary sentence attributes anything to."""
    if not same_language:
        return CheckResult.across_languages(NAME, "speakers", article.lang, summary.lang)
    result = CheckResult(NAME)
    art, summ = tables(article, summary)
    if not art.disputes:
        result.reason = "the article reports no dispute between sides"
        return result
    mentioned = [d for d in art.disputes if mentions(article, summary, art, summ, d)]
    if not mentioned:
        result.reason = "the summary mentions none of the article's disputes"
        return result
    present = {c.side for c in summ.claims if c.side is not None and not c.lead}
    missing: list[str] = []
    for dispute in mentioned:
        for party, index in ((dispute.claim_side, dispute.claim),
                             (dispute.counter_side, dispute.counter)):
            if party in present or party in missing:
                continue
            missing.append(party)
            result.findings.append(Finding(
                NAME, f"side '{party}' of a dispute in the article is missing from the summary",
                art.sentences[index], None, None))
    return result
