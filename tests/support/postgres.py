"""A throwaway PostgreSQL 15 server for one test session, from the system's own binaries.

The suite runs against PostgreSQL when pytest is given ``--database=postgresql``.
If ``STORELIFT_TEST_POSTGRES_URL`` names a server (a superuser URL), it is used;
otherwise a cluster is created in a temporary folder with Debian's ``initdb``
and ``pg_ctl`` and started on a free loopback port, and removed at the end.
PostgreSQL refuses to run as root, so under root the server runs as the
``postgres`` user the Debian package creates.

Each test gets a database of its own, copied from a template that already has
the schema (``CREATE DATABASE … TEMPLATE``), and dropped when the test ends.
Durability settings are off: a test server that loses its data on a power cut
loses nothing anyone needs, and fsyncs would dominate the suite's time. The
scale test, which restarts the server, starts one of its own. ``Cluster`` lives in
``bench/fleet.py`` because ``bench/scale.py`` starts one too and benchmarks do not import tests.
"""

from __future__ import annotations

import itertools
import os
import time

import psycopg

from bench.fleet import FAST_SETTINGS, Cluster  # noqa: F401  (the cluster is shared with bench/scale.py)

TEMPLATE = "storelift_template"


def _with_database(url: str, name: str) -> str:
    return url.rsplit("/", 1)[0] + "/" + name


class Databases:
    """Fresh, migrated databases on one server, each dropped when its test ends."""

    def __init__(self, admin_url: str):
        self.admin_url = admin_url
        self._names = (f"storelift_t{os.getpid()}_{n}" for n in itertools.count())
        self._live: dict[str, list[str]] = {}  # owner -> database names
        self._template_ready = False

    def _admin(self, sql: str) -> None:
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(sql)

    def _prepare_template(self) -> None:
        from plugin.store import Store

        self._admin(f"DROP DATABASE IF EXISTS {TEMPLATE} WITH (FORCE)")
        self._admin(f"CREATE DATABASE {TEMPLATE}")
        store = Store(_with_database(self.admin_url, TEMPLATE))
        try:
            store.migrate()
        finally:
            store.close()
        self._template_ready = True

    def fresh(self, owner: str, empty: bool = False) -> str:
        """A URL to a new database with the current schema (none if ``empty``), dropped with ``drop(owner)``."""
        if not self._template_ready and not empty:
            self._prepare_template()
        name = next(self._names)
        for attempt in range(50):  # the template must have no other session while it is copied
            try:
                self._admin(f"CREATE DATABASE {name} TEMPLATE {'template0' if empty else TEMPLATE}")
                break
            except psycopg.errors.ObjectInUse:
                time.sleep(0.05 * (attempt + 1))
        self._live.setdefault(owner, []).append(name)
        return _with_database(self.admin_url, name)

    def drop(self, owner: str) -> None:
        """Drop the databases made for ``owner`` (a test's temporary folder)."""
        for name in self._live.pop(owner, []):
            self._admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
