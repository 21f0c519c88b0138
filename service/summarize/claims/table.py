"""The claims table: its rows (:class:`Claim`), the disputes between them
(:class:`Dispute`) and the table itself (:class:`ClaimsTable`), JSON-ready.

This is the data structure other summarisers consume (the abstractive summariser
plans its output from ``table.disputes``); keep it plain.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Stance = Literal["asserts", "denies", "accuses", "confirms"]


@dataclass(frozen=True)
class Claim:
    """Who said what in one sentence of the (cleaned) article.

    ``index`` is the sentence's position in the article's sentence list; ``speaker``
    the speaker phrase as written (for a reporter's lead, the speaker of the claim it
    restates); ``side`` the party the speaker speaks for ("Russia", "Ukraine", or the
    speaker's own name when the gazetteer knows no party for it); ``verb`` the
    reporting or stance word; ``answers`` the index of the claim a denial answers;
    ``restates`` the index of the claim a reporter's own sentence restates (``lead``).
    """

    index: int
    sentence: str
    speaker: str | None
    side: str | None
    stance: Stance
    verb: str | None = None
    answers: int | None = None
    restates: int | None = None

    @property
    def lead(self) -> bool:
        """True for the reporter's own sentence restating a party's claim."""
        return self.restates is not None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready row of the editor's who-said-what table."""
        return {"index": self.index, "speaker": self.speaker, "side": self.side,
                "stance": self.stance, "verb": self.verb, "answers": self.answers,
                "restates": self.restates, "sentence": self.sentence}


@dataclass(frozen=True)
class Dispute:
    """A claim the article shows to be contested, and the counter-claim.

    ``claim`` is the sentence the denial answers and ``counter`` the denial;
    ``claim_group``/``counter_group`` every sentence carrying each position (the
    claim's restatements and the speaker's follow-ups), so that a summary carrying
    any of them carries that position.
    """

    claim: int
    counter: int
    claim_side: str
    counter_side: str
    claim_group: tuple[int, ...]
    counter_group: tuple[int, ...]

    @property
    def sentences(self) -> tuple[int, ...]:
        """Every sentence of both positions, in article order."""
        return tuple(sorted(set(self.claim_group) | set(self.counter_group)))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"claim": self.claim, "counter": self.counter, "claim_side": self.claim_side,
                "counter_side": self.counter_side, "claim_group": list(self.claim_group),
                "counter_group": list(self.counter_group)}


@dataclass
class ClaimsTable:
    """Claims and disputes of one text (sentence indices refer to ``sentences``)."""

    lang: str
    sentences: list[str]
    claims: list[Claim] = field(default_factory=list)
    disputes: list[Dispute] = field(default_factory=list)

    def claim_at(self, index: int) -> Claim | None:
        """The claim made in sentence ``index``, if any."""
        return next((c for c in self.claims if c.index == index), None)

    @property
    def parties(self) -> list[str]:
        """Sides that take part in a dispute, in order of first appearance."""
        out: list[str] = []
        for d in self.disputes:
            for side in (d.claim_side, d.counter_side):
                if side not in out:
                    out.append(side)
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: ``claims`` rows and ``disputes``."""
        return {"claims": [c.to_dict() for c in self.claims],
                "disputes": [d.to_dict() for d in self.disputes]}
