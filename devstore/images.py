"""Placeholder product images, drawn by devstore itself (no network, no files): SVG and PNG.

Each image is a colored tile with the product's initials and title, so pages and widgets look like a
catalog while staying self-contained. The storefront's pages use the SVG; the Admin API and webhooks
carry the PNG (``png_images.py``), a raster image as the platform's CDN serves. Images never change once
created, so each PNG is drawn once per process and size and kept. The shop's favicon is drawn here too: browsers
ask every origin for ``/favicon.ico``.
"""

from __future__ import annotations

from dataclasses import replace

from flask import Blueprint, Response, abort, render_template, request

from .png_images import initials, render_favicon, render_png
from .runtime import runtime
from .state import Image

bp = Blueprint("images", __name__)

CACHE_CONTROL = "public, max-age=3600"
MAX_WIDTH = 5760  # the platform's largest


def _image(image_id: int) -> Image:
    rt = runtime()
    with rt.store.lock:
        image = next((i for p in rt.store.products.values() for i in p.images if i.id == image_id), None)
    if image is None:
        abort(404)
    return image


@bp.get("/cdn/shop/files/<int:image_id>.svg")
def product_image(image_id: int):
    image = _image(image_id)
    svg = render_template("store/placeholder.svg", image=image, initials=initials(image.label))
    response = Response(svg, mimetype="image/svg+xml")
    response.headers["Cache-Control"] = CACHE_CONTROL
    return response


@bp.get("/cdn/shop/files/<int:image_id>.png")
def product_image_png(image_id: int):
    """The image as the platform's CDN serves it: ``width=N`` resizes it, height in proportion, never
    beyond the original's width (as the ``image_url`` filter's ``width``)."""
    image = _image(image_id)  # first, so a deleted product's image is gone here as in the SVG
    width = request.args.get("width", str(image.width))
    if not width.isdigit() or not 1 <= int(width) <= MAX_WIDTH:
        abort(400, f"width must be a whole number of pixels, 1 to {MAX_WIDTH}")
    width = min(int(width), image.width)
    sized = replace(image, width=width, height=max(1, round(image.height * width / image.width)))
    cache = runtime().png_images
    png = cache.get((image.id, width))
    if png is None:  # drawn outside the store lock; two first requests at once draw the same bytes
        png = cache.setdefault((image.id, width), render_png(sized))
    response = Response(png, mimetype="image/png")
    response.headers["Cache-Control"] = CACHE_CONTROL
    return response


@bp.get("/favicon.ico")
def favicon():
    """Browsers ask every origin for /favicon.ico; a 404 there is an error in every shopper's console."""
    return favicon_response(runtime().settings.shop_name)


def favicon_response(name: str) -> Response:
    """The icon with ``name``'s initials, cached like the product images: it never changes while running."""
    response = Response(render_favicon(name), mimetype="image/vnd.microsoft.icon")
    response.headers["Cache-Control"] = CACHE_CONTROL
    return response
