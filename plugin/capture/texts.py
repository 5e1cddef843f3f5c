"""The capture widget's texts and the discount they advertise.

Merchant texts may say ``{discount}``: it is replaced by the configured value
("20%", "$5", "CHF 7.50"), so changing the discount changes what the teaser
promises. Plain ``str.replace``, never ``str.format``: merchant text is data, and
the result is still plain text that the widget sets with ``textContent`` and
Jinja2 autoescapes.

Texts that spell out a value instead ("Get 10% off") are checked against the
discount: ``value_warnings`` tells the merchant when a text names a different
value than the discount it configures.
"""

from __future__ import annotations

import re
from decimal import Decimal

PLACEHOLDER = "{discount}"
# As a browser's Intl.NumberFormat("en-US") writes them, so the admin's live preview matches the storefront.
_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹", "CAD": "CA$", "AUD": "A$", "NZD": "NZ$"}
_NUMBER = r"(\d+(?:[.,]\d{1,2})?)"
_PERCENT_RE = re.compile(_NUMBER + r"\s?%")


def _amount(value: str) -> str:
    number = Decimal(value)
    return str(number.quantize(Decimal(1))) if number == number.to_integral_value() else str(number)


def discount_label(discount: dict) -> str:
    """The configured discount as a shopper reads it: "20%", "$5", "$5.50", "CHF 7.50"."""
    if discount["kind"] == "percentage":
        return f"{discount['value']}%"
    symbol = _SYMBOLS.get(discount["currency"], discount["currency"] + "\u00a0")
    return symbol + _amount(discount["value"])


def render(text: str, settings: dict) -> str:
    return text.replace(PLACEHOLDER, discount_label(settings["discount"]))


def rendered(settings: dict) -> dict[str, str]:
    """Every widget text with ``{discount}`` filled in."""
    return {key: render(text, settings) for key, text in settings["texts"].items()}


def _named_values(text: str, currency: str) -> tuple[set[Decimal], set[Decimal]]:
    """The percentages and the money amounts (a currency symbol or the shop's currency code) a text names."""
    money = "(?:[$€£¥₹]|" + re.escape(currency) + r"\b)"
    amount_re = re.compile(money + r"\s?" + _NUMBER + "|" + _NUMBER + r"\s?" + money)
    percents = {Decimal(m.replace(",", ".")) for m in _PERCENT_RE.findall(text)}
    amounts = {Decimal((a or b).replace(",", ".")) for a, b in amount_re.findall(text)}
    return percents, amounts


def value_warnings(settings: dict) -> dict[str, str]:
    """``texts.<key>`` → a warning, for texts naming a value other than the discount's (saved anyway)."""
    discount = settings["discount"]
    label = discount_label(discount)
    value = Decimal(discount["value"])
    warnings = {}
    for key, text in settings["texts"].items():
        percents, amounts = _named_values(text, discount["currency"])
        if discount["kind"] == "percentage":
            wrong = {p for p in percents if p != value} or amounts
        else:
            wrong = percents or {a for a in amounts if a != value}
        if wrong:
            warnings[f"texts.{key}"] = (f"says {_quote(text)} but the discount is {label}; "
                                        f"write {PLACEHOLDER} to always show the configured value")
    return warnings


def _quote(text: str, limit: int = 40) -> str:
    return "\u201c" + (text if len(text) <= limit else text[:limit - 1] + "\u2026") + "\u201d"
