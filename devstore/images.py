"""Placeholder product images: small SVGs drawn by devstore itself (no network, no files).

Each image is a colored tile with the product's initials and title, so
pages and widgets look like a catalog while staying self-contained.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template

from .runtime import runtime

bp = Blueprint("images", __name__)


def initials(title: str) -> str:
    return "".join(word[0] for word in title.split()[:2]).upper()


@bp.get("/cdn/shop/files/<int:image_id>.svg")
def product_image(image_id: int):
    rt = runtime()
    with rt.store.lock:
        image = next((i for p in rt.store.products.values() for i in p.images if i.id == image_id), None)
        if image is None:
            abort(404)
        svg = render_template("store/placeholder.svg", image=image, initials=initials(image.label))
    response = Response(svg, mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response
