"""Claim analysis: per sentence, the speaker, the side it speaks for, the stance,
and for a denial the claim it answers; then the disputes between sides.

Built on the neutrality analysis of sources (:mod:`service.summarize.neutrality.sources`):

1. *Sides.* Speakers are grouped by name (a later "Gerasimov" joins "Chief of
   Russia's General Staff Valery Gerasimov"); a group whose phrases or affiliations
   mention a gazetteer party ("Russia's top military command", "Генштаб ВСУ") speaks
   for that party, so several groups may share one side. Other groups are sides of
   their own ("the drivers' union").
2. *Stance.* Denial, accusation and confirmation verbs outside quotations
   (:mod:`service.summarize.claims.lexicon`); any other reported speech asserts.
3. *Answers.* A denial answers a claim of another side: the side it names ("refuted
   claims by Russia's top military command regarding ...") if any, the claim sharing
   most topic words with it, else the nearest claim before it ("denied the claim").
4. *Leads.* A sentence in the reporter's own voice that restates a disputed claim
   ("Ukrainian forces have been driven out of the region.") belongs to that claim.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from service.summarize.claims.lemmas import token_key
from service.summarize.claims.lexicon import (
    STANCE_ORDER,
    TITLES,
    anaphora_pattern,
    answered_pattern,
    gazetteer_sides,
    negated,
    reasserts_pattern,
    stance_pattern,
)
from service.summarize.claims.table import Claim, ClaimsTable, Dispute, Stance
from service.summarize.furniture import headline_span
from service.summarize.neutrality.cues import cues_for
from service.summarize.neutrality.sources import (
    Analysis,
    Source,
    _segment_before,
    _source,
    analyse,
    keys_within,
    speaker_on_side,
)
from service.summarize.neutrality.tokens import same_word, tokenize
from service.summarize.neutrality.vocab import date_word, is_stopword

#: A reporter's sentence restates a claim when it shares this many topic words with
#: it, and this share of its own topic words.
LEAD_MIN_SHARED = 3
LEAD_MIN_SHARE = 0.25
#: A claim of the answered side belongs to the disputed claim when it shares this
#: many topic words with the answered claim or with the denial.
GROUP_MIN_SHARED = 2


def _masked(analysis: Analysis, index: int) -> str:
    """Sentence ``index`` with quotations blanked (a quoted "we deny" is not a stance
    of the sentence's speaker)."""
    sentence = analysis.sentences[index]
    chars = list(sentence.text)
    for q0, q1 in analysis.quote_spans:
        for pos in range(max(q0, sentence.start), min(q1, sentence.end)):
            chars[pos - sentence.start] = " "
    return "".join(chars)


def sentence_stance(analysis: Analysis, index: int) -> tuple[Stance, str | None, int]:
    """Stance of sentence ``index``, the word that marks it and where it starts
    (sentence-relative; -1 for a plain assertion)."""
    text = _masked(analysis, index)
    for stance in STANCE_ORDER:
        for match in stance_pattern(stance, analysis.lang).finditer(text):
            if stance in ("confirms", "denies") and negated(text, match.start(), match.end(),
                                                            analysis.lang):
                # "could not confirm either account" confirms nothing; "no one can
                # deny that ..." denies nothing.
                continue
            return stance, match.group().strip(), match.start()  # type: ignore[return-value]
    verb = cues_for(analysis.lang).verbs.search(text)
    return "asserts", (verb.group() if verb else None), -1


def _gazetteer_side(texts: list[str], lang: str) -> str | None:
    counts = Counter(side for text in texts for side, _, _ in gazetteer_sides(text, lang))
    return counts.most_common(1)[0][0] if counts else None


def source_party(source: Source, lang: str) -> str | None:
    """The gazetteer party a speaker phrase (with its affiliation) names, if any."""
    return _gazetteer_side([source.text, " ".join(source.affiliation)], lang)


def side_names(analysis: Analysis, reference: Analysis | None = None,
               reference_names: list[str] | None = None) -> list[str]:
    """A side name for each speaker group of ``analysis`` (``analysis.sides``): its
    gazetteer party; else the name of the ``reference`` group it belongs to (a
    summary's "the union" is the article's "drivers' union"); else the side of an
    earlier group whose phrase names the body this speaker works for ("Речник
    міністерства Андрій Гнатюк" after "Міністерство охорони здоров'я"); else its
    own label."""
    names: list[str] = []
    for group in analysis.sides:
        name = _gazetteer_side([s.text for s in group] + [" ".join(s.affiliation)
                                                         for s in group], analysis.lang)
        if name is None and reference is not None and reference_names:
            name = next((reference_names[i] for i, ref in enumerate(reference.sides)
                         if any(speaker_on_side(s, ref, analysis.lang) for s in group)), None)
        if name is None:
            name = _body_side(analysis, group, names)
        names.append(name or _label(analysis, group))
    return names


def _label(analysis: Analysis, group: list[Source]) -> str:
    """The phrase naming a side: its first particular speaker outside the headline."""
    headline = headline_span(analysis.text)
    body = [s for s in group if headline is None or s.start >= headline[1]] or group
    label = _close_quotes(next((s.text for s in body if not s.generic), body[0].text))
    if analysis.lang == "en":
        label = re.sub(r"^(?:the|a|an)\s+", "", label, flags=re.IGNORECASE)
    return label


def _close_quotes(text: str) -> str:
    """Close a quoted name the phrase ends inside ("группа «Сохраним парк")."""
    for opener, closer in (("«", "»"), ("“", "”"), ("„", "“")):
        if text.count(opener) > text.count(closer):
            text += closer
    return text


def _body_side(analysis: Analysis, group: list[Source], earlier: list[str]) -> str | None:
    """The side of an earlier group whose phrases share a word with this group's,
    besides personal names and role words (the body a spokesperson speaks for:
    "Речник міністерства Андрій Гнатюк" after "Міністерство охорони здоров'я")."""
    lang = analysis.lang
    titles = TITLES.get(lang, TITLES["en"])

    def body_words(sources: list[Source]) -> set[str]:
        return {t.lower for s in sources for t in tokenize(s.text, lang)
                if len(t.lower) >= 3 and t.lower not in titles
                and not is_stopword(t.lower, lang) and not date_word(t.lower, lang)}

    words = body_words(group)
    for i, name in enumerate(earlier):
        if any(same_word(w, o, lang) for w in words
               for o in body_words(analysis.sides[i])):
            return name
    return None


def _named(source: Source, lang: str) -> bool:
    """A speaker phrase that names someone: a particular name or a known party (not
    "her insistence she did not leak the letter")."""
    if not source.keys or source.generic:
        return False
    if source_party(source, lang) is not None or lang == "ko":
        return True
    words = source.text.split()
    return len(words) <= 4 and any(w[:1].isupper() for w in words)


def _stance_speaker(analysis: Analysis, index: int, at: int) -> Source | None:
    """The subject of a stance word that is no reporting verb ("called the claims
    propaganda"): the speaker phrase before it. A participle ("accusing") has none."""
    sentence = analysis.sentences[index]
    if analysis.lang == "en" and re.match(r"\w+ing\b", sentence.text[at:]):
        return None
    lo = _segment_before(sentence.text, at, analysis.lang)
    return _source(sentence.text, sentence.start, lo, at, analysis.lang)


def _speaker(analysis: Analysis, index: int, names: list[str],
             stance_at: int) -> tuple[Source | None, str | None]:
    speakers = [s for s in analysis.speakers(index) if not s.pronoun and s.keys]
    if not speakers and stance_at >= 0:
        found = _stance_speaker(analysis, index, stance_at)
        speakers = [found] if found is not None and _named(found, analysis.lang) else []
    if stance_at >= 0 and len(speakers) > 1:
        # "X said ..., but Y denied it": the stance is that of the speaker before it.
        at = analysis.sentences[index].start + stance_at
        before = [s for s in speakers if s.start < at]
        if before:
            speakers = sorted(before, key=lambda s: -s.start) + \
                [s for s in speakers if s not in before]
    for source in speakers:
        side = analysis.side_of(source)
        if side is not None:
            return source, names[side]
    if speakers:
        return speakers[0], source_party(speakers[0], analysis.lang) or speakers[0].text
    return None, None


def topic_stems(analysis: Analysis, index: int) -> set[str]:
    """Content stems of a sentence without its speaker phrases: what is claimed."""
    sentence = analysis.sentences[index]
    spans = [(s.start, s.end) for s in sentence.sources]
    verbs = cues_for(analysis.lang).verbs
    return {token_key(t, analysis.lang) for t in sentence.tokens
            if t.stem in sentence.stems and not any(a <= t.start < b for a, b in spans)
            and not verbs.fullmatch(t.text)}


#: A quotation of fewer words is a name or a term in quotes («Аль-Ахли», "liberated"),
#: not reported speech.
_MIN_QUOTE_WORDS = 4


def reported(analysis: Analysis, index: int) -> bool:
    """True when sentence ``index`` reports someone's words: a reporting cue, or a
    quotation of at least a few words."""
    sentence = analysis.sentences[index]
    if sentence.cue:
        return True
    return any(q0 < sentence.end and sentence.start < q1
               and len(analysis.text[q0:q1].split()) >= _MIN_QUOTE_WORDS
               for q0, q1 in analysis.quote_spans)


def speaker_text(source: Source, lang: str) -> str:
    """The speaker phrase without trailing auxiliaries and adverbs ("Ukraine's
    General Staff has" -> "Ukraine's General Staff")."""
    words = _close_quotes(source.text).split()
    if lang == "en":
        while len(words) > 1 and (words[-1].lower() in _EN_TRAILING
                                  or words[-1].lower().endswith("ly")):
            words.pop()
    return " ".join(words)


_EN_TRAILING = {"has", "have", "had", "is", "was", "were", "are", "also", "again", "then",
                "on", "in", "at", "further", "earlier", "later", "today", "yesterday",
                "however", "repeatedly", "would", "will"}


def _raw_claims(analysis: Analysis, names: list[str], skip: set[int]) -> list[Claim]:
    claims: list[Claim] = []
    for sentence in analysis.sentences:
        if sentence.index in skip:
            continue
        stance, verb, at = sentence_stance(analysis, sentence.index)
        if not reported(analysis, sentence.index) and stance == "asserts":
            continue
        source, side = _speaker(analysis, sentence.index, names, at)
        speaker = speaker_text(source, analysis.lang) if source is not None else None
        if source is None and claims and claims[-1].index >= sentence.index - 2 \
                and stance != "asserts":
            # "It called the statements propaganda": the pronoun is the last speaker.
            speaker, side = claims[-1].speaker, claims[-1].side
        if speaker is None:
            continue
        claims.append(Claim(sentence.index, sentence.text, speaker, side, stance, verb))
    return claims


def _named_sides(analysis: Analysis, index: int, own: str | None,
                 names: list[str]) -> set[str]:
    """Other sides a denial names outside its speaker phrase ("claims by Russia's
    top military command")."""
    sentence = analysis.sentences[index]
    text = _masked(analysis, index)
    spans = [(s.start - sentence.start, s.end - sentence.start) for s in sentence.sources]
    noun = answered_pattern(analysis.lang).search(text)
    outside = [(side, a) for side, a, _ in gazetteer_sides(text, analysis.lang)
               if not any(s0 <= a < s1 for s0, s1 in spans)]
    found = {side for side, a in outside if side != own
             and (noun is None or analysis.lang == "ko" or a >= noun.start())}
    words = [t.lower for t in sentence.tokens
             if not any(s0 <= t.start - sentence.start < s1 for s0, s1 in spans)]
    for i, group in enumerate(analysis.sides):
        if names[i] != own and any(not s.generic and keys_within(s.keys, words, analysis.lang)
                                   for s in group):
            found.add(names[i])
    return found


def _answer(analysis: Analysis, denial: Claim, claims: list[Claim],
            names: list[str]) -> int | None:
    targets = _named_sides(analysis, denial.index, denial.side, names)
    candidates = [c for c in claims if c.index != denial.index and c.side != denial.side
                  and c.side is not None and (not targets or c.side in targets)]
    if not candidates:
        return None
    if anaphora_pattern(analysis.lang).search(_masked(analysis, denial.index)):
        before = [c for c in candidates if c.index < denial.index]
        if before:
            return max(before, key=lambda c: c.index).index
    topic = topic_stems(analysis, denial.index)

    def key(claim: Claim) -> tuple[int, int, int]:
        shared = len(topic & topic_stems(analysis, claim.index))
        before = claim.index < denial.index
        return (shared, int(before), -abs(denial.index - claim.index))

    best = max(candidates, key=key)
    return best.index


def _group_topic(analysis: Analysis, group: tuple[int, ...]) -> set[str]:
    return set().union(set(), *(topic_stems(analysis, i) for i in group))


def _leads(analysis: Analysis, claims: list[Claim], disputes: list[Dispute],
           skip: set[int]) -> list[Claim]:
    """Reporter's sentences restating one position of a dispute: they share at least
    ``LEAD_MIN_SHARED`` topic words (and ``LEAD_MIN_SHARE`` of their own) with that
    position's sentences, and more than with the other position's."""
    by_index = {c.index: c for c in claims}
    topics = [(_group_topic(analysis, d.claim_group), _group_topic(analysis, d.counter_group))
              for d in disputes]
    leads = []
    for sentence in analysis.sentences:
        if reported(analysis, sentence.index) or sentence.index in by_index \
                or sentence.index in skip:
            continue
        topic = topic_stems(analysis, sentence.index)
        best: tuple[int, int] | None = None
        for dispute, (claim_topic, counter_topic) in zip(disputes, topics):
            first = min(dispute.sentences)
            for anchor, mine, other in ((dispute.claim, claim_topic, counter_topic),
                                        (dispute.counter, counter_topic, claim_topic)):
                shared = len(topic & mine)
                # A lead before the dispute's first sentence restates the claim that
                # comes first (news reports the claim, then the denial), on less
                # evidence than a sentence further down.
                in_lead = sentence.index < first and anchor == min(dispute.claim,
                                                                   dispute.counter)
                needed = LEAD_MIN_SHARED - 1 if in_lead else LEAD_MIN_SHARED
                beats = shared >= len(topic & other) if in_lead else shared > len(topic & other)
                if shared >= needed and shared >= LEAD_MIN_SHARE * len(topic) and beats \
                        and (best is None or shared > best[0]):
                    best = (shared, anchor)
        if best is not None:
            source = by_index[best[1]]
            leads.append(Claim(sentence.index, sentence.text, source.speaker, source.side,
                               "asserts", None, restates=source.index))
    return leads


def _disputes(analysis: Analysis, claims: list[Claim]) -> list[Dispute]:
    by_index = {c.index: c for c in claims}
    disputes: dict[tuple[str, str, int], list[int]] = {}
    for claim in claims:
        if claim.answers is None or claim.lead:
            continue
        answered = by_index[claim.answers]
        key = (answered.side or "", claim.side or "", answered.index)
        disputes.setdefault(key, []).append(claim.index)
    out = []
    for (claim_side, counter_side, answered), denials in disputes.items():
        core = topic_stems(analysis, answered) | set().union(
            *(topic_stems(analysis, d) for d in denials))
        claim_group = {answered}
        for c in claims:
            if c.side != claim_side or c.stance == "denies":
                continue
            if c.restates in claim_group or c.restates == answered or (
                    not c.lead and len(topic_stems(analysis, c.index) & core)
                    >= GROUP_MIN_SHARED):
                claim_group.add(c.index)
            elif c.index > min(denials) and not c.lead and reasserts_pattern(
                    analysis.lang).search(_masked(analysis, c.index)):
                claim_group.add(c.index)  # "Peskov later repeated that ..."
        claim_group |= _same_statement(analysis, claim_group, {
            c.index for c in claims if c.side == claim_side and c.stance != "denies"})
        claim_group |= {c.index for c in claims if c.restates in claim_group}
        counter_core = set().union(*(topic_stems(analysis, d) for d in denials))
        counter_group = set(denials) | {
            c.index for c in claims if c.side == counter_side and not c.lead
            and (analysis.sentences[c.index].antecedent in denials
                 or len(topic_stems(analysis, c.index) & counter_core) >= GROUP_MIN_SHARED)}
        counter_group |= {c.index for c in claims if c.restates in counter_group}
        out.append(Dispute(answered, min(denials), claim_side, counter_side,
                           tuple(sorted(claim_group)), tuple(sorted(counter_group))))
    return out


def _same_statement(analysis: Analysis, group: set[int], allowed: set[int]) -> set[int]:
    """Sentences continuing one statement with the group's sentences: "The ministry
    said ..." after "Russia's defence ministry said ...", and the other way round."""
    out = set(group)
    changed = True
    while changed:
        changed = False
        for i in allowed - out:
            antecedent = analysis.sentences[i].antecedent
            if antecedent in out or any(analysis.sentences[j].antecedent == i for j in out):
                out.add(i)
                changed = True
    return out


def claims_of(analysis: Analysis, reference: Analysis | None = None,
              reference_names: list[str] | None = None) -> ClaimsTable:
    """The claims table of an analysed text (see :func:`analyse_claims`)."""
    names = side_names(analysis, reference, reference_names)
    headline = headline_span(analysis.text)
    skip = {s.index for s in analysis.sentences
            if headline is not None and s.start < headline[1]}
    claims = _raw_claims(analysis, names, skip)
    answered = []
    for claim in claims:
        if claim.stance == "denies":
            target = _answer(analysis, claim, claims, names)
            claim = Claim(claim.index, claim.sentence, claim.speaker, claim.side,
                          claim.stance, claim.verb, answers=target)
        answered.append(claim)
    leads = _leads(analysis, answered, _disputes(analysis, answered), skip)
    rows = sorted(answered + leads, key=lambda c: c.index)
    table = ClaimsTable(analysis.lang, [s.text for s in analysis.sentences], rows)
    table.disputes = _disputes(analysis, rows)
    return table


def analyse_claims(text: str, lang: str) -> ClaimsTable:
    """Who said what in ``text`` (cleaned of page furniture), in language ``lang``:
    one :class:`Claim` per attributed sentence and per reporter's lead restating a
    disputed claim, and the :class:`Dispute` pairs (claim, counter-claim)."""
    return _claims_cached(text, lang)


@lru_cache(maxsize=64)
def _claims_cached(text: str, lang: str) -> ClaimsTable:
    return claims_of(analyse(text, lang))


def summary_claims(summary: str, article: str, lang: str) -> ClaimsTable:
    """The claims table of a summary, with sides named as in the article's table
    (so that "the union said" in a summary is the article's "drivers' union")."""
    art = analyse(article, lang)
    names = side_names(art)
    return claims_of(analyse(summary, lang), art, names)


def same_side_word(a: str, b: str, lang: str) -> bool:
    """True when two side names are one (case and inflection aside)."""
    return a.lower() == b.lower() or same_word(a.lower(), b.lower(), lang)
