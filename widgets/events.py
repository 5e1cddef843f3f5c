"""The storefront event batch: its schema, checked before anything is stored.

The loader POSTs ``text/plain`` (no CORS preflight) JSON::

    {"v": visitor id, "s": session id, "p": page path,
     "c": "1" once consent() was given, "g": true under Global Privacy Control,
     "w": true if navigator.webdriver, "k": cart token (optional),
     "e": [[type, {data}], ...]}

One batch holds the events of one page view (the loader flushes within 2 s and
when the page is hidden), so the path is sent once and every event is dated
by the server clock: a wrong device clock cannot put events in another day.
A batch is all or nothing: any malformed part refuses the whole batch with a
reason (``BatchError``, or ``plugin.safe_input.InputError`` for JSON the bounded
reader refuses), so a bad client can never half-write.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from plugin.safe_input import read_json
from plugin.store import Event

MAX_BATCH_BYTES = 16 * 1024
MAX_EVENTS = 50
MAX_PATH = 512
MAX_TEXT = 200
MAX_DATA_KEYS = 8
ID_RE = re.compile(r"[A-Za-z0-9_-]{8,64}")
CART_RE = re.compile(r"[A-Za-z0-9_-]{1,100}")
TYPE_RE = re.compile(r"[a-z][a-z0-9_]{1,39}")
KEY_RE = re.compile(r"[a-z][a-z0-9_]{0,31}")
RESOURCE_RE = re.compile(r"[A-Za-z0-9_-]{1,100}")
# A URL path as location.pathname gives it: percent-encoded, no spaces, quotes or angle brackets.
PATH_RE = re.compile(r"/[A-Za-z0-9\-._~!$&()*+,;=:@%/]*")

STANDARD_TYPES = frozenset({
    "page_view", "product_view", "collection_view", "search", "add_to_cart",
    "widget_impression", "widget_open", "widget_close", "widget_submit",
})
WIDGET_TYPES = frozenset(t for t in STANDARD_TYPES if t.startswith("widget_"))


class BatchError(ValueError):
    """The batch is refused; ``status`` is the HTTP status, ``str(exc)`` the reason."""

    def __init__(self, reason: str, status: int = 400):
        super().__init__(reason)
        self.status = status


@dataclass(frozen=True)
class Batch:
    visitor_id: str
    session_id: str
    consent: bool
    gpc: bool
    webdriver: bool
    cart_token: str | None
    events: list[Event]


def valid_path(value) -> bool:
    return isinstance(value, str) and len(value) <= MAX_PATH and PATH_RE.fullmatch(value) is not None


def flag(value) -> bool:
    """The loader's flags: "1" / 1 / true mean yes; absent, null, 0 or false mean no."""
    if value in (None, 0, 1, "1") or isinstance(value, bool):
        return value in (1, "1", True)
    raise BatchError("flags must be 1, true or absent")


def _data(kind: str, data) -> dict:
    if data is None:
        return {}
    if not isinstance(data, dict) or len(data) > MAX_DATA_KEYS:
        raise BatchError("event data must be an object with at most 8 fields")
    clean = {}
    for key, value in data.items():
        if not isinstance(key, str) or not KEY_RE.fullmatch(key):
            raise BatchError("bad event data key")
        if isinstance(value, bool) or value is None:
            clean[key] = value
        elif isinstance(value, int):
            if abs(value) > 2**53:
                raise BatchError("event number out of range")
            clean[key] = value
        elif isinstance(value, str):
            if len(value) > MAX_TEXT:
                raise BatchError("event text too long")
            clean[key] = value
        else:
            raise BatchError("event data values must be text, numbers or true/false")
    if clean.get("i") is not None and kind in ("product_view", "collection_view", "add_to_cart"):
        if not isinstance(clean["i"], str) or not RESOURCE_RE.fullmatch(clean["i"]):
            raise BatchError("bad resource id")
    return clean


def parse_batch(raw: bytes, received_at: int) -> Batch:
    batch = read_json(raw, max_bytes=MAX_BATCH_BYTES)  # hostile JSON: plugin.safe_input.InputError, a 4xx
    if not isinstance(batch, dict):
        raise BatchError("batch must be an object")
    unknown = set(batch) - {"v", "s", "p", "c", "g", "w", "k", "e"}
    if unknown:
        raise BatchError("unknown batch field")
    visitor, session = batch.get("v"), batch.get("s")
    if not isinstance(visitor, str) or not ID_RE.fullmatch(visitor):
        raise BatchError("bad visitor id")
    if not isinstance(session, str) or not ID_RE.fullmatch(session):
        raise BatchError("bad session id")
    path = batch.get("p")
    if not valid_path(path):
        raise BatchError("bad page path")
    cart = batch.get("k") or None  # the embed writes data-k="" when there is no cart yet
    if cart is not None and (not isinstance(cart, str) or not CART_RE.fullmatch(cart)):
        raise BatchError("bad cart token")
    items = batch.get("e")
    if not isinstance(items, list) or not items:
        raise BatchError("e must be a non-empty list")
    if len(items) > MAX_EVENTS:
        raise BatchError("too many events in one batch", 413)
    events = []
    for item in items:
        if not isinstance(item, list) or not 1 <= len(item) <= 2:
            raise BatchError("an event is [type, data]")
        kind = item[0]
        if not isinstance(kind, str) or not TYPE_RE.fullmatch(kind):
            raise BatchError("bad event type")
        events.append(Event(type=kind, occurred_at=received_at, path=path,
                            data=_data(kind, item[1] if len(item) == 2 else None)))
    return Batch(visitor_id=visitor, session_id=session, consent=flag(batch.get("c")), gpc=flag(batch.get("g")),
                 webdriver=flag(batch.get("w")), cart_token=cart, events=events)
