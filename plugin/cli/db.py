"""``storelift db copy``: move a store's data to another database, e.g. from its SQLite file to PostgreSQL.

The path docs/deploy.md describes for a store that outgrows one file: stop the
web and worker processes, copy, point ``STORELIFT_DATABASE_URL`` at the new
database, start them again.
"""

from __future__ import annotations

import sys

from ..config import load_config
from ..store import Store
from ..store.copy import TargetNotEmpty, copy_rows
from ..store.engines import DatabaseUrlError


def _copy(args) -> int:
    source_url = args.source or load_config().database_url
    try:
        source, target = Store(source_url), Store(args.target)
    except DatabaseUrlError as exc:
        print(f"storelift db copy: {exc}", file=sys.stderr)
        return 2
    try:
        source.migrate()
        target.migrate()
        counts = copy_rows(source.database, target.database,
                           progress=lambda table, rows: print(f"  {table}: {rows} rows"))
    except TargetNotEmpty as exc:
        print(f"storelift db copy: {exc}; copy into an empty database", file=sys.stderr)
        return 1
    finally:
        source.close()
        target.close()
    print(f"copied {sum(counts.values())} rows in {len(counts)} tables")
    return 0


def register(commands) -> None:
    db = commands.add_parser("db", help="database tools")
    actions = db.add_subparsers(dest="action", required=True, metavar="ACTION")
    copy = actions.add_parser("copy", help="copy every row into another (empty) database, e.g. SQLite to PostgreSQL")
    copy.add_argument("--to", dest="target", required=True, metavar="URL",
                      help="the database to fill: postgresql://user:password@host/dbname or sqlite:///path")
    copy.add_argument("--from", dest="source", metavar="URL",
                      help="the database to read (default: STORELIFT_DATABASE_URL / STORELIFT_DB)")
    copy.set_defaults(func=_copy)
