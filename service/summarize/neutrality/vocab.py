"""Small closed word lists per language: function words, generic source nouns,
date words and number multipliers.

Function words are left out of claim comparison; generic source nouns ("ministry",
"spokesman") are left out of a source's identity so that "Russia's defence ministry"
and "Ukraine's defence ministry" are two sides, not one.
"""

from __future__ import annotations

_STOPWORDS: dict[str, str] = {
    "en": """a an the and or but if of to in on at by for from with without into onto over
        under about after before during between against through up down out off as than then
        that this these those there here it its it's is are was were be been being has have had
        do does did not no nor so such very can could will would shall should may might must
        he she they we i you him her them us me his hers their our my your who whom whose which
        what when where why how all any both each few more most other some own same too just
        also only again once while because since until although though however one two
        mr mrs ms dr sir said says say told new last first""",
    "ru": """и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по
        только ее её мне было вот от меня еще ещё нет о из ему теперь когда даже ну ли если уже
        или ни быть был была были было него до вас нибудь опять уж вам ведь там потом себя
        ничего ей может они тут где есть надо ней для мы тебя их чем сам чтобы без будто чего
        раз тоже себе под будет ж тогда кто этот того потому этого какой совсем ним здесь этом
        один почти мой тем чтобы нее сейчас куда зачем всех никогда можно при наконец два об
        другой хоть после над больше тот через эти нас про всего них какая много разве три эту
        моя впрочем свою этой перед иногда лучше чуть том нельзя такой им более всегда конечно
        всю между это также который которая которые которых этих которой котором
        которого которую которым которыми""",
    "uk": """і й та в у не що він на я з із зі як а то все вона так його але ні ти к же ви за б
        би по тільки її мені було ось від мене ще немає о про з до вам вас чи якщо вже або бути
        був була були було нього там потім себе нічого їй може вони тут де є треба ній для ми
        тебе їх чим сам щоб без чого раз теж собі під буде тоді хто цей того тому цього який
        зовсім ним тут цьому один майже мій тим неї зараз куди ніколи можна при нарешті два
        інший хоч після над більше той через ці нас всього них яка багато три цю моя свою цієї
        перед іноді краще трохи тому не можна такий їм завжди звісно всю між це також які
        якої яких цих якій якому якого яку яким якими""",
    "ko": "",
}

# Words that name the kind of speaker, not which one. Matched by stem prefix.
_GENERIC_SOURCES: dict[str, str] = {
    "en": """ministry defence defense department general staff spokesman spokeswoman
        spokesperson president minister officials official forces army military government
        authorities office head chief commander command agency service press secretary
        statement deputy prime foreign interior armed troops source sources representative
        administration governor mayor leader member members national state public""",
    "ru": """министерство министр минобороны генштаб генеральный штаб пресс-секретарь
        представитель президент правительство власти ведомство командование армия войска
        вооруженные вооружённые силы глава руководитель заместитель официальный источник
        источники заявление пресс-служба служба управление администрация губернатор мэр
        премьер-министр замминистра""",
    "uk": """міністерство міністр міноборони генштаб генеральний штаб речник речниця
        представник президент уряд влада відомство командування армія війська збройні сили
        голова керівник заступник офіційний джерело джерела заява пресслужба прес-служба
        служба управління адміністрація губернатор мер прем'єр-міністр""",
    "ko": """국방부 총참모부 참모본부 대변인 대통령 장관 정부 당국 관계자 군 군대 사령부
        부대 외무부 외교부 내무부 국무부 관리 측 소식통 성명 부장관 총리 의원""",
}

# Months and weekdays: dates are checked like names and numbers.
_DATE_WORDS: dict[str, str] = {
    "en": """january february march april june july august september october november
        december monday tuesday wednesday thursday friday saturday sunday""",
    "ru": """январ феврал март апрел мая май июн июл август сентябр октябр ноябр декабр
        понедельник вторник среда среду среды четверг пятниц суббот воскресень""",
    "uk": """січн лютого лютий берез квітн травн червн липн серпн верес жовтн листопад
        грудн понеділ вівтор середа середу середи четвер п'ятниц субот неділ""",
    "ko": "월요일 화요일 수요일 목요일 금요일 토요일 일요일",
}

#: Seats of government that news uses for the country ("the Kremlin said"): used only
#: to group speakers into sides, never to match names.
METONYMS: dict[str, dict[str, str]] = {
    "en": {"kremlin": "russia", "moscow": "russia", "kyiv": "ukraine", "kiev": "ukraine",
           "beijing": "china", "tehran": "iran", "pyongyang": "north", "seoul": "south"},
    "ru": {"кремль": "россия", "кремля": "россия", "москва": "россия", "москвы": "россия",
           "киев": "украина", "киева": "украина", "всу": "украина"},
    "uk": {"кремль": "росія", "кремля": "росія", "москва": "росія", "москви": "росія",
           "київ": "україна", "києва": "україна", "зсу": "україна"},
    "ko": {"크렘린": "러시아", "크렘린궁": "러시아", "모스크바": "러시아", "키이우": "우크라이나", "키예프": "우크라이나",
           "평양": "북한", "서울": "한국"},
}

#: Words that multiply the number before them ("1.2 million", "3만", "5 тыс.").
MULTIPLIERS: dict[str, float] = {
    "thousand": 1e3, "million": 1e6, "millions": 1e6, "billion": 1e9, "billions": 1e9,
    "тыс": 1e3, "тысяч": 1e3, "тысячи": 1e3, "тысяча": 1e3, "млн": 1e6, "миллион": 1e6,
    "миллиона": 1e6, "миллионов": 1e6, "млрд": 1e9, "миллиард": 1e9, "миллиарда": 1e9,
    "миллиардов": 1e9, "тис": 1e3, "тисяч": 1e3, "тисячі": 1e3, "тисяча": 1e3,
    "мільйон": 1e6, "мільйона": 1e6, "мільйони": 1e6, "мільйонів": 1e6, "мільярд": 1e9,
    "мільярда": 1e9, "мільярди": 1e9, "мільярдів": 1e9,
    "천": 1e3, "만": 1e4, "억": 1e8, "조": 1e12,
}


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


STOPWORDS: dict[str, frozenset[str]] = {k: _words(v) for k, v in _STOPWORDS.items()}
GENERIC_SOURCES: dict[str, frozenset[str]] = {k: _words(v) for k, v in _GENERIC_SOURCES.items()}
DATE_WORDS: dict[str, tuple[str, ...]] = {k: tuple(v.split()) for k, v in _DATE_WORDS.items()}


def is_stopword(word: str, lang: str) -> bool:
    """True for a function word of ``lang`` (``word`` lower-cased)."""
    return word in STOPWORDS.get(lang, frozenset())


def is_generic_source(word: str, lang: str) -> bool:
    """True when ``word`` (lower-cased) names a kind of speaker, not a particular one."""
    generic = GENERIC_SOURCES.get(lang, frozenset())
    if word in generic:
        return True
    if lang == "ko":
        return False
    # Inflected forms: "ministry's", "министерства", "міністерства".
    return any(word.startswith(g[:max(4, len(g) - 2)]) for g in generic if len(g) >= 4)


def date_word(word: str, lang: str) -> bool:
    """True when ``word`` (lower-cased) is a month or weekday name of ``lang``."""
    if lang == "ko":
        return word in DATE_WORDS["ko"]
    stems = DATE_WORDS.get(lang, ())
    if lang == "en":
        return word in stems
    # Entries of three letters ("мая", "май") are whole words: "май" starts "майор".
    return any(word == s if len(s) <= 3 else word.startswith(s) for s in stems)
