"""Shared fixtures: a fresh app and database per test, an installed shop, the shared data, a browser.

The browser is Playwright (Python) driving Debian's chromium, headless, one per test session (a
second Playwright in the same process would fail). Under CI (CI=true) a missing chromium or
Playwright is a failure, not a skip: the widget's acceptance tests must not silently vanish there.
Locally they skip. Helpers that are not fixtures live in ``tests/support/``.
"""

from __future__ import annotations

import os
import shutil

import pytest

from plugin.app import create_app

from .support import database
from .support.app import SHOP, base_overrides
from .support.paths import SHARED
from .support.shops import install


def pytest_addoption(parser):
    parser.addoption("--database", choices=("sqlite", "postgresql"), default="sqlite",
                     help="the engine every test's database runs on")


def pytest_configure(config):
    os.environ[database.ENGINE_VARIABLE] = config.getoption("--database")


@pytest.fixture(scope="session", autouse=True)
def _test_database_engine(request):
    """The session's databases: a migrated SQLite template, or a PostgreSQL server (given, or a throwaway cluster)."""
    if not database.on_postgresql():
        yield
        database.remove_sqlite_template()
        return
    from .support.postgres import Cluster, Databases

    given = os.environ.get("STORELIFT_TEST_POSTGRES_URL")
    cluster = None if given else Cluster()
    database.use_postgres(Databases(given or cluster.url))
    yield
    if cluster is not None:
        cluster.remove()


@pytest.fixture(autouse=True)
def _drop_test_databases(request):
    yield
    database.drop_test_databases(request.node.funcargs.get("tmp_path"))


@pytest.fixture
def app(tmp_path):
    application = create_app(base_overrides(tmp_path))
    yield application
    application.extensions["storelift"].store.close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def store(app):
    return app.extensions["storelift"].store


@pytest.fixture
def installed_shop(store):
    """A shop with a live token, as after a successful install."""

    def make(shop: str = SHOP, token: str = "shpat_test", expires_in_ms: int = 3_600_000):
        return install(store, shop, token=token, scopes=("read_products", "read_orders"), expires_in_ms=expires_in_ms)

    return make


@pytest.fixture(scope="session")
def shared():
    """``shared/`` beside the checkout: real platform payloads and retail datasets."""
    return SHARED


CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run",
        # A shopper's browser: navigator.webdriver false (automation is otherwise dropped as a bot).
        "--disable-blink-features=AutomationControlled"]


def _unavailable(reason: str):
    if os.environ.get("CI") == "true":
        pytest.fail(f"browser tests cannot run under CI: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed")
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        _unavailable(f"{CHROMIUM} is missing (apt-get install chromium)")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium"),
                                     headless=True, args=ARGS)
        yield chromium
        chromium.close()
