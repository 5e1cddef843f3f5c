"""The storefront stack the browser tests drive (the ``browser`` fixture itself is in ``tests/conftest.py``)."""

from __future__ import annotations

import pytest

from ..support.storefront import StorefrontStack

@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    running = StorefrontStack(tmp_path_factory.mktemp("browser"), settings={}, pool=60)
    yield running
    running.close()
