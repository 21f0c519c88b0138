"""Contested articles (tests/summarize/contested.py): page furniture is left out,
the claims table names both sides of the dispute, the default summary carries both
positions with their speakers, and every crafted bad summary fails the report."""

from __future__ import annotations

import pytest
from contested import CASES

from service.summarize.claims import analyse_claims
from service.summarize.enforcement import enforce
from service.summarize.extractive import extractive_summary
from service.summarize.furniture import clean_article, sentences_lost
from service.summarize.neutrality import check_neutrality
from service.summarize.neutrality.sources import analyse

NAMES = list(CASES)
BAD = [(name, kind) for name in NAMES for kind in CASES[name].bad]
LIMITS = {"max_sentences": 3, "max_words": 80}


def _dispute(name: str):
    case = CASES[name]
    clean = clean_article(case.text, case.lang).text
    table = analyse_claims(clean, case.lang)
    matching = [d for d in table.disputes
                if (d.claim_side, d.counter_side) == (case.claim_side, case.counter_side)]
    assert matching, [d.to_dict() for d in table.disputes]
    return clean, table, matching[0]


@pytest.mark.parametrize("name", NAMES)
def test_furniture_is_left_out_and_no_sentence_is_lost(name: str) -> None:
    case = CASES[name]
    clean = clean_article(case.text, case.lang)
    for piece in case.furniture:
        assert piece not in clean.text, piece
        assert any(piece in r.text for r in clean.removed), piece
    # What stays is the article: no line of it was dropped.
    assert sentences_lost(clean.text, case.lang) == 0
    assert clean.headline is not None


@pytest.mark.parametrize("name", NAMES)
def test_claims_table_pairs_the_claim_with_its_denial(name: str) -> None:
    case = CASES[name]
    _, table, dispute = _dispute(name)
    assert case.claim in table.sentences[dispute.claim]
    assert case.counter in table.sentences[dispute.counter]
    denial = table.claim_at(dispute.counter)
    assert denial is not None
    assert (denial.stance, denial.side, denial.answers) == ("denies", case.counter_side,
                                                             dispute.claim)
    # Three or more speakers, and the reporter's lead belongs to one side's claim.
    assert len({c.speaker for c in table.claims if not c.lead}) >= 3
    leads = [c for c in table.claims if c.lead]
    assert leads and all(c.side in (case.claim_side, case.counter_side) for c in leads)
    # The claim is stated before the denial and again after it.
    assert min(dispute.claim_group) < dispute.counter < max(dispute.claim_group)


@pytest.mark.parametrize("name", NAMES)
def test_default_summary_carries_both_positions_without_furniture(name: str) -> None:
    case = CASES[name]
    clean, table, dispute = _dispute(name)
    summary = extractive_summary(case.text, case.lang, **LIMITS)
    report = check_neutrality(case.text, summary.text, case.lang)
    assert report.passed, report.to_dict()
    assert set(summary.indices) & set(dispute.claim_group)
    assert set(summary.indices) & set(dispute.counter_group)
    # Each position with its speaker: the rows of the chosen sentences name both sides.
    sides = {c.side for c in table.claims if c.index in summary.indices and not c.lead}
    assert {case.claim_side, case.counter_side} <= sides
    for piece in case.furniture:
        assert piece not in summary.text
    assert not summary.over_limit
    assert len(summary.sentences) <= 3 and summary.words <= 80
    # The headline never takes a slot.
    headline = clean.split("\n", 1)[0]
    assert headline not in summary.sentences


@pytest.mark.parametrize(("name", "kind"), BAD)
def test_crafted_bad_summary_fails_the_report(name: str, kind: str) -> None:
    case = CASES[name]
    report = check_neutrality(case.text, case.bad[kind], case.lang)
    assert not report.passed
    assert "disputes" in report.failed, report.to_dict()
    findings = report.checks["disputes"].findings
    assert all(f.span_text in case.bad[kind] for f in findings if f.start is not None)


@pytest.mark.parametrize("name", NAMES)
def test_dropped_denial_names_the_missing_side(name: str) -> None:
    case = CASES[name]
    report = check_neutrality(case.text, case.bad["dropped_denial"], case.lang)
    messages = [f.message for f in report.checks["disputes"].findings]
    assert any(m.startswith(f"claim of '{case.claim_side}' is disputed in the article by "
                            f"'{case.counter_side}'") and
               m.endswith("whose counter-claim is missing from the summary")
               for m in messages), messages


@pytest.mark.parametrize("name", NAMES)
def test_misattribution_is_named(name: str) -> None:
    case = CASES[name]
    report = check_neutrality(case.text, case.bad["misattribution"], case.lang)
    messages = [f.message for f in report.checks["disputes"].findings]
    assert any("is attributed in the summary to" in m for m in messages), messages


@pytest.mark.parametrize("name", NAMES)
def test_one_sided_selection_fails_sides_and_disputes(name: str) -> None:
    case = CASES[name]
    report = check_neutrality(case.text, case.bad["one_sided"], case.lang)
    assert {"sides", "disputes"} <= set(report.failed)
    assert [f.message for f in report.checks["sides"].findings] == [
        f"side '{case.counter_side}' of a dispute in the article is missing from the summary"]


@pytest.mark.parametrize(("name", "kind"), BAD)
def test_enforcement_repairs_or_falls_back_to_a_passing_summary(name: str, kind: str) -> None:
    case = CASES[name]
    for policy in ("repair", "fallback"):
        result = enforce(case.text, case.bad[kind], case.lang, policy, **LIMITS)
        assert result.action in ("repaired", "fallback")
        assert "disputes" in result.candidate_report.failed
        assert result.report.passed, (policy, result.summary, result.report.to_dict())


def test_repair_adds_the_denial_with_its_speaker() -> None:
    case = CASES["en-war"]
    result = enforce(case.text, case.bad["dropped_denial"], "en", "repair", **LIMITS)
    assert result.action == "repaired"
    assert "However, Ukraine's General Staff has refuted claims by Russia's top military " \
           "command" in result.summary
    assert result.changes == ["added the position of 'Ukraine' (sentence 4 of the article)"]


def test_a_denial_names_the_claim_it_answers_explicitly() -> None:
    # "refuted claims by X regarding Y": the claim of X, even with another side's
    # statement closer to the denial.
    article = ("Russia's defence ministry said its troops had taken the village of Lypky.\n"
               "Belarus's foreign ministry said it had closed two border crossings.\n"
               "Ukraine's General Staff refuted claims by the Russian ministry regarding "
               "Lypky, saying its troops still hold the village.\n")
    table = analyse_claims(article, "en")
    denial = table.claim_at(2)
    assert denial is not None and denial.stance == "denies" and denial.answers == 0
    assert [(d.claim_side, d.counter_side) for d in table.disputes] == [("Russia", "Ukraine")]


def test_negated_confirmation_is_no_confirmation() -> None:
    article = "Analysts at the institute said they could not confirm either account.\n"
    table = analyse_claims(article, "en")
    assert [c.stance for c in table.claims] == ["asserts"]


def test_claims_table_is_json_ready() -> None:
    case = CASES["uk-war"]
    _, table, dispute = _dispute("uk-war")
    data = table.to_dict()
    row = next(r for r in data["claims"] if r["index"] == dispute.counter)
    assert row == {"index": dispute.counter, "speaker": "Генеральний штаб ЗСУ",
                   "side": "Ukraine", "stance": "denies", "verb": "спростував",
                   "answers": dispute.claim, "restates": None,
                   "sentence": table.sentences[dispute.counter]}
    assert data["disputes"][0]["claim_side"] == case.claim_side


def test_article_without_dispute_keeps_the_limits_and_passes_sides() -> None:
    article = ("The city council approved a new budget on Monday, the mayor said.\n"
               "The budget sets aside money for road repairs and two new schools.\n"
               "Council member Ann Bell said the schools would open in three years.\n"
               "A vote on bus routes is expected next month, officials said.\n")
    summary = extractive_summary(article, "en", max_sentences=2, max_words=30)
    assert len(summary.sentences) <= 2 and summary.words <= 30 and not summary.over_limit
    report = check_neutrality(article, summary.text, "en")
    assert report.passed
    assert report.checks["sides"].reason == "the article reports no dispute between sides"


def test_claim_and_denial_win_over_the_limits_and_say_so() -> None:
    case = CASES["en-civic"]
    summary = extractive_summary(case.text, "en", max_sentences=1, max_words=10)
    assert summary.over_limit
    assert summary.note == ("limits exceeded to carry both sides of a dispute "
                            "(max_sentences=1, max_words=10)")
    assert check_neutrality(case.text, summary.text, "en").passed


@pytest.mark.parametrize("name", NAMES)
def test_indices_refer_to_the_cleaned_article(name: str) -> None:
    case = CASES[name]
    clean = clean_article(case.text, case.lang).text
    analysis = analyse(clean, case.lang)
    summary = extractive_summary(case.text, case.lang, **LIMITS)
    assert [analysis.sentences[i].text for i in summary.indices] == summary.sentences
