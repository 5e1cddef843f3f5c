"""The storelift command: clear messages, non-zero exits on bad input, the library underneath."""

from __future__ import annotations

import json

import pytest

from plugin.cli import main

from tests.support.app import SHOP
from tests.support.database import only_on
from tests.support.shops import install
from tests.support.cli import cli_database


@pytest.fixture
def env(tmp_path, monkeypatch):
    with cli_database(tmp_path, monkeypatch) as store:  # on the run's engine: every command works on both
        yield store


def accept(store, key, topic="orders/create", body=b'{"id": 1}'):
    return store.inbox.accept(shop=SHOP, topic=topic, dedupe_key=key, webhook_id=key, event_id=key,
                              api_version="2026-10", triggered_at=None, body=body)


def test_production_without_a_secret_stops_with_the_variable_named(monkeypatch, capsys, tmp_path):
    for name in ("STORELIFT_MODE", "STORELIFT_API_SECRET", "STORELIFT_APP_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("STORELIFT_API_KEY", "k")
    monkeypatch.chdir(tmp_path)
    assert main(["serve"]) == 2
    assert "STORELIFT_API_SECRET is not set" in capsys.readouterr().err


def test_migrate_reports_what_it_applied(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("STORELIFT_MODE", "test")
    monkeypatch.setenv("STORELIFT_DB", str(tmp_path / "fresh.db"))
    assert main(["migrate"]) == 0
    assert "0001_shops" in capsys.readouterr().out
    assert main(["migrate"]) == 0
    assert "applied 0 migration(s)" in capsys.readouterr().out


def test_webhooks_list_stats_and_replay(env, capsys):
    first = accept(env, "a")
    accept(env, "b", topic="carts/create")
    [claimed] = env.inbox.claim("w", lease_ms=1000, limit=1)
    env.inbox.fail(claimed.id, "w", "KeyError: 'x'", retry_at=None)
    assert main(["webhooks", "list", "--status", "dead"]) == 0
    out = capsys.readouterr().out
    assert "dead" in out and "KeyError" in out and "carts/create" not in out
    assert main(["webhooks", "stats"]) == 0
    out = capsys.readouterr().out
    assert "orders/create" in out and "dead=1" in out and "pending=1" in out
    assert main(["webhooks", "replay", str(first)]) == 0
    assert env.inbox.get(first).status == "pending"
    assert main(["webhooks", "replay", "--dead"]) == 0
    assert "queued 0" in capsys.readouterr().out.splitlines()[-1]


@pytest.mark.parametrize("argv, message", [
    (["webhooks", "replay"], "give a delivery ID or --dead"),
    (["webhooks", "replay", "99999"], "no delivery with id 99999"),
    (["sync", "nobody.myshopify.com"], "has not installed Storelift"),
    (["privacy", "export", "7", "--shop", SHOP], "no data-request export 7"),
    (["email", "suppress", "not-an-address", "--shop", SHOP], "'not-an-address' is not an email address"),
    (["email", "dkim-key", "--shop", SHOP, "--domain", "bad domain!"], "domain"),
])
def test_bad_input_gets_a_clear_message_and_exit_2(env, capsys, argv, message):
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_email_suppress_unsuppress_and_dkim_key(env, capsys):
    assert main(["email", "suppress", "Ada@Example.com", "--shop", SHOP]) == 0
    assert env.emails.suppression(SHOP, "ada@example.com")["reason"] == "by hand"
    assert main(["email", "suppressed", "--shop", SHOP]) == 0
    assert "ada@example.com" in capsys.readouterr().out
    assert main(["email", "unsuppress", "ada@example.com", "--shop", SHOP]) == 0
    assert env.emails.suppression(SHOP, "ada@example.com") is None
    assert main(["email", "unsuppress", "ada@example.com", "--shop", SHOP]) == 1  # nothing to lift
    assert main(["email", "dkim-key", "--shop", SHOP, "--domain", "shop.example", "--selector", "sl1"]) == 0
    out = capsys.readouterr().out
    key = env.emails.dkim_key(SHOP)
    assert "sl1._domainkey.shop.example" in out and f"p={key['public_b64']}" in out
    assert "PRIVATE" not in out and key["private_pem"].startswith("-----BEGIN")


def test_privacy_requests_and_export(env, capsys):
    request_id = env.privacy.answer_data_request(
        SHOP, request_id="9", customer_id="207119551", email="bob@example.com", order_ids=(), requested_at=1)
    assert main(["privacy", "requests", "--shop", SHOP]) == 0
    assert "data_request" in capsys.readouterr().out
    assert main(["privacy", "export", str(request_id), "--shop", SHOP]) == 0
    export = json.loads(capsys.readouterr().out)
    assert "207119551" in json.dumps(export) and "bob@example.com" in json.dumps(export)


@pytest.mark.parametrize("hops", ["0", "6", "two"])
def test_serve_refuses_proxy_hops_that_would_trust_the_shoppers_own_header(hops, capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["serve", "--proxy-hops", hops])
    assert stopped.value.code == 2 and "--proxy-hops" in capsys.readouterr().err


@only_on("postgresql", "a SQLite demo file is recreated; a PostgreSQL database is never emptied")
def test_the_demo_refuses_a_postgresql_database_that_already_holds_a_store(env, capsys):
    install(env, "demo.devstore.test")
    assert main(["demo", "--db", env.database.url, "--no-wait"]) == 2
    assert "already holds a store" in capsys.readouterr().err
    assert env.shops.get("demo.devstore.test") is not None  # untouched


def test_email_suppress_skips_planned_steps_and_unsuppress_allows_mail_again(env, capsys):
    with env.database.write():
        env.emails.plan(SHOP, flow="cart", step=1, trigger_key="k1", trigger_at=1, person_id=None,
                        email="ann@example.com", due_at=2, now=1)
    assert main(["email", "suppress", " Ann@Example.com", "--shop", SHOP]) == 0
    assert "ann@example.com suppressed; 1 planned email(s) skipped" in capsys.readouterr().out
    assert main(["email", "suppressed", "--shop", SHOP]) == 0
    assert "by hand" in capsys.readouterr().out
    assert main(["email", "unsuppress", "ann@example.com", "--shop", SHOP]) == 0
    assert main(["email", "unsuppress", "ann@example.com", "--shop", SHOP]) == 1
    assert main(["email", "suppress", "not-an-address", "--shop", SHOP]) == 2
