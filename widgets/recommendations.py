"""Recommendation blocks on the storefront: ``/proxy/recommendations`` and its impressions and clicks.

- ``GET  /proxy/recommendations?block=STRATEGY&product_id=&cart=ID,ID&visitor_id=&customer_id=&limit=N``
  answers ``{"items": [{"product_id", "title", "price", "url", "image", "variant_id"}], "strategy",
  "rec_id", "currency"}`` to ``Accept: application/json``, else the block as a server-rendered HTML
  fragment (``templates/recommendations/block.html``: image, title, price in the shop's
  currency, links carrying ``sl_rec``/``sl_pos``, and for a product with a single variant
  an add-to-cart form posting to the platform's ``/cart/add``) that ``static/blocks.js``
  puts in its slot. ``private, no-cache`` with an ETag: an unchanged block revalidates to a 304.
  A page's slots come in one request: ``block``, ``limit`` and ``title`` repeated once per
  slot (in page order; up to ``MAX_BLOCKS``). The answer is then one fragment per slot, in
  order (JSON: ``{"blocks": [...]}``), and no product shows in two of them: each slot is
  filled from what the slots before it left, so "Similar items" never repeats "Frequently
  bought together".
  A ``customer_id`` in the query is never trusted: the customer the platform
  signed in (``logged_in_customer_id``) is used, because a browser-chosen id
  would reveal someone else's purchases. The shop's merchant settings (pins, boosts,
  exclusions, price band: ``plugin.recommendations.settings``) shape every block; a save shows in the next answer.
  Each block type keeps a holdout (``plugin.recommendations.serving.holdout``): its control gets the
  shop's best sellers in the same slot, or an empty slot of the same size when the merchant measures
  the block against no block.
- ``POST /proxy/recommendations/impression`` ``{"v", "r": rec_id, "b": strategy, "i": [ids]}``
- ``POST /proxy/recommendations/click`` ``{"v", "r", "b", "p": product id, "n": position}``
  Both are ``text/plain`` keepalive POSTs like the loader's events, honour
  consent mode and Global Privacy Control (``c``, ``g``) and drop bots (``w``,
  the user agent) with a silent 204.

The app-proxy signature check, JSON errors, ETag/304 and the bot-and-consent gate are the
door's (widgets.door), as for the rest of ``/proxy``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from urllib.parse import urlencode

from flask import Response, g, render_template, request

from plugin.clock import now_ms
from plugin.platform import images
from plugin.recommendations.settings import RECOMMENDATIONS
from plugin.experiments.settings import EXPERIMENTS
from plugin.recommendations.serving import api as recommendations
from plugin.recommendations.serving import holdout
from plugin.safe_input import InputError, whole_number

from . import door
from .door import RESOURCE_RE, Refused, is_visitor_id

bp = door.blueprint("recommendations", __name__, template_folder="templates")

MAX_CART = 50
MAX_BLOCKS = 6
MAX_TITLE = 100
MAX_EVENT_BYTES = 4096
REC_ID_RE = re.compile(r"[A-Za-z0-9_-]{8,64}")
CURRENCY_RE = re.compile(r"[A-Z]{3}")
SYMBOLS = {"USD": "$", "CAD": "CA$", "AUD": "A$", "NZD": "NZ$", "EUR": "€", "GBP": "£", "JPY": "¥",
           "INR": "₹", "CHF": "CHF ", "SEK": "kr ", "DKK": "kr ", "NOK": "kr "}
ZERO_DECIMALS = {"JPY", "KRW", "VND", "CLP", "ISK"}
CARD_IMAGE_WIDTHS = (160, 320, 480, 640)  # pixels: the card's 160 px at 1x-3x, and a phone's wider card at 2x
CARD_IMAGE_FALLBACK = 320  # for a browser without srcset


def format_money(amount: str | None, currency: str | None) -> str:
    """``12.5`` + USD → ``$12.50``; an unknown currency is written after the number."""
    if amount is None:
        return ""
    try:
        value = Decimal(amount)
    except InvalidOperation:
        return ""
    places = 0 if currency in ZERO_DECIMALS else 2
    text = f"{value:,.{places}f}"
    if currency in SYMBOLS:
        return SYMBOLS[currency] + text
    return f"{text} {currency}" if currency else text


def tracked(url: str, rec_query: str, position: int) -> str:
    """The product link with the block's tracking parameters (``rec_query``: ``tracking_query``'s)."""
    base, _, fragment = url.partition("#")
    joiner = "&" if "?" in base else "?"
    return f"{base}{joiner}{rec_query}&sl_pos={position}" + (f"#{fragment}" if fragment else "")


def tracking_query(rec_id: str) -> str:
    """The block's part of its links' query, encoded once per block rather than once per card."""
    return urlencode({"sl_rec": rec_id})


class BadRequest(ValueError):
    pass


def _per_slot(name: str, count: int, default: str) -> list[str]:
    """A parameter given once per slot, or not at all (``default`` for each)."""
    values = request.args.getlist(name)
    if not values:
        return [default] * count
    if len(values) != count:
        raise BadRequest(f"give {name} once per block, or not at all")
    return values


def _limit(text: str) -> int:
    try:
        return whole_number(text, 1, recommendations.MAX_LIMIT)
    except InputError:
        raise BadRequest(f"limit must be 1 to {recommendations.MAX_LIMIT}") from None


def shopper_requests() -> list[tuple[recommendations.ShopperRequest, str]]:
    """The page's slots, in order: each one's request and title."""
    args = request.args
    blocks = args.getlist("block") or [""]
    if len(blocks) > MAX_BLOCKS:
        raise BadRequest(f"at most {MAX_BLOCKS} blocks per request")
    for block in blocks:
        if block not in recommendations.STRATEGIES:
            raise BadRequest(f"unknown block {block[:40]!r} (one of {', '.join(recommendations.STRATEGIES)})")
    limits = [_limit(text) for text in _per_slot("limit", len(blocks), "8")]
    titles = [text[:MAX_TITLE] for text in _per_slot("title", len(blocks), "")]
    product = args.get("product_id") or None
    if product is not None and not RESOURCE_RE.fullmatch(product):
        raise BadRequest("bad product_id")
    cart = tuple(dict.fromkeys(i for i in args.get("cart", "").split(",") if i))
    if len(cart) > MAX_CART or not all(RESOURCE_RE.fullmatch(i) for i in cart):
        raise BadRequest("bad cart: at most 50 comma-separated product ids")
    visitor = args.get("visitor_id") or None
    if visitor is not None and not is_visitor_id(visitor):
        raise BadRequest("bad visitor_id")
    currency = args.get("currency") or None
    if currency is not None and not CURRENCY_RE.fullmatch(currency):
        raise BadRequest("bad currency")
    return [(recommendations.ShopperRequest(
        block=block, product_id=product, cart=cart, visitor_id=visitor,
        customer_id=g.customer_id,  # the signed logged-in customer; a query customer_id is never trusted
        limit=limit, currency=currency,
    ), title) for block, limit, title in zip(blocks, limits, titles)]


def _wants_json() -> bool:
    accept = request.accept_mimetypes
    return accept.quality("application/json") > accept.quality("text/html")


@dataclass(frozen=True)
class Page:
    """What all of a page's slots share, read once before any slot is chosen."""

    settings: recommendations.BlockSettings  # the merchant's pins, boosts, exclusions and price band, as served
    experiments: dict  # the holdout settings each slot's arm is drawn under
    bot: bool
    now: int  # epoch ms
    person: dict | None  # the visitor's stored person (``store.recommendations.shopper``)
    signals: list  # the visitor's current session (``recommendations.page_session``)


def read_page(asked: list[recommendations.ShopperRequest]) -> Page:
    """The shop's settings and the visitor's person and session, for the page's slots ``asked``.

    The reads every block request makes whatever it shows; ``bench.block_floor`` times them on their own.
    """
    services = door.services()
    settings, experiments = services.settings.served_and_read(g.shop, RECOMMENDATIONS, EXPERIMENTS)
    bot, now = door.is_bot(), now_ms()
    visitor = asked[0].visitor_id  # the same for every slot of the page
    person = services.store.recommendations.shopper(g.shop, visitor) if visitor and not bot else None
    signals = [] if bot else recommendations.page_session(services.store, g.shop, asked, now / 1000)
    return Page(settings, experiments, bot, now, person, signals)


@bp.get("/proxy/recommendations")
def block():
    try:
        slots = shopper_requests()
    except BadRequest as exc:
        return door.error(400, "bad_request", str(exc))
    services = door.services()
    page = read_page([asked for asked, _ in slots])
    answers, shown = [], ()
    for asked, title in slots:  # in page order: each slot leaves out what the ones before it show
        arm = holdout.for_arm(services.store, g.shop, asked, page.person, page.now, page.experiments, bot=page.bot)
        served = (holdout.empty_slot(asked) if arm is None
                  else recommendations.recommend_for(services.models, g.shop, replace(arm, exclude=shown),
                                                     page.settings, person=page.person, signals=page.signals))
        shown += tuple(item["product_id"] for item in served.items)
        answers.append((served, title))
    if _wants_json():
        blocks = [{"items": served.items, "strategy": served.strategy, "rec_id": served.rec_id,
                   "currency": served.currency} for served, _ in answers]
        body = json.dumps(blocks[0] if len(blocks) == 1 else {"blocks": blocks}, separators=(",", ":"))
        mimetype = "application/json"
    else:
        body = "".join(fragment(served, title) for served, title in answers)
        mimetype = "text/html"
    return door.revalidated(body, mimetype, "Accept, Accept-Encoding")


def fragment(served: recommendations.Served, title: str) -> str:
    """One slot's HTML: its cards with tracked links and prices, or the empty slot a holdout control keeps."""
    if served.rec_id == holdout.EMPTY_REC_ID:
        return render_template("recommendations/empty_slot.html", served=served)
    rec_query = tracking_query(served.rec_id)
    items = [{**item, "link": tracked(item["url"], rec_query, n),
              "price_text": format_money(item["price"], served.currency), "position": n,
              **(_card_image(item["image"]) if item["image"] else {})}
             for n, item in enumerate(served.items, 1)]
    return render_template("recommendations/block.html", served=served, items=items, title=title)


def _card_image(url: str) -> dict:
    """The card's image at the sizes it is shown: 160 px wide on a wide screen, up to 44 % of the
    screen on a narrow one (``block.html``), each at the screen's pixel density."""
    return {"image": images.sized(url, CARD_IMAGE_FALLBACK), "srcset": images.srcset(url, CARD_IMAGE_WIDTHS)}


def _event() -> dict | None:
    """The impression/click body, validated; None when it must not be stored (bot, no consent)."""
    if not door.allowed("recs:ip", door.client_ip()):
        raise Refused("too many block events from this address", 429)
    data = door.json_object(MAX_EVENT_BYTES)
    visitor, rec_id, strategy = data.get("v"), data.get("r"), data.get("b")
    if not is_visitor_id(visitor):
        raise Refused("bad visitor id")
    if not isinstance(rec_id, str) or not REC_ID_RE.fullmatch(rec_id):
        raise Refused("bad rec_id")
    if strategy not in recommendations.STRATEGIES:
        raise Refused("unknown block")
    if not door.allowed("recs:visitor", visitor):
        raise Refused("too many block events from this visitor", 429)
    return None if door.unwanted(data) else data


@bp.post("/proxy/recommendations/impression")
def impression():
    data = _event()
    if data is None:
        return Response(status=204)
    items = data.get("i")
    if not isinstance(items, list) or len(items) > recommendations.MAX_LIMIT or not all(
            isinstance(i, str) and RESOURCE_RE.fullmatch(i) for i in items):
        raise Refused("i must list at most 24 product ids")
    if not items:  # an empty slot (a holdout's control that sees no block) showed nothing to count
        return Response(status=204)
    store = door.services().store
    store.rec_attribution.add_impression(g.shop, data["r"], data["v"], data["b"], items, now_ms())
    return Response(status=204)


@bp.post("/proxy/recommendations/click")
def click():
    data = _event()
    if data is None:
        return Response(status=204)
    product, position = data.get("p"), data.get("n")
    if not isinstance(product, str) or not RESOURCE_RE.fullmatch(product):
        raise Refused("bad product id")
    if position is not None and (not isinstance(position, int) or isinstance(position, bool)
                                 or not 1 <= position <= recommendations.MAX_LIMIT):
        raise Refused("bad position")
    store = door.services().store
    store.rec_attribution.add_click(g.shop, data["r"], data["v"], data["b"], product, position, now_ms())
    return Response(status=204)
