"""Sides, counted over disputes: every party to a dispute the article reports (a
claim and its denial) speaks in the summary, attributed.

Speakers that take part in no dispute are not counted: a summary need not quote
every source an article names, but it may not leave out one side of a contest.
"""

from __future__ import annotations

from service.summarize.neutrality.disputes import tables
from service.summarize.neutrality.report import CheckResult, Finding
from service.summarize.neutrality.sources import Analysis

NAME = "sides"


def check(article: Analysis, summary: Analysis, *, same_language: bool) -> CheckResult:
    """Flag each party to one of the article's disputes that no summary sentence
    attributes anything to."""
    if not same_language:
        return CheckResult.across_languages(NAME, "speakers", article.lang, summary.lang)
    result = CheckResult(NAME)
    art, summ = tables(article, summary)
    if not art.disputes:
        result.reason = "the article reports no dispute between sides"
        return result
    present = {c.side for c in summ.claims if c.side is not None and not c.lead}
    for party in art.parties:
        if party not in present:
            dispute = next(d for d in art.disputes if party in (d.claim_side, d.counter_side))
            quote = art.sentences[dispute.claim if party == dispute.claim_side
                                  else dispute.counter]
            result.findings.append(Finding(
                NAME, f"side '{party}' of a dispute in the article is missing from the summary",
                quote, None, None))
    return result
