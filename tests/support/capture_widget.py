"""The capture widget's shopper for the browser tests: one chromium context per shopper, console errors kept.

The widget's browser tests are split by topic over several modules
(tests/browser/test_storefront_widget_*.py); the devices they browse as, the
selectors of the widget and the quiet trigger settings they start from are the
same for all of them, so they live here once. The ``shopper`` fixture that
makes these is in tests/browser/conftest.py.
"""

from __future__ import annotations

import re

from tests.support.browser import CLS_PROBE
from tests.support.signing import BROWSER_UA, MOBILE_UA

DESKTOP = {"viewport": {"width": 1280, "height": 800}, "user_agent": BROWSER_UA}
MOBILE = {"viewport": {"width": 390, "height": 844}, "user_agent": MOBILE_UA, "is_mobile": True, "has_touch": True,
          "device_scale_factor": 2}
QUIET = {"delay_seconds": 0, "scroll_percent": 0, "exit_intent": False, "pages_viewed": 0, "add_to_cart": False}
TAB = "storelift-capture .tab"
PANEL = "storelift-capture [role=dialog]"


class Shopper:
    """One browser context with its console errors collected."""

    def __init__(self, browser, shop, **options):
        self.shop = shop
        self.context = browser.new_context(**(options or DESKTOP))
        self.context.add_init_script(CLS_PROBE)
        self.errors: list[str] = []
        self.page = self.context.new_page()
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(f"{m.text} {m.location.get('url')}"))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def open(self, path: str = "/", **kw):
        self.page.goto(self.shop.store_url + path, **kw)
        return self.page

    def products(self) -> list[str]:
        html = self.page.content()
        return re.findall(r'href="(/products/[^"]+)"', html)

    def close(self):
        self.context.close()


def settings(**triggers):
    return {"triggers": {**QUIET, **triggers}}


def js(page, expression):
    return page.evaluate(expression)
