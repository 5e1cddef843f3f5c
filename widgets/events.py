"""What the loader sends about the shopper: event batches and ``storelift.identify(email)``.

- ``POST /proxy/events``    event batches (text/plain keepalive POSTs)
- ``POST /proxy/identify``  ``storelift.identify(email)``: joins this browser to the person

Both pass the door's bot-and-consent gate (widgets.door): a bot, or a shopper who has not
consented where consent is needed, gets a silent 204 and nothing is stored.

The loader POSTs ``text/plain`` (no CORS preflight) JSON::

    {"v": visitor id, "s": session id, "p": page path and query string (only the path is kept;
     an email link's ``sl_t`` token joins the browser to the person the email went to),
     "c": "1" once consent() was given, "g": true under Global Privacy Control,
     "w": true if navigator.webdriver, "k": cart token (optional),
     "e": [[type, {data}], ...]}

One batch holds the events of one page view (the loader flushes within 2 s and
when the page is hidden), so the path is sent once and every event is dated
by the server clock: a wrong device clock cannot put events in another day.
A batch is all or nothing: any malformed part refuses the whole batch with a
reason (``widgets.door.Refused``, or ``plugin.safe_input.InputError`` for JSON the
bounded reader refuses), so a bad client can never half-write.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs

from flask import Response, g

from plugin.capture.emails import InvalidEmail, normalize_email
from plugin.emails.tokens import EMAIL_TOKEN, recipient
from plugin.people import identity, refresh
from plugin.safe_input import read_json
from plugin.clock import now_ms
from plugin.store import Event

from . import door
from .door import RESOURCE_RE, Refused, flag, is_visitor_id, valid_path

bp = door.blueprint("events", __name__)

MAX_BATCH_BYTES = 16 * 1024
MAX_FORM_BYTES = 4096
MAX_EVENTS = 50
MAX_TEXT = 200
MAX_DATA_KEYS = 8
CART_RE = re.compile(r"[A-Za-z0-9_-]{1,100}")
TYPE_RE = re.compile(r"[a-z][a-z0-9_]{1,39}")
KEY_RE = re.compile(r"[a-z][a-z0-9_]{0,31}")

STANDARD_TYPES = frozenset({
    "page_view", "product_view", "collection_view", "search", "add_to_cart",
    "widget_impression", "widget_open", "widget_close", "widget_submit",
})
WIDGET_TYPES = frozenset(t for t in STANDARD_TYPES if t.startswith("widget_"))


@dataclass(frozen=True)
class Batch:
    visitor_id: str
    session_id: str
    consent: bool
    gpc: bool
    webdriver: bool
    cart_token: str | None
    events: list[Event]
    email_token: str | None = None  # ``sl_t`` of a landing from an email link


def _data(kind: str, data) -> dict:
    if data is None:
        return {}
    if not isinstance(data, dict) or len(data) > MAX_DATA_KEYS:
        raise Refused("event data must be an object with at most 8 fields")
    clean = {}
    for key, value in data.items():
        if not isinstance(key, str) or not KEY_RE.fullmatch(key):
            raise Refused("bad event data key")
        if isinstance(value, bool) or value is None:
            clean[key] = value
        elif isinstance(value, int):
            if abs(value) > 2**53:
                raise Refused("event number out of range")
            clean[key] = value
        elif isinstance(value, str):
            if len(value) > MAX_TEXT:
                raise Refused("event text too long")
            clean[key] = value
        else:
            raise Refused("event data values must be text, numbers or true/false")
    if clean.get("i") is not None and kind in ("product_view", "collection_view", "add_to_cart"):
        if not isinstance(clean["i"], str) or not RESOURCE_RE.fullmatch(clean["i"]):
            raise Refused("bad resource id")
    return clean


def parse_batch(raw: bytes, received_at: int) -> Batch:
    batch = read_json(raw, max_bytes=MAX_BATCH_BYTES)  # hostile JSON: plugin.safe_input.InputError, a 4xx
    if not isinstance(batch, dict):
        raise Refused("batch must be an object")
    unknown = set(batch) - {"v", "s", "p", "c", "g", "w", "k", "e"}
    if unknown:
        raise Refused("unknown batch field")
    visitor, session = batch.get("v"), batch.get("s")
    if not is_visitor_id(visitor):
        raise Refused("bad visitor id")
    if not is_visitor_id(session):
        raise Refused("bad session id")
    page = batch.get("p")
    path, _, query = page.partition("?") if isinstance(page, str) else (None, "", "")
    if not valid_path(path):
        raise Refused("bad page path")
    # A landing from an email link: its signed token joins this browser to the person it went to.
    # Only the path is stored; nothing else of the query string is kept.
    email_token = parse_qs(query).get(EMAIL_TOKEN, [None])[0]
    cart = batch.get("k") or None  # the embed writes data-k="" when there is no cart yet
    if cart is not None and (not isinstance(cart, str) or not CART_RE.fullmatch(cart)):
        raise Refused("bad cart token")
    items = batch.get("e")
    if not isinstance(items, list) or not items:
        raise Refused("e must be a non-empty list")
    if len(items) > MAX_EVENTS:
        raise Refused("too many events in one batch", 413)
    events = []
    for item in items:
        if not isinstance(item, list) or not 1 <= len(item) <= 2:
            raise Refused("an event is [type, data]")
        kind = item[0]
        if not isinstance(kind, str) or not TYPE_RE.fullmatch(kind):
            raise Refused("bad event type")
        events.append(Event(type=kind, occurred_at=received_at, path=path,
                            data=_data(kind, item[1] if len(item) == 2 else None)))
    return Batch(visitor_id=visitor, session_id=session, consent=flag(batch.get("c")), gpc=flag(batch.get("g")),
                 webdriver=flag(batch.get("w")), cart_token=cart, events=events, email_token=email_token)


@bp.post("/proxy/events")
def events():
    if not door.allowed("events:ip", door.client_ip()):
        return door.error(429, "too_many_requests", "too many events from this address")
    received = now_ms()
    batch = parse_batch(door.read_body(MAX_BATCH_BYTES), received)
    if not door.allowed("events:visitor", batch.visitor_id):
        return door.error(429, "too_many_requests", "too many events from this visitor")
    if door.unwanted({"w": batch.webdriver, "c": batch.consent, "g": batch.gpc}):
        return Response(status=204)
    services = door.services()
    store = services.store
    email = recipient(services.config.api_secrets, store, g.shop, batch.email_token) if batch.email_token else None
    with store.database.write():
        identity.observe(store, g.shop, batch.visitor_id, received, customer_id=g.customer_id,
                         cart_token=batch.cart_token, email=email)
        store.events.add(g.shop, batch.visitor_id, batch.session_id, batch.events, received)
        refresh.queue_refresh(store, g.shop, "visitor", batch.visitor_id)
    return Response(status=204)


@bp.post("/proxy/identify")
def identify():
    if not door.allowed("identify:ip", door.client_ip()):
        return door.error(429, "too_many_requests", "slow down")
    data = door.json_object(MAX_FORM_BYTES)
    visitor = data.get("v")
    if not is_visitor_id(visitor):
        return door.error(400, "bad_request", "bad visitor id")
    try:
        email = normalize_email(data.get("e"))
    except InvalidEmail as exc:
        return door.error(422, "invalid_email", str(exc))
    if door.unwanted(data):
        return Response(status=204)
    now = now_ms()
    store = door.services().store
    with store.database.write():
        identity.observe(store, g.shop, visitor, now, email=email, customer_id=g.customer_id)
        refresh.queue_refresh(store, g.shop, "visitor", visitor)
    return Response(status=204)
