"""Configuration of one devstore shop and the apps registered with it.

One devstore server is one shop. The app registrations play the part of the
platform's app configuration (the Partner Dashboard / ``shopify.app.toml``):
credentials, allow-listed redirect URLs, the app proxy, the compliance
webhook address and the theme app extension folder.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class AppRegistration:
    """One app as the platform knows it from its configuration."""

    handle: str = "storelift"
    name: str = "Storelift"
    api_key: str = "devstore-api-key"
    api_secret: str = "devstore-api-secret-change-me-0000000"
    app_url: str = "http://127.0.0.1:8000"
    redirect_urls: list[str] | None = None
    install_path: str = "/install"
    proxy_prefix: str = "apps"
    proxy_subpath: str = "storelift"
    proxy_url: str | None = None
    compliance_webhook_url: str | None = None
    theme_extension_dir: str | None = None
    embedded: bool = True

    def __post_init__(self) -> None:
        self.app_url = self.app_url.rstrip("/")
        if self.redirect_urls is None:
            self.redirect_urls = [self.app_url + "/auth/callback"]
        if self.proxy_url is None:
            self.proxy_url = self.app_url + "/proxy"
        self.proxy_url = self.proxy_url.rstrip("/")
        if self.compliance_webhook_url is None:
            self.compliance_webhook_url = self.app_url + "/webhooks"

    @property
    def proxy_path_prefix(self) -> str:
        """The storefront path the proxy answers on, e.g. ``/apps/storelift``."""
        return f"/{self.proxy_prefix}/{self.proxy_subpath}"


@dataclass
class Settings:
    """Everything that makes one devstore shop; the state is deterministic from ``seed``."""

    shop_domain: str = "demo.devstore.test"
    shop_name: str = "Demo Outfitters"
    shop_email: str = "owner@demo-outfitters.test"
    currency: str = "USD"
    timezone: str = "America/New_York"
    seed: int = 42
    catalog_size: int = 240
    customer_count: int = 400
    order_history: int = 1500
    history_days: int = 120
    apps: list[AppRegistration] = field(default_factory=lambda: [AppRegistration()])
    token_ttl: int = 3600
    refresh_token_ttl: int = 7776000
    online_token_ttl: int = 86399
    webhook_retry_delays: tuple[float, ...] = (1, 5, 30, 120, 600, 1800, 3600, 7200)
    webhook_timeout: float = 5.0
    max_failures_before_removal: int = 1
    webhook_api_version: str = "2026-07"
    public_url: str = "http://127.0.0.1:8001"
    graphql_bucket_size: float = 1000.0
    graphql_restore_rate: float = 50.0
    proxy_timeout: float = 10.0

    def __post_init__(self) -> None:
        self.public_url = self.public_url.rstrip("/")

    def app_by_key(self, api_key: str | None) -> AppRegistration | None:
        return next((a for a in self.apps if a.api_key == api_key), None)

    def app_by_handle(self, handle: str | None) -> AppRegistration | None:
        return next((a for a in self.apps if handle in (a.handle, a.api_key)), None)
