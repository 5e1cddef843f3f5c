"""``storelift db copy``: a store's rows move to another database whole, and new ids carry on after them."""

from __future__ import annotations

from plugin.cli import main
from plugin.store import Store

from ..support.database import database_url
from ..support.shops import install

SHOP = "copied.myshopify.com"


def fill(url: str) -> None:
    store = Store(url)
    try:
        store.migrate()
        install(store, SHOP, token="shpat_copied", scopes=("read_orders",), expires_in_ms=3_600_000)
        for n in range(3):
            store.inbox.accept(shop=SHOP, topic="orders/create", dedupe_key=f"wh-{n}", webhook_id=f"wh-{n}",
                               event_id=None, api_version="2026-10", triggered_at=None, body=b'{"id": %d}' % n)
        store.jobs.enqueue(SHOP, "profiles.refresh", "order:1", {"kind": "order", "ref": "1"})
    finally:
        store.close()


def test_every_row_moves_and_ids_carry_on_after_the_copied_ones(tmp_path, capsys):
    # From a SQLite file, as a store that outgrew it would (into PostgreSQL on the PostgreSQL run).
    source = f"sqlite:///{tmp_path / 'source.db'}"
    target = database_url(tmp_path, "target", empty=True)
    fill(source)
    assert main(["db", "copy", "--from", source, "--to", target]) == 0
    assert "copied" in capsys.readouterr().out
    store = Store(target)
    try:
        assert store.shops.get(SHOP).access_token == "shpat_copied"
        assert [d["id"] for d in store.inbox.list(shop=SHOP)] == [3, 2, 1]
        assert store.inbox.get(1).body == b'{"id": 0}'
        assert store.jobs.stats(SHOP) == {"profiles.refresh": {"pending": 1}}
        new = store.inbox.accept(shop=SHOP, topic="orders/create", dedupe_key="wh-9", webhook_id="wh-9",
                                 event_id=None, api_version="2026-10", triggered_at=None, body=b"{}")
        assert new == 4  # the sequence was moved past the copied ids
    finally:
        store.close()


def test_a_target_that_already_holds_data_is_refused_and_left_as_it_was(tmp_path, capsys):
    source, target = database_url(tmp_path, "source"), database_url(tmp_path, "target")
    fill(source)
    fill(target)
    assert main(["db", "copy", "--from", source, "--to", target]) == 1
    assert "already has rows" in capsys.readouterr().err
    store = Store(target)
    try:
        assert len(store.inbox.list(shop=SHOP)) == 3
    finally:
        store.close()


def test_an_unknown_database_url_is_a_clear_message(tmp_path, capsys):
    assert main(["db", "copy", "--from", f"sqlite:///{tmp_path / 'a.db'}", "--to", "mysql://x/y"]) == 2
    assert "unsupported database URL scheme" in capsys.readouterr().err
