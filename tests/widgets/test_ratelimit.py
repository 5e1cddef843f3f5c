"""Storefront rate limits shared out among web processes: each enforces 1/N, together the whole limit."""

from __future__ import annotations

from plugin.app import create_app
from widgets.ratelimit import Limit, RateLimiter

from ..support.app import base_overrides


def allowed_in_a_burst(limiter: RateLimiter, purpose: str, key: str = "203.0.113.9") -> int:
    return sum(limiter.allow(purpose, key) for _ in range(100))


def test_each_of_several_processes_enforces_its_share_and_together_the_whole_limit():
    limits = {"subscribe:ip": Limit(burst=20, per_second=0.0001)}
    alone = RateLimiter(limits, clock=lambda: 0.0)
    pair = [RateLimiter(limits, clock=lambda: 0.0, processes=2) for _ in range(2)]
    assert allowed_in_a_burst(alone, "subscribe:ip") == 20
    assert [allowed_in_a_burst(p, "subscribe:ip") for p in pair] == [10, 10]


def test_the_app_shares_out_its_limits_by_the_configured_number_of_web_processes(tmp_path):
    app = create_app(base_overrides(tmp_path, web_processes=4))
    try:
        with app.test_request_context():
            limiter = app.extensions["storelift.widgets"].limiter
        assert limiter.limits["subscribe:ip"].burst == 5  # 20 / 4
    finally:
        app.extensions["storelift"].store.close()


def test_behind_a_load_balancer_the_shopper_is_the_entry_before_the_platform_s_proxy(tmp_path):
    from widgets.door import client_ip

    # The shopper (1.1.1.1) forged 6.6.6.6; the platform's proxy appended 1.1.1.1; the merchant's
    # load balancer appended the proxy's own 2.2.2.2 (as waitress reads it with --proxy-hops 2).
    chain = {"X-Forwarded-For": "6.6.6.6, 1.1.1.1, 2.2.2.2"}
    for hops, shopper in ((1, "2.2.2.2"), (2, "1.1.1.1"), (4, "")):
        app = create_app(base_overrides(tmp_path, proxy_hops=hops))
        try:
            with app.test_request_context("/proxy/subscribe", headers=chain):
                assert client_ip() == shopper
        finally:
            app.extensions["storelift"].store.close()
