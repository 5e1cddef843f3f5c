"""The merchant's capture widget settings: the model, its defaults, and what the widget is sent.

One pydantic model (``plugin.settings``): texts, colours, discount, triggers
and targeting, each field checked with the message the admin page shows;
colours are checked for WCAG AA contrast (``contrast``). Merchant text is kept
as plain data; whoever renders it escapes it (Jinja2 autoescape,
``textContent`` in the widget). Texts may say ``{discount}``;
``public_config`` sends them rendered (``texts``), so a changed discount never
leaves the teaser naming the old value. A stored object that no longer
validates keeps its valid fields (``Feature.load``).
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import Field, PlainValidator, create_model, field_validator, model_validator

from plugin.settings import Feature, FieldErrors, Flag, SettingsModel, choice, whole

from . import contrast, texts

TEXTS = {  # name: (default, at most characters)
    "teaser": ("Get {discount} off", 40),
    "headline": ("Get {discount} off your first order", 90),
    "body": ("Join our list for new arrivals and members-only offers.", 300),
    "email_label": ("Email address", 40),
    "button": ("Get my code", 30),
    "consent": ("By signing up you agree to receive marketing emails from us. Unsubscribe at any time.", 500),
    "success": ("Welcome! Here is your code", 90),
    "pending": ("Thanks for signing up! Check your inbox: your code is on its way.", 90),
    "redeemed": ("Welcome back! You have already used your welcome code.", 90),
    "expired": ("Welcome back! Your welcome code has expired.", 90),
    "close": ("Close", 20),
}
TEXT_LIMITS = {name: limit for name, (_, limit) in TEXTS.items()}
_COLOR_RE = re.compile(r"#[0-9a-f]{6}")
_PREFIX_RE = re.compile(r"[A-Z0-9]{0,12}")
_CURRENCY_RE = re.compile(r"[A-Z]{3}")
_PATTERN_RE = re.compile(r"/[A-Za-z0-9/_.~%*-]{0,200}")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
MAX_PATTERNS = 20


def _text(limit: int) -> Any:
    def check(value: Any) -> str:
        if not isinstance(value, str):
            raise ValueError("must be text")
        value = unicodedata.normalize("NFC", value.strip())
        if not value:
            raise ValueError("must not be empty")
        if len(value) > limit:
            raise ValueError(f"must be at most {limit} characters")
        if _CONTROL_RE.search(value):
            raise ValueError("contains control characters")
        return value

    return Annotated[str, PlainValidator(check)]


def _color(value: Any) -> str:
    value = value.lower() if isinstance(value, str) else value
    if isinstance(value, str) and _COLOR_RE.fullmatch(value):
        return value
    raise ValueError("must be a colour like #1a2b3c")


def _code(pattern: re.Pattern, message: str) -> Any:
    """Letters and digits, upper-cased, matching ``pattern`` (a code prefix, a currency)."""

    def check(value: Any) -> str:
        value = value.strip().upper() if isinstance(value, str) else None
        if value is not None and pattern.fullmatch(value):
            return value
        raise ValueError(message)

    return Annotated[str, PlainValidator(check)]


def _devices(value: Any) -> list[str]:
    if isinstance(value, list) and value and all(d in ("desktop", "mobile") for d in value):
        return sorted(set(value))
    raise ValueError("must include desktop, mobile or both")


def _paths(value: Any) -> list[str]:
    """URL path patterns, one per line in a text or as a list."""
    if isinstance(value, str):
        value = [p.strip() for p in value.splitlines() if p.strip()]
    if (isinstance(value, list) and len(value) <= MAX_PATTERNS
            and all(isinstance(p, str) and _PATTERN_RE.fullmatch(p) for p in value)):
        return value
    raise ValueError(f"must be up to {MAX_PATTERNS} paths, each starting with / (* matches anything)")


Color = Annotated[str, PlainValidator(_color)]
Paths = Annotated[list[str], PlainValidator(_paths)]

Texts = create_model("Texts", __base__=SettingsModel,
                     **{name: (_text(limit), default) for name, (default, limit) in TEXTS.items()})


class Colors(SettingsModel):
    background: Color = "#ffffff"
    text: Color = "#1f2328"
    accent: Color = "#1f5fbf"
    accent_text: Color = "#ffffff"

    @model_validator(mode="after")
    def _readable(self):
        """Checked once every colour is one: a pair below WCAG AA names the colour to change."""
        found = contrast.aa_errors(self.model_dump())
        if found:
            raise FieldErrors(found)
        return self


class Discount(SettingsModel):
    kind: choice("percentage", "fixed_amount", message="must be percentage or fixed_amount") = "percentage"
    value: str = "10"
    currency: _code(_CURRENCY_RE, "must be a three-letter currency code like USD") = "USD"
    expires_days: whole(1, 365) = 30
    prefix: _code(_PREFIX_RE, "must be up to 12 letters A-Z and digits") = "WELCOME"
    # A subscriber whose code was used or expired may get another one by signing up again.
    second_code: Flag = False

    @field_validator("value", mode="plain")
    @classmethod
    def _value(cls, value: Any, info) -> str:
        """A whole percentage, or an amount with at most 2 decimals; judged by the kind (its default if refused)."""
        try:
            text = str(value).strip()
            if not text.isascii():  # Decimal would read "١٠" as 10
                raise InvalidOperation
            amount = Decimal(text)
            if not amount.is_finite():
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            raise ValueError("must be a number") from None
        if info.data.get("kind", cls.model_fields["kind"].default) == "percentage":
            if not (1 <= amount <= 100 and amount == amount.to_integral_value()):
                raise ValueError("must be a whole percentage from 1 to 100")
            return str(int(amount))
        if not (0 < amount <= 10_000 and amount.as_tuple().exponent >= -2):
            raise ValueError("must be an amount above 0, at most 10000, with at most 2 decimals")
        return str(amount.quantize(Decimal("0.01")))


class Triggers(SettingsModel):
    delay_seconds: whole(0, 600) = 8
    scroll_percent: whole(0, 100) = 40
    exit_intent: Flag = True
    pages_viewed: whole(0, 50) = 0
    add_to_cart: Flag = True


class Targeting(SettingsModel):
    devices: Annotated[list[str], PlainValidator(_devices)] = ["desktop", "mobile"]
    visitors: choice("all", "new", "returning", message="must be all, new or returning") = "all"
    include: Paths = []
    exclude: Paths = ["/cart*", "/checkout*", "/account*"]
    close_cap_days: whole(0, 365) = 7
    hide_known: Flag = True


class CaptureSettings(SettingsModel):
    enabled: Flag = True
    # When on, nothing about a visitor is stored before the page calls storelift.consent().
    consent_mode: Flag = False
    position: choice("left", "right", message="must be left or right") = "right"
    texts: Texts = Field(default_factory=Texts)
    colors: Colors = Field(default_factory=Colors)
    discount: Discount = Field(default_factory=Discount)
    triggers: Triggers = Field(default_factory=Triggers)
    targeting: Targeting = Field(default_factory=Targeting)


CAPTURE = Feature("capture", CaptureSettings)


def discount_key(settings: dict) -> str:
    """Names the discount the settings ask for; a change means a new campaign (a new platform discount)."""
    d = settings["discount"]
    return f"{d['kind']}:{d['value']}:{d['expires_days']}:{d['prefix']}"


def public_config(settings: dict, version: int) -> dict:
    """What the widget needs to render, ``{discount}`` already filled in; no discount internals."""
    return {
        "v": version,
        "position": settings["position"],
        "texts": texts.rendered(settings),
        "colors": settings["colors"],
        "triggers": settings["triggers"],
        "include": settings["targeting"]["include"],
        "exclude": settings["targeting"]["exclude"],
        "cap": settings["targeting"]["close_cap_days"],
    }
