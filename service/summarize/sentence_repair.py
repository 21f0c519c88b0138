"""Repair step for generated summaries: a sentence that fails a content check is
replaced by the article sentence it came from.

A sentence with a faithfulness finding (the NLI check), novel content (an invented
number or name) or loaded language is usually a paraphrase of one article sentence
gone wrong. When the sentence still shares enough content words with one article
sentence (:func:`service.summarize.neutrality.attribution.best_match`), that article
sentence, with the sentence naming its speaker when it says only "he said", takes its
place. A sentence that matches nothing is left for the general repair, which drops it.
"""

from __future__ import annotations

from service.summarize.extractive import join_sentences, speaker_unit
from service.summarize.neutrality import NeutralityReport
from service.summarize.neutrality.attribution import best_match
from service.summarize.neutrality.sources import analyse

#: Checks whose findings mark a sentence as wrong in content (not just unattributed).
CONTENT_CHECKS = ("faithfulness", "novel_content", "loaded_language")


def replace_failing_sentences(article: str, candidate: str, lang: str,
                              report: NeutralityReport) -> tuple[str, list[str]]:
    """``candidate`` with each content-failing sentence replaced by its article
    sentence; returns the text and one line per replacement."""
    art = analyse(article, lang)
    cand = analyse(candidate, lang)
    out: list[str] = []
    changes: list[str] = []
    for sentence in cand.sentences:
        failing = sorted({f.check for f in report.findings if f.start is not None
                          and f.check in CONTENT_CHECKS
                          and sentence.start <= f.start < sentence.end})
        match = best_match(sentence, art)[0] if failing else None
        if match is None:
            out.append(sentence.text)
            continue
        unit = [art.sentences[i].text for i in speaker_unit(art, match)]
        out.extend(text for text in unit if text not in out)
        changes.append(f"sentence {sentence.index + 1} ({', '.join(failing)}) replaced by "
                       f"article sentence {match + 1}")
    if not changes:
        return candidate, []
    return join_sentences(out), changes
