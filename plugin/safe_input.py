"""The one way untrusted bytes become JSON, and untrusted text becomes a number or an id.

Every door (storefront proxy, admin, webhook worker) reads bodies with
``read_json`` and numbers with ``whole_number``/``parse_id``, so hostile input
fails the same way everywhere: ``InputError``, which the app answers as a 4xx
with a JSON reason, instead of an exception deep in a handler. What they guard
against, and why the standard library alone does not:

- deep nesting: ``json.loads`` recurses, so a few kilobytes of ``[[[[`` raise
  ``RecursionError`` (not a ``ValueError``), and anything shallower but absurd
  is refused by depth after parsing;
- huge integers: ``int()`` refuses more than 4,300 digits with ``ValueError``
  and anything over 64 bits overflows SQLite and PostgreSQL's ``BIGINT``;
- non-ASCII digits: ``str.isdigit`` says yes to ``"²"`` that ``int`` then
  refuses, and ``int``/``Decimal``/``float`` quietly accept ``"١٢"``, so only
  ASCII digits count as a number here;
- ``NaN``/``Infinity``, which ``json`` accepts but JSON does not have.
"""

from __future__ import annotations

import json
import math
import re

INT64_MAX = 2**63 - 1
MAX_DEPTH = 32
MAX_INT_DIGITS = 20
MAX_FLOAT_CHARS = 40
_DIGITS = re.compile(r"[0-9]{1,19}")


class InputError(ValueError):
    """Untrusted input refused: ``reason`` says why, ``status`` is the HTTP status to answer."""

    def __init__(self, reason: str, status: int = 400):
        super().__init__(reason)
        self.reason = reason
        self.status = status


def _int(text: str) -> int:
    if not text.isascii() or len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise InputError(f"integers have at most {MAX_INT_DIGITS} ASCII digits")
    return int(text)


def _float(text: str) -> float:
    if not text.isascii() or len(text) > MAX_FLOAT_CHARS:
        raise InputError(f"numbers are at most {MAX_FLOAT_CHARS} ASCII characters")
    value = float(text)
    if not math.isfinite(value):
        raise InputError("number out of range")
    return value


def _no_constant(name: str):
    raise InputError(f"{name} is not a JSON number")


def _depth(value, limit: int) -> int:
    """How deeply lists and objects nest in ``value`` (a scalar is 0), counting no further than ``limit + 1``."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if not isinstance(item, (dict, list)):
            continue
        deepest = max(deepest, level)
        if deepest > limit:
            break
        stack.extend((child, level + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


def read_json(raw: bytes, *, max_bytes: int, max_depth: int = MAX_DEPTH):
    """``raw`` as a JSON value, or InputError (413 beyond ``max_bytes``, else 400) with the reason."""
    if len(raw) > max_bytes:
        raise InputError(f"body larger than {max_bytes} bytes", 413)
    try:
        text = raw.decode("utf-8")
        value = json.loads(text, parse_int=_int, parse_float=_float, parse_constant=_no_constant)
    except InputError:
        raise
    except RecursionError:
        raise InputError(f"JSON nested deeper than {max_depth} levels") from None
    except ValueError:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise InputError("body is not JSON") from None
    if _depth(value, max_depth) > max_depth:
        raise InputError(f"JSON nested deeper than {max_depth} levels")
    return value


def whole_number(value, low: int, high: int, name: str | None = None) -> int:
    """A JSON integer, or text of ASCII digits (spaces around allowed), from ``low`` to ``high``; else InputError.

    ``name``, when given, starts the reason, so a refused query parameter says which one it was.
    """
    if isinstance(value, str) and _DIGITS.fullmatch(value.strip()):
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InputError(f"{name + ': ' if name else ''}must be a whole number from {low} to {high}")
    return value


def parse_id(value) -> int:
    """A platform or Storelift id: a positive integer that fits a signed 64-bit column, else InputError."""
    try:
        return whole_number(value, 1, INT64_MAX)
    except InputError:
        raise InputError("an id is 1 to 19 ASCII digits, at most 9223372036854775807") from None
