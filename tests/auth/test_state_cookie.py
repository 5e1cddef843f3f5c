"""plugin.auth.state_cookie, and AuthError: the OAuth state cookie, and reasons that are safe to show."""

from __future__ import annotations

import pytest

from plugin.auth.app_proxy import verify_app_proxy
from plugin.auth.common import AuthError
from plugin.auth.query_hmac import verify_query_hmac
from plugin.auth.state_cookie import sign_state, unsign_state

from tests.support.auth import (NONCE, NOW, OLD_SECRET, SECRET, callback_pairs, decode, hex_hmac, make_token,
                                proxy_pairs, proxy_signed, reason, signed)


def test_state_round_trip():
    signed_value = sign_state(NONCE, SECRET, NOW)
    assert signed_value.startswith(f"{NONCE}.{NOW}.")
    assert unsign_state(signed_value, [SECRET], NOW + 5) == NONCE


def test_state_rotation():
    signed_value = sign_state(NONCE, OLD_SECRET, NOW)
    assert unsign_state(signed_value, [SECRET, OLD_SECRET], NOW) == NONCE
    assert reason(unsign_state, signed_value, [SECRET], NOW) == "bad state cookie"


@pytest.mark.parametrize(
    "offset, outcome",
    [(0, None), (600, None), (601, "expired state cookie"), (-10, None), (-11, "bad state cookie")],
)
def test_state_age(offset, outcome):
    signed_value = sign_state(NONCE, SECRET, NOW)
    if outcome is None:
        assert unsign_state(signed_value, [SECRET], NOW + offset) == NONCE
    else:
        assert reason(unsign_state, signed_value, [SECRET], NOW + offset) == outcome


def test_state_custom_max_age():
    signed_value = sign_state(NONCE, SECRET, NOW)
    assert reason(unsign_state, signed_value, [SECRET], NOW + 61, max_age=60) == "expired state cookie"


def _tamper_value(s):
    return "0" + s[1:]


def _tamper_time(s):
    value, stamp, mac = s.split(".")
    return f"{value}.{int(stamp) + 1}.{mac}"


def _tamper_mac(s):
    return s[:-1] + ("0" if s[-1] != "0" else "1")


@pytest.mark.parametrize(
    "mutate",
    [
        _tamper_value,
        _tamper_time,
        _tamper_mac,
        lambda s: s.upper(),
        lambda s: s + ".x",
        lambda s: s.rsplit(".", 1)[0],
        lambda s: "",
        lambda s: "a.b.c",
        lambda s: s.replace(".", "..", 1),
        lambda s: "é" + s,
        lambda s: None,
    ],
    ids=["value", "time", "mac", "upper", "extra-part", "no-mac", "empty", "junk", "double-dot", "non-ascii", "none"],
)
def test_state_tampering(mutate):
    assert reason(unsign_state, mutate(sign_state(NONCE, SECRET, NOW)), [SECRET], NOW) == "bad state cookie"


def test_state_key_is_separate_from_the_platform_signing_key():
    """An HMAC made with the raw client secret (e.g. by the platform over an app-proxy
    message an attacker shaped like 'value.timestamp') is not a valid state cookie."""
    forged = f"{NONCE}.{NOW}.{hex_hmac(SECRET, f'{NONCE}.{NOW}')}"
    assert reason(unsign_state, forged, [SECRET], NOW) == "bad state cookie"


@pytest.mark.parametrize("value", ["", "a.b", "a b", "x" * 257, "é", "a;b", None])
def test_state_value_must_be_a_plain_nonce(value):
    with pytest.raises(ValueError):
        sign_state(value, SECRET, NOW)


# =========================================================================== AuthError

def test_auth_error_message_is_the_reason_and_never_a_secret():
    failures = [
        lambda: verify_query_hmac(signed(callback_pairs(), secret="x" * 40), [SECRET], now=NOW),
        lambda: verify_app_proxy(proxy_signed(proxy_pairs(), secret="x" * 40), [SECRET], now=NOW),
        lambda: decode(make_token(secret="x" * 40)),
        lambda: decode(make_token(aud="other")),
        lambda: unsign_state(sign_state(NONCE, "x" * 40, NOW), [SECRET], NOW),
    ]
    for failure in failures:
        with pytest.raises(AuthError) as info:
            failure()
        assert str(info.value) == info.value.reason
        assert SECRET not in str(info.value)
        assert info.value.__cause__ is None
