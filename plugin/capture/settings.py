"""The merchant's capture widget settings: one schema, its defaults, and what the widget is sent.

``validate_settings`` checks the merchant's (possibly partial) input field by
field (texts, colours, discount, triggers, targeting), colours for WCAG AA
contrast (``contrast``); unknown fields and wrong types are refused, so a typo
never silently does nothing. Merchant text is kept as plain data; whoever
renders it escapes it (Jinja2 autoescape, ``textContent`` in the widget).
``settings_of`` reads a shop's saved settings, falling back to the defaults
when a stored object no longer validates. Texts may say ``{discount}``;
``public_config`` sends them rendered (``texts``), so a changed discount never
leaves the teaser naming the old value.
"""

from __future__ import annotations

import copy
import re
import unicodedata
from decimal import Decimal, InvalidOperation

from plugin.safe_input import InputError, whole_number
from plugin.store import Store

from . import contrast, texts


DEFAULT_SETTINGS: dict = {
    "enabled": True,
    # When on, nothing about a visitor is stored before the page calls storelift.consent().
    "consent_mode": False,
    "position": "right",
    "texts": {
        "teaser": "Get {discount} off",
        "headline": "Get {discount} off your first order",
        "body": "Join our list for new arrivals and members-only offers.",
        "email_label": "Email address",
        "button": "Get my code",
        "consent": "By signing up you agree to receive marketing emails from us. Unsubscribe at any time.",
        "success": "Welcome! Here is your code",
        "pending": "Thanks for signing up! Check your inbox: your code is on its way.",
        "redeemed": "Welcome back! You have already used your welcome code.",
        "expired": "Welcome back! Your welcome code has expired.",
        "close": "Close",
    },
    "colors": {"background": "#ffffff", "text": "#1f2328", "accent": "#1f5fbf", "accent_text": "#ffffff"},
    # second_code: a subscriber whose code was used or expired may get another one by signing up again.
    "discount": {"kind": "percentage", "value": "10", "currency": "USD", "expires_days": 30, "prefix": "WELCOME",
                 "second_code": False},
    "triggers": {"delay_seconds": 8, "scroll_percent": 40, "exit_intent": True, "pages_viewed": 0,
                 "add_to_cart": True},
    "targeting": {"devices": ["desktop", "mobile"], "visitors": "all", "include": [],
                  "exclude": ["/cart*", "/checkout*", "/account*"], "close_cap_days": 7, "hide_known": True},
}

TEXT_LIMITS = {"teaser": 40, "headline": 90, "body": 300, "email_label": 40, "button": 30, "consent": 500,
               "success": 90, "pending": 90, "redeemed": 90, "expired": 90, "close": 20}
_COLOR_RE = re.compile(r"#[0-9a-f]{6}")
_PREFIX_RE = re.compile(r"[A-Z0-9]{0,12}")
_CURRENCY_RE = re.compile(r"[A-Z]{3}")
_PATTERN_RE = re.compile(r"/[A-Za-z0-9/_.~%*-]{0,200}")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class SettingsError(ValueError):
    """Settings refused; ``errors`` maps a dotted field name to a message for the merchant."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def validate_settings(data) -> dict:
    """A complete, clean settings object from the merchant's (possibly partial) input, or SettingsError.

    Missing fields take their defaults; unknown fields and wrong types are refused
    rather than ignored, so a typo never silently does nothing.
    """
    errors: dict[str, str] = {}
    if not isinstance(data, dict):
        raise SettingsError({"settings": "must be an object"})
    out = copy.deepcopy(DEFAULT_SETTINGS)

    def section(name: str) -> dict:
        value = data.get(name, {})
        if not isinstance(value, dict):
            errors[name] = "must be an object"
            return {}
        for key in value:
            if key not in DEFAULT_SETTINGS[name]:
                errors[f"{name}.{key}"] = "unknown field"
        return value

    for key in data:
        if key not in DEFAULT_SETTINGS:
            errors[key] = "unknown field"
    for key in ("enabled", "consent_mode"):
        if key in data:
            if isinstance(data[key], bool):
                out[key] = data[key]
            else:
                errors[key] = "must be true or false"
    if "position" in data:
        if data["position"] in ("left", "right"):
            out["position"] = data["position"]
        else:
            errors["position"] = "must be left or right"

    for key, value in section("texts").items():
        if key not in TEXT_LIMITS:
            continue
        if not isinstance(value, str):
            errors[f"texts.{key}"] = "must be text"
            continue
        value = unicodedata.normalize("NFC", value.strip())
        if not value:
            errors[f"texts.{key}"] = "must not be empty"
        elif len(value) > TEXT_LIMITS[key]:
            errors[f"texts.{key}"] = f"at most {TEXT_LIMITS[key]} characters"
        elif _CONTROL_RE.search(value):
            errors[f"texts.{key}"] = "contains control characters"
        else:
            out["texts"][key] = value

    for key, value in section("colors").items():
        if key not in DEFAULT_SETTINGS["colors"]:
            continue
        value = value.lower() if isinstance(value, str) else value
        if isinstance(value, str) and _COLOR_RE.fullmatch(value):
            out["colors"][key] = value
        else:
            errors[f"colors.{key}"] = "must be a colour like #1a2b3c"

    discount = section("discount")
    if "kind" in discount:
        if discount["kind"] in ("percentage", "fixed_amount"):
            out["discount"]["kind"] = discount["kind"]
        else:
            errors["discount.kind"] = "must be percentage or fixed_amount"
    if "value" in discount:
        try:
            text = str(discount["value"]).strip()
            if not text.isascii():  # Decimal would read "١٠" as 10
                raise InvalidOperation
            amount = Decimal(text)
            if not amount.is_finite():
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            errors["discount.value"] = "must be a number"
        else:
            kind = out["discount"]["kind"]
            if kind == "percentage" and not (1 <= amount <= 100 and amount == amount.to_integral_value()):
                errors["discount.value"] = "a percentage must be a whole number from 1 to 100"
            elif kind == "fixed_amount" and not (0 < amount <= 10_000 and amount.as_tuple().exponent >= -2):
                errors["discount.value"] = "an amount must be above 0, at most 10000, with at most 2 decimals"
            else:
                out["discount"]["value"] = str(int(amount)) if kind == "percentage" else str(amount.quantize(Decimal("0.01")))
    _int_field(discount, "expires_days", 1, 365, out["discount"], errors, "discount")
    if "prefix" in discount:
        prefix = discount["prefix"].strip().upper() if isinstance(discount["prefix"], str) else None
        if prefix is not None and _PREFIX_RE.fullmatch(prefix):
            out["discount"]["prefix"] = prefix
        else:
            errors["discount.prefix"] = "up to 12 letters A-Z and digits"
    if "currency" in discount:
        currency = discount["currency"].strip().upper() if isinstance(discount["currency"], str) else None
        if currency is not None and _CURRENCY_RE.fullmatch(currency):
            out["discount"]["currency"] = currency
        else:
            errors["discount.currency"] = "a three-letter currency code like USD"
    if "second_code" in discount:
        if isinstance(discount["second_code"], bool):
            out["discount"]["second_code"] = discount["second_code"]
        else:
            errors["discount.second_code"] = "must be true or false"

    triggers = section("triggers")
    _int_field(triggers, "delay_seconds", 0, 600, out["triggers"], errors, "triggers")
    _int_field(triggers, "scroll_percent", 0, 100, out["triggers"], errors, "triggers")
    _int_field(triggers, "pages_viewed", 0, 50, out["triggers"], errors, "triggers")
    for key in ("exit_intent", "add_to_cart"):
        if key in triggers:
            if isinstance(triggers[key], bool):
                out["triggers"][key] = triggers[key]
            else:
                errors[f"triggers.{key}"] = "must be true or false"

    targeting = section("targeting")
    if "devices" in targeting:
        devices = targeting["devices"]
        if isinstance(devices, list) and devices and all(d in ("desktop", "mobile") for d in devices):
            out["targeting"]["devices"] = sorted(set(devices))
        else:
            errors["targeting.devices"] = "choose desktop, mobile or both"
    if "visitors" in targeting:
        if targeting["visitors"] in ("all", "new", "returning"):
            out["targeting"]["visitors"] = targeting["visitors"]
        else:
            errors["targeting.visitors"] = "must be all, new or returning"
    for key in ("include", "exclude"):
        if key in targeting:
            patterns = targeting[key]
            if isinstance(patterns, str):
                patterns = [p.strip() for p in patterns.splitlines() if p.strip()]
            if (isinstance(patterns, list) and len(patterns) <= 20
                    and all(isinstance(p, str) and _PATTERN_RE.fullmatch(p) for p in patterns)):
                out["targeting"][key] = patterns
            else:
                errors[f"targeting.{key}"] = "up to 20 paths starting with /, * matches anything"
    _int_field(targeting, "close_cap_days", 0, 365, out["targeting"], errors, "targeting")
    if "hide_known" in targeting:
        if isinstance(targeting["hide_known"], bool):
            out["targeting"]["hide_known"] = targeting["hide_known"]
        else:
            errors["targeting.hide_known"] = "must be true or false"

    if not any(k.startswith("colors.") for k in errors):
        errors.update(contrast.aa_errors(out["colors"]))
    if errors:
        raise SettingsError(errors)
    return out


def _int_field(source: dict, key: str, low: int, high: int, target: dict, errors: dict, prefix: str) -> None:
    if key not in source:
        return
    try:
        target[key] = whole_number(source[key], low, high)
    except InputError as exc:
        errors[f"{prefix}.{key}"] = exc.reason


def settings_of(store: Store, shop: str) -> tuple[dict, int]:
    """The shop's settings and version (the defaults, version 0, until the merchant saves)."""
    found = store.capture.settings(shop)
    if found is None:
        return copy.deepcopy(DEFAULT_SETTINGS), 0
    stored, version = found
    try:
        return validate_settings(stored), version
    except SettingsError:  # a stored object from an older schema: fall back rather than break the storefront
        return copy.deepcopy(DEFAULT_SETTINGS), version


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
