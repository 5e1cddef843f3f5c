"""The merchant's email settings: each flow's switch, delays and texts, the sender, and the pressure budget.

One pydantic model (``plugin.settings``), stored per shop like every feature's.
Texts are plain data that may say ``{first_name}``, ``{discount}`` and
``{shop}``; the renderer fills and escapes them. Delays are minutes after the
trigger, so the demo can set a checkout email one minute out and a store sets
an hour. Defaults follow the peers' (docs/emails.md): checkout and cart at
1 h, 24 h and 48 h, browse 2 h after the session, welcome at once, win-back
off until the merchant turns it on.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated, Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import PlainValidator

from plugin.safe_input import whole_number
from plugin.settings import Feature, Flag, SettingsModel, whole

FLOW_NAMES = ("welcome", "browse", "cart", "checkout", "winback")
MAX_DELAY_MINUTES = 60 * 24 * 30
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
ADDRESS_RE = re.compile(r"[^@\s<>\"(),;:\\\[\]]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,63}")
_COLOR_RE = re.compile(r"#[0-9a-f]{6}")
_SPACE_RE = re.compile(r"[\s\x00-\x1f\x7f]")
MAX_URL = 500


def _text(limit: int, *, lines: bool = False, empty: bool = False) -> Any:
    def check(value: Any) -> str:
        if not isinstance(value, str):
            raise ValueError("must be text")
        value = unicodedata.normalize("NFC", value.strip().replace("\r\n", "\n"))
        if not value and not empty:
            raise ValueError("must not be empty")
        if len(value) > limit:
            raise ValueError(f"must be at most {limit} characters")
        if _CONTROL_RE.search(value.replace("\n", "") if lines else value) or (not lines and "\n" in value):
            raise ValueError("contains control characters" if lines else "must be one line")
        return value

    return Annotated[str, PlainValidator(check)]


def _address(value: Any) -> str:
    value = value.strip().lower() if isinstance(value, str) else None
    if value is not None and (value == "" or (value.isascii() and ADDRESS_RE.fullmatch(value))):
        return value
    # Plain ASCII: the message's headers carry it as is (plugin.emails.message), without SMTPUTF8.
    raise ValueError("must be an email address like shop@example.com (an international domain in its xn-- form)")


def _color(value: Any) -> str:
    value = value.lower() if isinstance(value, str) else value
    if isinstance(value, str) and _COLOR_RE.fullmatch(value):
        return value
    raise ValueError("must be a colour like #1a2b3c")


def _image_url(value: Any) -> str:
    """Empty, or the absolute http(s) address the renderer accepts for the logo (anything else, a ``javascript:``
    or a relative path, would stop every email at render time)."""
    value = value.strip() if isinstance(value, str) else None
    if value == "":
        return value
    try:
        parts = urlsplit(value) if value and len(value) <= MAX_URL and not _SPACE_RE.search(value) else None
    except ValueError:  # a malformed IPv6 host
        parts = None
    if parts is not None and parts.scheme.lower() in ("http", "https") and parts.netloc:
        return value
    raise ValueError(f"must be an image's web address starting with https://, at most {MAX_URL} characters, "
                     "or empty")


def _zone(value: Any) -> str:
    if isinstance(value, str) and not value.strip():
        return ""  # the shop's own, as the platform names it
    try:
        return ZoneInfo(value.strip()).key if isinstance(value, str) else _refuse_zone()
    except (ZoneInfoNotFoundError, ValueError):
        return _refuse_zone()


def _refuse_zone() -> str:
    raise ValueError("must be a time zone like America/New_York, or empty for the store's own")


def _delays(value: Any) -> list[int]:
    if not isinstance(value, list) or not 1 <= len(value) <= 3:
        raise ValueError("must be one to three delays, in minutes")
    parsed = [whole_number(v, 0, MAX_DELAY_MINUTES) for v in value]
    if parsed != sorted(set(parsed)):
        raise ValueError("each delay must be later than the one before")
    return parsed


Line = _text(200)
Address = Annotated[str, PlainValidator(_address)]
Color = Annotated[str, PlainValidator(_color)]
ImageUrl = Annotated[str, PlainValidator(_image_url)]
Delays = Annotated[list[int], PlainValidator(_delays)]
Zone = Annotated[str, PlainValidator(_zone)]


class FlowTexts(SettingsModel):
    subject: Line = "A note from {shop}"
    preview: _text(200, empty=True) = ""
    heading: Line = "Hello from {shop}"
    body: _text(2000, lines=True) = "Thanks for visiting {shop}."
    button: _text(40) = "Visit the shop"


class Flow(SettingsModel):
    enabled: Flag = True
    delays_minutes: Delays = [60]
    texts: FlowTexts = FlowTexts()


class CheckoutFlow(Flow):
    # The last reminder carries a unique single-use code from the capture pool: the nudge that
    # converts the undecided, off by default because it also rewards those who would have bought anyway.
    last_step_code: Flag = False


def _flow(enabled: bool, delays: list[int], kind: type[Flow] = Flow, **texts: str) -> Flow:
    return kind(enabled=enabled, delays_minutes=delays, texts=FlowTexts(**texts))


class Flows(SettingsModel):
    welcome: Flow = _flow(True, [0], subject="Welcome to {shop}: your {discount} code",
                          preview="Your code is inside", heading="Welcome to {shop}!",
                          body="Thanks for joining us. Here is your welcome code for {discount} off your first order.",
                          button="Start shopping")
    browse: Flow = _flow(True, [120], subject="Still thinking it over?", preview="What you were looking at",
                         heading="Still thinking it over?",
                         body="You were looking at a few things at {shop}. They are still here.",
                         button="Take another look")
    cart: Flow = _flow(True, [60, 1440, 2880], subject="You left something in your cart",
                       preview="Your cart is saved", heading="Your cart is waiting",
                       body="You left these in your cart at {shop}. We saved them for you.",
                       button="Return to your cart")
    checkout: CheckoutFlow = _flow(True, [60, 1440, 2880], CheckoutFlow, subject="Complete your order at {shop}",
                                   preview="Your items are waiting", heading="You're almost done",
                                   body="Your checkout is saved. Finish your order whenever you're ready.",
                                   button="Complete your order")
    winback: Flow = _flow(False, [0], subject="We miss you at {shop}", preview="Something new for you",
                          heading="It's been a while",
                          body="Here is what's new at {shop}, picked for you.", button="See what's new")


class Sender(SettingsModel):
    name: Line = "{shop}"
    address: Address = ""  # empty: nothing is sent until the merchant names an address on a domain they own
    reply_to: Address = ""
    postal_address: _text(300, lines=True, empty=True) = ""  # CAN-SPAM: every footer carries it
    color: Color = "#111111"
    logo_url: ImageUrl = ""
    per_minute: whole(1, 10_000) = 300  # the shop's send rate, so a burst never floods its mail server


class Budget(SettingsModel):
    """One contact-pressure budget across flows (and the capture widget's discount pop-up)."""

    gap_hours: whole(0, 24 * 14) = 16
    cooldown_days: whole(0, 90) = 7
    quiet_from_hour: whole(0, 23) = 21
    quiet_until_hour: whole(0, 23) = 8
    # Empty: the shop's own (the platform's setting, read at each sync; UTC before the first). A shopper's
    # own comes from their address when it places them.
    timezone: Zone = ""


class EmailSettings(SettingsModel):
    flows: Flows = Flows()
    sender: Sender = Sender()
    budget: Budget = Budget()


EMAILS = Feature("emails", EmailSettings)
