"""A bare SQLite ``Database`` with one table, for the tests of the store's SQLite-only machinery."""

from __future__ import annotations

import pytest

from plugin.store.connection import Database


@pytest.fixture
def database_file(tmp_path):
    return tmp_path / "t.db"


@pytest.fixture
def database(database_file):
    db = Database(f"sqlite:///{database_file}")
    db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)")
    yield db
    db.close()
