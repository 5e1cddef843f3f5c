"""The schema as the database itself reports it: tables, their columns, and parents before children.

Two things walk every table instead of naming them: erasing a shop (every
table with a ``shop`` column) and copying a database to another engine
(``storelift db copy``). Reading the catalog through SQLAlchemy's inspector
works the same on SQLite and PostgreSQL, and means a table added by a later
migration is covered without registering anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from graphlib import TopologicalSorter

import sqlalchemy as sa

# Bookkeeping of the migration tools, not Storelift's data; and the recommendation feed's token for the
# server's current life, which each server makes its own (plugin/store/recommendations.py).
NOT_DATA = {"alembic_version", "_sqlite_migrations", "rec_feed_life"}


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[str, ...]


def tables(engine: sa.Engine) -> list[Table]:
    """Every data table, each after the tables its foreign keys name (parents first)."""
    inspector = sa.inspect(engine)
    names = [name for name in inspector.get_table_names() if name not in NOT_DATA]
    parents: dict[str, set[str]] = {name: set() for name in names}
    for name in names:
        for key in inspector.get_foreign_keys(name):
            if key["referred_table"] in parents and key["referred_table"] != name:
                parents[name].add(key["referred_table"])
    return [Table(name, tuple(column["name"] for column in inspector.get_columns(name)))
            for name in TopologicalSorter(parents).static_order()]


def identity_tables(engine: sa.Engine) -> list[str]:
    """Tables whose ``id`` the database assigns (a sequence on PostgreSQL, the rowid on SQLite)."""
    inspector = sa.inspect(engine)
    return [name for name in inspector.get_table_names() if name not in NOT_DATA
            and inspector.get_pk_constraint(name)["constrained_columns"] == ["id"]]
