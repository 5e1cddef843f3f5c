"""The one per-shop settings mechanism: errors by field, the one fallback, the storefront's cache, the table."""

from __future__ import annotations

import logging

import pytest
import sqlalchemy as sa

from plugin.capture.settings import CAPTURE
from plugin.emails.settings import EMAILS
from plugin.recommendations.settings import RECOMMENDATIONS
from plugin.settings import Feature, Flag, SettingsCache, SettingsModel, choice, listed, whole
from plugin.store import Store

from ..support.database import database_url
from ..support.settings_fields import refused
from plugin.store import migrations

SHOP = "settings.myshopify.com"
FEATURES = (CAPTURE, RECOMMENDATIONS, EMAILS)


def tag(value) -> str:
    if isinstance(value, str) and value.strip():
        return value.strip()
    raise ValueError("must be a tag")


class Probe(SettingsModel):
    on: Flag = True
    size: whole(1, 9) = 3
    mode: choice("a", "b", message="must be a or b") = "a"
    tags: listed(tag, 3) = []


@pytest.mark.parametrize("feature", FEATURES, ids=lambda f: f.name)
def test_each_features_defaults_validate_as_they_are(feature):
    assert feature.validate(feature.defaults()) == feature.defaults() == feature.validate({})


def test_every_problem_is_named_by_its_field_in_the_merchants_words():
    probe = Feature("probe", Probe)
    assert refused(probe, {"on": "yes", "size": "0", "mode": "c", "tags": ["a", "b", "c", "d"], "x" * 60: 1}) == {
        "on": "must be true or false", "size": "must be a whole number from 1 to 9", "mode": "must be a or b",
        "tags": "must have at most 3 entries", "x" * 40: "unknown field"}
    assert refused(probe, {"tags": ["a", " ", 5]}) == {"tags.1": "must be a tag", "tags.2": "must be a tag"}
    assert refused(probe, ["not", "an", "object"]) == {"settings": "must be an object"}
    assert refused(CAPTURE, {"texts": "hello"}) == {"texts": "must be an object"}
    assert probe.validate({"size": " 7 ", "tags": ["a", " a", "b"]}) == {"on": True, "size": 7, "mode": "a",
                                                                      "tags": ["a", "b"]}


def test_a_stored_object_that_no_longer_validates_keeps_its_valid_fields(store, caplog):
    stored = {"texts": {"teaser": "Mine"}, "position": "middle", "discount": {"prefix": "BAD PREFIX!", "value": "20"},
              "colors": {"background": "#000000"}, "retired": True}
    store.settings.save(SHOP, CAPTURE.name, stored)
    with caplog.at_level(logging.WARNING, logger="storelift.settings"):
        settings, version = CAPTURE.read(store, SHOP)
    defaults = CAPTURE.defaults()
    assert version == 1 and settings["texts"]["teaser"] == "Mine" and settings["discount"]["value"] == "20"
    assert settings["position"] == defaults["position"] and settings["discount"]["prefix"] == "WELCOME"
    assert settings["colors"] == defaults["colors"]  # dark text on black: the section takes its defaults
    assert "position" in caplog.text and "discount.prefix" in caplog.text and "retired" in caplog.text


def test_a_stored_value_that_is_not_an_object_is_the_defaults(store):
    store.settings.save(SHOP, RECOMMENDATIONS.name, ["pins"])
    assert RECOMMENDATIONS.read(store, SHOP) == (RECOMMENDATIONS.defaults(), 1)


class Counted:
    """The store's settings table, counting lookups; and a serve step counting conversions."""

    def __init__(self, store: Store):
        self.rows, self.lookups, self.conversions = store.settings, 0, 0

    def get(self, shop, feature):
        self.lookups += 1
        return self.rows.get(shop, feature)

    def get_many(self, shop, features):
        self.lookups += 1
        return self.rows.get_many(shop, features)

    def save(self, shop, feature, settings):
        return self.rows.save(shop, feature, settings)

    def serve(self, settings: dict) -> tuple:
        self.conversions += 1
        return tuple(sorted(settings))


def test_the_storefront_read_is_one_lookup_and_validates_once_per_save(store, monkeypatch):
    counted = Counted(store)
    monkeypatch.setattr(store, "settings", counted)
    probe = Feature("probe", Probe, serve=counted.serve)
    cache = SettingsCache(store)
    assert cache.served(SHOP, probe) is probe.served_defaults and cache.read(SHOP, probe) == (probe.defaults(), 0)
    probe.save(store, SHOP, {"size": 5})
    first = cache.served(SHOP, probe)
    for _ in range(3):
        assert cache.served(SHOP, probe) is first and cache.read(SHOP, probe)[0]["size"] == 5
    assert (counted.lookups, counted.conversions) == (9, 2)  # one lookup per read; defaults, then one save
    probe.save(store, SHOP, {"size": 6})
    assert cache.read(SHOP, probe) == ({**probe.defaults(), "size": 6}, 2) and counted.conversions == 3


def test_a_block_reads_two_features_in_one_lookup_and_sees_each_save(store, monkeypatch):
    counted = Counted(store)
    monkeypatch.setattr(store, "settings", counted)
    served, read = Feature("served", Probe, serve=counted.serve), Feature("read", Probe)
    cache = SettingsCache(store)
    assert cache.served_and_read(SHOP, served, read) == (served.served_defaults, read.defaults())
    served.save(store, SHOP, {"size": 5})
    read.save(store, SHOP, {"mode": "b"})
    lookups = counted.lookups
    first, settings = cache.served_and_read(SHOP, served, read)
    assert counted.lookups == lookups + 1
    assert settings == {**read.defaults(), "mode": "b"} and first is cache.served(SHOP, served)
    read.save(store, SHOP, {"mode": "a"})
    again, settings = cache.served_and_read(SHOP, served, read)
    assert again is first and settings["mode"] == "a"


def test_the_migration_moves_both_features_rows_with_their_versions(tmp_path):
    store = Store(database_url(tmp_path, "old", empty=True))
    try:
        migrations.upgrade(store.database.engine, to="0034_jobs")
        store.database.execute("INSERT INTO capture_settings VALUES (:shop, :settings, 3, 1000)",
                               {"shop": SHOP, "settings": '{"position": "left"}'})
        store.database.execute("INSERT INTO rec_settings VALUES (:shop, :settings, 7, 2000)",
                               {"shop": SHOP, "settings": '{"pins": ["9"]}'})
        store.migrate()
        assert store.settings.get(SHOP, CAPTURE.name).stamp == (3, 1000)
        assert CAPTURE.read(store, SHOP)[0]["position"] == "left"
        assert RECOMMENDATIONS.read(store, SHOP) == ({**RECOMMENDATIONS.defaults(), "pins": ["9"]}, 7)
        assert {"capture_settings", "rec_settings"}.isdisjoint(sa.inspect(store.database.engine).get_table_names())
    finally:
        store.close()
