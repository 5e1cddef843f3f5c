"""Fitting merchant text onto a card: characters the font can draw, lines that fit, an ellipsis when it is long.

The card font is Pillow's bundled one so that rendering never depends on the machine's fonts, but that font
(a subset of Aileron) draws little beyond ASCII: no accented letters and no €, £ or ¥. Drawn as is, "Crème
brûlée" would show boxes in place of letters, so a letter the font lacks is drawn as its base letter
("Creme brulee") or a conventional spelling (ß -> ss); what has neither (other scripts) stays a box. The
email's HTML keeps the real text; this only decides what the picture shows.

Widths are the font's real advance widths (``getlength``), not a character count, so "WWW" and "iii" wrap
where they actually stop fitting.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

from PIL import Image, ImageDraw, ImageFont

ELLIPSIS = "…"

SPELLED_OUT = {
    "ß": "ss", "ẞ": "SS", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ø": "o", "Ø": "O", "ł": "l", "Ł": "L",
    "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "þ": "th", "Þ": "Th", "ı": "i", "–": "-", "—": "-", "‐": "-",
}
"""Latin letters and dashes with no Unicode decomposition to fall back on, written the way their languages
spell them without the letter."""

_MISSING_PROBE = "\U0010fffd"  # a private-use code point no font draws: renders as the font's "missing" box


def _rendering(font: ImageFont.FreeTypeFont, text: str) -> bytes:
    size = int(font.size) * 2
    canvas = Image.new("L", (size, size))
    ImageDraw.Draw(canvas).text((0, 0), text, font=font, fill=255)
    return canvas.tobytes()


def _glyph_test(font: ImageFont.FreeTypeFont) -> Callable[[str], bool]:
    """Whether the font draws a character, remembered per character for one text.

    Pillow has no call that asks a font for a glyph, so a character counts as missing when it renders
    exactly like a code point no font has. Printable ASCII, most text, is never checked: the bundled font
    draws all of it.
    """
    missing = _rendering(font, _MISSING_PROBE)
    known: dict[str, bool] = {}

    def draws(char: str) -> bool:
        if char.isascii():
            return True
        if char not in known:
            known[char] = _rendering(font, char) != missing
        return known[char]

    return draws


def drawable_text(text: str, font: ImageFont.FreeTypeFont) -> str:
    """``text`` on one line, each character the font lacks replaced by a stand-in it can draw, if any.

    Control and format characters (a NUL, a soft hyphen) are dropped: they are not for display.
    """
    draws = _glyph_test(font)
    out = []
    for char in " ".join(text.split()):
        if unicodedata.category(char) in ("Cc", "Cf"):
            continue
        if draws(char):
            out.append(char)
            continue
        base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
        stand_in = SPELLED_OUT.get(char) or base
        out.append(stand_in if stand_in and stand_in != char and all(map(draws, stand_in)) else char)
    return "".join(out)


def can_draw(text: str, font: ImageFont.FreeTypeFont) -> bool:
    """Whether the font draws every character of ``text``."""
    return all(map(_glyph_test(font), text))


def ellipsized(line: str, font: ImageFont.FreeTypeFont, width: float) -> str:
    """``line`` cut short, at a word when one is near, and ended with an ellipsis so that it fits in ``width``."""
    if font.getlength(line) <= width:
        return line
    cut = line[:_fitting_prefix(line, font, width - font.getlength(ELLIPSIS))]
    while cut and font.getlength(cut.rstrip() + ELLIPSIS) > width:  # kerning against the ellipsis
        cut = cut[:-1]
    at_word = cut.rfind(" ")
    if at_word > len(cut) // 2:  # a word break not too far back reads better than half a word
        cut = cut[:at_word]
    return cut.rstrip() + ELLIPSIS


def wrapped(text: str, font: ImageFont.FreeTypeFont, width: float, max_lines: int) -> list[str]:
    """``text`` in at most ``max_lines`` lines of at most ``width``, the last with an ellipsis if text was left.

    Lines break between words; a word wider than a line is broken between characters.
    """
    words = text.split()
    lines: list[str] = []
    line = ""
    while words and len(lines) < max_lines:
        word = words[0]
        candidate = f"{line} {word}" if line else word
        if font.getlength(candidate) <= width:
            line = candidate
            words.pop(0)
        elif line:
            lines.append(line)
            line = ""
        else:  # one word wider than the line: as many of its characters as fit
            count = max(1, _fitting_prefix(word, font, width))
            lines.append(word[:count])
            words[0] = word[count:]
    if line and len(lines) < max_lines:
        lines.append(line)
        line = ""
    left_over = " ".join(([line] if line else []) + words)
    if left_over and lines:
        lines[-1] = ellipsized(f"{lines[-1]} {left_over}", font, width)
    return lines


def _fitting_prefix(word: str, font: ImageFont.FreeTypeFont, width: float) -> int:
    low, high = 0, len(word)  # the longest prefix that fits, by bisection: a word may be hundreds of characters
    while low < high:
        middle = (low + high + 1) // 2
        if font.getlength(word[:middle]) <= width:
            low = middle
        else:
            high = middle - 1
    return low
