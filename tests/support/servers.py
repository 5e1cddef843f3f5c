"""Real HTTP servers on loopback for the end-to-end and browser tests."""

from __future__ import annotations

import socket
import threading


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ServerThread:
    """A real HTTP server (waitress, the production server) on a loopback port, in a thread of its own."""

    def __init__(self, app, port: int = 0, **options):
        import waitress.server

        self.server = waitress.server.create_server(app, host="127.0.0.1", port=port, **{"threads": 8, **options})
        self.port = self.server.effective_port
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        try:
            self.server.run()
        except OSError:  # close() shuts the listening socket under the loop's select(): the server has stopped
            pass

    def close(self):
        self.server.close()
        self.thread.join(timeout=5)
