"""``storelift worker``: a job runner process (the webhook inbox and every background job).

Run as many as you like beside ``serve``: claims are leased rows, so no job runs twice. It lives in
the CLI's root because it needs the app's list of job kinds (``plugin.app.build_services``) without
building an app.
"""

from __future__ import annotations

from ..app import build_services
from ..jobs import run_process


def _worker(args) -> int:
    print("storelift worker running the webhook inbox and background jobs (Ctrl-C to stop)", flush=True)
    run_process(build_services(), threads=args.threads)
    return 0


def register(commands) -> None:
    worker = commands.add_parser("worker", help="run a job runner process (webhook inbox and background jobs)")
    worker.add_argument("--threads", type=int, default=1, choices=range(1, 33), metavar="N",
                        help="runners in this process, 1 to 32 (default 1); on PostgreSQL a few per process "
                             "keep it busy while each waits for the database")
    worker.set_defaults(func=_worker)
