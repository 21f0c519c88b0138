"""Neutrality checks of a summary against its article: novel content, attribution,
sides and loaded language (see docs/ARCHITECTURE.md, "Neutral summaries")."""

from __future__ import annotations

from service.summarize.neutrality import attribution, loaded_language, novel_content, sides
from service.summarize.neutrality.report import CHECK_NAMES, CheckResult, Finding, NeutralityReport
from service.summarize.neutrality.sources import analyse

__all__ = ["CHECK_NAMES", "CheckResult", "Finding", "NeutralityReport", "check_neutrality"]


def check_neutrality(article: str, summary: str, lang: str, *,
                     summary_lang: str | None = None) -> NeutralityReport:
    """Run the four checks of ``summary`` against ``article`` (written in ``lang``).

    ``summary_lang`` (default ``lang``) names the summary's language when it was
    translated: numbers and loaded terms are still checked, the checks that compare
    words across the two texts are reported as skipped with a reason.
    """
    summary_lang = summary_lang or lang
    same = summary_lang == lang
    article_analysis = analyse(article, lang)
    summary_analysis = analyse(summary, summary_lang)
    checks = {
        module.NAME: module.check(article_analysis, summary_analysis, same_language=same)
        for module in (novel_content, attribution, sides, loaded_language)
    }
    return NeutralityReport(lang, summary_lang, checks)
