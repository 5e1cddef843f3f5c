"""``storelift demo``: a simulated store and Storelift on loopback (``plugin.demo`` does the work)."""

from __future__ import annotations

import importlib


def _demo(args) -> int:
    return importlib.import_module("plugin.demo").run(args)


def register(commands) -> None:
    demo = commands.add_parser("demo", help="start a simulated store and Storelift, installed, on loopback")
    demo.add_argument("--port", type=int, default=8000, help="Storelift's port")
    demo.add_argument("--store-port", type=int, default=8001, help="the simulated store's port")
    demo.add_argument("--db", default="storelift-demo.db", help="the demo's database: a SQLite file (recreated) or an empty postgresql:// database")
    demo.add_argument("--no-wait", action="store_true", help="install, print the URLs and exit")
    demo.add_argument("--verbose", action="store_true", help="show every log line (requests, throttle waits)")
    demo.set_defaults(func=_demo)
