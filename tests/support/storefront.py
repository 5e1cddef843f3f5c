"""devstore + Storelift as real servers on loopback, Storelift installed through OAuth, the theme embed on.

Like ``tests/support/e2e.py``'s ``Stack``, plus what the storefront needs: the
theme app extension registered with devstore (so its pages carry the loader),
and capture settings and a code pool ready.
"""

from __future__ import annotations

import time

import requests

import devstore
from plugin.capture.pool import refill
from plugin.capture.settings import CAPTURE
from plugin.app import create_app
from plugin.cli.serve import server_options
from plugin.demo import install_through_oauth

from .shops import without_holdouts
from .database import database_url
from .jobs import wait_for_jobs
from .paths import ROOT
from .servers import ServerThread, free_port

API_KEY = "storefront-api-key"
SECRET = "storefront-secret-0123456789abcdef"
SHOP = "front.devstore.test"
EXTENSION = ROOT / "extensions" / "storelift-theme"


class BehindProxy(ServerThread):
    """Storelift under waitress configured as in production behind the platform's app proxy:
    the proxy's X-Forwarded-For is trusted, so each shopper has their own address."""

    def __init__(self, app, port: int, threads: int, proxy_hops: int = 1):
        super().__init__(app, port, **server_options(threads, proxy_hops))


class StorefrontStack:
    def __init__(self, tmp_path, settings: dict | None = None, pool: int = 0, threads: int = 16,
                 app_overrides: dict | None = None, order_history: int = 20):
        port = free_port()
        self.app_url = f"http://127.0.0.1:{port}"
        shop_settings = devstore.Settings(
            shop_domain=SHOP, catalog_size=40, order_history=order_history, customer_count=30,
            apps=[devstore.AppRegistration(api_key=API_KEY, api_secret=SECRET, app_url=self.app_url,
                                           theme_extension_dir=str(EXTENSION))],
            webhook_retry_delays=(0.05, 0.1, 0.2),
        )
        self.store_url, self._stop_store = devstore.serve_in_thread(shop_settings, port=0)
        self.app = create_app({
            "mode": "test", "api_key": API_KEY, "api_secrets": (SECRET,), "app_url": self.app_url,
            "database_url": database_url(tmp_path, "storefront"), "platform_domain": "devstore.test",
            "shop_urls": {SHOP: self.store_url}, "sync_on_install": False, "run_worker": True,
            **(app_overrides or {}),
        })
        self.config = self.app.extensions["storelift"].config
        self.store = self.app.extensions["storelift"].store
        without_holdouts(self.store, SHOP)
        self.server = BehindProxy(self.app, port, threads)
        install_through_oauth(self.store_url, self.app_url)
        if settings is not None:
            self.set_capture(settings)
        if pool:
            refill(self.config, self.store, SHOP, target=pool)

    def set_capture(self, settings: dict) -> None:
        CAPTURE.save(self.store, SHOP, settings)

    def control(self, path: str, body: dict | None = None) -> dict:
        response = requests.post(f"{self.store_url}/_devstore/{path}", json=body or {}, timeout=10)
        response.raise_for_status()
        return response.json()

    def graphql(self, query: str, variables: dict | None = None) -> dict:
        """A query as the app, waiting out the cost throttle as the platform client does: Storelift's
        own background jobs (code refills, customer syncs) share the app's query budget."""
        token = self.store.shops.get(SHOP).access_token
        deadline = time.monotonic() + 30
        while True:
            body = requests.post(f"{self.store_url}/admin/api/{self.config.api_version}/graphql.json",
                                 json={"query": query, "variables": variables or {}},
                                 headers={"X-Shopify-Access-Token": token}, timeout=10).json()
            throttled = any(e.get("extensions", {}).get("code") == "THROTTLED" for e in body.get("errors", []))
            if not throttled or time.monotonic() > deadline:
                return body["data"]
            time.sleep(0.5)

    def close(self) -> None:
        wait_for_jobs(self.store)  # code refills and customer syncs talking to this devstore finish first
        self.app.extensions["storelift.worker"].stop()
        self.server.close()
        self._stop_store()
        self.store.close()
