"""Product cards: the images an email shows for recommendations chosen when it is opened.

The products are picked when the shopper opens the email, not when it is sent, so the email holds image
links and each card is drawn on request: a picture, because an email cannot run code and its HTML is fixed
once sent. A card is the product image letterboxed into a square, the title in at most two lines and the
price, 280x380 so that two fit side by side in a 600px email. Drawing never fails: a missing, unreadable or
oversized product image gives a neutral placeholder, an unknown currency or a malformed price is shown as
given.
"""

from __future__ import annotations

import io
from decimal import Decimal

from babel.numbers import format_currency, is_currency
from PIL import Image, ImageDraw, ImageFont

from .card_text import can_draw, drawable_text, ellipsized, wrapped
from .product_images import fitted_product_image

CARD_WIDTH = 280
CARD_HEIGHT = 380
IMAGE_SIDE = CARD_WIDTH
PADDING = 12
TEXT_WIDTH = CARD_WIDTH - 2 * PADDING
TITLE_SIZE, TITLE_LINE_HEIGHT, TITLE_LINES, TITLE_TOP = 15, 20, 2, IMAGE_SIDE + 12
PRICE_SIZE, PRICE_TOP = 18, TITLE_TOP + TITLE_LINES * TITLE_LINE_HEIGHT + 12

WHITE = (255, 255, 255)
PLACEHOLDER_GREY = (236, 236, 236)
TITLE_COLOUR = (51, 51, 51)
PRICE_COLOUR = (17, 17, 17)

LOCALE = "en"
CODE_PATTERN = "¤¤ #,##0.00"
"""A price with the ISO code in front ("EUR 19.90"), for currency symbols the card font cannot draw. In a
CLDR number pattern "¤¤" is the ISO code (https://unicode.org/reports/tr35/tr35-numbers.html#Currencies);
Babel still uses the currency's own number of decimals (JPY 5)."""


def render_card(*, title: str, price: str, currency: str, image: bytes | None) -> bytes:
    """The card as PNG bytes, CARD_WIDTH x CARD_HEIGHT whatever the inputs."""
    card = Image.new("RGB", (CARD_WIDTH, CARD_HEIGHT), WHITE)
    flat_colours = _draw_product_image(card, fitted_product_image(image, IMAGE_SIDE))
    draw = ImageDraw.Draw(card)
    title_font = ImageFont.load_default(size=TITLE_SIZE)
    for number, line in enumerate(wrapped(drawable_text(title, title_font), title_font, TEXT_WIDTH, TITLE_LINES)):
        draw.text((PADDING, TITLE_TOP + number * TITLE_LINE_HEIGHT), line, font=title_font, fill=TITLE_COLOUR)
    price_font = ImageFont.load_default(size=PRICE_SIZE)
    draw.text((PADDING, PRICE_TOP), ellipsized(card_price_text(price, currency), price_font, TEXT_WIDTH),
              font=price_font, fill=PRICE_COLOUR)
    return _small_png(card, flat_colours)


def price_label(price: str, currency: str) -> str:
    """The price as an English-speaking shopper reads it ("€19.90", "¥5"), or "price currency" as given
    when the price is not a finite number or the currency not an ISO 4217 code Babel knows."""
    return _formatted(price, currency) or f"{price} {currency}".strip()


def card_price_text(price: str, currency: str) -> str:
    """The price as the card shows it: ``price_label``, or its ISO-code form ("EUR 19.90") when the font
    lacks the currency's symbol (Pillow's bundled font has $ but not €, £ or ¥)."""
    font = ImageFont.load_default(size=PRICE_SIZE)
    label = price_label(price, currency)
    if not can_draw(label, font):
        label = _formatted(price, currency, CODE_PATTERN) or label
    return drawable_text(label, font)


def _formatted(price: str, currency: str, pattern: str | None = None) -> str | None:
    try:
        amount = Decimal(price)
        if amount.is_finite() and is_currency(currency, locale=LOCALE):
            return format_currency(amount, currency, format=pattern, locale=LOCALE)
    except (ArithmeticError, ValueError, TypeError):  # decimal's errors are ArithmeticErrors
        pass
    return None


def _small_png(card: Image.Image, flat_colours: list[tuple[int, int, int]]) -> bytes:
    """The card as a 256-colour PNG: a third of the bytes of a true-colour one, and several times faster,
    since zlib has a third of the data to squeeze. The palette comes from Pillow's fast octree quantizer and
    the photo is dithered onto it, without which its smooth shades (a shadow, a gradient) would show bands.
    zlib runs at its default level, 6: level 9 (Pillow's ``optimize``) took two to three times as long on
    dithered photos for under 1 % fewer bytes.

    The octree averages its buckets, so white would come out (254, 254, 254) and a flat grey as a dithered
    pattern: the palette entry nearest each of the card's flat colours is set to that colour exactly, so
    that the margins melt into the email's white background and the placeholder stays flat."""
    palette = card.quantize(256, method=Image.Quantize.FASTOCTREE)
    entries = palette.getpalette()
    colours = list(zip(entries[0::3], entries[1::3], entries[2::3]))
    free = set(range(len(colours)))
    for flat in flat_colours:
        nearest = min(free, key=lambda i: sum((a - b) ** 2 for a, b in zip(colours[i], flat)))
        colours[nearest] = flat
        free.remove(nearest)
    palette.putpalette([channel for colour in colours for channel in colour])
    out = io.BytesIO()
    card.quantize(palette=palette, dither=Image.Dither.FLOYDSTEINBERG).save(out, format="PNG", compress_level=6)
    return out.getvalue()


def _draw_product_image(card: Image.Image, fitted: Image.Image | None) -> list[tuple[int, int, int]]:
    """The fitted photo centred on white in the top square, else the placeholder there.

    Returns the flat colours now on the card, for the palette to keep exact."""
    if fitted is None:
        card.paste(PLACEHOLDER_GREY, (0, 0, IMAGE_SIDE, IMAGE_SIDE))
        return [WHITE, PLACEHOLDER_GREY]
    mask = fitted if fitted.mode == "RGBA" else None  # transparent parts show the white beneath
    card.paste(fitted, ((IMAGE_SIDE - fitted.width) // 2, (IMAGE_SIDE - fitted.height) // 2), mask)
    return [WHITE]
