"""Dictionary forms of words, for comparing what two sentences claim.

Russian and Ukrainian inflect heavily ("місто"/"міста", "захопили"/"захоплення"), so
their words are reduced to lemmas with pymorphy3 (OpenCorpora and VESUM
dictionaries, offline). English keeps the five-letter stems of the neutrality
analysis and Korean its kiwipiepy morphemes.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import Any

from service.summarize.neutrality.tokens import Token

_LOCK = threading.Lock()


@lru_cache(maxsize=2)
def _analyzer(lang: str) -> Any:
    import pymorphy3

    return pymorphy3.MorphAnalyzer(lang=lang)


@lru_cache(maxsize=200_000)
def lemma(word: str, lang: str) -> str:
    """The dictionary form of a lower-cased ru/uk ``word`` (the word itself for other
    languages)."""
    if lang not in ("ru", "uk"):
        return word
    with _LOCK:  # the analyser is not documented as thread-safe
        return _analyzer(lang).parse(word)[0].normal_form.replace("ё", "е")


def token_key(token: Token, lang: str) -> str:
    """The form under which a content word is compared across sentences."""
    if lang in ("ru", "uk"):
        return lemma(token.lower, lang)
    return token.stem
