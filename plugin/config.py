"""Storelift configuration, read once from ``STORELIFT_*`` environment variables.

Plain data, no Flask: every layer may import it. Production refuses to start
without the values whose absence would make the app insecure or unreachable;
demo and test modes get harmless local defaults so a newcomer needs nothing.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from typing import Any, Mapping
from urllib.parse import urlsplit

MODES = ("production", "demo", "test")

# The topics Storelift lives on, subscribed per shop through the Admin API.
# The three privacy topics are app-config subscriptions (platform.md §2.6) and
# are therefore declared in shopify.app.toml, not here.
WEBHOOK_TOPICS = (
    "app/uninstalled",
    "orders/create",
    "orders/updated",
    "orders/paid",
    "orders/cancelled",
    "carts/create",
    "carts/update",
    "checkouts/create",
    "checkouts/update",
    "customers/create",
    "customers/update",
    "products/create",
    "products/update",
    "products/delete",
)
COMPLIANCE_TOPICS = ("customers/data_request", "customers/redact", "shop/redact")

DEFAULT_SCOPES = (
    "read_products",
    "read_orders",
    "read_customers",
    "write_customers",
    "write_discounts",
)


# The platform's unified admin, which frames embedded apps for every shop.
PLATFORM_ADMIN_ORIGIN = "https://admin.shopify.com"


class ConfigError(Exception):
    """A setting is missing or malformed; the message names the variable."""


@dataclass(frozen=True)
class Config:
    """Everything Storelift needs to know about its deployment."""

    api_key: str
    api_secrets: tuple[str, ...]
    app_url: str
    database_url: str = "storelift.db"  # a URL, or a SQLite file path
    scopes: tuple[str, ...] = DEFAULT_SCOPES
    api_version: str = "2026-10"
    platform_domain: str = "myshopify.com"
    mode: str = "production"
    # Demo/test only: shop domain -> base URL of a simulated store on loopback.
    shop_urls: Mapping[str, str] = field(default_factory=dict)
    run_worker: bool = False
    db_pool_size: int = 5  # PostgreSQL connections each process keeps open
    proxy_hops: int = 1  # proxies whose X-Forwarded-For is trusted (storelift serve --proxy-hops)
    web_processes: int = 1  # storefront rate limits are shared out among this many web processes
    log_level: str = "INFO"
    # Where triggered emails are handed over: smtp://host:port (STARTTLS when offered), smtps://… (TLS),
    # with user:password@ for auth; empty: no email is sent (flows record "no mail server").
    smtp_url: str = ""
    # Pull the catalog and recent orders in the background right after install.
    sync_on_install: bool = True

    @property
    def signing_secret(self) -> str:
        """The secret that signs; all of ``api_secrets`` verify (rotation)."""
        return self.api_secrets[0]

    @property
    def is_production(self) -> bool:
        return self.mode == "production"

    def shop_base_url(self, shop: str) -> str:
        """Where a (validated) shop's admin and API live.

        Always ``https://{shop}`` in production, so a setting can never point
        Storelift's tokens at an arbitrary host; demo and test modes may map a
        shop to a simulated store on loopback.
        """
        if not self.is_production and shop in self.shop_urls:
            return self.shop_urls[shop].rstrip("/")
        return f"https://{shop}"

    def admin_origins(self, shop: str | None) -> tuple[str, ...]:
        """The origins that may frame the embedded admin: the platform's admin, plus
        the admin of ``shop`` when the request proved it (a verified session token).

        ``shop`` must come from something verified, never from a request parameter:
        the result goes into ``Content-Security-Policy: frame-ancestors``.
        """
        if shop is None:
            return (PLATFORM_ADMIN_ORIGIN,)
        base = urlsplit(self.shop_base_url(shop))
        return (PLATFORM_ADMIN_ORIGIN, f"{base.scheme}://{base.netloc}")

    def with_overrides(self, overrides: Mapping[str, Any] | None) -> "Config":
        if not overrides:
            return self
        known = {f.name for f in fields(self)}
        unknown = set(overrides) - known
        if unknown:
            raise ConfigError(f"unknown config keys: {', '.join(sorted(unknown))}")
        values = dict(overrides)
        if isinstance(values.get("api_secrets"), str):
            values["api_secrets"] = _split(values["api_secrets"])
        return replace(self, **values)


# name -> (meaning, default shown in the README); tests check the README lists each.
ENVIRONMENT = {
    "STORELIFT_MODE": "production (default), demo or test",
    "STORELIFT_API_KEY": "the app's API key (client id)",
    "STORELIFT_API_SECRET": "the app's API secret; comma-separated for rotation: the first signs, all verify",
    "STORELIFT_APP_URL": "public https URL of this app, e.g. https://storelift.example.com",
    "STORELIFT_DATABASE_URL": "sqlite:///path/to/file.db or postgresql://user:password@host:5432/dbname"
                              " (default: the SQLite file STORELIFT_DB names)",
    "STORELIFT_DB": "SQLite database file, when STORELIFT_DATABASE_URL is unset (default storelift.db here)",
    "STORELIFT_DB_POOL_SIZE": "PostgreSQL connections each process keeps open (default 5, up to twice more"
                              " under bursts); see docs/deploy.md",
    "STORELIFT_SCOPES": "comma-separated access scopes to request",
    "STORELIFT_API_VERSION": "Admin API version, e.g. 2026-10",
    "STORELIFT_PLATFORM_DOMAIN": "shop domain suffix (default myshopify.com; devstore uses devstore.test)",
    "STORELIFT_SHOP_URLS": "demo/test only: shop=url pairs mapping simulated shops to loopback",
    "STORELIFT_RUN_WORKER": "1 runs the job runner (webhook inbox, background jobs) as a thread inside serve/demo",
    "STORELIFT_LOG_LEVEL": "logging level (default INFO)",
    "STORELIFT_WEB_PROCESSES": "how many web processes serve the storefront (default 1): each enforces"
                               " 1/N of every storefront rate limit, so together they enforce the limit",
    "STORELIFT_SMTP_URL": "where triggered emails go: smtp://user:password@host:587 (STARTTLS when offered) or"
                          " smtps://user:password@host:465 (TLS); unset, no email is sent",
}

_DEMO_DEFAULTS = {
    "api_key": "storelift-demo-key",
    "api_secrets": ("storelift-demo-secret-not-for-production",),
    "app_url": "http://127.0.0.1:8000",
}


def _split(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


def _parse_shop_urls(value: str) -> dict[str, str]:
    mapping = {}
    for pair in _split(value):
        shop, sep, url = pair.partition("=")
        if not sep or not url.startswith(("http://127.", "http://localhost", "http://[::1]")):
            raise ConfigError(
                f"STORELIFT_SHOP_URLS: {pair!r} must be shop=http://127.0.0.1:PORT (loopback only)"
            )
        mapping[shop.strip().lower()] = url.strip()
    return mapping


def _positive_int(name: str, value: str) -> int:
    if not value.strip().isdigit() or int(value) < 1:
        raise ConfigError(f"{name} must be a whole number of at least 1, not {value!r}")
    return int(value)


def load_config(
    env: Mapping[str, str] | None = None, overrides: Mapping[str, Any] | None = None
) -> Config:
    """Build the configuration from the environment, failing loudly in production.

    ``overrides`` (tests, the demo) win over the environment and are applied
    before the production checks, so a test app never needs real secrets.
    """
    env = os.environ if env is None else env
    overrides = dict(overrides or {})
    mode = str(overrides.get("mode") or env.get("STORELIFT_MODE", "production")).strip().lower()
    if mode not in MODES:
        raise ConfigError(f"STORELIFT_MODE must be one of {', '.join(MODES)}, not {mode!r}")
    defaults = _DEMO_DEFAULTS if mode != "production" else {}

    def required(name: str, key: str) -> Any:
        if overrides.get(key):
            return overrides[key]
        value = env.get(name, "").strip()
        if value:
            return value
        if key in defaults:
            return defaults[key]
        raise ConfigError(f"{name} is not set: Storelift cannot start in production without it")

    secrets = required("STORELIFT_API_SECRET", "api_secrets")
    secrets = _split(secrets) if isinstance(secrets, str) else secrets
    if not secrets:
        raise ConfigError("STORELIFT_API_SECRET is empty")
    app_url = required("STORELIFT_APP_URL", "app_url").rstrip("/")
    if mode == "production" and not app_url.startswith("https://"):
        raise ConfigError("STORELIFT_APP_URL must be an https:// URL in production")
    shop_urls = _parse_shop_urls(env.get("STORELIFT_SHOP_URLS", ""))
    if shop_urls and mode == "production":
        raise ConfigError("STORELIFT_SHOP_URLS is honoured only in demo and test mode")
    config = Config(
        api_key=required("STORELIFT_API_KEY", "api_key"),
        api_secrets=secrets,
        app_url=app_url,
        database_url=env.get("STORELIFT_DATABASE_URL") or env.get("STORELIFT_DB", "storelift.db"),
        scopes=_split(env.get("STORELIFT_SCOPES", "")) or DEFAULT_SCOPES,
        api_version=env.get("STORELIFT_API_VERSION", "2026-10"),
        platform_domain=env.get("STORELIFT_PLATFORM_DOMAIN", "myshopify.com").strip().lower(),
        mode=mode,
        shop_urls=shop_urls,
        run_worker=env.get("STORELIFT_RUN_WORKER", "0") in ("1", "true", "yes"),
        db_pool_size=_positive_int("STORELIFT_DB_POOL_SIZE", env.get("STORELIFT_DB_POOL_SIZE", "5")),
        web_processes=_positive_int("STORELIFT_WEB_PROCESSES", env.get("STORELIFT_WEB_PROCESSES", "1")),
        log_level=env.get("STORELIFT_LOG_LEVEL", "INFO").upper(),
        smtp_url=env.get("STORELIFT_SMTP_URL", "").strip(),
    )
    return config.with_overrides(overrides)
