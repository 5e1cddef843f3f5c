"""Refused settings, and pydantic's validation errors turned into the merchant's words, in one place.

Every feature's admin API answers a refused save with ``errors``: a dotted
field name (``texts.headline``, ``pins.0``, ``boosts.vendor:Acme``) mapped to
one message. The models' own validators raise ``ValueError`` with that
message as written; pydantic's structural errors (an unknown field, a section
that is not an object) get one house wording here, whatever the feature.
"""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import ValidationError

MAX_NAME_PART = 40  # a field name echoes the merchant's keys: long ones are cut, not sent back whole
WHOLE_OBJECT = "settings"  # the name of a problem with the settings object itself (not an object at all)
KEY = "[key]"  # pydantic's marker for a dict key (rather than its value) in an error location
STRUCTURAL = {
    "extra_forbidden": "unknown field",
    "model_type": "must be an object",
    "model_attributes_type": "must be an object",
    "dict_type": "must be an object",
}


class SettingsError(ValueError):
    """Settings refused; ``errors`` maps a dotted field name to a message for the merchant."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class FieldErrors(ValueError):
    """Raised by a check across the fields of one model (say, colour contrast) to blame them by name.

    A validator of the model ``colors`` raising ``FieldErrors({"text": ...})``
    refuses ``colors.text``: a cross-field problem lands on the field the
    merchant has to change, not on the section.
    """

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


Location = tuple  # pydantic's path to a value: field names, list indexes, dict keys


def problems(exc: ValidationError) -> Iterator[tuple[Location, str]]:
    """Each problem as (where in the input, the merchant's message), in the order pydantic found them."""
    for error in exc.errors():
        where = tuple(part for part in error["loc"] if part != KEY)
        raised = (error.get("ctx") or {}).get("error")
        if isinstance(raised, FieldErrors):
            for name, message in raised.errors.items():
                yield (*where, name), message
        elif isinstance(raised, Exception):  # a validator's ValueError: its message is the merchant's
            yield where, str(raised)
        else:
            yield where, STRUCTURAL.get(error["type"], error["msg"])


def field_name(where: Location) -> str:
    """``("pins", 0)`` → ``pins.0``; the settings object itself is ``settings``."""
    return ".".join(str(part)[:MAX_NAME_PART] for part in where) if where else WHOLE_OBJECT


def refusal(exc: ValidationError) -> SettingsError:
    """Every problem, one message per field (the first found: a bad key before its value)."""
    errors: dict[str, str] = {}
    for where, message in problems(exc):
        errors.setdefault(field_name(where), message)
    return SettingsError(errors)
