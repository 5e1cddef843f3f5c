"""SQL every store module shares: named placeholders for lists, lists cut to a safe ``IN (...)`` size, and claims.

Store SQL is text with named parameters (``:shop``), which both engines' drivers
take through SQLAlchemy unchanged. A list of values becomes one named parameter
per value (``in_list``); SQLite and PostgreSQL cap the parameters of one
statement differently, and 500 values per ``IN`` list stays far below both, so
every query over a caller's list of ids reads it in ``chunks``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import sqlalchemy as sa

MAX_IN = 500  # ids per IN (...) list
MAX_ROWS = 100  # rows per many-row VALUES list (a few thousand parameters at most)


def in_list(name: str, values: Sequence) -> tuple[str, dict]:
    """``(":name_0, :name_1", {"name_0": …, "name_1": …})``: the text inside ``IN (…)`` and its parameters."""
    params = {f"{name}_{i}": value for i, value in enumerate(values)}
    return ", ".join(f":{key}" for key in params), params


def named(columns: Sequence[str]) -> str:
    """``:a, :b, :c``: the VALUES list of an insert whose parameters are named after its columns."""
    return ", ".join(f":{column}" for column in columns)


def values_rows(columns: Sequence[str], rows: Sequence[dict]) -> tuple[str, dict]:
    """``("(:a_0, :b_0), (:a_1, :b_1)", {...})``: the VALUES of a many-row insert, one statement and one
    round trip (a driver's ``executemany`` on PostgreSQL costs a pipeline's sync on top). Keep ``rows``
    to a ``chunks`` of ``MAX_ROWS`` so the parameters stay under both engines' caps."""
    params = {f"{column}_{i}": row[column] for i, row in enumerate(rows) for column in columns}
    groups = ("(" + ", ".join(f":{column}_{i}" for column in columns) + ")" for i in range(len(rows)))
    return ", ".join(groups), params


def chunks(values: Sequence, size: int = MAX_IN) -> Iterator[Sequence]:
    """``values`` in slices of at most ``size``, in order."""
    for start in range(0, len(values), size):
        yield values[start:start + size]


def claim_rows(table: str, key: str, *, where: str, order_by: str, assign: dict[str, str],
               scope: str | None = None) -> sa.Update:
    """``WITH chosen AS (first :limit rows matching where, skipping locked ones) UPDATE table SET assign WHERE key IN chosen``.

    How several workers (or web processes) take distinct rows from one pool at
    once: the inner SELECT locks the rows it picks ``FOR UPDATE SKIP LOCKED``,
    so on PostgreSQL a second claimer passes over rows the first holds instead
    of picking the same ones and then finding them taken (it would get nothing
    although free rows remain). SQLite has one writer at a time and no row
    locks; SQLAlchemy leaves the clause out there. ``scope`` narrows the outer
    UPDATE too when ``key`` is unique only within it (a code within its shop).
    ``where``, ``order_by``, ``assign`` and ``scope`` are SQL text with named
    parameters; ``:limit`` is how many rows to take.
    """
    target = sa.table(table, sa.column(key), *(sa.column(c) for c in assign))
    # A materialized CTE runs the locking pick exactly once: as a plain subquery PostgreSQL may run
    # it again for each row it scans, and a second run skips the row the first one locked.
    chosen = (sa.select(sa.literal_column(key)).select_from(sa.table(table)).where(sa.text(where))
              .order_by(sa.text(order_by)).limit(sa.bindparam("limit")).with_for_update(skip_locked=True)
              .cte("chosen").prefix_with("MATERIALIZED", dialect="postgresql"))
    condition = target.c[key].in_(sa.select(chosen.c[key]))
    if scope:
        condition = sa.and_(sa.text(scope), condition)
    return (sa.update(target).where(condition).values({c: sa.text(e) for c, e in assign.items()})
            .returning(sa.literal_column("*")))
