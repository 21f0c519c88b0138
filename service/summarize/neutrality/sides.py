"""Sides: where the article quotes two or more sides, the summary quotes each."""

from __future__ import annotations

from service.summarize.neutrality.attribution import names_speaker
from service.summarize.neutrality.report import CheckResult, Finding
from service.summarize.neutrality.sources import Analysis, side_label

NAME = "sides"


def check(article: Analysis, summary: Analysis, *, same_language: bool) -> CheckResult:
    """Flag each side the article quotes that no attributed summary sentence names."""
    if not same_language:
        return CheckResult.across_languages(NAME, "speakers", article.lang, summary.lang)
    result = CheckResult(NAME)
    if len(article.sides) < 2:
        return result
    for side in article.sides:
        present = any(s.attributed and names_speaker(summary, s.index, side, article.lang)
                      for s in summary.sentences)
        if not present:
            label = side_label(side)
            result.findings.append(Finding(
                NAME, f"side '{label}' quoted in the article is missing from the summary",
                label, None, None))
    return result
