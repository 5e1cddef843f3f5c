"""The product cards this process drew for emails' open-time slots, and the product images they show.

Per-process state, held by ``Services`` (``services.email_cards``): a repeat
open of an email is then a dictionary lookup instead of a fetch and a
drawing (Pillow), which is what keeps cached opens in milliseconds.
"""

from __future__ import annotations

import threading
from collections import OrderedDict


class CardCache:
    """The last few hundred cards and product images this process drew or fetched (least recently used goes)."""

    def __init__(self, size: int = 512):
        self._size = size
        self._lock = threading.Lock()
        self._items: OrderedDict[tuple, bytes] = OrderedDict()

    def get(self, key: tuple) -> bytes | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: tuple, value: bytes) -> bytes:
        with self._lock:
            self._items[key] = value
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return value
