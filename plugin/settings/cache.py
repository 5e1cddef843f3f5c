"""The storefront's read of per-shop settings: one primary-key lookup, validation only after a save.

Every storefront request reads a feature's settings (the capture config, each
event batch's consent mode, every recommendation block). ``SettingsCache``
lives on the app's services, one per store, and keeps per (shop, feature)
what ``Feature.load`` and ``Feature.serve`` made of the row, with the row's
stamp (version, updated_at). Each read asks the store for the row (one
primary-key lookup; the JSON is parsed only when the stamp moved), so a save
shows in the very next answer of every process. (A TTL would save the lookup,
about 10 µs, but would let a process serve stale settings for the TTL.)

What it returns is shared between requests: callers read it and never change it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from plugin.store import Store
from plugin.store.settings import StoredSettings

from .feature import Feature


@dataclass(frozen=True)
class _Entry:
    stamp: tuple[int, int] | None  # None: the shop never saved
    settings: dict
    version: int
    served: Any


class SettingsCache:
    def __init__(self, store: Store):
        self._store = store
        self._entries: dict[tuple[str, str], _Entry] = {}
        self._defaults: dict[str, _Entry] = {}

    def read(self, shop: str, feature: Feature) -> tuple[dict, int]:
        """The shop's settings and version, as ``Feature.read`` gives them."""
        entry = self._entry(shop, feature)
        return entry.settings, entry.version

    def served(self, shop: str, feature: Feature) -> Any:
        """The shop's settings in the form the feature serves (``Feature.serve``)."""
        return self._entry(shop, feature).served

    def served_and_read(self, shop: str, served: Feature, read: Feature) -> tuple[Any, dict]:
        """``served(shop, served)`` and ``read(shop, read)[0]`` in one lookup (a recommendation block's two)."""
        rows = self._store.settings.get_many(shop, (served.name, read.name))
        return (self._current(shop, served, rows.get(served.name)).served,
                self._current(shop, read, rows.get(read.name)).settings)

    def _entry(self, shop: str, feature: Feature) -> _Entry:
        return self._current(shop, feature, self._store.settings.get(shop, feature.name))

    def _current(self, shop: str, feature: Feature, row: StoredSettings | None) -> _Entry:
        """The entry for the row just read: the cached one while its stamp holds."""
        key = (shop, feature.name)
        if row is None:
            self._entries.pop(key, None)  # erased with its shop
            return self._default(feature)
        hit = self._entries.get(key)
        if hit is not None and hit.stamp == row.stamp:
            return hit
        settings = feature.load(shop, row.data)
        entry = _Entry(row.stamp, settings, row.version, feature.serve(settings))
        self._entries[key] = entry
        return entry

    def _default(self, feature: Feature) -> _Entry:
        entry = self._defaults.get(feature.name)
        if entry is None:
            entry = _Entry(None, feature.defaults(), 0, feature.served_defaults)
            self._defaults[feature.name] = entry
        return entry
