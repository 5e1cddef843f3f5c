"""Load generation for the benchmarks: closed-loop throughput and open-loop paced latency.

Plain ``http.client`` keep-alive connections in threads: the cheapest
client the standard library has, so that the client costs the same for the
bare route and for the route under test.
"""

from __future__ import annotations

import http.client
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

Request = tuple[str, str, bytes, dict]  # method, path, body, headers


@dataclass
class Result:
    requests: int
    seconds: float
    latencies_ms: list[float]
    errors: int
    server_cpu_s: float | None = None  # CPU the server process used meanwhile (``closed_loop``'s ``server``)

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds

    @property
    def server_ms_per_request(self) -> float:
        return self.server_cpu_s * 1000 / max(1, self.requests + self.errors)

    @property
    def server_busy(self) -> float:
        """The server's CPU over the run's wall time: about 1.0 for a Python server held by its interpreter lock."""
        return self.server_cpu_s / self.seconds

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies_ms)

    @property
    def p99(self) -> float:
        return self.percentile(99)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(module: str, *args: str, timeout_s: float = 30.0) -> tuple[subprocess.Popen, int]:
    """Start ``python -m module PORT *args`` and wait until it accepts connections (``timeout_s``: at most)."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", module, str(port), *args])
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process, port
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError(f"{module} did not start")


def process_cpu_s(pid: int) -> float:
    """User plus system CPU seconds process ``pid`` has used (Linux's /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _send(conn: http.client.HTTPConnection, request: Request) -> int:
    method, path, body, headers = request
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    response.read()
    return response.status


def closed_loop(port: int, requests: Callable[[], Iterator[Request]], total: int, threads: int = 4,
                server: int | None = None) -> Result:
    """As fast as ``threads`` keep-alive clients can go: throughput. ``server``: the serving process's pid,
    to report the CPU it spent per request (when it is busy about 100 %, that, not waiting, sets the rate)."""
    lock = threading.Lock()
    source = requests()
    prepared = [next(source) for _ in range(total)]  # the client's own work stays out of the timing
    latencies: list[float] = []
    errors = [0]
    cursor = [0]

    def run():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while True:
            with lock:
                if cursor[0] >= total:
                    return
                request = prepared[cursor[0]]
                cursor[0] += 1
            start = time.perf_counter()
            status = _send(conn, request)
            elapsed = (time.perf_counter() - start) * 1000
            with lock:
                if status == 200:
                    latencies.append(elapsed)
                else:
                    errors[0] += 1

    workers = [threading.Thread(target=run) for _ in range(threads)]
    cpu = None if server is None else process_cpu_s(server)
    start = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    seconds = time.perf_counter() - start
    cpu = None if server is None else process_cpu_s(server) - cpu
    return Result(len(latencies), seconds, latencies, errors[0], cpu)


def paced(port: int, requests: Callable[[], Iterator[Request]], rate: float, seconds: float, threads: int = 16) -> Result:
    """Open loop at ``rate`` requests/s: each request is due at its slot, latency counts from the slot."""
    total = int(rate * seconds)
    source = requests()
    prepared = [next(source) for _ in range(total)]
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    cursor = [0]
    begin = time.perf_counter() + 0.1

    def run():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while True:
            with lock:
                i = cursor[0]
                if i >= total:
                    return
                cursor[0] += 1
            due = begin + i / rate
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            status = _send(conn, prepared[i])
            elapsed = (time.perf_counter() - due) * 1000
            with lock:
                if status == 200:
                    latencies.append(elapsed)
                else:
                    errors[0] += 1

    workers = [threading.Thread(target=run) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return Result(len(latencies), time.perf_counter() - begin, latencies, errors[0])
