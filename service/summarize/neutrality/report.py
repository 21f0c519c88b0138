"""Findings, per-check results and the neutrality report (JSON-ready)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: The five checks, in report order.
CHECK_NAMES: tuple[str, ...] = ("novel_content", "attribution", "sides", "loaded_language",
                                "disputes")


@dataclass(frozen=True)
class Finding:
    """One problem. ``start``/``end`` are character offsets of ``span_text`` in the
    summary; both are ``None`` when the problem is something the summary lacks (a
    missing side), and ``span_text`` then quotes the article."""

    check: str
    message: str
    span_text: str
    start: int | None
    end: int | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"check": self.check, "message": self.message, "span_text": self.span_text,
                "start": self.start, "end": self.end}


@dataclass
class CheckResult:
    """Outcome of one check. A skipped check (``skipped=True``, ``reason`` says why)
    could not be run, e.g. name comparison across scripts; it neither passes nor
    fails the report. ``reason`` may also note a partial run."""

    name: str
    findings: list[Finding] = field(default_factory=list)
    skipped: bool = False
    reason: str | None = None

    @classmethod
    def across_languages(cls, name: str, what: str, article_lang: str,
                         summary_lang: str) -> CheckResult:
        """A check skipped because ``what`` in a translated summary cannot be matched
        word for word with the article."""
        return cls(name, skipped=True,
                   reason=(f"{what} in the {summary_lang} summary cannot be matched to the "
                           f"{article_lang} article; run the check before translation"))

    @property
    def passed(self) -> bool:
        """True when the check ran (or was skipped) and found nothing."""
        return not self.findings

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"passed": self.passed, "skipped": self.skipped, "reason": self.reason,
                "findings": [f.to_dict() for f in self.findings]}


@dataclass
class NeutralityReport:
    """The five checks of one summary against its article."""

    lang: str
    summary_lang: str
    checks: dict[str, CheckResult]

    @property
    def passed(self) -> bool:
        """True when no check that ran found a problem (skipped checks do not count;
        see :attr:`skipped`)."""
        return all(c.passed for c in self.checks.values())

    @property
    def failed(self) -> list[str]:
        """Names of the checks with findings, in report order."""
        return [name for name, c in self.checks.items() if not c.passed]

    @property
    def skipped(self) -> list[str]:
        """Names of the checks that could not run."""
        return [name for name, c in self.checks.items() if c.skipped]

    @property
    def findings(self) -> list[Finding]:
        """Every finding, check by check."""
        return [f for c in self.checks.values() for f in c.findings]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"passed": self.passed, "lang": self.lang, "summary_lang": self.summary_lang,
                "failed": self.failed, "skipped": self.skipped,
                "checks": {name: c.to_dict() for name, c in self.checks.items()}}
