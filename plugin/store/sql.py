"""SQL text every store module shares: named placeholders for lists, and lists cut to a safe ``IN (...)`` size.

Store SQL is text with named parameters (``:shop``), which both engines' drivers
take through SQLAlchemy unchanged. A list of values becomes one named parameter
per value (``in_list``); SQLite and PostgreSQL cap the parameters of one
statement differently, and 500 values per ``IN`` list stays far below both, so
every query over a caller's list of ids reads it in ``chunks``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

MAX_IN = 500  # ids per IN (...) list


def in_list(name: str, values: Sequence) -> tuple[str, dict]:
    """``(":name_0, :name_1", {"name_0": …, "name_1": …})``: the text inside ``IN (…)`` and its parameters."""
    params = {f"{name}_{i}": value for i, value in enumerate(values)}
    return ", ".join(f":{key}" for key in params), params


def named(columns: Sequence[str]) -> str:
    """``:a, :b, :c``: the VALUES list of an insert whose parameters are named after its columns."""
    return ", ".join(f":{column}" for column in columns)


def marks(values: Sequence) -> str:
    """``?, ?, ?``: positional placeholders, until every module has moved to named ones."""
    return ", ".join("?" for _ in values)


def chunks(values: Sequence, size: int = MAX_IN) -> Iterator[Sequence]:
    """``values`` in slices of at most ``size``, in order."""
    for start in range(0, len(values), size):
        yield values[start:start + size]
