"""Copy every row of one Storelift database into another, e.g. a store's SQLite file into PostgreSQL.

The target gets the schema from the migration history first, so both sides
have the same tables; rows then move table by table, parents before children,
in batches, inside one transaction on the target: a copy that fails half-way
leaves the target as empty as it was. PostgreSQL hands out ids from sequences,
which a copy that keeps the source's ids does not advance, so each sequence
is moved past the largest copied id at the end.
"""

from __future__ import annotations

from . import catalog
from .connection import Database

BATCH = 1_000


class TargetNotEmpty(Exception):
    """The target already holds Storelift data: copying would mix two stores."""


def copy_rows(source: Database, target: Database, progress=lambda table, rows: None) -> dict[str, int]:
    """Copy all rows; returns rows copied per table. Both databases must be migrated to the same head."""
    target_columns = {t.name: set(t.columns) for t in catalog.tables(target.engine)}
    counts: dict[str, int] = {}
    with target.write() as transaction:
        for table in catalog.tables(source.engine):
            if table.name not in target_columns:
                continue
            if transaction.query(f'SELECT 1 AS x FROM "{table.name}" LIMIT 1'):
                raise TargetNotEmpty(f"the target's {table.name} table already has rows")
            columns = [c for c in table.columns if c in target_columns[table.name]]
            insert = (f'INSERT INTO "{table.name}" ({", ".join(columns)}) '
                      f'VALUES ({", ".join(":" + c for c in columns)})')
            batch: list[dict] = []
            counts[table.name] = 0
            for row in source.stream(f'SELECT {", ".join(columns)} FROM "{table.name}"'):
                batch.append(dict(zip(columns, row)))
                if len(batch) == BATCH:
                    transaction.executemany(insert, batch)
                    counts[table.name] += len(batch)
                    batch = []
            transaction.executemany(insert, batch)
            counts[table.name] += len(batch)
            progress(table.name, counts[table.name])
        if not target.is_sqlite:
            for name in catalog.identity_tables(target.engine):
                transaction.execute(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), COALESCE(MAX(id), 0) + 1, false)"
                    f' FROM "{name}"')
    return counts
