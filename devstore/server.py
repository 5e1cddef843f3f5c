"""Run a shop on a real loopback HTTP server, in this thread or a background one.

End-to-end tests need a real socket (the app under test makes real HTTP
calls back), so ``serve_in_thread`` binds first, learns the port, then sets
``public_url`` before the app is built: absolute URLs (images, checkout
recovery links) point at the actual server.
"""

from __future__ import annotations

import threading
from typing import Callable

from werkzeug.serving import make_server

from .app import create_app
from .settings import Settings


def _not_ready(environ, start_response):
    start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
    return [b"devstore is starting"]


def serve_in_thread(settings: Settings, port: int = 0) -> tuple[str, Callable[[], None]]:
    """Start the shop on 127.0.0.1:port (0 = any free port); returns (base_url, shutdown)."""
    server = make_server("127.0.0.1", port, _not_ready, threaded=True)
    base_url = f"http://127.0.0.1:{server.server_port}"
    settings.public_url = base_url
    app = create_app(settings)
    server.app = app
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              name=f"devstore-{server.server_port}", daemon=True)
    thread.start()

    def shutdown() -> None:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        app.extensions["devstore"].close()

    return base_url, shutdown
