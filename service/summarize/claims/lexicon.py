"""Per-language data for claim analysis: stance verbs and the side gazetteer.

Stances are matched outside quotations, strongest first (a sentence that both
"said" and "denied" denies). The gazetteer names the usual parties of the news the
service is built for (states, their seats of government, armed forces and leading
officials, blocs and armed groups): a speaker phrase that mentions one speaks for
it ("Russia's top military command", "Генштаб ВСУ", "우크라이나 총참모부"). Speakers
it does not know form sides of their own, grouped by name (see
:mod:`service.summarize.claims.sides`).

Entries for en/ru/uk are word-start stems (``росси`` matches "России",
"российский"); Korean entries match anywhere in an eojeol, since particles attach.
"""

from __future__ import annotations

import re
from functools import lru_cache

#: Stance -> per-language pattern (searched outside quotations).
STANCES: dict[str, dict[str, str]] = {
    "denies": {
        "en": r"\b(?:den(?:y|ies|ied|ying)|refut(?:e|es|ed|ing)|reject(?:s|ed|ing)?|"
              r"dismiss(?:es|ed|ing)?|disput(?:e|es|ed|ing)|contradict(?:s|ed|ing)?|"
              r"rebut(?:s|ted|ting)?)\b|"
              r"\bcall(?:s|ed|ing)? (?:\S+ ){0,4}(?:false|fake|untrue|baseless|a lie|lies|"
              r"propaganda|fabricat\w+|groundless|disinformation|nonsense)\b|"
              r"\b(?:is|was|are|were) (?:not true|untrue|false|baseless)\b",
        "ru": r"(?<!\w)(?:опроверг\w*|опроверга\w*|опровержени\w*|отверг\w*|отверга\w*|"
              r"отрица\w*|отклонил\w*|не соответству\w* действительности|назвал\w* (?:\S+ ){0,4}"
              r"(?:ложь\w*|ложн\w*|фейк\w*|пропаганд\w*|неправд\w*|выдумк\w*|дезинформаци\w*|"
              r"вымысл\w*|абсурд\w*))",
        "uk": r"(?<!\w)(?:спростува\w*|спростову\w*|спростуванн\w*|запереч\w*|відкину\w*|"
              r"відкида\w*|відхили\w*|не відповіда\w* дійсності|назва\w* (?:\S+ ){0,4}"
              r"(?:брехн\w*|неправд\w*|фейк\w*|пропаганд\w*|вигадк\w*|дезінформаці\w*|"
              r"маячн\w*|абсурд\w*))",
        "ko": r"(?:부인했|부인하|부인한|부인해|반박했|반박하|반박한|일축했|일축하|부정했|부정하|"
              r"사실이 아니|사실무근|거짓|허위|가짜 뉴스|선전에 불과|날조)",
    },
    "accuses": {
        "en": r"\b(?:accus(?:e|es|ed|ing)|blam(?:e|es|ed|ing)|condemn(?:s|ed|ing)?|"
              r"denounc(?:e|es|ed|ing))\b",
        "ru": r"(?<!\w)(?:обвин\w*|осудил\w*|осужда\w*|возложил\w* ответственность)",
        "uk": r"(?<!\w)(?:звинува\w*|звинувачу\w*|засуди\w*|засуджу\w*|поклали? відповідальність)",
        "ko": r"(?:비난했|비난하|비판했|비판하|규탄했|규탄하|책임을 물|탓으로)",
    },
    "confirms": {
        "en": r"\b(?:confirm(?:s|ed|ing)?|acknowledg(?:e|es|ed|ing)|admit(?:s|ted|ting)?)\b",
        "ru": r"(?<!\w)(?:подтверд\w*|подтвержда\w*|признал\w*|признаё\w*|признае\w*)",
        "uk": r"(?<!\w)(?:підтверди\w*|підтверджу\w*|визна\w*)",
        "ko": r"(?:확인했|확인하|확인한|인정했|인정하|시인했)",
    },
}

#: Reporting verbs that the attribution cues lack but a denial or an accusation
#: uses ("refuted", "відкинули"): added to the speaker search for these stances.
STANCE_ORDER: tuple[str, ...] = ("denies", "accuses", "confirms")

#: Words that introduce the claim a denial answers ("refuted claims by X regarding Y").
ANSWERED_NOUNS: dict[str, str] = {
    "en": r"\b(?:claims?|reports?|allegations?|statements?|assertions?|accusations?|"
          r"accounts?|words|remarks)\b",
    "ru": r"(?<!\w)(?:заявлени\w*|утверждени\w*|сообщени\w*|обвинени\w*|информаци\w*|"
          r"данны\w*|слова\w*|версии|версию)",
    "uk": r"(?<!\w)(?:заяв\w*|твердженн\w*|повідомленн\w*|звинувачен\w*|інформаці\w*|"
          r"дан\w*|слова\w*|версі\w*)",
    "ko": r"(?:주장|발표|보도|성명|발언|언급)",
}

#: A reference back to the claim a denial answers ("denied the claim", "опроверг это
#: заявление", "이 주장을 반박"): the nearest earlier claim of another side.
ANAPHORA: dict[str, str] = {
    "en": r"\b(?:the|this|that|these|those|such) (?:claims?|reports?|allegations?|"
          r"statements?|assertions?|accusations?|accounts?)\b|\b(?:denied|rejected|refuted|"
          r"dismissed) (?:it|this|that)\b",
    "ru": r"(?<!\w)(?:это|эти|этот|эту|данн\w+|такие|подобные) (?:заявлени\w*|утверждени\w*|"
          r"сообщени\w*|обвинени\w*|информаци\w*|данны\w*)|(?:опроверг\w*|отверг\w*|отрица\w*) "
          r"это(?!\w)",
    "uk": r"(?<!\w)(?:це|ці|цю|цей|такі|дані|ці) (?:заяв\w*|твердженн\w*|повідомленн\w*|"
          r"звинувачен\w*|інформаці\w*)|(?:спростува\w*|запереч\w*|відкину\w*) це(?!\w)",
    "ko": r"(?:이|그|이런|이러한|해당|이같은|이 같은)\s?(?:주장|발표|보도|발언|의혹|성명)",
}

#: Negations that undo a confirmation ("could not confirm", "не смогли подтвердить",
#: "확인하지 못했다"): before the verb for en/ru/uk, after it for ko.
NEGATION_BEFORE: dict[str, str] = {
    "en": r"(?:\b(?:not|never|no|cannot|unable to)\b|n't)[^.]{0,20}$",
    "ru": r"(?<!\w)(?:не|нельзя|никто)(?!\w)[^.]{0,25}$",
    "uk": r"(?<!\w)(?:не|неможливо|ніхто)(?!\w)[^.]{0,25}$",
    "ko": r"$^",
}
NEGATION_AFTER: dict[str, str] = {"ko": r"^\S*\s?(?:지|할 수|되지)\s?(?:못|않|없)"}

#: side -> language -> entries. Keep each side's officials to those the news names
#: most often; anyone else reaches a side through an affiliation ("X, a spokesman for
#: Ukraine's southern grouping") or an earlier mention.
GAZETTEER: dict[str, dict[str, tuple[str, ...]]] = {
    "Russia": {
        "en": ("russia", "russian", "kremlin", "moscow", "putin", "gerasimov", "shoigu",
               "belousov", "peskov", "lavrov", "zakharova", "medvedev", "konashenkov",
               "rosgvardia", "fsb$", "tass$", "ria novosti"),
        "ru": ("росси", "российск", "рф", "кремл", "москв", "путин", "герасимов", "шойгу",
               "белоусов", "песков", "лавров", "захаров", "медведев", "конашенков", "фсб",
               "росгварди", "тасс", "риа новости", "минобороны рф"),
        "uk": ("росі", "російськ", "рф", "кремл", "москв", "путін", "герасимов", "шойгу",
               "білоусов", "пєсков", "песков", "лавров", "захаров", "медведєв",
               "конашенков", "фсб", "росгварді", "тасс"),
        "ko": ("러시아", "러시아군", "크렘린", "모스크바", "푸틴", "게라시모프", "쇼이구",
               "벨로우소프", "페스코프", "라브로프", "자하로바", "메드베데프", "타스"),
    },
    "Ukraine": {
        "en": ("ukraine", "ukrainian", "kyiv", "kiev", "zelensky", "zelenskyy", "zelenskiy",
               "syrskyi", "umerov", "sybiha", "budanov", "kuleba", "yermak", "zaluzhnyi",
               "zaluzhny", "shmyhal", "svyrydenko", "ukrinform", "hur$"),
        "ru": ("украин", "киев", "зеленск", "сырск", "всу$", "зсу$", "умеров", "сибиг",
               "буданов", "кулеб", "ермак", "залужн", "шмыгал", "свириденко", "гур$"),
        "uk": ("україн", "київ", "києв", "зеленськ", "сирськ", "зсу$", "всу$", "умєров",
               "сибіг", "буданов", "кулеб", "єрмак", "залужн", "шмигал", "свириденко",
               "гур$", "укрінформ"),
        "ko": ("우크라이나", "키이우", "키예프", "젤렌스키", "시르스키", "우메로프", "부다노우",
               "쿨레바", "예르마크"),
    },
    "North Korea": {
        "en": ("north korea", "north korean", "pyongyang", "dprk", "kim jong un", "kcna"),
        "ru": ("кндр", "северн\\w* коре", "пхеньян", "ким чен ын"),
        "uk": ("кндр", "північн\\w* коре", "пхеньян", "кім чен ин"),
        "ko": ("북한", "북측", "조선중앙통신", "평양", "김정은", "조선인민군"),
    },
    "South Korea": {
        "en": ("south korea", "south korean", "seoul", "joint chiefs of staff",
               "national intelligence service", "yonhap"),
        "ru": ("южн\\w* коре", "сеул", "республик\\w* коре"),
        "uk": ("південн\\w* коре", "сеул", "республік\\w* коре"),
        "ko": ("한국", "대한민국", "남한", "합동참모본부", "합참", "국가정보원", "국정원", "청와대",
               "대통령실", "연합뉴스"),
    },
    "United States": {
        "en": ("united states", "u.s.", "american", "washington", "white house",
               "pentagon", "state department", "trump", "biden", "rubio", "hegseth"),
        "ru": ("сша", "американск", "вашингтон", "белый дом", "белого дома", "пентагон",
               "госдеп", "трамп", "байден", "рубио"),
        "uk": ("сша", "американськ", "вашингтон", "білий дім", "білого дому", "пентагон",
               "держдеп", "трамп", "байден", "рубіо"),
        "ko": ("미국", "미 국무부", "백악관", "펜타곤", "트럼프", "바이든", "루비오"),
    },
    "China": {
        "en": ("china", "chinese", "beijing", "xi jinping"),
        "ru": ("китай", "китая", "кнр", "пекин", "си цзиньпин"),
        "uk": ("китай", "китаю", "кнр", "пекін", "сі цзіньпін"),
        "ko": ("중국", "베이징", "시진핑"),
    },
    "Israel": {
        "en": ("israel", "israeli", "idf$", "netanyahu"),
        "ru": ("израил", "цахал", "нетаньяху"),
        "uk": ("ізраїл", "цахал", "нетаньяху"),
        "ko": ("이스라엘", "네타냐후"),
    },
    "Hamas": {"en": ("hamas",), "ru": ("хамас",), "uk": ("хамас",), "ko": ("하마스",)},
    "Iran": {"en": ("iran", "tehran"), "ru": ("иран", "тегеран"), "uk": ("іран", "тегеран"),
             "ko": ("이란", "테헤란")},
    "Belarus": {"en": ("belarus", "minsk", "lukashenko"), "ru": ("беларус", "белорус", "минск",
                                                                 "лукашенк"),
                "uk": ("білорус", "мінськ", "лукашенк"), "ko": ("벨라루스", "루카셴코")},
    "European Union": {"en": ("european union", "eu$", "european commission", "brussels"),
                       "ru": ("евросоюз", "европейск\\w* союз", "еврокомисси", "брюссел"),
                       "uk": ("євросоюз", "європейськ\\w* союз", "єврокомісі", "брюссел"),
                       "ko": ("유럽연합", "유럽 연합", "집행위원회")},
    "NATO": {"en": ("nato$",), "ru": ("нато$",), "uk": ("нато$",), "ko": ("나토", "북대서양조약기구")},
}


@lru_cache(maxsize=8)
def gazetteer_pattern(lang: str) -> tuple[re.Pattern[str], dict[str, str]]:
    """One pattern over every gazetteer entry of ``lang`` (named groups per side) and
    the map from group name to side."""
    groups: list[str] = []
    names: dict[str, str] = {}
    for i, (side, per_lang) in enumerate(GAZETTEER.items()):
        entries = per_lang.get(lang, per_lang["en"])
        alternation = "|".join(sorted(entries, key=len, reverse=True))
        name = f"s{i}"
        names[name] = side
        if lang == "ko":
            groups.append(f"(?P<{name}>{alternation})")
            continue
        # "xyz$" is a whole word ("hur$" is not "hurt"); other entries are stems.
        alternation = "|".join(e[:-1] + r"(?!\w)" if e.endswith("$") else e + r"\w*"
                               for e in sorted(entries, key=len, reverse=True))
        groups.append(rf"(?P<{name}>(?<!\w)(?:{alternation}))")
    return re.compile("|".join(groups), re.IGNORECASE), names


def gazetteer_sides(text: str, lang: str) -> list[tuple[str, int, int]]:
    """Sides the gazetteer finds in ``text``: ``(side, start, end)`` in order."""
    pattern, names = gazetteer_pattern(lang)
    out = []
    for match in pattern.finditer(text + " "):
        side = names[match.lastgroup or ""]
        if match.start() < len(text):
            out.append((side, match.start(), min(match.end(), len(text))))
    return out


@lru_cache(maxsize=32)
def stance_pattern(stance: str, lang: str) -> re.Pattern[str]:
    """The compiled pattern of one stance in ``lang`` (English data as a fallback)."""
    per_lang = STANCES[stance]
    return re.compile(per_lang.get(lang, per_lang["en"]), re.IGNORECASE)


@lru_cache(maxsize=8)
def answered_pattern(lang: str) -> re.Pattern[str]:
    """Nouns that name the claim a denial answers ("claims", "заявления", "주장")."""
    return re.compile(ANSWERED_NOUNS.get(lang, ANSWERED_NOUNS["en"]), re.IGNORECASE)


@lru_cache(maxsize=8)
def anaphora_pattern(lang: str) -> re.Pattern[str]:
    """A denial's reference back to the claim it answers ("the claim", "이 주장")."""
    return re.compile(ANAPHORA.get(lang, ANAPHORA["en"]), re.IGNORECASE)


def negated(text: str, start: int, end: int, lang: str) -> bool:
    """True when the stance word at ``text[start:end]`` is negated."""
    before = re.search(NEGATION_BEFORE.get(lang, NEGATION_BEFORE["en"]), text[:start],
                       re.IGNORECASE)
    after = NEGATION_AFTER.get(lang)
    return bool(before) or bool(after and re.match(after, text[end:]))


#: Words for a person's role, not for the body they speak for: left out when a
#: spokesperson is matched to their body ("Речник міністерства" -> the ministry).
TITLES: dict[str, frozenset[str]] = {
    "en": frozenset("""spokesman spokeswoman spokesperson secretary head chief representative
        official officials coordinator chairman chairwoman chair director lawyer adviser
        advisor aide deputy member members press president minister general""".split()),
    "ru": frozenset("""представитель представители пресс-секретарь глава руководитель
        координатор председатель директор советник сотрудник сотрудники адвокат юрист
        заместитель член официальный спикер""".split()),
    "uk": frozenset("""речник речниця представник представники прес-секретар голова керівник
        координатор директор радник співробітник співробітники адвокат юрист заступник член
        офіційний""".split()),
    "ko": frozenset("대변인 관계자 변호인 측 대표 위원장 관리 담당자 책임자 직원".split()),
}


#: Words of a side repeating its claim after the denial ("insisted", "повторил",
#: "거듭"): such a sentence belongs to the disputed claim whatever its wording.
REASSERTS: dict[str, str] = {
    "en": r"\b(?:insist\w*|repeat\w*|reiterat\w*|maintain\w*|stood by|stands? by|again)\b",
    "ru": r"(?<!\w)(?:настаива\w*|настоял\w*|повтори\w*|повторя\w*|вновь|снова|опять)(?!\w)",
    "uk": r"(?<!\w)(?:наполяга\w*|наполіг\w*|повтори\w*|повторю\w*|знову|вкотре)(?!\w)",
    "ko": r"(?:거듭|재차|다시|되풀이|고수)",
}


@lru_cache(maxsize=8)
def reasserts_pattern(lang: str) -> re.Pattern[str]:
    """Words of a speaker repeating a claim ("insisted", "повторил", "거듭")."""
    return re.compile(REASSERTS.get(lang, REASSERTS["en"]), re.IGNORECASE)
