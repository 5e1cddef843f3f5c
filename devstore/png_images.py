"""Placeholder product images as PNG: the SVG tile (``templates/store/placeholder.svg``) drawn with Pillow;
and the shop's favicon, drawn the same way.

The Admin API and webhooks carry these, as the platform's CDN serves raster images: an app that draws
product images itself (Storelift's email cards) cannot read SVG. The drawing depends only on the image's
colour, label and size, and uses Pillow's bundled font, so the same image gives the same bytes on any
machine.
"""

from __future__ import annotations

import io

from PIL import Image as Picture
from PIL import ImageDraw, ImageFont

from .state import Image

DESIGN_SIDE = 800  # the SVG's viewBox: every coordinate below is in it, scaled to the image's size
CIRCLE_CENTRE, CIRCLE_RADIUS, CIRCLE_OPACITY = (400, 360), 170, 0.18
INITIALS_BASELINE, INITIALS_SIZE = 410, 150
LABEL_BASELINE, LABEL_SIZE, LABEL_MAX_WIDTH = 660, 40, 720
WHITE = (255, 255, 255)
FAVICON_INK = (34, 34, 34)  # the storefront's text and primary buttons, #222 in store.css


def initials(title: str) -> str:
    return "".join(word[0] for word in title.split()[:2]).upper()


def render_png(image: Image) -> bytes:
    """The image's tile: its colour, a pale circle, its initials and its label, at its width x height."""
    scale = min(image.width, image.height) / DESIGN_SIDE
    colour = Picture.new("RGB", (1, 1), image.color).getpixel((0, 0))
    tile = Picture.new("RGB", (image.width, image.height), colour)
    draw = ImageDraw.Draw(tile)
    x, y = (round(c * scale) for c in CIRCLE_CENTRE)
    r = round(CIRCLE_RADIUS * scale)
    pale = tuple(round(c + (w - c) * CIRCLE_OPACITY) for c, w in zip(colour, WHITE))  # white at 18 % over the colour
    draw.ellipse((x - r, y - r, x + r, y + r), fill=pale)
    centre = image.width / 2
    initials_font = ImageFont.load_default(size=round(INITIALS_SIZE * scale))
    draw.text((centre, INITIALS_BASELINE * scale), initials(image.label), font=initials_font, fill=WHITE,
              anchor="ms")
    label_font = ImageFont.load_default(size=round(LABEL_SIZE * scale))
    draw.text((centre, LABEL_BASELINE * scale), _fitted(image.label, label_font, LABEL_MAX_WIDTH * scale),
              font=label_font, fill=WHITE, anchor="ms")
    out = io.BytesIO()
    tile.save(out, format="PNG")
    return out.getvalue()


def render_favicon(shop_name: str) -> bytes:
    """The shop's 32x32 icon as an ICO file: its initials, white on the theme's ink colour."""
    side = 32
    icon = Picture.new("RGB", (side, side), FAVICON_INK)
    ImageDraw.Draw(icon).text((side / 2, side / 2), initials(shop_name), font=ImageFont.load_default(size=15),
                              fill=WHITE, anchor="mm")
    out = io.BytesIO()
    icon.save(out, format="ICO", sizes=[(side, side)])
    return out.getvalue()


def _fitted(label: str, font: ImageFont.FreeTypeFont, width: float) -> str:
    """The label cut short with an ellipsis when it is wider than the tile's margin allows."""
    if font.getlength(label) <= width:
        return label
    while label and font.getlength(label + "…") > width:
        label = label[:-1]
    return label.rstrip() + "…"
