"""The end-to-end stack: devstore and Storelift as real HTTP servers on loopback, wired to each other."""

from __future__ import annotations

import devstore
from plugin.app import create_app
from plugin.jobs import Runner

from .shops import without_holdouts
from .database import database_url
from .servers import ServerThread, free_port

API_KEY = "e2e-api-key"
SECRET = "e2e-secret-0123456789abcdef0123456789ab"
SHOP = "e2e.devstore.test"


class Stack:
    """A running devstore + Storelift pair wired to each other."""

    def __init__(self, tmp_path, **store_settings):
        port = free_port()
        self.app_url = f"http://127.0.0.1:{port}"
        settings = devstore.Settings(
            shop_domain=SHOP,
            apps=[devstore.AppRegistration(api_key=API_KEY, api_secret=SECRET, app_url=self.app_url)],
            webhook_retry_delays=(0.05, 0.1, 0.2),
            **store_settings,
        )
        self.store_url, self._stop_store = devstore.serve_in_thread(settings, port=0)
        self.app = create_app(
            {
                "mode": "test",
                "api_key": API_KEY,
                "api_secrets": (SECRET,),
                "app_url": self.app_url,
                "database_url": database_url(tmp_path, "e2e"),
                "platform_domain": "devstore.test",
                "shop_urls": {SHOP: self.store_url},
            }
        )
        self.store = self.app.extensions["storelift"].store
        without_holdouts(self.store, SHOP)
        self.server = ServerThread(self.app, port=port)

    def run_jobs(self) -> None:
        """Run the due background jobs (the first sync, refills, customer syncs) on this thread.

        This stack runs no worker, so its tests decide when webhook deliveries are processed.
        """
        runner = Runner(self.app.extensions["storelift"])
        while runner.run_jobs_once():
            pass

    def close(self):
        self.server.close()
        self._stop_store()
        self.store.close()
