"""The merchant's recommendation-block settings: one schema, and the engine's ``BlockSettings`` from it (no Flask).

Shop-wide, for every block: pins, boosts and exclusions (``MerchantRules``),
a price band, whether already-bought products are hidden and which ones may
come back anyway (``FilterPolicy``). The strategy parameters stay the tuned
defaults: a merchant cannot judge them, and the offline evaluation can.

- ``validate``: the merchant's input checked field by field (every problem
  reported at once, keyed by a dotted field name) into a complete, clean
  object; missing fields take their defaults, unknown ones are refused so a
  typo never silently does nothing. Merchant text (category, vendor and tag
  names) is kept as data and escaped by whoever renders it.
- ``save``: ``validate``, then the settings checked against the catalog
  (``catalog_problems``): an unknown product id is an error, and so is a
  ``category:``/``vendor:``/``tag:`` selector that matches no product today
  (most likely a typo, which would otherwise silently do nothing). Each one is
  named, and nothing is stored. Stored settings are not re-checked when
  served: a product deleted after the save simply matches nothing.
- ``block_settings_of``: the serving hot path. Each block request costs one
  primary-key lookup of the row's (version, updated_at); the converted
  settings are cached per process and store until that stamp moves, so a
  save shows in the very next answer of every process without re-parsing
  JSON per request. (A TTL would save the lookup, about 10 µs, but would let
  a process serve stale rules for the TTL after a save.) The object returned
  for unchanged settings is the same one, so its cache ``key`` is worked out
  once per save, not per request.
"""

from __future__ import annotations

import copy
import logging
import re
import threading
import unicodedata
import weakref
from decimal import Decimal, InvalidOperation

from ..store import Store
from .engine.blocks import BlockSettings
from .engine.filters import FilterPolicy
from .engine.rules import MerchantRules
from .engine.selectors import KINDS, name_key

log = logging.getLogger("storelift.rec_settings")

DEFAULTS: dict = {
    "hide_purchased": True,  # never recommend what the shopper already bought (buy-again blocks excepted)
    "repeatable": [],  # ...except these: consumables (product ids, category:X, vendor:X, tag:X)
    "min_price": None,  # decimal strings in the shop's currency; None: no bound
    "max_price": None,
    "pins": [],  # product ids shown first, in this order, when eligible
    "boosts": {},  # selector -> factor multiplying the strategy's score
    "excluded": [],  # selectors never shown
}
LIMITS = {"pins": 50, "boosts": 100, "excluded": 200, "repeatable": 200}
MIN_FACTOR, MAX_FACTOR = 0.1, 10.0
MAX_PRICE = Decimal("1000000000")
PRICE_PLACES = 3  # enough for every currency's minor unit
MAX_NAME = 100  # a category, vendor or tag name
# The storefront's product ids (the same rule as ``widgets.door.RESOURCE_RE``), or an Admin API gid.
PRODUCT_ID_RE = re.compile(r"[A-Za-z0-9_-]{1,100}")
GID_RE = re.compile(r"gid://shopify/Product/([0-9]{1,20})")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")


DEFAULT_BLOCK_SETTINGS = BlockSettings()


class SettingsError(ValueError):
    """Settings refused; ``errors`` maps a dotted field name to a message for the merchant."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


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
        raise ValueError(f"at most {PRICE_PLACES} decimals")
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


def _listed(data: dict, name: str, parse, errors: dict[str, str]) -> list[str] | None:
    """A list field: each entry parsed (errors keyed ``name.INDEX``), duplicates dropped, order kept."""
    values = data[name]
    if not isinstance(values, list):
        errors[name] = "must be a list"
        return None
    if len(values) > LIMITS[name]:
        errors[name] = f"at most {LIMITS[name]} entries"
        return None
    clean: list[str] = []
    for index, value in enumerate(values):
        try:
            clean.append(parse(value))
        except ValueError as exc:
            errors[f"{name}.{index}"] = str(exc)
    return list(dict.fromkeys(clean))


def validate(data) -> dict:
    """A complete, clean settings object from the merchant's input, or SettingsError with every problem."""
    if not isinstance(data, dict):
        raise SettingsError({"settings": "must be an object"})
    errors: dict[str, str] = {}
    out = copy.deepcopy(DEFAULTS)
    for key in data:
        if key not in DEFAULTS:
            errors[str(key)[:40]] = "unknown field"

    if "hide_purchased" in data:
        if isinstance(data["hide_purchased"], bool):
            out["hide_purchased"] = data["hide_purchased"]
        else:
            errors["hide_purchased"] = "must be true or false"

    parsers = {"pins": product_id, "excluded": selector, "repeatable": selector}
    for name, parse in parsers.items():
        if name in data:
            clean = _listed(data, name, parse, errors)
            if clean is not None:
                out[name] = clean

    if "boosts" in data:
        boosts = data["boosts"]
        if not isinstance(boosts, dict):
            errors["boosts"] = "must be an object of selector: factor"
        elif len(boosts) > LIMITS["boosts"]:
            errors["boosts"] = f"at most {LIMITS['boosts']} entries"
        else:
            clean_boosts: dict[str, float] = {}
            for raw, factor in boosts.items():
                field = f"boosts.{str(raw)[:40]}"
                try:
                    key = selector(raw)
                    if _same_selector(key) in {_same_selector(k) for k in clean_boosts}:
                        raise ValueError(f"{key!r} is boosted twice")
                    clean_boosts[key] = _factor(factor)
                except ValueError as exc:
                    errors[field] = str(exc)
            out["boosts"] = clean_boosts

    for name in ("min_price", "max_price"):
        if name in data:
            try:
                out[name] = _price(data[name])
            except ValueError as exc:
                errors[name] = str(exc)
    low, high = out["min_price"], out["max_price"]
    if "min_price" not in errors and "max_price" not in errors and low is not None and high is not None \
            and Decimal(low) > Decimal(high):
        errors["max_price"] = "must not be below the minimum price"

    if errors:
        raise SettingsError(errors)
    return out


def _same_selector(value: str) -> str:
    """A selector as matching sees it: ``vendor:ACME`` and ``vendor:acme`` are one."""
    kind, sep, name = value.partition(":")
    return f"{kind}:{name_key(name)}" if sep and kind in KINDS else value


def _entries(settings: dict) -> list[tuple[str, str]]:
    """Every (field key, selector or product id) of the settings, keyed as ``validate`` keys its errors."""
    entries = [(f"{name}.{index}", value) for name in ("pins", "excluded", "repeatable")
               for index, value in enumerate(settings[name])]
    return entries + [(f"boosts.{key[:40]}", key) for key in settings["boosts"]]


def catalog_problems(store: Store, shop: str, settings: dict) -> dict[str, str]:
    """Each product id the shop does not have and each selector matching none of its products, by field."""
    entries = _entries(settings)
    ids = [value for _, value in entries if ":" not in value]
    known = store.rec_settings.product_titles(shop, ids) if ids else {}
    names = store.rec_settings.catalog_names(shop) if len(ids) < len(entries) else {}
    folded = {kind: {name_key(n) for n in values} for kind, values in names.items()}
    problems: dict[str, str] = {}
    for field, value in entries:
        kind, sep, name = value.partition(":")
        if not sep and value not in known:
            problems[field] = f"no product {value} in your catalog"
        elif sep and name_key(name) not in folded[kind]:
            problems[field] = f"{value} matches no product in your catalog (check the spelling)"
    return problems


# --------------------------------------------------------------------------- reading and saving


def settings_of(store: Store, shop: str) -> tuple[dict, int]:
    """The shop's settings and version (the defaults, version 0, until the merchant saves)."""
    found = store.rec_settings.get(shop)
    if found is None:
        return copy.deepcopy(DEFAULTS), 0
    stored, version, _ = found
    return _clean(shop, stored), version


def save(store: Store, shop: str, data) -> tuple[dict, int]:
    """Validate the merchant's settings, check them against the catalog and store them
    (SettingsError naming every problem, and nothing stored, when refused)."""
    settings = validate(data)
    problems = catalog_problems(store, shop, settings)
    if problems:
        raise SettingsError(problems)
    return settings, store.rec_settings.save(shop, settings)


def _clean(shop: str, stored) -> dict:
    try:
        return validate(stored)
    except SettingsError as exc:  # a row from an older schema: serve the defaults rather than break blocks
        log.warning("stored recommendation settings of %s no longer validate (%s): using the defaults", shop, exc)
        return copy.deepcopy(DEFAULTS)


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


# store -> shop -> ((version, updated_at), BlockSettings): see the module docstring
_cache: "weakref.WeakKeyDictionary[Store, dict[str, tuple[tuple[int, int], BlockSettings]]]" = (
    weakref.WeakKeyDictionary())
_cache_lock = threading.Lock()


def block_settings_of(store: Store, shop: str) -> BlockSettings:
    """The shop's settings as the engine takes them: one indexed lookup, conversion only after a save."""
    stamp = store.rec_settings.stamp(shop)
    if stamp is None:
        return DEFAULT_BLOCK_SETTINGS
    shops = _cache.get(store)
    if shops is None:
        with _cache_lock:
            shops = _cache.setdefault(store, {})
    hit = shops.get(shop)
    if hit is not None and hit[0] == stamp:
        return hit[1]
    found = store.rec_settings.get(shop)
    if found is None:  # erased since the lookup
        return DEFAULT_BLOCK_SETTINGS
    stored, version, updated_at = found
    converted = to_block_settings(_clean(shop, stored))
    shops[shop] = ((version, updated_at), converted)
    return converted
