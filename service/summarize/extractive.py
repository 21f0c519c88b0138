"""Extractive summaries: whole article sentences, ranked, in their original order.

Ranking is TextRank-style: a graph of sentences weighted by the cosine similarity of
their TF-IDF content-word vectors (five-letter stems for en/ru/uk, kiwipiepy
morphemes for ko, so it works in every language without weights), scored with
PageRank whose teleport favours early sentences, then weighted towards the lead
(news puts the gist first).
Selection is greedy with redundancy removal (maximal marginal relevance).

Neutrality comes before length: where the article quotes two or more sides, a
sentence naming each side's speaker is chosen first, even when that exceeds
``max_sentences`` or ``max_words`` (``Summary.over_limit`` then says so). A sentence
whose speaker is only "he"/"she" is taken together with the sentence naming the
speaker, and sentences that use a loaded term in the article's own voice are passed
over while others remain.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from service.errors import InvalidInput
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
    order (``indices`` into the article's sentence list). ``over_limit`` is true when
    the limits were exceeded to carry every quoted side (or because no single sentence
    fits ``max_words``); ``note`` then explains."""

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


def side_units(analysis: Analysis, scores: np.ndarray) -> list[tuple[int, ...]]:
    """For each side, the best-ranked unit naming its speaker, best sides first."""
    units: list[tuple[float, tuple[int, ...]]] = []
    for side_index in range(len(analysis.sides)):
        best: tuple[float, tuple[int, ...]] | None = None
        for sentence in analysis.sentences:
            if side_index not in analysis.sentence_sides(sentence.index):
                continue
            unit = speaker_unit(analysis, sentence.index)
            # Prefer one sentence that names the speaker over a "he said" pair.
            value = float(scores[sentence.index]) / len(unit)
            if best is None or value > best[0]:
                best = (value, unit)
        if best is not None:
            units.append(best)
    units.sort(key=lambda item: -item[0])
    return [unit for _, unit in units]


def extractive_summary(text: str, lang: str, *, max_sentences: int = 3,
                       max_words: int = 80) -> Summary:
    """Summarise ``text`` (language ``lang``) by choosing whole sentences.

    At most ``max_sentences`` sentences and ``max_words`` words (whitespace-separated
    units, eojeol for Korean), except that every side the article quotes is carried
    even past these limits (reported in ``over_limit`` and ``note``).
    """
    if max_sentences < 1:
        raise InvalidInput("max_sentences must be at least 1.", field="max_sentences")
    if max_words < 1:
        raise InvalidInput("max_words must be at least 1.", field="max_words")
    analysis = analyse(text, lang)
    if not analysis.sentences:
        return Summary("", [])
    scores, sim = rank_sentences(analysis)
    loaded = _loaded_in_own_voice(analysis)
    adjusted = np.array([s * (_LOADED_PENALTY if i in loaded else 1.0)
                         for i, s in enumerate(scores)])
    lengths = [_word_count(s.text) for s in analysis.sentences]

    chosen: list[int] = []
    for unit in side_units(analysis, adjusted):
        covered = set().union(*(analysis.sentence_sides(i) for i in chosen)) if chosen else set()
        if analysis.sentence_sides(unit[-1]) - covered:
            chosen.extend(i for i in unit if i not in chosen)
    side_forced = len(chosen) > max_sentences or sum(lengths[i] for i in chosen) > max_words

    order = sorted(range(len(scores)), key=lambda i: -adjusted[i])
    while len(chosen) < max_sentences:
        best, best_value = None, -np.inf
        for i in order:
            if i in chosen:
                continue
            unit = [j for j in speaker_unit(analysis, i) if j not in chosen]
            if len(chosen) + len(unit) > max_sentences:
                continue
            if sum(lengths[j] for j in chosen + unit) > max_words:
                continue
            redundancy = max((sim[i, j] for j in chosen), default=0.0)
            if redundancy > _REDUNDANT:
                continue
            value = adjusted[i] - _MMR_LAMBDA * redundancy
            if value > best_value:
                best, best_value = i, value
        if best is None:
            break
        chosen.extend(j for j in speaker_unit(analysis, best) if j not in chosen)

    note = None
    over = False
    if not chosen:
        # No sentence fits max_words: keep the best one whole rather than cut it.
        chosen = list(speaker_unit(analysis, order[0]))
        over = True
        note = "no whole sentence fits max_words; the best-ranked sentence is kept whole"
    elif side_forced:
        over = True
        note = (f"limits exceeded to carry all {len(analysis.sides)} quoted sides "
                f"(max_sentences={max_sentences}, max_words={max_words})")
    chosen.sort()
    sentences = [analysis.sentences[i].text for i in chosen]
    summary_text = join_sentences(sentences)
    covered = set().union(*(analysis.sentence_sides(i) for i in chosen))
    return Summary(summary_text, sentences, chosen, _word_count(summary_text),
                   len(analysis.sides), len(covered), over, note)
