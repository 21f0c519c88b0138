"""Instruction-model summaries through the application service: the prompt, the output
bounds, each enforcement path (a generation that invents a number, drops a side, adds
a loaded word, or that the NLI check finds contradicted), the faithfulness report,
cross-lingual summaries and mode=auto."""

from __future__ import annotations

import pytest
from scripted import ScriptedGenerator, ScriptedNLI, install

from service.errors import ModelUnavailable
from service.summarize.extractive import extractive_summary
from service.workflows.runtime import Runtime
from service.workflows.summarization import SummarizationService
from tests.summarize.articles import ARTICLES, BAD

ARTICLE = ARTICLES["en"]
#: Faithful except that its second sentence says the opposite of the article.
CONTRADICTED = ("Russia's defence ministry said on Tuesday that its forces had captured the "
                "village of Krasnohorivka in the Donetsk region. Ukraine's General Staff "
                "denied the claim, saying fighting for the village has ended.")


@pytest.fixture()
def make_runtime(tiny_settings):
    """``make_runtime(reply, contradicted, **settings)``: a runtime whose tiny-qwen3 and
    tiny-nli are scripted (``reply=None``: the real tiny models). ``_summarize`` closes it."""

    def make(reply: str | None = None, contradicted: tuple[str, ...] = (), **overrides):
        settings = tiny_settings.model_copy(update={"summary_model": "tiny-qwen3", **overrides})
        runtime = Runtime(settings)
        if reply is not None:
            generator = ScriptedGenerator(lambda _prompt: reply)
            nli = ScriptedNLI(contradicted)
            install(runtime, generator, nli)
            runtime.scripted = (generator, nli)
        return runtime

    return make


async def _summarize(runtime: Runtime, text: str = ARTICLE, **kwargs):
    try:
        return (await SummarizationService(runtime).summarize(text, **kwargs)).to_dict()
    finally:
        await runtime.close()


@pytest.mark.parametrize("kind", ["invented_number", "added_loaded_word"])
async def test_repair_replaces_the_failing_sentence_with_its_article_sentence(
        make_runtime, kind: str) -> None:
    candidate, check, span = BAD["en"][kind]
    body = await _summarize(make_runtime(candidate, summary_enforcement="repair"),
                            mode="abstractive")
    enforcement = body["enforcement"]
    assert enforcement["action"] == "repaired" and body["mode_used"] == "abstractive"
    assert enforcement["candidate"] == candidate
    assert check in enforcement["candidate_report"]["failed"]
    assert enforcement["reason"].startswith(f"candidate failed: {check}")
    assert any(change.startswith("sentence ") and check in change and "replaced by article "
               "sentence" in change for change in enforcement["changes"])
    assert span not in body["summary"]
    assert body["neutrality"]["passed"] is True
    # Every sentence served is an article sentence or a checked candidate sentence.
    assert "Ukraine's General Staff denied the claim" in body["summary"]


async def test_repair_adds_the_side_a_generation_dropped(make_runtime) -> None:
    candidate = BAD["en"]["missing_side"][0]
    body = await _summarize(make_runtime(candidate, summary_enforcement="repair"),
                            mode="abstractive")
    assert body["enforcement"]["action"] == "repaired"
    assert "sides" in body["enforcement"]["candidate_report"]["failed"]
    assert body["summary"].startswith(candidate)
    assert "Ukraine's General Staff" in body["summary"]
    assert body["neutrality"]["passed"] is True


@pytest.mark.parametrize("kind", ["invented_number", "missing_side", "added_loaded_word"])
async def test_fallback_serves_the_extractive_summary_and_says_why(make_runtime,
                                                                  kind: str) -> None:
    candidate, check, _ = BAD["en"][kind]
    body = await _summarize(make_runtime(candidate, summary_enforcement="fallback"),
                            mode="abstractive", max_sentences=3, max_words=80)
    assert body["enforcement"]["action"] == "fallback"
    assert body["mode_used"] == "extractive"
    assert body["enforcement"]["reason"] == (
        "candidate failed: " + ", ".join(body["enforcement"]["candidate_report"]["failed"]))
    assert check in body["enforcement"]["candidate_report"]["failed"]
    assert body["summary"] == extractive_summary(ARTICLE, "en", max_sentences=3,
                                                 max_words=80).text
    assert body["neutrality"]["passed"] is True


@pytest.mark.parametrize("kind", ["invented_number", "missing_side", "added_loaded_word"])
async def test_report_only_serves_the_candidate_flagged(make_runtime, kind: str) -> None:
    candidate, check, _ = BAD["en"][kind]
    body = await _summarize(make_runtime(candidate, summary_enforcement="report-only"),
                            mode="abstractive")
    assert body["enforcement"]["action"] == "reported"
    assert body["summary"] == candidate and body["mode_used"] == "abstractive"
    assert body["neutrality"]["passed"] is False
    assert check in body["neutrality"]["failed"]


async def test_nli_contradiction_is_repaired_and_scored(make_runtime) -> None:
    runtime = make_runtime(CONTRADICTED, contradicted=("has ended",),
                           summary_enforcement="repair")
    body = await _summarize(runtime, mode="abstractive")
    enforcement = body["enforcement"]
    assert enforcement["faithfulness"] == {"checked": True, "model": "tiny-nli"}
    faith = enforcement["candidate_report"]["checks"]["faithfulness"]
    assert enforcement["candidate_report"]["failed"] == ["faithfulness"]
    assert faith["model"] == "tiny-nli"
    first, second = faith["sentences"]
    # The first sentence is the article's own: supported without asking the model.
    assert first == {"sentence": CONTRADICTED.split(" Ukraine")[0], "verbatim": True}
    assert second["entailment"] == 0.02 and second["contradiction"] == 0.95
    assert faith["findings"][0]["message"] == ("contradicted by the article (contradiction "
                                               "0.95 > 0.50)")
    assert enforcement["action"] == "repaired"
    assert enforcement["changes"][0] == "sentence 2 (faithfulness) replaced by article sentence 3"
    assert "has ended" not in body["summary"]
    assert "saying fighting for the village continues" in body["summary"]
    assert body["neutrality"]["checks"]["faithfulness"]["passed"] is True
    # Only the non-verbatim sentence went to the classifier, against every window.
    _generator, nli = runtime.scripted
    assert {h for _p, h in nli.pairs} == {CONTRADICTED.split("region. ")[1]}


async def test_nli_contradiction_under_fallback_and_report_only(make_runtime) -> None:
    body = await _summarize(make_runtime(CONTRADICTED, contradicted=("has ended",),
                                         summary_enforcement="fallback"), mode="abstractive")
    assert body["enforcement"]["action"] == "fallback"
    assert body["enforcement"]["reason"] == "candidate failed: faithfulness"
    body = await _summarize(make_runtime(CONTRADICTED, contradicted=("has ended",),
                                         summary_enforcement="report-only"), mode="abstractive")
    assert body["enforcement"]["action"] == "reported"
    assert body["summary"] == CONTRADICTED
    assert body["neutrality"]["failed"] == ["faithfulness"]


async def test_prompt_carries_the_claims_table_in_the_article_language(make_runtime) -> None:
    runtime = make_runtime(BAD["ru"]["missing_side"][0])
    await _summarize(runtime, ARTICLES["ru"], mode="abstractive", max_sentences=2,
                     max_words=40)
    generator, _nli = runtime.scripted
    (prompt,) = generator.prompts
    assert "не более 2 предложений и не более 40 слов" in prompt
    assert "Утверждения в статье (кто что сказал):" in prompt
    # The disputes analysis's table: both positions of the dispute marked against
    # each other, each row with its speaker and side.
    assert ("[1] Министерство обороны России (сторона: Russia): Министерство обороны России "
            "заявило во вторник") in prompt
    assert "120 военнослужащих. (оспаривается, см. [3], [4])" in prompt
    assert ("[3] Генеральный штаб Вооружённых сил Украины (сторона: Ukraine): Генеральный "
            "штаб Вооружённых сил Украины опроверг это заявление, сообщив, что бои за село "
            "продолжаются. (оспаривается, см. [1], [2])") in prompt
    assert prompt.endswith("Бои идут накануне переговоров в Женеве 14 марта.\n"
                           "<|assistant|>\n")
    (key,) = generator.keys
    # Deterministic decoding; the budget from max_words capped by the catalogue's 24.
    assert key.options.num_beams == 1 and key.options.max_new_tokens == 24


async def test_output_is_cut_to_max_sentences(make_runtime) -> None:
    article_sentences = [line for line in ARTICLE.splitlines() if line][:1]
    long_reply = " ".join(article_sentences * 1 + [
        "The ministry said the village had been \"liberated\" after three days of fighting "
        "and that 120 Ukrainian soldiers had been killed.",
        "Ukraine's General Staff denied the claim, saying fighting for the village "
        "continues.", "The fighting comes ahead of talks in Geneva on 14 March."])
    body = await _summarize(make_runtime(long_reply, summary_enforcement="report-only"),
                            mode="abstractive", max_sentences=2, max_words=80)
    assert body["enforcement"]["candidate"].count(". ") == 1
    assert "model output cut to 2 sentences / 80 words" in body["notes"]


async def test_cross_lingual_summary_is_generated_and_checked_in_the_source_language(
        make_runtime) -> None:
    candidate = BAD["ru"]["invented_number"][0]
    body = await _summarize(make_runtime(candidate, summary_enforcement="report-only"),
                            ARTICLES["ru"], target="ko", mode="abstractive")
    assert body["source_language"] == "ru" and body["target_language"] == "ko"
    assert body["source_summary"] == candidate
    assert body["neutrality"]["language"] == "ru" and "novel_content" in body["neutrality"][
        "failed"]
    assert body["model_route"][0]["model"] == "tiny-qwen3"
    assert body["model_route"][-1]["task"] == "translate"


async def test_auto_uses_the_instruction_model_and_says_so(make_runtime) -> None:
    body = await _summarize(make_runtime(BAD["en"]["missing_side"][0],
                                         summary_enforcement="report-only"))
    assert body["mode_used"] == "abstractive"
    assert "auto: used the abstractive model 'tiny-qwen3' (its weights are local)" in body[
        "notes"]


async def test_faithfulness_off_and_required(make_runtime) -> None:
    body = await _summarize(make_runtime(CONTRADICTED, summary_nli="off"), mode="abstractive")
    assert body["enforcement"]["faithfulness"] == {
        "checked": False, "reason": "disabled (NEWSROOM_SUMMARY_NLI=off)"}
    assert "faithfulness" not in body["neutrality"]["checks"]
    runtime = make_runtime(CONTRADICTED, summary_nli="on", nli_model="tiny-mt5-summarize")
    with pytest.raises(ModelUnavailable, match="no usable NLI model"):
        await _summarize(runtime, mode="abstractive")


async def test_tiny_qwen3_and_tiny_nli_end_to_end(make_runtime) -> None:
    """The real tiny models (random weights): the route, the prompt path and the NLI
    scores of every non-verbatim sentence reach the response."""
    body = await _summarize(make_runtime(summary_enforcement="report-only"),
                            ARTICLES["uk"], mode="abstractive")
    assert body["model_route"] == [{"task": "summarize", "model": "tiny-qwen3",
                                    "language": "uk", "prompt": "neutral-summary/uk"}]
    assert body["enforcement"]["faithfulness"] == {"checked": True, "model": "tiny-nli"}
    faith = body["neutrality"]["checks"]["faithfulness"]
    assert faith["model"] == "tiny-nli" and faith["sentences"]
    for row in faith["sentences"]:
        assert row.get("verbatim") or 0.0 <= row["entailment"] <= 1.0
