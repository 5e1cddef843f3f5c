"""The fields of a feature's settings model as the API names them, for tests that go through every one,
and what validation says of a settings object it refuses."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from plugin.settings import Feature, SettingsError, SettingsModel


def leaf_fields(model: type[SettingsModel], prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """Each field that holds a value (not a section), as its path: ``("discount", "value")``."""
    for name, info in model.model_fields.items():
        kind = info.annotation
        if isinstance(kind, type) and issubclass(kind, SettingsModel):
            yield from leaf_fields(kind, (*prefix, name))
        else:
            yield (*prefix, name)


def at(path: tuple[str, ...], value) -> dict:
    """A settings object giving ``value`` to the one field at ``path``: ``{"discount": {"value": value}}``."""
    data = value
    for name in reversed(path):
        data = {name: data}
    return data


def refused(feature: Feature, data) -> dict[str, str]:
    """The errors ``feature`` refuses ``data`` with, by field (the test fails if it accepts it)."""
    with pytest.raises(SettingsError) as caught:
        feature.validate(data)
    return caught.value.errors
