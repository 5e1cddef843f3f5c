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
scale test, which restarts the server, starts one of its own.
"""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg

BIN_DIRS = [Path("/usr/lib/postgresql/15/bin"), *sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)]
FAST_SETTINGS = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off", "max_connections": "400"}
TEMPLATE = "storelift_template"


def binary(name: str) -> str:
    for folder in BIN_DIRS:
        if (folder / name).exists():
            return str(folder / name)
    found = shutil.which(name)
    if not found:
        raise RuntimeError(f"PostgreSQL's {name} is not installed (Debian: apt-get install postgresql)")
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_server_user(argv: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


class Cluster:
    """One initdb'd data folder and its postmaster; ``url`` is a superuser URL on loopback."""

    def __init__(self, settings: dict[str, str] | None = None):
        self.folder = Path(tempfile.mkdtemp(prefix="storelift-pg-"))
        self.data = self.folder / "data"
        self.port = free_port()
        self.settings = {**FAST_SETTINGS, **(settings or {})}
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
        subprocess.run(_as_server_user([binary("initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust",
                                        "-E", "UTF8", "--locale=C.UTF-8"]),
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.start()

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _options(self) -> str:
        pairs = {"port": str(self.port), "listen_addresses": "127.0.0.1", "unix_socket_directories": str(self.folder),
                 **self.settings}
        return " ".join(f"-c {key}={value}" for key, value in pairs.items())

    def start(self) -> None:
        subprocess.run(_as_server_user([binary("pg_ctl"), "-D", str(self.data), "-o", self._options(), "-w",
                                        "-l", str(self.folder / "server.log"), "start"]),
                       check=True, stdout=subprocess.DEVNULL)

    def stop(self, mode: str = "fast") -> None:
        subprocess.run(_as_server_user([binary("pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop"]),
                       check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def remove(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.folder, ignore_errors=True)


def _with_database(url: str, name: str) -> str:
    return url.rsplit("/", 1)[0] + "/" + name


class Databases:
    """Fresh, migrated databases on one server, each dropped when its test ends."""

    def __init__(self, admin_url: str):
        self.admin_url = admin_url
        self._names = (f"storelift_t{os.getpid()}_{n}" for n in itertools.count())
        self._live: list[str] = []
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

    def fresh(self, empty: bool = False) -> str:
        """A URL to a new database with the current schema (none if ``empty``)."""
        if not self._template_ready and not empty:
            self._prepare_template()
        name = next(self._names)
        for attempt in range(50):  # the template must have no other session while it is copied
            try:
                self._admin(f"CREATE DATABASE {name} TEMPLATE {'template0' if empty else TEMPLATE}")
                break
            except psycopg.errors.ObjectInUse:
                time.sleep(0.05 * (attempt + 1))
        self._live.append(name)
        return _with_database(self.admin_url, name)

    def drop_all(self) -> None:
        names, self._live = self._live, []
        for name in names:
            self._admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
