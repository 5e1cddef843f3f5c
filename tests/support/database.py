"""Which engine this test run uses, and a fresh database on it for each test that asks.

``pytest`` runs the suite on SQLite; ``pytest --database=postgresql`` runs the
same tests on PostgreSQL (tests/support/postgres.py starts the server). A test
asks ``database_url(tmp_path, name)`` for a database of its own and never
names an engine, unless it is about one engine: then it carries
``only_on("sqlite", reason)`` or ``only_on("postgresql", reason)``.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

ENGINE_VARIABLE = "STORELIFT_TEST_ENGINE"
_databases = None  # postgres.Databases, once the session's server is up
_sqlite_template: Path | None = None  # a migrated SQLite file, copied for each test


def engine() -> str:
    return os.environ.get(ENGINE_VARIABLE, "sqlite")


def on_postgresql() -> bool:
    return engine() == "postgresql"


def use_postgres(databases) -> None:
    global _databases
    _databases = databases


def database_url(tmp_path, name: str = "storelift", *, empty: bool = False) -> str:
    """A new database for this test: on PostgreSQL copied from a migrated template unless ``empty``
    (a SQLite file starts empty either way; opening a Store migrates it)."""
    if on_postgresql():
        return _databases.fresh(str(tmp_path), empty=empty)
    path = tmp_path / (name + ".db")
    if not empty:  # running the whole history for each of a thousand tests would dominate the suite's time
        shutil.copyfile(_migrated_sqlite_file(), path)
    return f"sqlite:///{path}"


def _migrated_sqlite_file() -> Path:
    global _sqlite_template
    if _sqlite_template is None:
        from plugin.store import Store

        path = Path(tempfile.mkdtemp(prefix="storelift-template-")) / "template.db"
        store = Store(str(path))
        store.migrate()
        store.close()
        _sqlite_template = path
    return _sqlite_template


def drop_test_databases(tmp_path) -> None:
    """Drop the databases a test made in its own temporary folder; a module's or a session's
    fixtures make theirs in a folder of their own, which lives on (the server goes at the end)."""
    if _databases is not None and tmp_path is not None:
        _databases.drop(str(tmp_path))


def remove_sqlite_template() -> None:
    if _sqlite_template is not None:
        shutil.rmtree(_sqlite_template.parent, ignore_errors=True)


def only_on(name: str, reason: str):
    """Mark a test that is about one engine; ``reason`` says why it cannot run on the other."""
    return pytest.mark.skipif(engine() != name, reason=f"{name} only: {reason}")
