"""The app under its production server, plus a bare route, for benchmarks.

Run as ``python -m bench.server PORT DB``. The bare ``/bare`` route is
registered on the very same app and server, so a benchmark's baseline pays
the same server, WSGI and Flask costs and the ratio isolates Storelift's own
work.
"""

from __future__ import annotations

import logging
import sys

import waitress

from plugin.app import create_app

BENCH_KEY = "bench-api-key"
BENCH_SECRET = "bench-secret-0123456789abcdef0123456789"


def build(db: str):
    app = create_app({"mode": "test", "api_key": BENCH_KEY, "api_secrets": (BENCH_SECRET,),
                      "app_url": "https://storelift.bench", "database_url": db, "log_level": "WARNING"})

    @app.post("/bare")
    @app.get("/bare")
    def bare():
        return "", 200

    return app


if __name__ == "__main__":
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "queue depth" chatter under load
    port, db = int(sys.argv[1]), sys.argv[2]
    waitress.serve(build(db), host="127.0.0.1", port=port, threads=4, ident="bench", _quiet=True)
