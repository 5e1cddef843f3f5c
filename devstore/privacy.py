"""Merchant actions that send app-level webhooks: uninstall and the three privacy topics.

The platform sends ``shop/redact`` 48 hours after an uninstall and
``customers/redact`` days after the request; devstore sends them when the
merchant (or a test) says "now", so the timing is under the test's control.
"""

from __future__ import annotations

from . import installs, payloads
from .runtime import Devstore
from .settings import AppRegistration
from .state import Customer


def uninstall(rt: Devstore, app: AppRegistration) -> None:
    installs.uninstall(rt.store, app)


def send_shop_redact(rt: Devstore, app: AppRegistration) -> int:
    """shop/redact for an uninstalled app; returns the delivery id."""
    with rt.store.lock:
        install = rt.store.installations.get(app.handle)
        if install is None or install.installed:
            raise installs.GrantError(409, "installed", f"{app.name} must be uninstalled before shop/redact")
        install.shop_redact_sent = True
        return rt.dispatcher.publish_compliance(app, "shop/redact", payloads.shop_redact(rt.store))[0].id


def request_customer_data(rt: Devstore, customer: Customer) -> list[int]:
    """customers/data_request to every installed app; returns delivery ids."""
    with rt.store.lock:
        request_id = rt.store.ids.next("DataRequest")
        body = payloads.customers_data_request(rt.store, customer, request_id)
        return [d.id for app in _installed(rt) for d in rt.dispatcher.publish_compliance(
            app, "customers/data_request", body)]


def redact_customer(rt: Devstore, customer: Customer) -> list[int]:
    """customers/redact to every installed app; returns delivery ids."""
    with rt.store.lock:
        body = payloads.customers_redact(rt.store, customer)
        return [d.id for app in _installed(rt) for d in rt.dispatcher.publish_compliance(
            app, "customers/redact", body)]


def _installed(rt: Devstore) -> list[AppRegistration]:
    return [a for a in rt.settings.apps if rt.store.installation(a.handle)]
