"""Storelift as it is deployed, on one machine: a PostgreSQL cluster, web servers behind a load balancer, workers.

The scale test (tests/scale/) and ``bench/scale.py`` both need the same real
processes on loopback, started the way an operator starts them
(``storelift serve``, ``storelift worker``), killed the way a machine kills
them (SIGKILL) and always all stopped at the end, so this is the one module that
does it. It lives under ``bench/`` because benchmarks must not import the tests;
the tests import it from here.

- ``Cluster``: a throwaway PostgreSQL server from Debian's ``initdb``/``pg_ctl``
  (the test suite's server too, with durability off; the scale run turns it on).
- ``Process``: one child with its output in a log file of its own.
- ``Balancer``: Debian's haproxy as a child process with a generated config:
  round robin, an HTTP health check every 200 ms (a static file every web
  process serves), and a retry on another server when a connection is refused,
  so a dead web process is routed around within a fraction of a second. Like
  any load balancer it appends its peer to ``X-Forwarded-For``; the web
  processes run with ``--proxy-hops 2`` and so still see each shopper.
- ``Fleet``: N ``storelift serve`` + the balancer + M ``storelift worker``.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN_DIRS = [Path("/usr/lib/postgresql/15/bin"), *sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)]
FAST_SETTINGS = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off", "max_connections": "400"}
DURABLE_SETTINGS = {"fsync": "on", "synchronous_commit": "on", "full_page_writes": "on"}
HEALTH_PATH = "/widgets/static/loader.js"  # served by every web process without the database


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process {process.args!r} exited with {process.returncode} before listening")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on port {port} after {timeout:.0f} s")


# --------------------------------------------------------------------------- PostgreSQL


def binary(name: str) -> str:
    for folder in BIN_DIRS:
        if (folder / name).exists():
            return str(folder / name)
    found = shutil.which(name)
    if not found:
        raise RuntimeError(f"PostgreSQL's {name} is not installed (Debian: apt-get install postgresql)")
    return found


def _as_server_user(argv: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: under root the server runs as the Debian package's ``postgres``."""
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


class Cluster:
    """One initdb'd data folder and its postmaster; ``url`` is a superuser URL on loopback."""

    def __init__(self, settings: dict[str, str] | None = None):
        self.folder = Path(tempfile.mkdtemp(prefix="storelift-pg-"))
        self.data = self.folder / "data"
        self.port = free_port()
        self.settings = {**FAST_SETTINGS, **(settings or {})}
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
        subprocess.run(_as_server_user([binary("initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust",
                                        "-E", "UTF8", "--locale=C.UTF-8"]),
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.start()

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def database_url(self, name: str) -> str:
        return self.url.rsplit("/", 1)[0] + "/" + name

    def _options(self) -> str:
        pairs = {"port": str(self.port), "listen_addresses": "127.0.0.1", "unix_socket_directories": str(self.folder),
                 **self.settings}
        return " ".join(f"-c {key}={value}" for key, value in pairs.items())

    def start(self) -> None:
        subprocess.run(_as_server_user([binary("pg_ctl"), "-D", str(self.data), "-o", self._options(), "-w",
                                        "-l", str(self.folder / "server.log"), "start"]),
                       check=True, stdout=subprocess.DEVNULL)

    def stop(self, mode: str = "fast") -> None:
        subprocess.run(_as_server_user([binary("pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop"]),
                       check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def create_database(self, name: str) -> str:
        """A new empty database on this server; returns its URL."""
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {name}")
        return self.database_url(name)

    def remove(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.folder, ignore_errors=True)


# --------------------------------------------------------------------------- child processes


class Process:
    """One child process, its stdout and stderr in ``log``; SIGKILLed by ``kill`` (the default way out)."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], log: Path):
        self.name, self.argv, self.env, self.log = name, argv, env, log
        self.popen: subprocess.Popen | None = None

    def start(self) -> "Process":
        with open(self.log, "ab") as out:
            self.popen = subprocess.Popen(self.argv, env=self.env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                          stdin=subprocess.DEVNULL)
        return self

    @property
    def pid(self) -> int:
        return self.popen.pid

    @property
    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def kill(self, sig: int = signal.SIGKILL, timeout: float = 10.0) -> None:
        if self.alive:
            self.popen.send_signal(sig)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(timeout)

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


def storelift(*args: str) -> list[str]:
    """The ``storelift`` command, run by this interpreter (so a worktree runs its own code)."""
    return [sys.executable, "-m", "plugin.cli", *args]


def child_env(overrides: dict[str, str]) -> dict[str, str]:
    """This process's environment, this checkout first on the path, plus ``overrides``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("STORELIFT_")}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])
    env["PYTHONUNBUFFERED"] = "1"
    return {**env, **overrides}


class Balancer:
    """haproxy in the foreground (``-db``) with a generated config; ``port`` is the one front door."""

    def __init__(self, folder: Path, backends: list[int], env: dict[str, str]):
        self.port = free_port()
        self.config = folder / "haproxy.cfg"
        servers = "\n".join(f"    server web{n} 127.0.0.1:{port} check" for n, port in enumerate(backends))
        self.config.write_text(f"""global
    maxconn 4000
defaults
    mode http
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    timeout http-keep-alive 60s
    retries 3
    option redispatch
    option forwardfor
frontend storelift
    bind 127.0.0.1:{self.port}
    default_backend web
backend web
    balance roundrobin
    option httpchk GET {HEALTH_PATH}
    http-check expect status 200
    default-server inter 200ms fastinter 100ms downinter 200ms fall 2 rise 2
{servers}
""")
        haproxy = shutil.which("haproxy") or "/usr/sbin/haproxy"
        if not os.path.exists(haproxy):
            raise RuntimeError("haproxy is not installed (Debian: apt-get install haproxy)")
        self.process = Process("haproxy", [haproxy, "-db", "-f", str(self.config)], env, folder / "haproxy.log")

    def start(self, timeout: float = 20.0) -> None:
        self.process.start()
        wait_for_port(self.port, timeout, self.process.popen)
        deadline = time.monotonic() + timeout
        while True:  # up once a health check has passed on some server
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{HEALTH_PATH}", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("haproxy never found a healthy web process:\n" + self.process.output()[-2000:])
            time.sleep(0.1)


class Fleet:
    """``web`` × ``storelift serve`` behind haproxy and ``workers`` × ``storelift worker``, all on loopback.

    ``env`` is the deployment's ``STORELIFT_*`` configuration (the database URL,
    the secrets…); the fleet adds ``STORELIFT_WEB_PROCESSES``. Use it as a context
    manager: every child is SIGKILLed on the way out, whatever happened.
    """

    def __init__(self, folder: Path, env: dict[str, str], *, web: int = 2, workers: int = 4, threads: int = 8,
                 balancer: bool = True, runners: int = 1):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.env = child_env({**env, "STORELIFT_WEB_PROCESSES": str(max(1, web))})
        self.web_ports = [free_port() for _ in range(web)]
        # Behind our own balancer there are two proxy hops: the platform's app proxy and haproxy.
        self.webs = [Process(f"web{n}", storelift("serve", "--port", str(port), "--threads", str(threads),
                                                 "--proxy-hops", "2"), self.env, self.folder / f"web{n}.log")
                     for n, port in enumerate(self.web_ports)]
        self.runners = runners  # ``storelift worker --threads``
        self.workers = [self._worker(n) for n in range(workers)]
        self.balancer = Balancer(self.folder, self.web_ports, self.env) if balancer and web else None
        self.restarts = 0

    def _worker(self, n: int) -> Process:
        return Process(f"worker{n}", storelift("worker", "--threads", str(self.runners)), self.env,
                       self.folder / f"worker{n}.log")

    @property
    def port(self) -> int:
        """The balancer's port (the one URL the platform and shoppers know)."""
        return self.balancer.port if self.balancer else self.web_ports[0]

    def start(self, timeout: float = 60.0) -> "Fleet":
        for web in self.webs:
            web.start()
        for port, web in zip(self.web_ports, self.webs):
            wait_for_port(port, timeout, web.popen)
        if self.balancer:
            self.balancer.start()
        for worker in self.workers:
            worker.start()
        return self

    def start_workers(self) -> None:
        for worker in self.workers:
            if not worker.alive:
                worker.start()

    def kill_web(self, n: int) -> int:
        pid = self.webs[n].pid
        self.webs[n].kill()
        return pid

    def start_web(self, n: int, timeout: float = 60.0) -> None:
        self.webs[n].start()
        wait_for_port(self.web_ports[n], timeout, self.webs[n].popen)

    def kill_worker(self, n: int) -> int:
        pid = self.workers[n].pid
        self.workers[n].kill()
        return pid

    def restart_worker(self, n: int) -> None:
        """A supervisor's restart: a new process (new pid, new lease name) in the dead one's place."""
        self.workers[n].kill()
        self.workers[n] = self._worker(n)
        self.workers[n].start()
        self.restarts += 1

    def stop_workers(self) -> None:
        for worker in self.workers:
            worker.kill(signal.SIGTERM, timeout=30)

    def close(self) -> None:
        for process in [*self.workers, *self.webs, *([self.balancer.process] if self.balancer else [])]:
            try:
                process.kill()
            except Exception:  # keep killing the rest
                pass

    def __enter__(self) -> "Fleet":
        try:
            return self.start()
        except BaseException:
            self.close()
            raise

    def __exit__(self, *exc) -> None:
        self.close()

    def check_alive(self) -> None:
        """Raise, with its log, if a child that should be running has exited on its own."""
        for process in [*self.webs, *self.workers]:
            if process.popen is not None and not process.alive and process.popen.returncode != -signal.SIGKILL:
                raise RuntimeError(f"{process.name} exited with {process.popen.returncode}:\n{process.output()[-2000:]}")

    def logs(self, tail: int = 3000) -> str:
        """The end of every child's log, for a failure message."""
        parts = [f"--- {p.name} ---\n{p.output()[-tail:]}" for p in [*self.webs, *self.workers]]
        if self.balancer:
            parts.append(f"--- haproxy ---\n{self.balancer.process.output()[-tail:]}")
        return "\n".join(parts)
