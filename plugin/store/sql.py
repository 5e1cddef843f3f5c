"""SQL text every store module shares: a list's placeholders, and lists cut to a safe ``IN (...)`` size.

SQLite and PostgreSQL cap the parameters of one statement differently; 500 ids per
``IN`` list stays far below both, so every query over a caller's list of ids reads
it in ``chunks``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

MAX_IN = 500  # ids per IN (...) list


def marks(values: Sequence) -> str:
    """``?, ?, ?``: one placeholder per value."""
    return ", ".join("?" for _ in values)


def chunks(values: Sequence, size: int = MAX_IN) -> Iterator[Sequence]:
    """``values`` in slices of at most ``size``, in order."""
    for start in range(0, len(values), size):
        yield values[start:start + size]
