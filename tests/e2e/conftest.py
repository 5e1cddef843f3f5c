"""End-to-end fixtures: devstore and Storelift as real HTTP servers on loopback (``tests/support/e2e.py``)."""

from __future__ import annotations

import pytest

from ..support.e2e import Stack


@pytest.fixture
def stack(tmp_path):
    running = Stack(tmp_path, catalog_size=40, order_history=20)
    yield running
    running.close()
