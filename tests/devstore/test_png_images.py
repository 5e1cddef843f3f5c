"""Raster product images: the Admin API and webhook payloads carry a PNG that Pillow can read (an app that
draws product images, like the email cards, cannot read SVG), drawn deterministically and served cacheable."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image as Picture

from devstore.clock import Clock
from devstore.payloads import image_json
from devstore.png_images import render_png
from devstore.settings import Settings
from devstore.state import Image, Store
from tests.support.devstore import http, install, start_shop

PNG_URL = re.compile(r"/cdn/shop/files/\d+\.png")


@pytest.fixture(scope="module")
def api():
    running = start_shop()
    yield running, install(running, scope="read_products")["access_token"]
    running.shutdown()


def _product_images(api) -> dict:
    shop, token = api
    query = '{ products(first: 1, query: "status:active") { nodes { featuredImage { url width height } ' \
            'images(first: 5) { nodes { url } } } } }'
    return shop.gql(token, query)["products"]["nodes"][0]


def test_the_admin_api_carries_the_png(api):
    shop, _ = api
    product = _product_images(api)
    url = product["featuredImage"]["url"]
    assert url.startswith(shop.url) and PNG_URL.fullmatch(url[len(shop.url):])
    assert product["images"]["nodes"][0]["url"] == url


def test_the_png_answers_as_a_cacheable_image_of_the_declared_size(api):
    image = _product_images(api)["featuredImage"]
    response = http().get(image["url"], timeout=10)
    assert response.status_code == 200 and response.headers["Content-Type"] == "image/png"
    assert response.headers["Cache-Control"] == "public, max-age=3600"
    with Picture.open(io.BytesIO(response.content)) as picture:
        assert picture.format == "PNG" and picture.size == (image["width"], image["height"])


def test_the_png_is_the_same_bytes_every_time(api):
    url = _product_images(api)["featuredImage"]["url"]
    assert http().get(url, timeout=10).content == http().get(url, timeout=10).content


def test_width_asks_for_a_smaller_png_in_proportion_and_never_a_larger_one(api):
    """As the platform's CDN: ``width=N`` draws N pixels wide; beyond the original, the original's size."""
    image = _product_images(api)["featuredImage"]
    for asked, size in ((160, (160, 160)), (320, (320, 320)), (5000, (image["width"], image["height"]))):
        response = http().get(image["url"], params={"v": "1", "width": asked}, timeout=10)
        with Picture.open(io.BytesIO(response.content)) as picture:
            assert picture.size == size, asked
    for bad in ("0", "-5", "wide", "99999"):
        assert http().get(image["url"], params={"width": bad}, timeout=10).status_code == 400, bad


def test_an_unknown_image_is_not_found(api):
    shop, _ = api
    assert http().get(f"{shop.url}/cdn/shop/files/999999999.png", timeout=10).status_code == 404


def _image(**fields) -> Image:
    return Image(**{"id": 7, "product_id": 3, "position": 1, "alt": "Canvas Tote", "color": "#5b5f97",
                    "label": "Canvas Tote", "created_at": 0.0, **fields})


def test_the_drawing_depends_only_on_the_image_so_every_process_draws_the_same_bytes():
    assert render_png(_image()) == render_png(_image(id=8, created_at=99.0))
    assert render_png(_image()) != render_png(_image(label="Leather Tote"))
    assert render_png(_image()) != render_png(_image(color="#3b6ea5"))


def test_the_tile_is_the_image_colour_with_its_size():
    with Picture.open(io.BytesIO(render_png(_image(width=400, height=300)))) as picture:
        assert picture.size == (400, 300) and picture.convert("RGB").getpixel((2, 2)) == (0x5b, 0x5f, 0x97)


def test_webhook_and_rest_payloads_carry_the_png_on_the_shops_public_url():
    store = Store(Settings(public_url="http://127.0.0.1:8123"), Clock())
    assert image_json(store, _image())["src"] == "http://127.0.0.1:8123/cdn/shop/files/7.png"
