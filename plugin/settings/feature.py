"""A feature's per-shop settings: declared once, then validated, saved and read the same way as every other's.

Adding settings to a feature is a pydantic model (built from ``fields``) and
one declaration, ``FEATURE = Feature("emails", EmailSettings)``. Capture and
recommendations are declared so; emails and experiments will be.

- ``validate``: the merchant's (possibly partial) input into a complete, clean
  object, or ``SettingsError`` naming every failing field.
- ``save``: ``validate``, then the feature's own ``check`` against the shop's
  data (recommendations: products and selectors that exist), then stored as a
  new version. Nothing is stored when anything is refused.
- ``read``: the shop's settings and version; the defaults, version 0, until the
  merchant saves. ``SettingsCache`` (on the app's services) keeps what ``load``
  makes of a row per version, for the storefront's hot paths.
- ``load``, the one fallback: a stored object that no longer validates (a row
  from an older schema) keeps its valid fields, and each failing one takes its
  default, so the storefront keeps the merchant's choices rather than breaking
  or dropping them all. Only an object that is not an object at all becomes
  the defaults whole.
"""

from __future__ import annotations

import copy
import logging
from functools import cached_property
from typing import Any, Callable

from pydantic import ValidationError

from plugin.store import Store

from .errors import Location, SettingsError, field_name, problems, refusal
from .fields import SettingsModel

log = logging.getLogger("storelift.settings")

Check = Callable[[Store, str, dict], dict[str, str]]


class Feature:
    """``name`` is the feature's key in the store; ``model`` its settings.

    ``check(store, shop, settings)`` returns problems with the shop's data by
    field (checked on save only: a product deleted later simply matches
    nothing). ``serve(settings)`` is the form the storefront's hot path uses,
    worked out once per saved version (the settings object itself if absent).
    """

    def __init__(self, name: str, model: type[SettingsModel], *, check: Check | None = None,
                 serve: Callable[[dict], Any] | None = None):
        self.name = name
        self.model = model
        self.check = check
        self.serve = serve or (lambda settings: settings)

    def __repr__(self) -> str:
        return f"Feature({self.name!r})"

    def defaults(self) -> dict:
        return self.model().model_dump()

    @cached_property
    def served_defaults(self) -> Any:
        """What the hot path serves a shop that never saved: one object, worked out once."""
        return self.serve(self.defaults())

    def validate(self, data: Any) -> dict:
        """A complete, clean settings object from the merchant's input, or SettingsError with every problem."""
        try:
            return self.model.model_validate(data).model_dump()
        except ValidationError as exc:
            raise refusal(exc) from None

    def save(self, store: Store, shop: str, data: Any) -> tuple[dict, int]:
        """Validate, check against the shop's data and store (SettingsError, and nothing stored, when refused)."""
        settings = self.validate(data)
        found = self.check(store, shop, settings) if self.check else {}
        if found:
            raise SettingsError(found)
        return settings, store.settings.save(shop, self.name, settings)

    def read(self, store: Store, shop: str) -> tuple[dict, int]:
        """The shop's settings and version (the defaults, version 0, until the merchant saves)."""
        row = store.settings.get(shop, self.name)
        return (self.defaults(), 0) if row is None else (self.load(shop, row.data), row.version)

    def load(self, shop: str, stored: Any) -> dict:
        """A stored object validated; each field that no longer validates takes its default (logged)."""
        data, dropped = stored, []
        while True:  # each round removes at least one entry of a finite object, or gives up
            try:
                settings = self.model.model_validate(data).model_dump()
            except ValidationError as exc:
                data, removed = _without(data, [where for where, _ in problems(exc)])
                if removed:
                    dropped += removed
                    continue
                log.warning("stored %s settings of %s do not validate: using the defaults", self.name, shop)
                return self.defaults()
            if dropped:
                log.warning("stored %s settings of %s no longer validate: %s take their defaults", self.name, shop,
                            ", ".join(field_name(where) for where in dropped))
            return settings


def _without(data: Any, failing: list[Location]) -> tuple[Any, list[Location]]:
    """``data`` without the failing fields; the fields removed (none when nothing could be).

    A field is a dict entry; a list is one field (a bad entry drops the list,
    so the indexes of the rest never shift). A problem with a field the data
    does not hold (a cross-field check blaming a default) drops its section.
    """
    if not isinstance(data, dict):
        return data, []
    data = copy.deepcopy(data)
    removed: list[Location] = []
    for where in failing:
        path = where[:next((i for i, part in enumerate(where) if isinstance(part, int)), len(where))]
        for candidate in (path, path[:-1]):
            if candidate and _pop(data, candidate):
                removed.append(candidate)
                break
    return data, removed


def _pop(data: dict, path: Location) -> bool:
    container = data
    for part in path[:-1]:
        container = container.get(part) if isinstance(container, dict) else None
    if isinstance(container, dict) and path[-1] in container:
        del container[path[-1]]
        return True
    return False
