"""Claim analysis: who said what, for which side, with which stance, answering which
claim; and the disputes (claim, counter-claim) a neutral summary must keep together.

Usage::

    table = analyse_claims(clean_text, "en")
    for dispute in table.disputes:
        claim, counter = dispute.claim, dispute.counter   # sentence indices
    table.to_dict()   # {"claims": [...], "disputes": [...]}
"""

from service.summarize.claims.analysis import analyse_claims, summary_claims
from service.summarize.claims.table import Claim, ClaimsTable, Dispute

__all__ = ["Claim", "ClaimsTable", "Dispute", "analyse_claims", "summary_claims"]
