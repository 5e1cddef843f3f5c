"""Open-time recommendation images end to end: ``GET /email/o/<token>/<n>.png`` through Flask's test client.

Part of ``python -m bench.emails``. A shop with a small catalog and order history, checkout sends planned
for it, and its product images on a loopback HTTP server standing in for the platform's CDN (a thread of
this process): half are devstore's 800px PNG tiles, half 800px photo-like JPEGs. Timed per request:

- cold: a send's first open with this process's card cache empty, so the slots are chosen (recommendations,
  one write), the product image fetched, decoded and drawn: the worst an open costs;
- first open, card drawn: a new send whose product another send already showed (the cache keeps cards by
  what they show), so the slots are chosen but nothing is fetched or drawn;
- cached: a repeat open of the same image, what a mail proxy asking again costs.

The bare baseline is a ``return "", 200`` route on the same app, through the same client.
"""

from __future__ import annotations

import io
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Self

from PIL import Image, ImageFilter

from devstore.png_images import render_png
from devstore.state import Image as ProductImage
from plugin.app import create_app
from plugin.clock import now_ms
from plugin.emails.card_cache import CardCache
from plugin.emails.tokens import Holder, issue
from plugin.services import Services
from plugin.store.commerce import Line, Order, Product, Variant

from .load import Result

SHOP = "bench-shop.myshopify.com"
SECRET = "bench-secret-0123456789abcdef0123456789"
COLD_TARGET_MS, CACHED_TARGET_MS = 300.0, 20.0
SIDE = 800
TITLES = ("Organic Linen Shirt", "Waxed Canvas Weekender Bag with Leather Handles", "Merino Beanie",
          "Hand-thrown Stoneware Mug, Set of Two", "Selvedge Denim Jacket", "Recycled Wool Scarf",
          "Cast Iron Skillet, 10 inch", "Beeswax Candle Trio")
COLOURS = ("#8a5a44", "#2f6f8f", "#6b8e23", "#5b4a8a")


def product_png(n: int) -> bytes:
    """devstore's tile for product ``n``, as the Admin API and webhooks carry it."""
    return render_png(ProductImage(id=n, product_id=n, position=1, alt="", color=COLOURS[n % len(COLOURS)],
                                   label=TITLES[n], created_at=0.0, width=SIDE, height=SIDE))


def photo_jpeg(n: int) -> bytes:
    """An 800px JPEG with a photo's smooth shades and fine detail (gradients and a fractal), quality 85."""
    shades = Image.merge("RGB", (Image.linear_gradient("L").resize((SIDE, SIDE)),
                                 Image.radial_gradient("L").resize((SIDE, SIDE)),
                                 Image.effect_mandelbrot((SIDE, SIDE), (-2.2, -1.4, 0.9, 1.4), 120)))
    out = io.BytesIO()
    shades.filter(ImageFilter.GaussianBlur(1.5)).rotate(90 * n).save(out, format="JPEG", quality=85)
    return out.getvalue()


class ImageHost:
    """Product images over HTTP on loopback, as the shop's CDN serves them."""

    def __init__(self, files: dict[str, bytes]):
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = files.get(self.path)
                self.send_response(200 if body else 404)
                self.send_header("Content-Type", "image/jpeg" if self.path.endswith(".jpg") else "image/png")
                self.send_header("Content-Length", str(len(body or b"")))
                self.end_headers()
                self.wfile.write(body or b"")

            def log_message(self, *args) -> None:  # no line per request on the benchmark's output
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> Self:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._server.shutdown()
        self._server.server_close()


def product_images() -> dict[str, bytes]:
    """Each product's image by path: even products a devstore PNG, odd ones a photo JPEG."""
    return {image_path(n): product_png(n) if n % 2 == 0 else photo_jpeg(n) for n in range(len(TITLES))}


def image_path(n: int) -> str:
    return f"/images/p{n}.png" if n % 2 == 0 else f"/images/p{n}.jpg"


def seed(store, image_base: str) -> None:
    """The catalog in stock, and other shoppers' orders so that the best sellers are the first products."""
    store.shops.save_install(SHOP, access_token="bench", scopes=(), api_version="2026-10",
                             token_expires_at=None, refresh_token=None, refresh_expires_at=None)
    for n, title in enumerate(TITLES):
        store.commerce.upsert_product(SHOP, Product(
            product_id=f"p{n}", source_updated_at=1, title=title, status="active", published_at=1,
            image_src=image_base + image_path(n), url=f"/products/p{n}",
            variants=(Variant(f"v{n}", price=f"{19 + 10 * n}.90", inventory_quantity=50),)))
    for n in range(40):
        bought = [f"p{k}" for k in range(len(TITLES)) if n % (k + 1) == 0][:3]
        store.commerce.upsert_order(SHOP, Order(
            order_id=f"o{n}", source_updated_at=1, email=f"buyer{n}@example.com", currency="USD",
            created_at=now_ms() - 86_400_000,
            lines=tuple(Line(quantity=1, product_id=p, variant_id=f"v{p[1:]}", price="19.90") for p in bought)))


def image_urls(store, count: int, first: int) -> list[str]:
    """One slot image for each of ``count`` new checkout sends, slots 1 and 2 in turn."""
    now = now_ms()
    urls = []
    with store.database.write():
        for n in range(first, first + count):
            send_id = store.emails.plan(SHOP, flow="checkout", step=1, trigger_key=f"bench-{n}", trigger_at=now,
                                        person_id=None, email=f"shopper{n}@example.com", due_at=now, now=now)
            urls.append(f"/email/o/{issue((SECRET,), 'link', Holder(SHOP, send_id))}/{1 + n % 2}.png")
    return urls


def timed(client, paths: list[str], before=None) -> Result:
    """Each GET's latency in ms; ``before`` runs ahead of each request, outside the timing."""
    latencies, errors = [], 0
    for path in paths:
        if before:
            before()
        start = time.perf_counter()
        answer = client.get(path)
        elapsed = (time.perf_counter() - start) * 1000
        if answer.status_code == 200 and (path == "/bare" or answer.mimetype == "image/png"):
            latencies.append(elapsed)
        else:
            errors += 1
    return Result(len(latencies), sum(latencies) / 1000, latencies, errors)


def open_benchmark(opens: int) -> None:
    with tempfile.TemporaryDirectory() as tmp, ImageHost(product_images()) as host:
        app = create_app({"mode": "test", "api_key": "bench-api-key", "api_secrets": (SECRET,),
                          "app_url": "https://storelift.bench", "database_url": str(Path(tmp) / "bench.db"),
                          "sync_on_install": False, "log_level": "WARNING"})

        app.add_url_rule("/bare", "bare", lambda: ("", 200))

        services = Services.of(app)
        seed(services.store, host.base_url)
        client = app.test_client()
        timed(client, image_urls(services.store, 2, 0) + ["/bare"])  # the model, the font and the codecs load once

        def empty_cache() -> None:
            services.email_cards = CardCache()

        bare = timed(client, ["/bare"] * opens)
        cold_urls = image_urls(services.store, opens, 10)
        cold = timed(client, cold_urls, before=empty_cache)
        timed(client, image_urls(services.store, 2, 10 + opens))  # both slots' cards drawn again
        first_open = timed(client, image_urls(services.store, opens, 20 + opens))
        cached = timed(client, cold_urls)
        services.store.close()

    print(f"open-time slot images, GET /email/o/<token>/<n>.png through Flask's test client, {opens} requests a row;"
          " the slots show the two best sellers, whose 800px images (a devstore PNG, a photo JPEG) come over plain HTTP"
          " on loopback,"
          " so a CDN's distance and TLS are not in these figures")
    rows = (("bare route", bare, None), ("cold: first open, cache empty", cold, COLD_TARGET_MS),
            ("first open, card drawn", first_open, None), ("cached: repeat open", cached, CACHED_TARGET_MS))
    for name, result, target in rows:
        print(f"  {name:30s} p50 {result.p50:7.2f} ms  p95 {result.percentile(95):7.2f} ms"
              f"   / bare p50 {result.p50 / bare.p50:6.1f}x   errors {result.errors}{_verdict(result, target)}")


def _verdict(result: Result, target_ms: float | None) -> str:
    if target_ms is None:
        return ""
    return f"   (target p95 ≤ {target_ms:.0f} ms: {'meets' if result.percentile(95) <= target_ms else 'misses'})"
