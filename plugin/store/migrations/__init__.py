"""Versioned schema changes: one Alembic history for SQLite and PostgreSQL, written by feature area.

Each released step is an Alembic revision whose id is its released name, in a
single chain (``versions/``, thin files that place each step); the step itself
is a function in its area's module (``platform``, ``commerce``, ``people``…),
written with Alembic ops so SQLAlchemy's type layer gives each engine its DDL
(see ``columns``). Databases record the revision they reached, so released
names, order and bodies never change: a schema change is a new revision at the
end of the chain, its step in its feature's module, and its name at the end of
``HISTORY_NAMES`` (a test checks the chain against it, so a released name
cannot be renamed or reordered by accident). Steps go forward only: the way
back is a backup.

No alembic.ini: ``upgrade`` builds the configuration in code and passes its
connection to ``env.py``, so ``storelift migrate`` (and every process that
migrates on start) needs nothing but the database URL.
"""

from __future__ import annotations

import os

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

HISTORY_NAMES = (
    "0001_shops", "0002_webhook_inbox", "0003_commerce", "0004_privacy", "0005_sync_runs", "0006_source_sequence",
    "0010_storefront_identity", "0011_storefront_events", "0012_email_capture", "0020_profiles",
    "0021_profile_queue", "0030_recommendations", "0031_rec_settings", "0032_sync_progress",
    "0033_capture_redemptions", "0034_jobs", "0035_shop_settings", "0036_feed_positions", "0037_email_sends",
    "0038_shop_profile", "0039_experiments", "0040_block_control", "0041_feed_life",
)

# sqlite-utils kept the names it applied here, under this migration set (the history before Alembic).
LEGACY_TABLE = "_sqlite_migrations"
LEGACY_SET = "storelift"

# The PostgreSQL advisory lock migrations take: "storelif" in ASCII, a constant any process agrees on.
LOCK_KEY = 0x73746F72656C6966

HERE = os.path.dirname(os.path.abspath(__file__))


class MigrationError(RuntimeError):
    """The database cannot be brought to the requested revision as it is."""


def forward_only() -> None:
    """Every revision's ``downgrade``: released steps never go back (restore a backup instead)."""
    raise MigrationError("Storelift's migrations go forward only; restore a backup to go back")


def _config(connection: sa.Connection, applied: list[str]) -> Config:
    config = Config()
    config.set_main_option("script_location", HERE.replace("%", "%%"))
    config.attributes.update(connection=connection, applied=applied)
    return config


def script_directory() -> ScriptDirectory:
    """The revisions as Alembic reads them (for tests and tools that walk the chain)."""
    return ScriptDirectory.from_config(_config(None, []))


def current(engine: sa.Engine) -> str | None:
    """The revision the database is at, or None before the first."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: sa.Engine, to: str = "head") -> list[str]:
    """Apply the pending revisions up to ``to`` (a released name, or ``head``); returns the names applied, in order.

    Everything runs in one transaction that first takes the migration lock, so
    when several processes start at once (``storelift serve`` and workers)
    one migrates and the others wait, then find nothing left to do. On
    PostgreSQL the lock is ``pg_advisory_xact_lock`` (released at commit); on
    SQLite it is the file's write lock, taken up front by ``BEGIN IMMEDIATE``
    (the engine's ``storelift_write`` option, see engines.py).

    On SQLite, foreign keys are switched off for the duration and checked
    before commit (SQLite's own recipe for schema changes): a batch ALTER
    copies and drops a table, and with foreign keys on, dropping ``people``
    would cascade into ``profiles``. The pragma cannot change inside a
    transaction, hence on the driver connection before ``BEGIN``.
    """
    applied: list[str] = []
    with engine.execution_options(storelift_write=True).connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            _driver_pragma(connection, "foreign_keys=OFF")
        try:
            with connection.begin():
                if connection.dialect.name == "postgresql":
                    connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
                config = _config(connection, applied)
                _adopt_sqlite_utils_history(connection, config)
                command.upgrade(config, to)
                if sqlite and connection.exec_driver_sql("PRAGMA foreign_key_check").first() is not None:
                    raise MigrationError("a migration left rows whose foreign keys point nowhere; nothing applied")
        finally:
            if sqlite:
                _driver_pragma(connection, "foreign_keys=ON")
    return applied


def _driver_pragma(connection: sa.Connection, pragma: str) -> None:
    cursor = connection.connection.cursor()  # the driver is in autocommit: no BEGIN is implied
    try:
        cursor.execute(f"PRAGMA {pragma}")
    finally:
        cursor.close()


def _adopt_sqlite_utils_history(connection: sa.Connection, config: Config) -> None:
    """Bring a database migrated by the sqlite-utils history under Alembic, in the upgrade's transaction.

    When ``alembic_version`` is absent and ``_sqlite_migrations`` lists applied
    names, the database is stamped at the last of them (the released steps are
    the same, so the schema is what that revision expects) and the upgrade then
    applies only what is missing. The names must be the start of
    ``HISTORY_NAMES`` (in any order, as a set): anything else is a database this
    code does not know, and upgrading it would guess, so it refuses.

    Our rows of ``_sqlite_migrations`` are then deleted, and the table dropped
    once no other set's rows remain: ``alembic_version`` becomes the one record
    of what is applied. Kept, the old record would go stale at the next
    revision, and an older Storelift started by mistake would trust it and run
    against a schema it does not know; without it, that older Storelift tries
    its first step again and stops on "table shops already exists".
    """
    tables = set(sa.inspect(connection).get_table_names())
    if "alembic_version" in tables or LEGACY_TABLE not in tables:
        return
    names = [row[0] for row in connection.execute(
        sa.text(f"SELECT name FROM {LEGACY_TABLE} WHERE migration_set = :set ORDER BY rowid"), {"set": LEGACY_SET})]
    if names:
        released = HISTORY_NAMES[: len(names)]
        if len(set(names)) != len(names) or set(names) != set(released):
            raise MigrationError(
                f"{LEGACY_TABLE} lists {', '.join(names)}, which is not the start of Storelift's history "
                f"({', '.join(HISTORY_NAMES)}); this database was made by code this version does not know")
        command.stamp(config, released[-1])
    connection.execute(sa.text(f"DELETE FROM {LEGACY_TABLE} WHERE migration_set = :set"), {"set": LEGACY_SET})
    if connection.execute(sa.text(f"SELECT COUNT(*) FROM {LEGACY_TABLE}")).scalar() == 0:
        connection.execute(sa.text(f"DROP TABLE {LEGACY_TABLE}"))
