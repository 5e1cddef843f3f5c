"""The fields of a feature's settings model as the API names them, for tests that go through every one."""

from __future__ import annotations

from collections.abc import Iterator

from plugin.settings import SettingsModel


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
