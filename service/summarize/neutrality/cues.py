"""Attribution cues per language: reporting verbs, "according to" forms, pronouns.

These are data, kept apart from the matching code so that a language is added by
adding its entries here (and a lexicon file). Verb lists name inflected forms
explicitly (regex alternations) rather than bare stems, because stems such as ru
"заяв-" also start nouns ("заявка", an application) that are not attributions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class LanguageCues:
    """Compiled attribution cues for one language."""

    #: Reporting verbs ("said", "заявил", "밝혔다"): the speaker is next to them.
    verbs: re.Pattern[str]
    #: "according to X" forms: the speaker follows the cue.
    according: re.Pattern[str]
    #: Pronouns that stand for an earlier speaker ("he said").
    pronouns: frozenset[str]


_EN_VERBS = (
    r"said|says|say|saying|told|tells|telling|stated|announced|announces|claimed|claims|"
    r"claiming|denied|denies|denying|added|adds|reported|insisted|insists|alleged|alleges|"
    r"accused|accuses|warned|warns|argued|argues|confirmed|confirms|acknowledged|"
    r"acknowledges|noted|wrote|writes|tweeted|posted|declared|declares|maintained|"
    r"maintains|asserted|asserts|explained|explains|believes|rejected|rejects|dismissed|"
    r"dismisses|described|describes|urged|urges|vowed|vows|promised|admitted|admits|"
    r"countered|responded|replied|disputed|disputes|contended|predicted|suggested|"
    r"insisting|warning|adding|accusing|refuted|refutes|refute|rebutted|contradicted|"
    r"denounced|condemned|blamed|blames|repeated|reiterated|stressed|emphasised|emphasized")

_RU_VERBS = (
    r"заявил[аио]?|заявля(?:ет|ют|л[аио]?)|сказал[аио]?|сообщил[аио]?|сообща(?:ет|ют|л[аио]?)|"
    r"отметил[аио]?|подчеркнул[аио]?|добавил[аио]?|утвержда(?:ет|ют|л[аио]?)|"
    r"говор(?:ит|ят|ил[аио]?)|говорится|опроверг(?:л[аио])?|опроверга(?:ет|ют)|"
    r"отрица(?:ет|ют|л[аио]?)|пояснил[аио]?|признал[аио]?|предупредил[аио]?|написал[аио]?|"
    r"обвинил[аио]?|обвиня(?:ет|ют)|настаива(?:ет|ют|л[аио]?)|считает|считают|"
    r"объявил[аио]?|рассказал[аио]?|уточнил[аио]?|подтвердил[аио]?|передает|передаёт|"
    r"цитирует|назвал[аио]?|заверил[аио]?|пообещал[аио]?|указал[аио]?|отверг(?:л[аио])?|"
    r"отверга(?:ет|ют)|осудил[аио]?|повторил[аио]?|повторя(?:ет|ют)")

_UK_VERBS = (
    r"заяви(?:в|ла|ли|ло)|заявля(?:є|ють|в|ла|ли)|сказа(?:в|ла|ли|ло)|повідоми(?:в|ла|ли|ло)|"
    r"повідомля(?:є|ють|в|ла|ли)|зазначи(?:в|ла|ли|ло)|наголоси(?:в|ла|ли|ло)|"
    r"дода(?:в|ла|ли|ло)|стверджу(?:є|ють|вав|вала|вали)|говори(?:ть|в|ла|ли)|каже|кажуть|"
    r"йдеться|заперечи(?:в|ла|ли|ло)|заперечу(?:є|ють)|спростува(?:в|ла|ли|ло)|"
    r"поясни(?:в|ла|ли|ло)|визна(?:в|ла|ли|ло)|попереди(?:в|ла|ли|ло)|"
    r"написа(?:в|ла|ли|ло)|звинувати(?:в|ла|ли|ло)|звинувачу(?:є|ють)|"
    r"наполяга(?:є|ють|в|ла|ли)|вважа(?:є|ють)|оголоси(?:в|ла|ли|ло)|розпові(?:в|ла|ли)|"
    r"уточни(?:в|ла|ли)|підтверди(?:в|ла|ли|ло)|назва(?:в|ла|ли)|передає|цитує|"
    r"запевни(?:в|ла|ли)|пообіця(?:в|ла|ли)|вказа(?:в|ла|ли)|відкину(?:в|ла|ли|ло)|"
    r"відкида(?:є|ють)|спростову(?:є|ють)|засуди(?:в|ла|ли|ло)|повтори(?:в|ла|ли|ло)|"
    r"повторю(?:є|ють)")

# Korean reporting verbs are matched as the start of a predicate eojeol, so every
# ending (밝혔다, 밝혔으며, 밝혔습니다) is covered by one entry.
_KO_VERBS = (
    r"밝혔|밝히|밝힌|말했|말하|말한|주장했|주장하|주장한|전했|발표했|발표하|부인했|부인하|"
    r"반박했|강조했|덧붙였|설명했|보도했|지적했|경고했|비난했|언급했|확인했|인정했|알렸|"
    r"일축했|부정했|규탄했|비판했|반박하|강조하")


def _compile_verbs(alternation: str, *, case_sensitive: bool) -> re.Pattern[str]:
    flags = 0 if case_sensitive else re.IGNORECASE
    return re.compile(rf"(?<!\w)(?:{alternation})(?!\w)", flags)


_CUES: dict[str, LanguageCues] = {
    # English verbs are matched lower-case only: "States" (United States) and
    # "Reports" in a headline are not reporting verbs.
    "en": LanguageCues(
        verbs=_compile_verbs(_EN_VERBS, case_sensitive=True),
        according=re.compile(r"(?<!\w)(?:according to|in the words of|quoted by|cited by)"
                             r"(?!\w)", re.IGNORECASE),
        pronouns=frozenset("he she they it we i his her their its our who".split()),
    ),
    "ru": LanguageCues(
        verbs=_compile_verbs(_RU_VERBS, case_sensitive=False),
        according=re.compile(r"(?<!\w)(?:по словам|по данным|по информации|по сведениям|"
                             r"по мнению|по оценкам|согласно|как сообщает|как сообщают|"
                             r"со ссылкой на)(?!\w)", re.IGNORECASE),
        pronouns=frozenset("он она они оно мы я его ее её их который которая которые".split()),
    ),
    "uk": LanguageCues(
        verbs=_compile_verbs(_UK_VERBS, case_sensitive=False),
        according=re.compile(r"(?<!\w)(?:за словами|за даними|за інформацією|"
                             r"за відомостями|на думку|за оцінками|згідно з|згідно із|"
                             r"як повідомляє|як повідомляють|з посиланням на)(?!\w)",
                             re.IGNORECASE),
        pronouns=frozenset("він вона вони воно ми я його її їх їхній який яка які".split()),
    ),
    "ko": LanguageCues(
        # A predicate eojeol starts after a space or a closing quote.
        verbs=re.compile(rf"(?<![^\s”\"’'])(?:{_KO_VERBS})"),
        according=re.compile(r"에\s*(?:따르면|의하면)"),
        pronouns=frozenset("그 그녀 그들 이들 그녀들 저들 그분".split()),
    ),
}


def cues_for(lang: str) -> LanguageCues:
    """Return the cues for ``lang``; unknown languages use the English cues."""
    return _CUES.get(lang, _CUES["en"])


#: Opening and closing quotation marks, paired. Straight double quotes pair with
#: themselves; single curly quotes only when they open after a space (else they are
#: apostrophes).
QUOTE_PAIRS: dict[str, str] = {"“": "”", "«": "»", "„": "“", "\"": "\"", "「": "」",
                               "『": "』", "‘": "’", "‹": "›"}

