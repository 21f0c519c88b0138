"""Attribution: a claim the article attributes to a speaker must keep its speaker
in the summary.

Each summary sentence is matched to the article sentence it shares most content
words with. If that sentence reports someone's words and the summary sentence does
not name the same speaker next to a reporting cue, it is flagged; also when it
names a speaker from another side.
"""

from __future__ import annotations

from service.summarize.neutrality.report import CheckResult, Finding
from service.summarize.neutrality.sources import (
    Analysis,
    SentenceInfo,
    Source,
    side_label,
    speaker_on_side,
)

NAME = "attribution"
#: A summary sentence restates an article sentence when it shares at least this many
#: content words with it, and this share of its own content words.
MIN_SHARED = 2
MIN_SHARE = 0.4


def best_match(sentence: SentenceInfo, article: Analysis) -> tuple[int | None, int]:
    """Index of the article sentence ``sentence`` restates (``None`` if none) and the
    number of content words they share. Ties go to the earlier unattributed sentence:
    a fact the article also states in its own voice needs no speaker."""
    best, best_key = None, (0, 0.0, False)
    for candidate in article.sentences:
        shared = len(sentence.stems & candidate.stems)
        if not shared:
            continue
        # Most shared words, then the closest wording (a copied sentence matches
        # itself), then the article's own voice.
        key = (shared, shared / len(sentence.stems | candidate.stems), not candidate.attributed)
        if key > best_key:
            best, best_key = candidate.index, key
    best_shared = best_key[0]
    if best is None or best_shared < MIN_SHARED or \
            best_shared < MIN_SHARE * max(1, len(sentence.stems)):
        return None, best_shared
    return best, best_shared


def names_speaker(summary: Analysis, index: int, side: list[Source], lang: str) -> bool:
    """True when summary sentence ``index`` reports a speaker of ``side`` (named in it,
    or named in the sentence its "he said" / "the ministry said" refers to)."""
    sentence = summary.sentences[index]
    # Its own speaker phrases count too: "officials said" may refer back to another
    # speaker in the summary and not in the article, or the other way round.
    speakers = summary.speakers(index) + sentence.named_sources
    return any(speaker_on_side(sp, side, lang) for sp in speakers)


def check(article: Analysis, summary: Analysis, *, same_language: bool) -> CheckResult:
    """Flag summary sentences that restate an attributed claim without its speaker."""
    if not same_language:
        return CheckResult.across_languages(NAME, "claims", article.lang, summary.lang)
    result = CheckResult(NAME)
    lang = article.lang
    for sentence in summary.sentences:
        match, _ = best_match(sentence, article)
        if match is None:
            continue
        source_sentence = article.sentences[match]
        if not source_sentence.cue and source_sentence.antecedent is None:
            continue  # not reported speech (scare quotes at most)
        speakers = article.speakers(match)
        sides = [article.sides[i] for i in article.sentence_sides(match)]
        if not speakers or not sides:
            if not sentence.attributed:
                result.findings.append(Finding(
                    NAME, "claim the article reports as someone's statement is given as "
                          "fact", sentence.text, sentence.start, sentence.end))
            continue
        if sentence.attributed and any(names_speaker(summary, sentence.index, side, lang)
                                       for side in sides):
            continue
        label = side_label(sides[0])
        others = [side_label(s) for s in article.sides
                  if s not in sides and sentence.attributed
                  and names_speaker(summary, sentence.index, s, lang)]
        if others:
            message = (f"claim attributed in the summary to '{others[0]}' is attributed "
                       f"in the article to '{label}'")
        else:
            message = f"claim attributed in the article to '{label}' appears without its source"
        result.findings.append(Finding(NAME, message, sentence.text, sentence.start,
                                       sentence.end))
    return result
