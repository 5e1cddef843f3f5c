"""Product cards: a PNG of a fixed size whatever the inputs, the product image letterboxed on white or a
placeholder, the title and the price drawn below."""

from __future__ import annotations

import pytest
from PIL import Image, ImageChops, ImageFont

from plugin.emails.card_text import can_draw
from plugin.emails.cards import (CARD_HEIGHT, CARD_WIDTH, IMAGE_SIDE, PLACEHOLDER_GREY, PRICE_SIZE, PRICE_TOP,
                                 TITLE_LINE_HEIGHT, TITLE_LINES, TITLE_TOP, WHITE, card_price_text, price_label, render_card)
from tests.support.images import decoded, near, png_claiming, solid

RED = (220, 20, 20)
TITLE_AREA = (0, TITLE_TOP, CARD_WIDTH, PRICE_TOP)
PRICE_AREA = (0, PRICE_TOP, CARD_WIDTH, CARD_HEIGHT)
IMAGE_AREA = (0, 0, IMAGE_SIDE, IMAGE_SIDE)


def card(title: str = "Linen Shirt", price: str = "49.00", currency: str = "USD", image: bytes | None = None):
    return decoded(render_card(title=title, price=price, currency=currency, image=image))


def same(a: Image.Image, b: Image.Image) -> bool:
    return ImageChops.difference(a, b).getbbox() is None


@pytest.mark.parametrize("image", [None, solid((640, 480), RED)], ids=["placeholder", "photo"])
def test_a_card_is_a_png_of_the_card_size(image):
    assert card(image=image).size == (CARD_WIDTH, CARD_HEIGHT) == (280, 380)


def test_the_same_inputs_give_the_same_bytes():
    inputs = dict(title="Linen Shirt", price="49", currency="USD", image=solid((64, 64), RED))
    assert render_card(**inputs) == render_card(**inputs)


def test_a_different_title_or_price_changes_the_card():
    shirt = card(title="Linen Shirt", price="49.00")
    assert not same(shirt.crop(TITLE_AREA), card(title="Linen Trousers", price="49.00").crop(TITLE_AREA))
    assert not same(shirt.crop(PRICE_AREA), card(title="Linen Shirt", price="59.00").crop(PRICE_AREA))


def test_a_300_character_title_keeps_the_card_size_and_stops_after_two_lines():
    long = card(title=" ".join(["Heavyweight organic cotton hoodie"] * 9)[:300])
    assert long.size == (CARD_WIDTH, CARD_HEIGHT)
    below_two_lines = (0, TITLE_TOP + TITLE_LINES * TITLE_LINE_HEIGHT, CARD_WIDTH, PRICE_TOP)
    assert long.crop(below_two_lines).getcolors() == [(CARD_WIDTH * (PRICE_TOP - below_two_lines[1]), WHITE)]


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
@pytest.mark.parametrize("image", [None, b"garbage", png_claiming(10_000, 10_000), solid((6000, 5000), 1, mode="1")],
                         ids=["none", "garbage", "huge-header", "over-the-pixel-cap"])
def test_without_a_readable_image_the_square_is_a_flat_placeholder(image):
    drawn = card(image=image)
    assert drawn.crop(IMAGE_AREA).getcolors() == [(IMAGE_SIDE * IMAGE_SIDE, PLACEHOLDER_GREY)]
    assert same(drawn, card(image=None))


def test_a_product_image_is_letterboxed_on_white_without_distortion():
    drawn = card(image=solid((200, 100), RED))  # fitted to 280x140, so 70 white rows above and below
    assert all(drawn.getpixel((x, y)) == WHITE for x in (5, 140, 274) for y in (10, 65, 215, 270))
    assert all(near(drawn.getpixel((x, y)), RED) for x in (3, 140, 276) for y in (75, 140, 205))


def test_transparent_parts_of_a_product_image_are_white():
    drawn = card(image=solid((100, 100), (0, 0, 0, 0), mode="RGBA"))
    assert drawn.crop(IMAGE_AREA).getcolors() == [(IMAGE_SIDE * IMAGE_SIDE, WHITE)]


def test_a_title_in_other_alphabets_is_drawn_without_failing():
    drawn = card(title="Crème brûlée – Straße, Øresund, Москва, 東京")
    assert not same(drawn.crop(TITLE_AREA), card(title="").crop(TITLE_AREA))


@pytest.mark.parametrize(("price", "currency", "label"), [
    ("19.9", "EUR", "€19.90"), ("5", "JPY", "¥5"), ("1234.5", "USD", "$1,234.50"), ("-3", "GBP", "-£3.00"),
])
def test_price_label_formats_prices_with_babel(price, currency, label):
    assert price_label(price, currency) == label


@pytest.mark.parametrize(("price", "currency", "raw"), [
    ("19.9", "ABC", "19.9 ABC"), ("19.9", "", "19.9"), ("19.9", "eur", "19.9 eur"), ("abc", "EUR", "abc EUR"),
    ("NaN", "USD", "NaN USD"), ("Infinity", "USD", "Infinity USD"), ("1e999999", "USD", "1e999999 USD"),
])
def test_price_label_shows_an_unknown_currency_or_a_bad_price_as_given(price, currency, raw):
    assert price_label(price, currency) == raw


@pytest.mark.parametrize(("price", "currency", "symbol", "code"), [
    ("19.9", "EUR", "€19.90", "EUR 19.90"), ("5", "JPY", "¥5", "JPY 5"), ("19.9", "USD", "$19.90", "$19.90"),
])
def test_the_card_writes_the_iso_code_when_its_font_lacks_the_currency_symbol(price, currency, symbol, code):
    font = ImageFont.load_default(size=PRICE_SIZE)
    assert card_price_text(price, currency) == (symbol if can_draw(symbol, font) else code)


def test_a_raw_price_is_drawn_on_one_line():
    assert card_price_text("19\n90", "XYZ") == "19 90 XYZ"
