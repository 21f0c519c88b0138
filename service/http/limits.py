"""Size limits of a request and per-caller rate and quota limits.

Size limits (``max_chars_per_text``, ``max_chars_per_request``,
``max_texts_per_request``) raise :class:`LimitExceeded` naming the setting, so the
client learns which limit and by how much; nothing is ever cut silently. The body
size limit is enforced earlier, by the middleware.

Per-caller limits count against a :class:`~service.http.auth.Principal`'s bucket:
``rate_limit_rpm`` requests in any 60-second window (:class:`RateLimited`, with the
seconds until the oldest request leaves the window) and ``chars_per_day`` characters
per UTC day (:class:`QuotaExceeded`, retry at the next UTC midnight).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Sequence

from service.errors import InvalidInput, LimitExceeded, QuotaExceeded, RateLimited
from service.settings import Settings

_WINDOW_S = 60.0
_DAY_S = 86_400


def check_texts(settings: Settings, texts: Sequence[str], field: str = "texts",
                measure: Callable[[str], int] = len) -> int:
    """Validate a request's texts against the size limits; return its character count.

    ``field`` names the input: ``text`` for one string, ``texts`` for a list (items
    are then named ``texts[i]``). ``measure`` counts a text's characters: HTML is
    counted by its text content (:func:`html_chars`), not its markup.
    """
    if not texts:
        raise InvalidInput(f"{field} must contain at least one text", field=field)
    if len(texts) > settings.max_texts_per_request:
        raise LimitExceeded(
            f"{field} has {len(texts)} items; the limit is {settings.max_texts_per_request} "
            "per request (max_texts_per_request)",
            field=field, limit="max_texts_per_request")
    total = 0
    for index, text in enumerate(texts):
        name = field if field == "text" else f"{field}[{index}]"
        size = measure(text)
        if size > settings.max_chars_per_text:
            raise LimitExceeded(
                f"{name} has {size} characters; the limit is "
                f"{settings.max_chars_per_text} per text (max_chars_per_text)",
                field=name, limit="max_chars_per_text")
        total += size
    if total > settings.max_chars_per_request:
        raise LimitExceeded(
            f"the request has {total} characters; the limit is "
            f"{settings.max_chars_per_request} per request (max_chars_per_request)",
            field=field, limit="max_chars_per_request")
    return total


def html_chars(text: str) -> int:
    """Characters of an HTML text that count against limits and quotas: its text
    content (markup, scripts and styles are free)."""
    from service.text.html import text_length

    return text_length(text)


def measure_for(fmt: str) -> Callable[[str], int]:
    """How to count the characters of a text in format ``fmt`` (text or html)."""
    return html_chars if fmt == "html" else len


class CallerLimiter:
    """Requests-per-minute and characters-per-day per bucket (0 disables a limit).

    In-process state: with several replicas each one counts separately, so set the
    limits per replica (or put a shared limiter in front).
    """

    def __init__(self, rpm: int = 0, chars_per_day: int = 0,
                 clock: Callable[[], float] = time.time) -> None:
        self.rpm = rpm
        self.chars_per_day = chars_per_day
        self._clock = clock
        self._lock = threading.Lock()
        self._hits: dict[str, deque[float]] = {}
        self._chars: dict[str, tuple[int, int]] = {}  # bucket -> (UTC day number, chars)

    @classmethod
    def from_settings(cls, settings: Settings) -> CallerLimiter:
        return cls(settings.rate_limit_rpm, settings.chars_per_day)

    def hit(self, bucket: str) -> None:
        """Count one request; :class:`RateLimited` if the bucket is over its rate."""
        if not self.rpm:
            return
        now = self._clock()
        with self._lock:
            hits = self._hits.setdefault(bucket, deque())
            while hits and hits[0] <= now - _WINDOW_S:
                hits.popleft()
            if len(hits) >= self.rpm:
                wait = hits[0] + _WINDOW_S - now
                raise RateLimited(f"rate limit of {self.rpm} requests per minute exceeded; "
                                  f"retry in {max(1, round(wait))} s", retry_after=wait)
            hits.append(now)

    def charge(self, bucket: str, chars: int) -> None:
        """Count ``chars`` against today's quota; :class:`QuotaExceeded` (nothing
        counted) if they do not fit."""
        if not self.chars_per_day:
            return
        now = self._clock()
        day = int(now // _DAY_S)
        with self._lock:
            used_day, used = self._chars.get(bucket, (day, 0))
            if used_day != day:
                used = 0
            if used + chars > self.chars_per_day:
                left = max(0, self.chars_per_day - used)
                raise QuotaExceeded(
                    f"daily quota of {self.chars_per_day} characters exceeded: {left} left "
                    f"today, this request needs {chars}; the quota resets at 00:00 UTC",
                    retry_after=(day + 1) * _DAY_S - now)
            self._chars[bucket] = (day, used + chars)

    def usage(self, bucket: str) -> int:
        """Characters counted for ``bucket`` today (for usage endpoints)."""
        day = int(self._clock() // _DAY_S)
        with self._lock:
            used_day, used = self._chars.get(bucket, (day, 0))
        return used if used_day == day else 0
