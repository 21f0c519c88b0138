"""Paragraph splitting keeps the article's layout exactly."""

from __future__ import annotations

import pytest

from service.text.paragraphs import split_paragraphs

LAYOUTS = [
    "",
    "   \n\n \t\n",
    "One paragraph.",
    "First line.\nSecond line.\n",
    "  Indented lead.\n\n\nAfter two blank lines.  \r\nWindows line.\r\n\r\n",
    "Title\n\n   \n\nBody text here.\n  \n",
    "Line\u2028separator\u2029paragraph\fform feed",
    "\n\nLeading blank lines\n",
]


@pytest.mark.parametrize("text", LAYOUTS)
def test_identity_join_reproduces_text(text: str) -> None:
    layout = split_paragraphs(text)
    assert layout.join(layout.paragraphs) == text
    assert len(layout.separators) == len(layout.paragraphs) + 1
    for body, (start, end) in zip(layout.paragraphs, layout.spans):
        assert text[start:end] == body


def test_each_non_empty_line_is_a_paragraph_with_bodies_stripped() -> None:
    layout = split_paragraphs("  First.  \n\nSecond one.\n   \nThird\tpart.\n")
    assert layout.paragraphs == ("First.", "Second one.", "Third\tpart.")
    assert layout.separators == ("  ", "  \n\n", "\n   \n", "\n")


def test_join_puts_new_bodies_in_the_original_layout() -> None:
    layout = split_paragraphs("\n  Привіт.\n\n\nЯк справи?  \n")
    assert layout.join(["Hello.", "How are you?"]) == "\n  Hello.\n\n\nHow are you?  \n"


def test_whitespace_only_text_has_no_paragraphs() -> None:
    layout = split_paragraphs(" \n\t\n ")
    assert layout.paragraphs == ()
    assert layout.join([]) == " \n\t\n "


def test_join_rejects_wrong_number_of_bodies() -> None:
    layout = split_paragraphs("a\nb")
    with pytest.raises(ValueError, match="expected 2 paragraph bodies, got 1"):
        layout.join(["x"])
