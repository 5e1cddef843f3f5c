"""Alembic's entry point, run by ``migrations.upgrade`` on a connection it has already opened and locked.

There is no alembic.ini and no URL here: ``upgrade`` hands over its
connection (inside the one transaction that holds the migration lock) and a
list to record applied revisions in, through ``config.attributes``. Because
that transaction is already open, Alembic runs every step inside it and
commits nothing itself: the whole upgrade lands or none of it does (SQLite and
PostgreSQL both have transactional DDL).

``render_as_batch``: revisions generated from here on write ALTERs as
``op.batch_alter_table``, which SQLite needs for any change its ALTER TABLE
cannot make (it copies the table); on PostgreSQL batch mode is plain ALTER.
"""

from __future__ import annotations

from alembic import context

config = context.config
applied: list[str] = config.attributes["applied"]


def _record(*, ctx, step, heads, run_args) -> None:
    if step.is_upgrade and not step.is_stamp:
        applied.append(step.up_revision_id)


context.configure(
    connection=config.attributes["connection"],
    target_metadata=None,
    render_as_batch=True,
    on_version_apply=_record,
)
with context.begin_transaction():
    context.run_migrations()
