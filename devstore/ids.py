"""Platform-like resource ids and GIDs.

Ids are large integers, increasing with creation (so id order is creation
order, as on the platform), and some resources' ids exceed 2^53 on purpose:
a JavaScript ``JSON.parse`` would round them, which the app must survive.
"""

from __future__ import annotations

import threading

# resource → (first id, stride). Orders and line items start above 2^53 (9_007_199_254_740_992).
_SERIES: dict[str, tuple[int, int]] = {
    "Product": (7_982_301_872_000_000, 104_729),
    "ProductVariant": (8_412_007_310_000_000, 65_537),
    "ProductImage": (7_100_420_990_000_000, 7_919),
    "Collection": (4_310_229_880_000_000, 1_000_003),
    "Customer": (8_820_514_360_000_000, 49_157),
    "MailingAddress": (9_001_334_550_000_000, 3_571),
    "Order": (9_180_432_760_000_000, 131_071),
    "LineItem": (15_602_119_430_000_000, 8_191),
    "Checkout": (9_350_112_870_000_000, 16_381),
    "CartLine": (1_110_000_000_000, 1),
    "DiscountCodeNode": (1_530_880_660_000_000, 524_287),
    "DiscountRedeemCode": (1_880_417_220_000_000, 2_053),
    "DiscountRedeemCodeBulkCreation": (1_200_050_000_000, 97),
    "WebhookSubscription": (1_402_331_450_000, 1_009),
    "BulkOperation": (3_208_114_570_000, 1_013),
    "Event": (5_560_220_170_000_000, 613),
    "DataRequest": (910_000, 37),
    "Shop": (68_810_293_977, 1),
    "StaffMember": (84_923_041, 1),
}


class IdAllocator:
    """Hands out the next id per resource type; thread-safe, deterministic."""

    def __init__(self) -> None:
        self._next = {name: first for name, (first, _) in _SERIES.items()}
        self._lock = threading.Lock()

    def next(self, resource: str) -> int:
        with self._lock:
            value = self._next[resource]
            self._next[resource] = value + _SERIES[resource][1]
            return value


def gid(resource: str, ident: int | str) -> str:
    return f"gid://shopify/{resource}/{ident}"


def parse_gid(value: str | int | None, resource: str | None = None) -> int | None:
    """``gid://shopify/Product/123`` → 123; ``None`` when the GID is malformed or of another type."""
    if value is None:
        return None
    text = str(value)
    if text.isdigit():
        return int(text)
    prefix = "gid://shopify/"
    if not text.startswith(prefix):
        return None
    kind, _, rest = text[len(prefix):].partition("/")
    rest = rest.split("?", 1)[0]
    if (resource is not None and kind != resource) or not rest.isdigit():
        return None
    return int(rest)


def gid_type(value: str) -> str | None:
    prefix = "gid://shopify/"
    if not str(value).startswith(prefix):
        return None
    return str(value)[len(prefix):].partition("/")[0]
