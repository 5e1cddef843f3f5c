"""One per-shop settings mechanism for every feature: versioned JSON per (shop, feature), pydantic models.

- ``fields``: the checked field types models are built from, and ``SettingsModel``.
- ``feature``: ``Feature``, a feature's settings declared once (validate, save, read, the one fallback).
- ``errors``: ``SettingsError`` (dotted field name → message) and pydantic's errors in the merchant's words.
- ``cache``: ``SettingsCache``, the storefront's read, on the app's services.

The rows live in ``plugin.store.settings``.
"""

from .cache import SettingsCache
from .errors import FieldErrors, SettingsError
from .feature import Feature
from .fields import Flag, SettingsModel, choice, listed, whole

__all__ = ["Feature", "FieldErrors", "Flag", "SettingsCache", "SettingsError", "SettingsModel", "choice",
           "listed", "whole"]
