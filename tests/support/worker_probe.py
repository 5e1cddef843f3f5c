"""A webhook worker process for the process-level tests, with observable handlers.

Run as ``python -m tests.support.worker_probe DB MODE [MARKER]``:

- ``hang``: the handler writes its effect, touches MARKER, then blocks (to be SIGKILLed mid-transaction);
- ``count``: the real topic handler runs, plus one probe row per delivery and process, to count
  applications; with a MARKER folder it first announces itself there and waits for ``go``, so
  that two processes start draining together.
"""

from __future__ import annotations

import os
import pathlib
import sys
import time

from plugin.store import Store
from webhooks.handlers import HANDLERS
from tests.support.jobs import runner


def probe(store, delivery):
    store.database.execute("INSERT INTO probe (delivery, pid) VALUES (:delivery, :pid)",
                           {"delivery": delivery.id, "pid": os.getpid()})


def main(db: str, mode: str, marker: str | None = None) -> None:
    store = Store(db)
    if mode == "hang":
        def handler(store_, delivery, payload):
            probe(store_, delivery)
            pathlib.Path(marker).write_text(str(delivery.id))
            time.sleep(120)
        runner(store, {"orders/create": handler}, lease_ms=1000).run_until_idle()
    else:
        if marker:
            folder = pathlib.Path(marker)
            (folder / f"ready-{os.getpid()}").touch()
            while not (folder / "go").exists():
                time.sleep(0.01)
        real = HANDLERS["orders/create"]

        def handler(store_, delivery, payload):
            real(store_, delivery, payload)
            probe(store_, delivery)
        runner(store, {"orders/create": handler}, batch=20).run_until_idle()


if __name__ == "__main__":
    main(*sys.argv[1:])
