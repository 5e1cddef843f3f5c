"""The building blocks of every feature's settings model, so each field is checked one way everywhere.

Each block is a pydantic ``Annotated`` type whose validator raises
``ValueError`` with the merchant's message (``errors.problems`` passes it on
as written). ``PlainValidator`` rather than pydantic's own coercion: pydantic
would turn ``"yes"`` into ``True`` and ``"١٠"`` into 10, and its messages speak
to programmers, not merchants.
"""

from __future__ import annotations

from typing import Annotated, Any, Callable

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, PlainValidator

from plugin.safe_input import whole_number


class SettingsModel(BaseModel):
    """A settings object or section: unknown fields are refused, so a typo never silently does nothing.

    Missing fields take their defaults; defaults are the model's own and are not
    re-validated (a test checks that each feature's defaults validate).
    """

    model_config = ConfigDict(extra="forbid")


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    raise ValueError("must be true or false")


Flag = Annotated[bool, PlainValidator(_flag)]


def choice(*options: str, message: str) -> Any:
    """One of ``options``, exactly as written."""

    def check(value: Any) -> str:
        if isinstance(value, str) and value in options:
            return value
        raise ValueError(message)

    return Annotated[str, PlainValidator(check)]


def whole(low: int, high: int) -> Any:
    """A JSON integer or a text of ASCII digits, from ``low`` to ``high`` (``safe_input.whole_number``)."""
    return Annotated[int, PlainValidator(lambda value: whole_number(value, low, high))]


def listed(parse: Callable[[Any], str], limit: int) -> Any:
    """A list of at most ``limit`` entries, each ``parse``d (a bad one is ``NAME.INDEX``), duplicates dropped.

    The list itself is checked first, so a list too long names the list and
    not each of its entries.
    """

    def bounded(value: Any) -> list:
        if not isinstance(value, list):
            raise ValueError("must be a list")
        if len(value) > limit:
            raise ValueError(f"must have at most {limit} entries")
        return value

    return Annotated[list[Annotated[str, PlainValidator(parse)]], BeforeValidator(bounded),
                     AfterValidator(lambda clean: list(dict.fromkeys(clean)))]
