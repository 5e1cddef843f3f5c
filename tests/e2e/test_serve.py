"""`storelift serve` in production mode: waitress, environment config, the in-process worker."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time

import requests

from plugin.store import Store

from tests.support.signing import webhook_signature
from tests.support.servers import free_port
from tests.support.paths import ROOT
from tests.support.shops import install

SECRET = "serve-secret-0123456789abcdef0123456789"
SHOP = "serve-shop.myshopify.com"


def wait_for_port(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert process.poll() is None, "server exited"
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError("server did not start")


def test_serve_accepts_webhooks_and_its_worker_thread_processes_them(tmp_path):
    db = str(tmp_path / "prod.db")
    store = Store(db)
    store.migrate()
    install(store, SHOP)
    port = free_port()
    env = {**os.environ, "STORELIFT_API_KEY": "serve-key", "STORELIFT_API_SECRET": f"{SECRET},older-secret",
           "STORELIFT_APP_URL": "https://storelift.example.com", "STORELIFT_DB": db, "STORELIFT_RUN_WORKER": "1"}
    env.pop("STORELIFT_MODE", None)
    process = subprocess.Popen([sys.executable, "-m", "plugin.cli", "serve", "--port", str(port)], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port, process)
        body = json.dumps({"id": 1234567890123456789, "title": "Mug", "handle": "mug", "status": "active",
                           "updated_at": "2026-11-20T10:00:00Z", "variants": []}).encode()
        response = requests.post(f"http://127.0.0.1:{port}/webhooks", data=body, timeout=10, headers={
            "Content-Type": "application/json", "X-Shopify-Topic": "products/create",
            "X-Shopify-Shop-Domain": SHOP, "X-Shopify-Hmac-Sha256": webhook_signature(body, SECRET),
            "X-Shopify-Event-Id": "serve-1"})
        assert response.status_code == 200
        deadline = time.monotonic() + 30
        while store.commerce.get_product(SHOP, "1234567890123456789") is None:
            assert time.monotonic() < deadline, "the in-process worker did not handle the delivery"
            time.sleep(0.05)
        assert requests.get(f"http://127.0.0.1:{port}/", timeout=10).status_code == 200
    finally:
        process.terminate()
        process.wait(timeout=30)
        store.close()


def test_proxy_hops_decide_which_forwarded_address_is_the_client():
    from tests.support.storefront import BehindProxy

    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [environ["REMOTE_ADDR"].encode()]

    seen = {}
    for hops in (1, 2):
        port = free_port()
        server = BehindProxy(app, port, threads=2, proxy_hops=hops)
        try:
            # The shopper's browser (1.1.1.1) sent a forged 6.6.6.6; the platform's proxy appended
            # 1.1.1.1; a load balancer in front of Storelift appended the proxy's own 2.2.2.2.
            response = requests.get(f"http://127.0.0.1:{port}/", timeout=10,
                                    headers={"X-Forwarded-For": "6.6.6.6, 1.1.1.1, 2.2.2.2"})
            seen[hops] = response.text
        finally:
            server.close()
    assert seen == {1: "2.2.2.2", 2: "1.1.1.1"}
