"""Language codes and names this service knows, and validation against the served set."""

from __future__ import annotations

from collections.abc import Sequence

from service.errors import UnsupportedLanguage

#: ISO 639-1 code -> English name. Extend together with the registry and lingua set.
LANGUAGE_NAMES: dict[str, str] = {
    "en": "English",
    "uk": "Ukrainian",
    "ru": "Russian",
    "ko": "Korean",
}

#: Language code -> M2M100 token code and NLLB-200 (FLORES) code.
M2M100_CODES: dict[str, str] = {"en": "en", "uk": "uk", "ru": "ru", "ko": "ko"}
NLLB_CODES: dict[str, str] = {"en": "eng_Latn", "uk": "ukr_Cyrl", "ru": "rus_Cyrl",
                              "ko": "kor_Hang"}


def normalize_language(code: str | None, served: Sequence[str], *, field: str,
                       allow_auto: bool = False) -> str:
    """Return the canonical lower-case code, or raise :class:`UnsupportedLanguage`
    with a message listing the supported codes."""
    value = (code or "").strip().lower().replace("_", "-")
    if allow_auto and value in ("", "auto"):
        return "auto"
    # Accept regional variants such as en-GB / en-US / ko-KR.
    base = value.split("-", 1)[0]
    if base in served:
        return base
    supported = ", ".join(served)
    extra = " (or 'auto')" if allow_auto else ""
    shown = code if code else "(empty)"
    raise UnsupportedLanguage(
        f"Unsupported language code '{shown}' for {field}; supported: {supported}{extra}.",
        field=field)
