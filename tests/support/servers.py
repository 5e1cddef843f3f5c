"""Real HTTP servers on loopback for the end-to-end and browser tests."""

from __future__ import annotations

import socket
import threading


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ServerThread:
    """A real HTTP server (waitress, the production server) on a loopback port."""

    def __init__(self, app, port: int = 0, threads: int = 8):
        import waitress.server

        self.server = waitress.server.create_server(app, host="127.0.0.1", port=port, threads=threads)
        self.port = self.server.effective_port
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()

    def close(self):
        self.server.close()
