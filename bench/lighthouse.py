"""Lighthouse benchmark: what the app embed costs the demo storefront's performance score.

Starts ``storelift demo`` (devstore + Storelift, blocks on the home, product and cart pages) and
runs Lighthouse (the npm package, pinned in package.json; Debian's chromium through CHROME_PATH)
on its home page and a product page, mobile and desktop, with the theme's app embed on and off
(devstore's theme control, between runs). The runs are interleaved (each round does every page,
device and embed state, the embed's order alternating) so that load on the machine falls on
both sides alike; each combination runs ``--runs`` times (default 3). Prints the median
performance score with and without the embed and its cost in points, and the median largest
contentful paint and cumulative layout shift, and in how many runs with the embed the largest
paint was a lazily loaded image (Lighthouse's lcp-lazy-loaded audit). Run: ``python -m bench.lighthouse`` (after
``npm ci``).

Targets: a cost of 0 points on every page and device; no lazily loaded largest paint.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu --no-first-run --disable-background-networking"
DEVICES = ("mobile", "desktop")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_demo(workdir: Path) -> tuple[subprocess.Popen, str]:
    """The demo as a newcomer runs it; returns the process and the storefront's URL once it is up."""
    process = subprocess.Popen(
        [sys.executable, "-m", "plugin.cli", "demo", "--port", str(free_port()), "--store-port", str(free_port()),
         "--db", str(workdir / "demo.db")],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    storefront = None
    for line in process.stdout:
        if line.strip().startswith("Storefront:"):
            storefront = line.split()[-1]
        if "Press Ctrl-C" in line:
            break
    if storefront is None:
        process.terminate()
        raise SystemExit("the demo did not start")
    # Drain its output from here on, so a full pipe never blocks it.
    threading.Thread(target=lambda: [None for _ in process.stdout], daemon=True).start()
    return process, storefront


def product_page(storefront: str) -> str:
    catalog = requests.get(storefront + "_devstore/catalog?status=active", timeout=10).json()["products"]
    handle = next(p["handle"] for p in catalog if all((v["inventory_quantity"] or 0) > 0 for v in p["variants"]))
    return storefront + f"products/{handle}"


def set_embed(storefront: str, enabled: bool) -> None:
    requests.post(storefront + "_devstore/theme/embeds", json={"block": "loader", "enabled": enabled},
                  timeout=10).raise_for_status()


def lighthouse(url: str, device: str, chrome: str) -> dict:
    command = [str(LIGHTHOUSE), url, "--only-categories=performance", "--output=json", "--output-path=stdout",
               "--quiet", f"--chrome-flags={CHROME_FLAGS}"]
    if device == "desktop":
        command.append("--preset=desktop")
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, env={**os.environ, "CHROME_PATH": chrome})
    if done.returncode != 0:
        raise SystemExit(f"lighthouse failed on {url}: {done.stderr[-2000:]}")
    report = json.loads(done.stdout)
    audits = report["audits"]
    lazy = audits.get("lcp-lazy-loaded", {})  # "the largest paint is an image marked loading=lazy"
    return {"score": round(report["categories"]["performance"]["score"] * 100),
            "lcp": audits["largest-contentful-paint"]["numericValue"],
            "cls": audits["cumulative-layout-shift"]["numericValue"],
            "lazy_lcp": lazy.get("score") == 0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per page, device and embed state")
    args = parser.parse_args()
    chrome = os.environ.get("CHROME_PATH") or shutil.which("chromium")
    if not LIGHTHOUSE.exists() or not chrome:
        raise SystemExit("needs `npm ci` (lighthouse) and chromium (apt-get install chromium, or CHROME_PATH)")
    with tempfile.TemporaryDirectory() as workdir:
        process, storefront = start_demo(Path(workdir))
        try:
            pages = {"home": storefront, "product": product_page(storefront)}
            results: dict[tuple, list[dict]] = {}
            started = time.monotonic()
            for run in range(args.runs):
                for page, url in pages.items():
                    for device in DEVICES:
                        states = (True, False) if run % 2 == 0 else (False, True)
                        for embed in states:
                            set_embed(storefront, embed)
                            results.setdefault((page, device, embed), []).append(lighthouse(url, device, chrome))
                print(f"round {run + 1}/{args.runs} done ({time.monotonic() - started:.0f} s)", flush=True)
        finally:
            set_embed(storefront, True)
            process.terminate()
            process.wait(timeout=30)
    print(f"\nLighthouse performance, median of {args.runs} runs (embed on / off):")
    print(f"{'page':<8} {'device':<8} {'score':>9} {'cost':>5} {'LCP ms':>13} {'LCP diff':>9} {'CLS on':>7} "
          f"{'lazy LCP':>9}")
    for page in ("home", "product"):
        for device in DEVICES:
            on, off = results[(page, device, True)], results[(page, device, False)]
            score_on, score_off = (statistics.median(r["score"] for r in x) for x in (on, off))
            lcp_on, lcp_off = (statistics.median(r["lcp"] for r in x) for x in (on, off))
            cls_on = statistics.median(r["cls"] for r in on)
            lazy = sum(r["lazy_lcp"] for r in on)
            print(f"{page:<8} {device:<8} {score_on:>4.0f}/{score_off:<4.0f} {score_off - score_on:>5.0f} "
                  f"{lcp_on:>6.0f}/{lcp_off:<6.0f} {lcp_on - lcp_off:>+9.0f} {cls_on:>7.3f} {lazy:>4}/{len(on)}")
    print("Targets: a cost of 0 points everywhere; no lazily loaded largest paint (0/runs).")


if __name__ == "__main__":
    main()
