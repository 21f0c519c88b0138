"""Per-language data for page-furniture cleanup (see :mod:`service.summarize.furniture`).

Three kinds of entry, all regular expressions, case-insensitive:

- ``LINE``: a line that *is* furniture when the pattern matches the whole line
  (after trimming): "Share", "Comments (12)", "Реклама", "댓글 3". These are short
  words that may also occur inside article sentences, so they never match part of a
  line.
- ``PHRASE``: a phrase that marks its line as furniture wherever it occurs in a
  short line ("Please enable JavaScript", "All rights reserved", "무단전재"). Only
  phrases that no news sentence uses in running text belong here.
- ``RELATED``: headers of "Read more"/"Related" blocks; the header line and the
  title lines under it (lines without final punctuation) are dropped.

Wire datelines that open the first sentence ("KYIV (Reuters) -", "МОСКВА, 26 апреля.
/ТАСС/.", "(서울=연합뉴스) 홍길동 기자 =") are ``PREFIX`` patterns: only the prefix is
removed, never the sentence.
"""

from __future__ import annotations

import re

#: Social networks and sharing words that make up share and follow bars.
_SHARE_WORDS = (
    r"share|shares|tweet|email|e-mail|print|copy link|link copied|facebook|twitter|x|"
    r"telegram|whatsapp|viber|linkedin|reddit|pinterest|flipboard|vk|vkontakte|"
    r"ok|odnoklassniki|threads|bluesky|messenger|kakaotalk|kakao|naver|band|line|"
    r"поделиться|поділитися|отправить|надіслати|печать|друк|скопировать ссылку|"
    r"копіювати посилання|вконтакте|одноклассники|телеграм|вайбер|"
    r"공유|공유하기|페이스북|트위터|카카오톡|카카오스토리|네이버|밴드|라인|링크복사|"
    r"인쇄|스크랩|url복사|기사공유|글자크기|글씨크기|본문 글씨 키우기|본문 글씨 줄이기"
)
SHARE_BAR = re.compile(rf"(?:(?:{_SHARE_WORDS})[\s|·•/,:]*)+", re.IGNORECASE)

LINE: dict[str, list[str]] = {
    "all": [
        r"(?:\d+\s*)?comments?(?:\s*\(\d+\))?", r"advertisement|advertising|sponsored( content)?",
        r"ad", r"read more|more|related|related (?:articles|stories|news|coverage)",
        r"(?:top|latest|most read|trending)(?: news| stories)?", r"menu|search|close|back",
        r"(?:follow|subscribe)(?: us)?", r"sign (?:in|up)|log ?in|register",
        r"photo|video|listen|watch|gallery", r"loading\.*", r"[\W_]+",
    ],
    "en": [r"story continues below(?: advertisement)?", r"skip (?:to )?(?:content|ad)",
           r"updated?|published"],
    "ru": [r"комментари(?:и|й|ев)(?:\s*\(\d+\))?|\d+\s*комментари\w*", r"реклама",
           r"читайте также|читать далее|подробнее|по теме|главное|новости|ещё|еще",
           r"подписаться|подпишитесь", r"фото|видео|фотогалерея"],
    "uk": [r"коментар(?:і|ів)(?:\s*\(\d+\))?|\d+\s*коментар\w*", r"реклама",
           r"читайте також|читати далі|детальніше|по темі|на тему|головне|новини|ще",
           r"підписатися|підпишіться", r"фото|відео|фотогалерея"],
    "ko": [r"댓글(?:\s*\d+)?|\d+\s*댓글", r"광고|스폰서", r"관련\s*기사|관련\s*뉴스|더보기|추천\s*기사",
           r"많이 본 뉴스|인기\s*기사|주요\s*뉴스", r"구독|구독하기|좋아요|화나요|슬퍼요|추천",
           r"사진|영상|동영상"],
}

PHRASE: dict[str, list[str]] = {
    "all": [
        r"enable javascript", r"powered by disqus", r"comments powered by",
        r"all rights reserved", r"copyright\s*(?:©|\(c\)|\d{4})", r"©\s*\d{4}", r"ⓒ",
        r"cookie(?:s)? (?:policy|settings|consent)", r"we use cookies",
        r"subscribe to (?:our|the) (?:newsletter|channel)", r"sign up for (?:our|the)",
        r"follow us on", r"download (?:our|the) app", r"(?:https?://|www\.)\S+$",
        r"^\S+@\S+\.\w+$", r"click here", r"terms of (?:use|service)|privacy policy",
        r"to view (?:the|this) (?:comments|video)", r"report a typo|report an error",
    ],
    "en": [],
    "ru": [r"все права защищены", r"включите javascript", r"подпишитесь на (?:наш|нас)",
           r"читайте (?:нас|наш) в", r"при (?:полном или частичном )?(?:использовании|цитировании)"
           r" материалов", r"ссылка на .{1,40} обязательна", r"нашли ошибку",
           r"выделите (?:ее|её) и нажмите", r"мы в (?:telegram|телеграм)"],
    "uk": [r"усі права захищен|всі права захищен", r"увімкніть javascript",
           r"підписуйтес[ья] на (?:наш|нас)", r"читайте (?:нас|наш) (?:в|у)",
           r"використання матеріалів", r"посилання на .{1,40} обов'?язков",
           r"помітили помилку", r"виділіть (?:її|їх) та натисніть", r"ми в (?:telegram|телеграм)"],
    "ko": [r"무단\s*전재", r"재배포\s*금지", r"저작권자", r"copyrights?\s", r"기사제보",
           r"자바스크립트를 활성화", r"구독해\s*주세요", r"채널 추가"],
}

RELATED: dict[str, str] = {
    "en": r"(?:read more|read also|see also|related(?: articles| stories| news| coverage)?|"
          r"more on this story|more from)\s*:?",
    "ru": r"(?:читайте также|читайте еще|читайте ещё|по теме|смотрите также|ещё по теме)\s*:?",
    "uk": r"(?:читайте також|читайте ще|по темі|на тему|дивіться також)\s*:?",
    "ko": r"(?:관련\s*기사|관련\s*뉴스|함께 보면 좋은 기사|추천\s*기사)\s*:?",
}

#: Bylines: a short line naming the writer (no final punctuation needed).
BYLINE: dict[str, str] = {
    "en": r"(?i:by|written by|reporting by|editing by|reported by)\s+[A-Z][\w.'-]+"
          r"(?:\s+(?:[A-Z][\w.'-]+|and|in|de|van))*(?:\s*[,;|]\s*.{0,60})?",
    "ru": r"(?i:автор|текст|корреспондент|редактор|фото)\s*[:—–-]\s*.{2,60}",
    "uk": r"(?i:автор|текст|кореспондент|редактор|фото)\s*[:—–-]\s*.{2,60}",
    "ko": r"(?:[가-힣]{2,4}\s*(?:기자|특파원|선임기자|논설위원)(?:\s*[\w.+-]+@[\w.-]+)?)"
          r"(?:\s*[/,·]\s*[가-힣]{2,4}\s*(?:기자|특파원))*",
}

#: Words that open a timestamp line ("Updated 11:02", "Обновлено", "입력 2025.04.26").
STAMP_WORDS = (r"date|updated?|published|posted|last updated|обновлено|опубликовано|"
               r"дата публикации|оновлено|опубліковано|дата публікації|입력|수정|승인|"
               r"기사입력|최종수정|등록")

#: A date or a clock time in the four languages' usual formats (a line opening
#: with one is a timestamp).
DATE_OR_TIME = re.compile(
    r"\d{4}[-./]\d{1,2}[-./]\d{1,2}\b|\d{1,2}[./]\d{1,2}[./]\d{2,4}\b|"
    r"\d{1,2}:\d{2}(?::\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.)?|"
    r"\d{4}년\s*\d{1,2}월\s*\d{1,2}일|(?:오전|오후)\s*\d{1,2}:\d{2}",
    re.IGNORECASE)
#: A full date with its year ("April 26, 2025", "26 апреля 2025", "2025-04-26").
FULL_DATE = re.compile(
    r"\d{4}[-./]\d{1,2}[-./]\d{1,2}\b|\d{1,2}[./]\d{1,2}[./]\d{4}\b|"
    r"\b[A-Za-z]{3,9}\.?\s+\d{1,2},?\s+\d{4}\b|\b\d{1,2}\s+[^\W\d_]{3,10}\.?,?\s+\d{4}\b|"
    r"\d{4}년\s*\d{1,2}월\s*\d{1,2}일")
#: A clock time ("11:01:03 AM", "17:30").
CLOCK = re.compile(r"\b\d{1,2}:\d{2}(?::\d{2})?\b")

#: Wire-service datelines that open an article's first sentence.
PREFIX: dict[str, str] = {
    "en": r"^(?:[A-Z][A-Z.'’ -]{1,40}(?:,\s*[A-Z][\w.]*(?:\s+[A-Z][\w.]*)?)?"
          r"(?:,\s*[A-Z][a-z]{2,8}\.?\s+\d{1,2})?\s*\([A-Z][\w .&-]{1,25}\)\s*[-—–]{1,2}\s*|"
          r"[A-Z][A-Z’' -]{2,30},\s*[A-Z][a-z]{2,8}\.?\s+\d{1,2}\s*[-—–]{1,2}\s*)",
    "ru": r"^[А-ЯЁ][А-ЯЁ -]{2,30},\s*\d{1,2}\s+[а-яё]+\.?\s*(?:[-—–]\s*[А-ЯЁA-Z][\w ]{1,25}\.?"
          r"|/[^/]{2,25}/\.?|\([^()]{2,25}\)\s*[-—–]?)\s*",
    "uk": r"^[А-ЯІЇЄҐ][А-ЯІЇЄҐ' -]{2,30},\s*\d{1,2}\s+[а-яіїєґ']+\.?\s*(?:[-—–]\s*"
          r"[А-ЯІЇЄҐA-Z][\w ]{1,25}\.?|/[^/]{2,25}/\.?|\([^()]{2,25}\)\s*[-—–]?)\s*",
    "ko": r"^[(\[][^()\[\]=]{1,20}=[^()\[\]]{1,20}[)\]]\s*(?:[가-힣]{2,4}\s*(?:기자|특파원)\s*=?\s*)?",
}


def compiled(patterns: list[str]) -> re.Pattern[str]:
    """One case-insensitive pattern matching any of ``patterns`` in full."""
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)
