"""``storelift migrate``: apply pending migrations and say which (the one store command that must
not migrate first)."""

from __future__ import annotations

from ..config import load_config
from ..store import Store


def _migrate(args) -> int:
    config = load_config()
    store = Store(config.database_url)
    applied = store.migrate()
    store.close()
    print(f"applied {len(applied)} migration(s)" + (": " + ", ".join(applied) if applied else ""))
    return 0


def register(commands) -> None:
    migrate = commands.add_parser("migrate", help="apply pending database migrations")
    migrate.set_defaults(func=_migrate)
