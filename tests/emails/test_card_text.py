"""Merchant text on a card: drawable characters, lines measured by the font, an ellipsis when it is long."""

from __future__ import annotations

import pytest
from PIL import ImageFont

from plugin.emails.card_text import ELLIPSIS, can_draw, drawable_text, ellipsized, wrapped

FONT = ImageFont.load_default(size=15)
WIDTH = 256


def test_a_short_title_is_one_line_as_it_is():
    assert wrapped("Linen Shirt", FONT, WIDTH, 2) == ["Linen Shirt"]


def test_a_long_title_is_two_lines_that_fit_the_last_ending_in_an_ellipsis():
    title = " ".join(["Organic cotton crewneck sweater"] * 10)  # 300+ characters
    lines = wrapped(title, FONT, WIDTH, 2)
    assert len(lines) == 2 and lines[1].endswith(ELLIPSIS) and not lines[0].endswith(ELLIPSIS)
    assert all(FONT.getlength(line) <= WIDTH for line in lines)
    assert title.startswith(lines[0] + " ")


def test_a_word_wider_than_a_line_is_broken_between_characters():
    lines = wrapped("W" * 300, FONT, WIDTH, 2)
    assert len(lines) == 2 and set(lines[0]) == {"W"} and lines[1].endswith(ELLIPSIS)
    assert all(FONT.getlength(line) <= WIDTH for line in lines)


def test_lines_are_measured_by_the_font_not_by_counting_characters():
    narrow, wide = (wrapped(letter * 300, FONT, WIDTH, 1)[0] for letter in "iW")
    assert len(narrow) > 2 * len(wide)


def test_an_ellipsis_cuts_at_a_word_when_one_is_near():
    line = ellipsized("Heavyweight canvas tote bag with leather handles", FONT, 180)
    assert line.endswith(ELLIPSIS) and FONT.getlength(line) <= 180
    assert "Heavyweight canvas tote bag with leather handles".startswith(line[:-1] + " ")


def test_a_line_that_fits_keeps_its_end():
    assert ellipsized("Mug", FONT, WIDTH) == "Mug"


@pytest.mark.parametrize(("char", "stand_in"), [("é", "e"), ("ü", "u"), ("Å", "A"), ("ß", "ss"), ("Ł", "L"),
                                                ("€", "€"), ("東", "東")])
def test_a_character_the_font_lacks_is_drawn_as_its_base_letter_if_it_has_one(char, stand_in):
    """Pillow's bundled font has no accented letters today; if a later one has, they are drawn as they are."""
    expected = char if can_draw(char, FONT) else stand_in
    assert drawable_text(f"Cr{char}me", FONT) == f"Cr{expected}me"


def test_the_fallbacks_are_letters_the_font_draws():
    assert can_draw(drawable_text("Crème brûlée, Straße, Łódź, Ærøskøbing", FONT), FONT)


def test_whitespace_is_folded_and_invisible_characters_dropped():
    assert drawable_text("  Soft\tlinen\n\nthrow\x00 pil\u00adlow  ", FONT) == "Soft linen throw pillow"
