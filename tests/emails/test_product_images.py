"""Product images from a catalog: fitted to the card's square, refused when unreadable, unsafe or too big."""

from __future__ import annotations

import pytest
from PIL import Image

from plugin.emails.product_images import MAX_PIXELS, fitted_product_image
from tests.support.images import encoded, near, png_claiming, solid

RED, BLUE = (220, 20, 20), (20, 20, 220)


@pytest.mark.parametrize(("size", "fitted"), [((200, 100), (280, 140)), ((50, 100), (140, 280)),
                                              ((3000, 3000), (280, 280)), ((1, 900), (1, 280))])
def test_an_image_is_scaled_up_or_down_to_fit_the_square_keeping_its_shape(size, fitted):
    assert fitted_product_image(solid(size, RED), 280).size == fitted


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "GIF", "WEBP"])
def test_the_formats_catalogs_serve_are_read(fmt):
    image = fitted_product_image(solid((64, 64), RED, fmt=fmt), 280)
    assert image.mode == "RGB" and near(image.getpixel((140, 140)), RED)


def test_transparency_is_kept_and_an_opaque_image_has_none():
    assert fitted_product_image(solid((10, 10), (0, 0, 0, 0), mode="RGBA"), 280).mode == "RGBA"
    assert fitted_product_image(solid((10, 10), RED), 280).mode == "RGB"


def test_a_photo_is_turned_upright_by_its_exif_orientation():
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to display" (TIFF/EXIF Orientation tag)
    sideways = encoded(Image.new("RGB", (200, 100), RED), "JPEG", exif=exif)
    assert fitted_product_image(sideways, 280).size == (140, 280)


def test_an_animated_image_shows_its_first_frame():
    frames = [Image.new("RGB", (40, 40), RED), Image.new("RGB", (40, 40), BLUE)]
    animated = encoded(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    assert near(fitted_product_image(animated, 280).getpixel((140, 140)), RED)


@pytest.mark.parametrize("data", [None, b"", b"garbage", solid((64, 64), RED)[:60]], ids=["none", "empty", "garbage",
                                                                                          "truncated"])
def test_what_is_not_an_image_is_none(data):
    assert fitted_product_image(data, 280) is None


def test_a_format_outside_the_allowlist_is_refused_even_a_harmless_one():
    assert fitted_product_image(solid((64, 64), RED, fmt="BMP"), 280) is None


def test_an_image_over_the_pixel_cap_is_refused_before_it_is_decoded():
    width, height = 6000, 5000  # a valid, compressible PNG that would decode fine without the cap
    assert width * height > MAX_PIXELS
    assert fitted_product_image(solid((width, height), 1, mode="1"), 280) is None


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
@pytest.mark.parametrize(("width", "height"), [(10_000, 10_000), (100_000, 100_000)])
def test_a_header_claiming_a_huge_image_is_refused(width, height):
    assert fitted_product_image(png_claiming(width, height), 280) is None
