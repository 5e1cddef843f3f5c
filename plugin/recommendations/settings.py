"""The merchant's recommendation-block settings: the model, the catalog check, and the engine's ``BlockSettings``.

Shop-wide, for every block: pins, boosts and exclusions (``MerchantRules``),
a price band, whether already-bought products are hidden and which ones may
come back anyway (``FilterPolicy``). The strategy parameters stay the tuned
defaults: a merchant cannot judge them, and the offline evaluation can. No Flask.

- ``RecommendationSettings``: the merchant's input checked field by field
  (``plugin.settings``: every problem reported at once, keyed by a dotted
  field name). Merchant text (category, vendor and tag names) is kept as data
  and escaped by whoever renders it.
- ``catalog_problems``, checked on save: an unknown product id is an error,
  and so is a ``category:``/``vendor:``/``tag:`` selector that matches no
  product today (most likely a typo, which would otherwise silently do
  nothing). Each one is named, and nothing is stored. Stored settings are not
  re-checked when served: a product deleted after the save simply matches nothing.
- ``to_block_settings``: what blocks are served with, worked out once per saved
  version by the app's ``SettingsCache`` (the same object for unchanged
  settings, so its cache ``key`` is worked out once per save, not per request).
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Annotated

from pydantic import BeforeValidator, PlainValidator, field_validator

from ..settings import Feature, Flag, SettingsModel, listed
from ..store import Store
from .engine.blocks import BlockSettings
from .engine.filters import FilterPolicy
from .engine.rules import MerchantRules
from .engine.selectors import KINDS, name_key

LIMITS = {"pins": 50, "boosts": 100, "excluded": 200, "repeatable": 200}
MIN_FACTOR, MAX_FACTOR = 0.1, 10.0
MAX_PRICE = Decimal("1000000000")
PRICE_PLACES = 3  # enough for every currency's minor unit
MAX_NAME = 100  # a category, vendor or tag name
# The storefront's product ids (the same rule as ``widgets.door.RESOURCE_RE``), or an Admin API gid.
PRODUCT_ID_RE = re.compile(r"[A-Za-z0-9_-]{1,100}")
GID_RE = re.compile(r"gid://shopify/Product/([0-9]{1,20})")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")


# --------------------------------------------------------------------------- validation


def product_id(value) -> str:
    """A product id as the storefront names it; a pasted ``gid://shopify/Product/N`` becomes ``N``."""
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        value = str(value)
    if not isinstance(value, str):
        raise ValueError("must be a product id")
    value = value.strip()
    gid = GID_RE.fullmatch(value)
    if gid:
        return gid.group(1)
    if not PRODUCT_ID_RE.fullmatch(value):
        raise ValueError(f"{value[:40]!r} is not a product id")
    return value


def selector(value) -> str:
    """A product id, or ``kind:name`` with the kind lowercased and the name kept as written
    (names match whatever their letter case: ``selectors.name_key``)."""
    if isinstance(value, str) and ":" in value and not GID_RE.fullmatch(value.strip()):
        kind, _, name = value.partition(":")
        kind = kind.strip().lower()
        name = unicodedata.normalize("NFC", name.strip())
        if kind not in KINDS:
            raise ValueError(f"{value[:40]!r}: use a product id or {', '.join(k + ':NAME' for k in KINDS)}")
        if not name or len(name) > MAX_NAME or _CONTROL_RE.search(name):
            raise ValueError(f"{kind}: needs a name of 1 to {MAX_NAME} characters")
        return f"{kind}:{name}"
    try:
        return product_id(value)
    except ValueError:
        raise ValueError(f"{str(value)[:40]!r} is not a product id or {', '.join(k + ':NAME' for k in KINDS)}") from None


def _price(value) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)) or not str(value).isascii():
        raise ValueError("must be a number")  # only ASCII digits: Decimal would read "١٢" as 12
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError("must be a number") from None
    if not amount.is_finite() or amount < 0 or amount > MAX_PRICE:
        raise ValueError(f"must be a number from 0 to {MAX_PRICE}")
    if amount.as_tuple().exponent < -PRICE_PLACES:
        raise ValueError(f"must have at most {PRICE_PLACES} decimals")
    return str(amount)


def _factor(value) -> float:
    if isinstance(value, str):
        try:
            if not value.isascii():  # float would read "٢" as 2
                raise ValueError
            value = float(value.strip())
        except ValueError:
            raise ValueError(f"must be a number from {MIN_FACTOR} to {MAX_FACTOR}") from None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not MIN_FACTOR <= value <= MAX_FACTOR:
        raise ValueError(f"must be a number from {MIN_FACTOR} to {MAX_FACTOR}")
    return float(value)


class _SecondBoost:
    """A boost of a selector already boosted (``vendor:ACME`` after ``vendor:acme``), refused under its own key."""

    def __init__(self, key: str):
        self.key = key


def _boost_factor(value) -> float:
    if isinstance(value, _SecondBoost):
        raise ValueError(f"{value.key!r} is boosted twice")
    return _factor(value)


def _boosts(value) -> dict:
    """The boosts object checked whole, and each boost after the first valid one of the same selector marked."""
    if not isinstance(value, dict):
        raise ValueError("must be an object of selector: factor")
    if len(value) > LIMITS["boosts"]:
        raise ValueError(f"must have at most {LIMITS['boosts']} entries")
    marked, seen = {}, set()
    for raw, factor in value.items():
        marked[raw] = factor
        try:
            same = _same_selector(selector(raw))
            if same in seen:
                marked[raw] = _SecondBoost(selector(raw))
            else:
                _factor(factor)
                seen.add(same)  # only a boost that stands counts as the first
        except ValueError:
            pass  # refused by the entry's own checks
    return marked


Price = Annotated[str | None, PlainValidator(_price)]
Boosts = Annotated[dict[Annotated[str, PlainValidator(selector)], Annotated[float, PlainValidator(_boost_factor)]],
                   BeforeValidator(_boosts)]


class RecommendationSettings(SettingsModel):
    hide_purchased: Flag = True  # never recommend what the shopper already bought (buy-again blocks excepted)
    # ...except these: consumables (product ids, category:X, vendor:X, tag:X)
    repeatable: listed(selector, LIMITS["repeatable"]) = []
    min_price: Price = None  # decimal strings in the shop's currency; None: no bound
    max_price: Price = None
    pins: listed(product_id, LIMITS["pins"]) = []  # product ids shown first, in this order, when eligible
    boosts: Boosts = {}  # selector -> factor multiplying the strategy's score
    excluded: listed(selector, LIMITS["excluded"]) = []  # selectors never shown

    @field_validator("max_price", mode="after")
    @classmethod
    def _band(cls, high: str | None, info) -> str | None:
        low = info.data.get("min_price")  # absent when refused: judged on its own
        if low is not None and high is not None and Decimal(low) > Decimal(high):
            raise ValueError("must not be below the minimum price")
        return high


def _same_selector(value: str) -> str:
    """A selector as matching sees it: ``vendor:ACME`` and ``vendor:acme`` are one."""
    kind, sep, name = value.partition(":")
    return f"{kind}:{name_key(name)}" if sep and kind in KINDS else value


def _entries(settings: dict) -> list[tuple[str, str]]:
    """Every (field key, selector or product id) of the settings, keyed as refused fields are named."""
    entries = [(f"{name}.{index}", value) for name in ("pins", "excluded", "repeatable")
               for index, value in enumerate(settings[name])]
    return entries + [(f"boosts.{key[:40]}", key) for key in settings["boosts"]]


def catalog_problems(store: Store, shop: str, settings: dict) -> dict[str, str]:
    """Each product id the shop does not have and each selector matching none of its products, by field."""
    entries = _entries(settings)
    ids = [value for _, value in entries if ":" not in value]
    known = store.rec_catalog.product_titles(shop, ids) if ids else {}
    names = store.rec_catalog.catalog_names(shop) if len(ids) < len(entries) else {}
    folded = {kind: {name_key(n) for n in values} for kind, values in names.items()}
    problems: dict[str, str] = {}
    for field, value in entries:
        kind, sep, name = value.partition(":")
        if not sep and value not in known:
            problems[field] = f"no product {value} in your catalog"
        elif sep and name_key(name) not in folded[kind]:
            problems[field] = f"{value} matches no product in your catalog (check the spelling)"
    return problems


# --------------------------------------------------------------------------- serving


def to_block_settings(settings: dict) -> BlockSettings:
    """A validated settings object as the engine's ``BlockSettings``.

    ``repeatable`` entries are selectors, as ``FilterPolicy`` takes them.
    """
    policy = FilterPolicy(
        allow_repeats=not settings["hide_purchased"],
        repeatable=frozenset(settings["repeatable"]),
        min_price=float(settings["min_price"]) if settings["min_price"] is not None else None,
        max_price=float(settings["max_price"]) if settings["max_price"] is not None else None,
    )
    rules = MerchantRules(pins=tuple(settings["pins"]), boosts=dict(settings["boosts"]),
                          excluded=frozenset(settings["excluded"]))
    return BlockSettings(policy=policy, rules=rules)


RECOMMENDATIONS = Feature("recommendations", RecommendationSettings, check=catalog_problems, serve=to_block_settings)
