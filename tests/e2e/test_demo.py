"""The README's demo command: it installs for real and prints URLs whose pages load (the Mail inbox too)."""

from __future__ import annotations

import html
import os
import re
import shlex
import subprocess
import sys
import time

import requests

from tests.support.servers import free_port
from tests.support.paths import ROOT

SHOP = "demo.devstore.test"


def test_storelift_demo_prints_urls_that_load(tmp_path):
    app_port, store_port = free_port(), free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "plugin.cli", "demo", "--port", str(app_port), "--store-port", str(store_port),
         "--db", str(tmp_path / "demo.db")],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    try:
        urls, export, deadline = {}, None, time.monotonic() + 120
        for line in process.stdout:
            match = re.match(r"\s+(Storefront|Store admin|Storelift admin|Storelift app|Mail):\s+(\S+)", line)
            if match:
                urls[match.group(1)] = match.group(2)
            if line.strip().startswith("export STORELIFT_"):
                export = line.strip()
            if export or time.monotonic() > deadline:
                break
        assert set(urls) == {"Storefront", "Store admin", "Storelift admin", "Storelift app", "Mail"}, urls
        browser = requests.Session()
        for name, url in urls.items():
            assert browser.get(url, timeout=30).status_code == 200, name
        shop = browser.get(urls["Storefront"], timeout=30).text
        assert "/products/" in shop  # a real catalog
        assert "Mail" in browser.get(urls["Mail"], timeout=30).text  # the demo's inbox of sent emails
        embedded = browser.get(urls["Storelift admin"], timeout=30).text
        frame = html.unescape(re.search(r'<iframe[^>]+src="([^"]+)"', embedded).group(1))
        admin = browser.get(frame, timeout=30)
        assert admin.status_code == 200 and "<h1>What Storelift earned</h1>" in admin.text  # the landing page
        status = browser.get(admin.url.replace("/admin?", "/admin/status?", 1), timeout=30)
        assert status.status_code == 200 and "Installed" in status.text and "subscribed" in status.text

        # The printed environment line points storelift commands at the demo's database and store.
        env = {k: v for k, v in os.environ.items() if not k.startswith("STORELIFT_")}
        env.update(pair.split("=", 1) for pair in shlex.split(export.removeprefix("export ")))
        cli = subprocess.run([sys.executable, "-m", "plugin.cli", "privacy", "requests", "--shop", SHOP],
                             cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
        assert (cli.returncode, cli.stdout.strip()) == (0, "no privacy requests"), cli.stderr
        stats = subprocess.run([sys.executable, "-m", "plugin.cli", "webhooks", "stats", "--shop", SHOP],
                               cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
        assert stats.returncode == 0, stats.stderr
    finally:
        process.terminate()
        process.wait(timeout=30)
