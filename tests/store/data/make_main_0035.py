"""Rebuild ``main-0035.db``: a database as the sqlite-utils migration history left it, with a few rows.

The fixture pins what databases in the field look like before the Alembic
history: the schema the last sqlite-utils release created (``0001_shops`` …
``0035_shop_settings``, recorded in ``_sqlite_migrations``), and representative
rows in the tables a running shop fills (the shop, an order, webhook
deliveries, a job, capture campaigns, codes and a subscriber, settings, a
person with a profile). It is made by the OLD code, read from git, so it stays
true however the new history evolves:

    python tests/store/data/make_main_0035.py [COMMIT]   # default a14b92c, the last sqlite-utils history

It needs ``sqlite-utils`` (the old history ran on it) and git. Small pages and
a VACUUM keep the committed file a few tens of KB.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import sqlite_utils

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
COMMIT = "a14b92c"
AREAS = ("__init__", "capture", "commerce", "jobs", "people", "platform", "privacy", "recommendations", "settings")
SHOP = "fixture.myshopify.com"
T = 1_700_000_000_000


def old_history(commit: str, into: Path):
    package = into / "old_migrations"
    package.mkdir()
    for area in AREAS:
        source = subprocess.run(["git", "show", f"{commit}:plugin/store/migrations/{area}.py"], cwd=ROOT,
                                check=True, capture_output=True, text=True).stdout
        (package / f"{area}.py").write_text(source)
    sys.path.insert(0, str(into))
    return importlib.import_module("old_migrations").migrations


ROWS = [
    ("INSERT INTO shops (shop, access_token, scopes, api_version, installed_at, updated_at)"
     " VALUES (?, 'shpat_fixture', 'read_orders,read_products', '2024-10', ?, ?)", [SHOP, T, T]),
    ("INSERT INTO sync_runs (shop, started_at, finished_at, products, orders, products_total, orders_total)"
     " VALUES (?, ?, ?, 3, 1, 3, 1)", [SHOP, T, T + 5_000]),
    ("INSERT INTO orders (shop, order_id, name, email, customer_id, currency, total_price, discount_codes,"
     " created_at, updated_at, source_updated_at, origin, source_sequence)"
     " VALUES (?, '5001', '#1001', 'Ana@Example.com', '7001', 'EUR', '42.50', '[\"WELCOME-AAAA\"]', ?, ?, ?, 'webhook', ?)",
     [SHOP, T, T, T, T]),
    ("INSERT INTO order_lines (shop, order_id, position, line_id, product_id, variant_id, title, quantity, price)"
     " VALUES (?, '5001', 0, '9001', '8001', '8101', 'Mug', 2, '21.25')", [SHOP]),
    ("INSERT INTO webhook_inbox (shop, topic, dedupe_key, webhook_id, received_at, body, status, attempts,"
     " next_attempt_at, finished_at) VALUES (?, 'orders/create', 'wh-1', 'wh-1', ?, ?, 'done', 1, ?, ?)",
     [SHOP, T, b'{"id": 5001}', T, T + 10]),
    ("INSERT INTO webhook_inbox (shop, topic, dedupe_key, webhook_id, received_at, body, status, next_attempt_at)"
     " VALUES (?, 'products/update', 'wh-2', 'wh-2', ?, ?, 'pending', ?)", [SHOP, T, b'{"id": 8001}', T]),
    ("INSERT INTO jobs (kind, shop, dedupe_key, payload, status, next_attempt_at, created_at)"
     " VALUES ('profiles.refresh', ?, 'order:5001', ?, 'pending', ?, ?)",
     [SHOP, json.dumps({"kind": "order", "ref": "5001"}), T, T]),
    ("INSERT INTO capture_campaigns (shop, discount_key, discount_id, title, starts_at, created_at)"
     " VALUES (?, 'welcome', 'gid://discount/1', 'Welcome 10%', ?, ?)", [SHOP, T, T]),
    ("INSERT INTO capture_codes (shop, code, campaign_id, state, created_at, assigned_at)"
     " VALUES (?, 'WELCOME-AAAA', 1, 'assigned', ?, ?)", [SHOP, T, T]),
    ("INSERT INTO capture_codes (shop, code, campaign_id, state, created_at) VALUES (?, 'WELCOME-BBBB', 1, 'free', ?)",
     [SHOP, T]),
    ("INSERT INTO subscribers (shop, email, code, campaign_id, visitor_id, consent_at, consent_text, consent_page,"
     " settings_version, sync_state, sync_next_at, created_at)"
     " VALUES (?, 'ana@example.com', 'WELCOME-AAAA', 1, 'v-1', ?, 'Yes, email me', '/', 1, 'pending', ?, ?)",
     [SHOP, T, T, T]),
    ("INSERT INTO shop_settings (shop, feature, settings, version, updated_at)"
     " VALUES (?, 'capture', '{\"position\": \"left\"}', 3, ?)", [SHOP, T]),
    ("INSERT INTO people (shop, person_id, email, customer_id, created_at, updated_at)"
     " VALUES (?, 'p-1', 'ana@example.com', '7001', ?, ?)", [SHOP, T, T]),
    ("INSERT INTO visitors (shop, visitor_id, person_id, first_seen, last_seen) VALUES (?, 'v-1', 'p-1', ?, ?)",
     [SHOP, T, T]),
    ("INSERT INTO profiles (shop, person_id, email, orders, lifecycle, scored_at, updated_at)"
     " VALUES (?, 'p-1', 'ana@example.com', 1, 'new', ?, ?)", [SHOP, T, T]),
]


def main(commit: str = COMMIT) -> Path:
    target = HERE / "main-0035.db"
    target.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        migrations = old_history(commit, Path(tmp))
        db = sqlite_utils.Database(str(target))
        db.execute("PRAGMA page_size=512")
        migrations.apply(db)
        for sql, params in ROWS:
            db.execute(sql, params)
        db.conn.commit()
        db.execute("VACUUM")
        db.close()
    return target


if __name__ == "__main__":
    path = main(*sys.argv[1:])
    print(f"{path} ({path.stat().st_size} bytes)")
