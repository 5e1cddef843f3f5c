"""Product images from elsewhere, decoded without trusting them and scaled for a card.

A card's product image is bytes fetched from a merchant's catalog, so it may be anything: not an image,
truncated, or a "decompression bomb" (a few kilobytes whose header claims billions of pixels, which would
take gigabytes to decode). Pillow reads the header without decoding the pixels, so the size is checked
there, before any pixel is decoded; anything refused or unreadable is ``None`` and the card shows its
placeholder instead of failing the email.
"""

from __future__ import annotations

import io

from PIL import Image, ImageOps

MAX_PIXELS = 25_000_000
"""Well above any product photo (a 5000x5000 image) and far below Pillow's own warning at ~89 MP."""

PRODUCT_IMAGE_FORMATS = ("JPEG", "PNG", "GIF", "WEBP", "AVIF")
"""The raster formats catalogs serve. An allowlist, because some formats Pillow knows are not safe to open
from strangers: EPS, for one, is rendered by running Ghostscript
(https://pillow.readthedocs.io/en/stable/handbook/image-file-formats.html#eps)."""

REDUCING_GAP = 2.0
"""Shrink by a whole factor first when the image is over twice the fit, then resample with bicubic: what
Pillow's own ``thumbnail`` does (https://pillow.readthedocs.io/en/stable/reference/Image.html#PIL.Image.Image.thumbnail),
faster than Lanczos and no different to the eye at a card's size."""


def fitted_product_image(data: bytes | None, side: int) -> Image.Image | None:
    """The image scaled up or down to fit a side x side square without distortion, or None when it cannot
    be shown. It is RGBA when it has transparency and RGB otherwise, its first frame if animated, and
    upright per its EXIF orientation."""
    if not data:
        return None
    Image.init()  # registers the format plugins, so the allowlist can be checked against them
    formats = [name for name in PRODUCT_IMAGE_FORMATS if name in Image.OPEN]
    try:
        with Image.open(io.BytesIO(data), formats=formats) as image:
            if image.width * image.height > MAX_PIXELS:
                return None
            # A JPEG can decode at 1/2, 1/4 or 1/8 scale, several times faster; ask for no less than the fit.
            image.draft("RGB", _fit(image.size, side))
            image.load()
            ImageOps.exif_transpose(image, in_place=True)
            mode = "RGBA" if image.has_transparency_data else "RGB"
            shown = image if image.mode == mode else image.convert(mode)
            return shown.resize(_fit(shown.size, side), Image.Resampling.BICUBIC, reducing_gap=REDUCING_GAP)
    except Exception:  # the bytes are a stranger's: no failure of theirs may fail the email
        # Decoders fed hostile bytes raise many kinds: OSError (unidentified, truncated), SyntaxError and
        # ValueError (malformed headers), RuntimeError (the AVIF decoder), DecompressionBombError (Pillow's
        # own cap, at twice ~89 MP).
        return None


def _fit(size: tuple[int, int], side: int) -> tuple[int, int]:
    width, height = size
    scale = side / max(width, height)
    return max(1, round(width * scale)), max(1, round(height * scale))
