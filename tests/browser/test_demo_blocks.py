"""The README's demo command, seen by a newcomer in a real browser.

``storelift demo`` runs as a subprocess (as in tests/e2e/test_demo.py). Within 30 s of the URLs being
printed, the storefront's home, product and cart pages show filled recommendation blocks, and the
console stays readable: at most 30 lines before the URLs and 30 after, while the shopper browses.
"""

from __future__ import annotations

import re
import subprocess
import sys
import threading
import time

import requests

from tests.support.servers import free_port
from tests.support.signing import BROWSER_UA
from tests.support.paths import ROOT

FILLED = "() => { const all = [...document.querySelectorAll('storelift-recs')];" \
         " return all.length > 0 && all.every(el => el.shadowRoot?.querySelector('a[data-i]')); }"
URL_LINE = re.compile(r"\s+(Storefront|Store admin|Storelift admin|Storelift app):\s+(\S+)")
BUDGET_MS = 30_000  # the promise: filled blocks within 30 s of the printed URLs


class Console:
    """The demo's merged stdout and stderr, collected line by line on a reader thread."""

    def __init__(self, process: subprocess.Popen):
        self.lines: list[str] = []
        self._changed = threading.Condition()
        self._thread = threading.Thread(target=self._read, args=(process,), daemon=True)
        self._thread.start()

    def _read(self, process):
        for line in process.stdout:
            with self._changed:
                self.lines.append(line.rstrip("\n"))
                self._changed.notify_all()

    def wait_for(self, pattern: str, timeout: float = 120) -> int:
        """Index of the first line matching ``pattern``."""
        with self._changed:
            found = self._changed.wait_for(
                lambda: next((i for i, line in enumerate(self.lines) if re.search(pattern, line)), None) is not None,
                timeout=timeout)
            assert found, "\n".join(self.lines)
            return next(i for i, line in enumerate(self.lines) if re.search(pattern, line))

    def finish(self):
        self._thread.join(timeout=30)


def blocks(page) -> list[str]:
    return page.evaluate("() => [...document.querySelectorAll('storelift-recs')].map(el => el.dataset.b)")


def test_the_demo_shows_filled_blocks_within_30_seconds_and_a_quiet_console(browser, tmp_path):
    app_port, store_port = free_port(), free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "plugin.cli", "demo", "--port", str(app_port), "--store-port", str(store_port),
         "--db", str(tmp_path / "demo.db")],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    console = Console(process)
    context = browser.new_context(viewport={"width": 1280, "height": 2400}, user_agent=BROWSER_UA)
    try:
        last_url_line = console.wait_for(r"Press Ctrl-C")
        printed_at = time.monotonic()
        urls = dict(m.groups() for line in console.lines if (m := URL_LINE.match(line)))
        first_url_line = min(i for i, line in enumerate(console.lines) if URL_LINE.match(line))
        page = context.new_page()

        def filled(url: str) -> list[str]:
            if url:
                page.goto(url)
            left = BUDGET_MS - (time.monotonic() - printed_at) * 1000
            page.wait_for_function(FILLED, timeout=max(left, 1))
            return blocks(page)

        assert filled(urls["Storefront"]) == ["for_you", "trending"]
        catalog = requests.get(urls["Storefront"] + "_devstore/catalog?status=active", timeout=10).json()["products"]
        handle = next(p["handle"] for p in catalog if all((v["inventory_quantity"] or 0) > 0 for v in p["variants"]))
        assert filled(urls["Storefront"] + f"products/{handle}") == ["frequently_bought_together", "similar_items"]
        page.locator("form.add-to-cart button[type=submit]").first.click()
        page.wait_for_url(re.compile(r"/cart$"))
        assert filled("") == ["cart"]
    finally:
        context.close()
        process.terminate()
        process.wait(timeout=30)
        console.finish()
    assert first_url_line <= 30, "\n".join(console.lines)
    assert len(console.lines) - last_url_line - 1 <= 30, "\n".join(console.lines)
