"""Extractive summaries: whole article sentences, ranked, in their original order.

Ranking is TextRank-style: a graph of sentences weighted by the cosine similarity of
their TF-IDF content-word vectors (five-letter stems for en/ru/uk, kiwipiepy
morphemes for ko, so it works in every language without weights), scored with
PageRank whose teleport favours early sentences, then weighted towards the lead
(news puts the gist first).
Selection is greedy with redundancy removal (maximal marginal relevance).

Neutrality comes before length: page furniture is removed first and the headline
never takes a slot; where the article reports a dispute (a claim and its denial,
:mod:`service.summarize.claims`), the claim and the counter-claim, each with its
speaker, are chosen first, even when that exceeds ``max_sentences`` or
``max_words`` (``Summary.over_limit`` then says so); every other sentence is taken
only within the limits, and one that touches a dispute only together with its
other side. A sentence whose speaker is only "he"/"she" is taken together with the
sentence naming the speaker, and sentences that use a loaded term in the article's
own voice are passed over while others remain.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from service.errors import InvalidInput
from service.summarize.claims import ClaimsTable, analyse_claims
from service.summarize.furniture import clean_article
from service.summarize.neutrality.loaded_language import attributed_at, find_terms
from service.summarize.neutrality.sources import Analysis, analyse

#: PageRank damping and iterations (converges well before on article-sized graphs).
_DAMPING = 0.85
_ITERATIONS = 50
#: Weight of redundancy against rank, and similarity above which a sentence repeats
#: one already chosen.
_MMR_LAMBDA = 0.6
_REDUNDANT = 0.65
#: Rank multiplier for sentences stating a loaded term in the article's own voice.
_LOADED_PENALTY = 0.05


@dataclass(frozen=True)
class Summary:
    """An extractive summary. ``sentences`` are article sentences, whole, in article
    order (``indices`` into the sentence list of the article cleaned of page
    furniture). ``over_limit`` is true when the limits were exceeded to carry both
    sides of a dispute (or because no single sentence fits ``max_words``); ``note``
    then explains. ``sides_total``/``sides_covered`` count the parties to the
    article's disputes."""

    text: str
    sentences: list[str]
    indices: list[int] = field(default_factory=list)
    words: int = 0
    sides_total: int = 0
    sides_covered: int = 0
    over_limit: bool = False
    note: str | None = None


_TERMINAL = re.compile(r"[.!?…。！？][\"'”’»)\]]*$")


def join_sentences(sentences: list[str]) -> str:
    """Join sentences with a space, or a line break after one without final
    punctuation (a headline), so that splitting the summary again finds the same
    sentences."""
    out = ""
    for sentence in sentences:
        if out:
            out += " " if _TERMINAL.search(out) else "\n"
        out += sentence
    return out


def _word_count(text: str) -> int:
    return len(text.split())


def rank_sentences(analysis: Analysis) -> tuple[np.ndarray, np.ndarray]:
    """PageRank scores (max 1) of the sentences and their cosine-similarity matrix."""
    n = len(analysis.sentences)
    vocab: dict[str, int] = {}
    for sentence in analysis.sentences:
        for stem in sentence.stems:
            vocab.setdefault(stem, len(vocab))
    matrix = np.zeros((n, max(1, len(vocab))), dtype=np.float64)
    for i, sentence in enumerate(analysis.sentences):
        for stem in sentence.stems:
            matrix[i, vocab[stem]] = 1.0
    df = matrix.sum(axis=0)
    matrix *= np.log((1 + n) / (1 + df)) + 1.0
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    matrix = np.divide(matrix, norms, out=np.zeros_like(matrix), where=norms > 0)
    sim = matrix @ matrix.T
    np.fill_diagonal(sim, 0.0)
    row = sim.sum(axis=1, keepdims=True)
    # A sentence similar to nothing links to every sentence equally.
    transition = np.where(row > 0, sim / np.where(row > 0, row, 1), 1.0 / max(1, n))
    teleport = 1.0 / (np.arange(n) + 1.0)
    teleport /= teleport.sum()
    scores = np.full(n, 1.0 / n)
    for _ in range(_ITERATIONS):
        scores = (1 - _DAMPING) * teleport + _DAMPING * (transition.T @ scores)
    # News puts the gist first: the lead sentence counts double, the next ones less.
    scores *= 1.0 + 1.0 / (np.arange(n) + 1.0)
    scores /= scores.max() if scores.max() > 0 else 1.0
    return scores, sim


def _loaded_in_own_voice(analysis: Analysis) -> set[int]:
    flagged: set[int] = set()
    for occ in find_terms(analysis.text, analysis.lang):
        if not attributed_at(analysis, occ.start, occ.end):
            flagged.update(s.index for s in analysis.sentences
                           if s.start <= occ.start < s.end)
    return flagged


def speaker_unit(analysis: Analysis, index: int) -> tuple[int, ...]:
    """Sentences that must go together: "he said" needs the sentence naming him."""
    sentence = analysis.sentences[index]
    if sentence.antecedent is not None and not sentence.own_speakers:
        return (sentence.antecedent, index)
    return (index,)


def _best_unit(analysis: Analysis, group: tuple[int, ...], scores: np.ndarray,
               excluded: set[int]) -> tuple[int, ...]:
    """The best-ranked sentence of a position (with the sentence naming its speaker
    for "he said"), preferring one sentence that names the speaker itself."""
    candidates = [i for i in group if i not in excluded] or list(group)
    best = max(candidates, key=lambda i: (float(scores[i]) / len(speaker_unit(analysis, i)),
                                          -i))
    return speaker_unit(analysis, best)


def dispute_units(analysis: Analysis, table: ClaimsTable, scores: np.ndarray,
                  excluded: set[int], lengths: list[int], max_words: int,
                  max_sentences: int) -> list[tuple[int, ...]]:
    """For each dispute, the sentences carrying both positions (claim and
    counter-claim, each with its speaker), best-ranked disputes first. Of a
    position's sentences the best-ranked is taken, or the shortest pair when the
    best does not fit ``max_words`` and ``max_sentences``."""
    units: list[tuple[float, tuple[int, ...]]] = []
    for dispute in table.disputes:
        pairs = []
        claim_group = [i for i in dispute.claim_group if i not in excluded] or \
            [dispute.claim]
        counter_group = [i for i in dispute.counter_group if i not in excluded] or \
            [dispute.counter]
        for c in claim_group:
            for d in counter_group:
                unit = tuple(sorted(set(speaker_unit(analysis, c)) |
                                    set(speaker_unit(analysis, d))))
                words = sum(lengths[i] for i in unit)
                value = sum(float(scores[i]) for i in unit) / len(unit)
                fits = words <= max_words and len(unit) <= max_sentences
                pairs.append((fits, value, -words, unit))
        fits, value, _, unit = max(pairs)
        if not fits:
            _, value, _, unit = min(pairs, key=lambda p: (-p[2], -p[1]))
        units.append((value, unit))
    units.sort(key=lambda item: -item[0])
    return [unit for _, unit in units]


def _excluded(analysis: Analysis, table: ClaimsTable, headline: tuple[int, int] | None
              ) -> set[int]:
    """Sentences that never take a slot: the headline, and the reporter's own
    restatements of a disputed claim (the claim is carried with its speaker)."""
    out = {c.index for c in table.claims if c.lead}
    if headline is not None:
        out |= {s.index for s in analysis.sentences if s.start < headline[1]}
    return out


def _with_dispute(unit: list[int], disputes: list[tuple[int, ...]],
                  table: ClaimsTable, chosen: list[int]) -> list[int]:
    """A candidate unit plus the other position of any dispute it touches that the
    summary does not carry yet."""
    out = list(unit)
    for dispute, pair in zip(table.disputes, disputes):
        if any(i in dispute.sentences for i in unit):
            carried = any(i in dispute.claim_group for i in chosen) and \
                any(i in dispute.counter_group for i in chosen)
            if not carried:
                out.extend(i for i in pair if i not in out)
    return [i for i in out if i not in chosen]


def extractive_summary(text: str, lang: str, *, max_sentences: int = 3,
                       max_words: int = 80) -> Summary:
    """Summarise ``text`` (language ``lang``) by choosing whole sentences.

    Page furniture is removed first and the headline never takes a slot. The
    best-ranked dispute (claim and counter-claim, each with its speaker) comes
    first, even past ``max_sentences``/``max_words`` when its two sides cannot fit
    (``over_limit`` and ``note`` say so); then further disputes and the lead facts
    while they fit the limits (eojeol count as words for Korean).
    """
    if max_sentences < 1:
        raise InvalidInput("max_sentences must be at least 1.", field="max_sentences")
    if max_words < 1:
        raise InvalidInput("max_words must be at least 1.", field="max_words")
    clean = clean_article(text, lang)
    analysis = analyse(clean.text, lang)
    if not analysis.sentences:
        return Summary("", [])
    table = analyse_claims(clean.text, lang)
    scores, sim = rank_sentences(analysis)
    loaded = _loaded_in_own_voice(analysis)
    adjusted = np.array([s * (_LOADED_PENALTY if i in loaded else 1.0)
                         for i, s in enumerate(scores)])
    lengths = [_word_count(s.text) for s in analysis.sentences]
    excluded = _excluded(analysis, table, clean.headline)
    pairs = dispute_units(analysis, table, adjusted, excluded, lengths, max_words,
                          max_sentences)
    # Pairs in table order, for _with_dispute.
    by_dispute = [next(p for p in pairs if set(p) & set(d.sentences)) for d in table.disputes]

    chosen: list[int] = list(pairs[0]) if pairs else []
    forced = len(chosen) > max_sentences or sum(lengths[i] for i in chosen) > max_words

    def fits(unit: list[int]) -> bool:
        return len(chosen) + len(unit) <= max_sentences and \
            sum(lengths[j] for j in chosen + unit) <= max_words

    for pair in pairs[1:]:
        unit = [i for i in pair if i not in chosen]
        if unit and fits(unit):
            chosen.extend(unit)

    order = [i for i in sorted(range(len(scores)), key=lambda i: -adjusted[i])
             if i not in excluded]
    while len(chosen) < max_sentences:
        best, best_value, best_unit = None, -np.inf, []
        for i in order:
            if i in chosen:
                continue
            unit = _with_dispute(list(speaker_unit(analysis, i)), by_dispute, table, chosen)
            if not fits(unit):
                continue
            redundancy = max((sim[i, j] for j in chosen), default=0.0)
            if redundancy > _REDUNDANT:
                continue
            value = adjusted[i] - _MMR_LAMBDA * redundancy
            if value > best_value:
                best, best_value, best_unit = i, value, unit
        if best is None:
            break
        chosen.extend(best_unit)

    note = None
    over = False
    if not chosen:
        # No sentence fits max_words: keep the best one whole rather than cut it.
        first = order[0] if order else 0
        chosen = _with_dispute(list(speaker_unit(analysis, first)), by_dispute, table, [])
        over = True
        note = "no whole sentence fits max_words; the best-ranked sentence is kept whole"
    elif forced:
        over = True
        note = (f"limits exceeded to carry both sides of a dispute "
                f"(max_sentences={max_sentences}, max_words={max_words})")
    chosen = sorted(set(chosen))
    sentences = [analysis.sentences[i].text for i in chosen]
    summary_text = join_sentences(sentences)
    parties = table.parties
    covered = {c.side for c in table.claims if c.index in chosen and not c.lead} & set(parties)
    return Summary(summary_text, sentences, chosen, _word_count(summary_text),
                   len(parties), len(covered), over, note)
