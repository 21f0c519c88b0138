"""Split an article into paragraphs while keeping its exact layout.

Every non-empty line is a paragraph: news exports often separate paragraphs with a
single newline, and a line never continues a sentence across a break often enough to
justify guessing. A paragraph's *body* is the line with its leading and trailing
whitespace removed; everything else (newline runs, blank and whitespace-only lines,
indentation, trailing spaces) is kept verbatim as *separators*, so that

    layout.join(translated_bodies)

reproduces the original layout around the translated text, and
``layout.join(layout.paragraphs) == text`` always holds.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

# Characters that ``str.splitlines`` treats as line boundaries. All of them are also
# whitespace for ``str.isspace``, so a body (which starts and ends with a non-space
# character and contains no line boundary) never swallows a separator.
_LINE_BREAKS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"
_BODY_RE = re.compile(rf"[^\s](?:[^{_LINE_BREAKS}]*[^\s])?")


@dataclass(frozen=True)
class ParagraphLayout:
    """An article cut into paragraph bodies and the exact text between them.

    ``separators`` has one more item than ``paragraphs``: ``separators[0]`` precedes
    the first body, ``separators[i + 1]`` follows body ``i``. ``spans[i]`` is the
    ``(start, end)`` of body ``i`` in the source text.
    """

    paragraphs: tuple[str, ...]
    separators: tuple[str, ...]
    spans: tuple[tuple[int, int], ...]

    def join(self, bodies: Sequence[str]) -> str:
        """Rebuild the article with ``bodies`` in place of the paragraph bodies."""
        if len(bodies) != len(self.paragraphs):
            raise ValueError(
                f"expected {len(self.paragraphs)} paragraph bodies, got {len(bodies)}")
        parts = [self.separators[0]]
        for body, separator in zip(bodies, self.separators[1:]):
            parts.append(body)
            parts.append(separator)
        return "".join(parts)


def split_paragraphs(text: str) -> ParagraphLayout:
    """Cut ``text`` into paragraph bodies (one per non-empty line) and separators.

    Whitespace-only text yields no paragraphs and a single separator (the text
    itself), so it passes through :meth:`ParagraphLayout.join` unchanged.
    """
    bodies: list[str] = []
    separators: list[str] = []
    spans: list[tuple[int, int]] = []
    cursor = 0
    for match in _BODY_RE.finditer(text):
        separators.append(text[cursor:match.start()])
        bodies.append(match.group())
        spans.append(match.span())
        cursor = match.end()
    separators.append(text[cursor:])
    return ParagraphLayout(tuple(bodies), tuple(separators), tuple(spans))
