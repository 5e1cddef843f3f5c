"""The database ``storelift`` commands open in a test: migrated, on the run's engine, in test mode."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from plugin.store import Store

from .database import database_url


@contextmanager
def cli_database(tmp_path, monkeypatch, name: str = "cli") -> Iterator[Store]:
    """The commands' database (``STORELIFT_DATABASE_URL``), migrated, as a store the test writes through."""
    url = database_url(tmp_path, name)
    monkeypatch.setenv("STORELIFT_MODE", "test")
    monkeypatch.setenv("STORELIFT_DATABASE_URL", url)
    store = Store(url)
    store.migrate()
    try:
        yield store
    finally:
        store.close()
