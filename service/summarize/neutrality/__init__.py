"""Neutrality checks of a summary against its article: novel content, attribution,
sides, loaded language and disputes (see docs/ARCHITECTURE.md, "Neutral summaries")."""

from __future__ import annotations

from service.summarize.furniture import clean_article
from service.summarize.neutrality import (
    attribution,
    disputes,
    loaded_language,
    novel_content,
    sides,
)
from service.summarize.neutrality.report import CHECK_NAMES, CheckResult, Finding, NeutralityReport
from service.summarize.neutrality.sources import analyse

__all__ = ["CHECK_NAMES", "CheckResult", "Finding", "NeutralityReport", "check_neutrality"]


def check_neutrality(article: str, summary: str, lang: str, *,
                     summary_lang: str | None = None) -> NeutralityReport:
    """Run the five checks of ``summary`` against ``article`` (written in ``lang``;
    page furniture is removed from it first, so furniture is never article content).

    ``summary_lang`` (default ``lang``) names the summary's language when it was
    translated: numbers and loaded terms are still checked, the checks that compare
    words across the two texts are reported as skipped with a reason.
    """
    summary_lang = summary_lang or lang
    same = summary_lang == lang
    article_analysis = analyse(clean_article(article, lang).text, lang)
    summary_analysis = analyse(summary, summary_lang)
    checks = {
        module.NAME: module.check(article_analysis, summary_analysis, same_language=same)
        for module in (novel_content, attribution, sides, loaded_language, disputes)
    }
    return NeutralityReport(lang, summary_lang, checks)
