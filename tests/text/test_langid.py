"""Language identification over the served languages, short and long texts."""

from __future__ import annotations

import pytest

from service.text.langid import Detection, LanguageDetector, article_language


@pytest.fixture(scope="module")
def detector() -> LanguageDetector:
    return LanguageDetector(["en", "uk", "ru", "ko"])


LONG = {
    "en": "The government said on Monday that talks with the union would resume next "
          "week, after months of disagreement over wages.",
    "uk": "Уряд заявив у понеділок, що переговори з профспілкою відновляться наступного "
          "тижня після місяців суперечок щодо зарплат.",
    "ru": "Правительство заявило в понедельник, что переговоры с профсоюзом "
          "возобновятся на следующей неделе после месяцев споров о зарплатах.",
    "ko": "정부는 월요일 임금을 둘러싼 수개월간의 갈등 끝에 다음 주 노조와의 협상이 "
          "재개될 것이라고 밝혔다.",
}
SHORT = {
    "en": ["Prime Minister", "said on Monday", "Hello world"],
    "uk": ["Київ", "її слова", "Він сказав", "Хліб"],
    "ru": ["ещё", "Он сказал", "Это был", "Хлеб"],
    "ko": ["서울", "안녕하세요", "대통령은 말했다"],
}


@pytest.mark.parametrize("lang", sorted(LONG))
def test_long_texts(detector: LanguageDetector, lang: str) -> None:
    result = detector.detect(LONG[lang])
    assert result.language == lang
    assert result.confidence > 0.9


@pytest.mark.parametrize("lang,text", [(k, t) for k, v in SHORT.items() for t in v])
def test_short_texts(detector: LanguageDetector, lang: str, text: str) -> None:
    assert detector.detect(text).language == lang


@pytest.mark.parametrize("text,lang", [
    ("Хліб і сіль", "uk"), ("Хлеб и соль", "ru"),
    ("Вона їде додому", "uk"), ("Она едет домой", "ru"),
    ("Ґанок", "uk"), ("Съезд", "ru"), ("Єдність", "uk"), ("Этот", "ru"),
])
def test_russian_and_ukrainian_are_told_apart(detector: LanguageDetector, text: str,
                                              lang: str) -> None:
    assert detector.detect(text).language == lang


@pytest.mark.parametrize("text", ["", "   ", "12345", "2024-05-01 12:30", "!!! ... ???",
                                  "* * *", "€ 100"])
def test_text_without_letters_is_not_identified(detector: LanguageDetector,
                                                text: str) -> None:
    assert detector.detect(text) == Detection(None, 0.0, "no letters", 0)


@pytest.mark.parametrize("text,reason", [
    ("Le président de la République a déclaré mercredi que le gouvernement allait "
     "réformer le système des retraites.", "foreign letters"),
    ("Le gouvernement va baisser les impots pour les petites entreprises.",
     "other language"),
    ("Il governo ha annunciato mercoledì che ridurrà le tasse per le piccole imprese.",
     "other language"),
    ("De regering heeft woensdag aangekondigd dat de belastingen worden verlaagd.",
     "other language"),
    ("Die Regierung hat am Mittwoch angekündigt, die Steuern zu senken.",
     "other language"),
    ("Chính phủ đã thông báo vào thứ Tư rằng sẽ giảm thuế.", "foreign letters"),
    ("Влада је у среду најавила да ће смањити порезе за мала предузећа.",
     "foreign letters"),
    ("中华人民共和国国务院今天宣布", "script"),
    ("こんにちは、世界", "script"),
    ("Η κυβέρνηση ανακοίνωσε την Τετάρτη", "script"),
])
def test_text_in_other_languages_is_not_identified(detector: LanguageDetector, text: str,
                                                   reason: str) -> None:
    result = detector.detect(text)
    assert (result.language, result.reason) == (None, reason)


@pytest.mark.parametrize("text,lang", [
    ("조코 위도도(Joko Widodo)", "ko"), ("국립기상국(National Weather Service)은", "ko"),
    ("Також у Nielsen", "uk"), ("Смерть Уэйда Симса на BBC News", "ru"),
])
def test_names_in_another_script_do_not_tip_the_answer(detector: LanguageDetector,
                                                       text: str, lang: str) -> None:
    assert detector.detect(text).language == lang


def test_english_with_accented_names_is_still_english(detector: LanguageDetector) -> None:
    text = "José Martínez met officials in Bogotá and São Paulo on Tuesday."
    assert detector.detect(text).language == "en"


def test_script_rule_follows_the_configured_languages() -> None:
    only_cyrillic = LanguageDetector(["uk", "ru"])
    assert only_cyrillic.detect(LONG["en"]).reason == "script"
    assert only_cyrillic.detect(LONG["uk"]).language == "uk"


def test_min_confidence_rejects_ambiguous_texts() -> None:
    strict = LanguageDetector(["uk", "ru"], min_confidence=0.95)
    result = strict.detect("Москва")  # spelled the same in both languages
    assert (result.language, result.reason) == (None, "low confidence")
    assert strict.detect(LONG["ru"]).language == "ru"


def test_paragraphs_of_a_mixed_article(detector: LanguageDetector) -> None:
    text = f"{LONG['en']}\n\n{LONG['uk']}\n---\n{LONG['ko']}\n"
    languages = [d.language for d in detector.detect_paragraphs(text)]
    assert languages == ["en", "uk", None, "ko"]


def test_article_language_is_the_majority_by_letters(detector: LanguageDetector) -> None:
    text = f"Breaking news.\n{LONG['ru']}\n{LONG['ru']}\nPhoto: Reuters"
    result = detector.detect_article(text)
    assert result.language == "ru"
    assert 0.5 < result.confidence < 1.0


def test_article_language_weighs_unidentified_letters() -> None:
    detections = [Detection("en", 1.0, "", 30), Detection(None, 0.0, "other language", 70)]
    assert article_language(detections) == Detection("en", 0.3, "", 100)
    assert article_language(detections, min_confidence=0.5).reason == "low confidence"
    assert article_language([Detection(None, 0.0, "no letters", 0)]).reason == "no letters"


def test_unsupported_language_is_refused() -> None:
    with pytest.raises(ValueError, match="language 'xx' is not supported"):
        LanguageDetector(["en", "xx"])
