"""Installations, authorization codes and access/refresh tokens (platform.md §1.5–1.6).

Pure state logic with no Flask: oauth.py turns HTTP into these calls, and the
Admin API asks ``authenticate`` for every request. Expiry uses the devstore
clock so tests can jump past a token's lifetime.
"""

from __future__ import annotations

import re
import secrets

from .settings import AppRegistration
from .state import AccessToken, AuthCode, Installation, RefreshToken, Store

CODE_TTL = 600
SCOPE_RE = re.compile(r"^(unauthenticated_)?(read|write)_[a-z_]+$")


class GrantError(Exception):
    """A refused token request: the platform's ``error`` / ``error_description`` pair and HTTP status."""

    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(description)
        self.status, self.error, self.description = status, error, description


def parse_scopes(text: str) -> list[str]:
    return [s.strip() for s in (text or "").split(",") if s.strip()]


def has_scope(granted: list[str], needed: str) -> bool:
    """``write_x`` implies ``read_x``, as on the platform."""
    if needed in granted:
        return True
    return needed.startswith("read_") and "write_" + needed[len("read_"):] in granted


def approve(store: Store, app: AppRegistration, scopes: list[str], redirect_uri: str, online: bool) -> AuthCode:
    """The merchant approved: the app is installed with these scopes; a 10-minute single-use code is issued."""
    with store.lock:
        now = store.clock.now()
        install = store.installations.get(app.handle)
        first_install = install is None or not install.installed
        if install is None:
            install = store.installations[app.handle] = Installation(app=app.handle, installed=False, scopes=[])
        install.installed, install.scopes = True, list(scopes)
        if first_install:
            install.installed_at, install.uninstalled_at, install.shop_redact_sent = now, None, False
        code = AuthCode(value=secrets.token_hex(16), app=app.handle, scopes=list(scopes), redirect_uri=redirect_uri,
                        online=online, expires_at=now + CODE_TTL)
        store.auth_codes[code.value] = code
        return code


def already_granted(store: Store, app: AppRegistration, scopes: list[str]) -> bool:
    install = store.installation(app.handle)
    return install is not None and all(has_scope(install.scopes, s) for s in scopes)


def exchange_code(store: Store, app: AppRegistration, code_value: str, expiring: bool) -> dict:
    with store.lock:
        code = store.auth_codes.pop(code_value, None)
        if code is None or code.app != app.handle or code.expires_at < store.clock.now():
            raise GrantError(400, "invalid_request", "The authorization code was not found or was already used")
        if store.installation(app.handle) is None:
            raise GrantError(400, "invalid_request", "The app is not installed on this shop")
        if code.online:
            return _online_token(store, app, code.scopes)
        return _offline_token(store, app, code.scopes, expiring)


def _offline_token(store: Store, app: AppRegistration, scopes: list[str], expiring: bool) -> dict:
    settings, now = store.settings, store.clock.now()
    scope_text = ",".join(scopes)
    if not expiring:
        # Re-authorising a non-expiring offline token returns the same token (platform.md §1.5).
        current = next((t for t in store.access_tokens.values()
                        if t.app == app.handle and not t.online and t.expires_at is None), None)
        if current is None:
            current = _new_access(store, app, scopes, online=False, expires_at=None)
        current.scopes = list(scopes)
        return {"access_token": current.value, "scope": scope_text}
    access = _new_access(store, app, scopes, online=False, expires_at=now + settings.token_ttl)
    refresh = RefreshToken(value="shprt_" + secrets.token_hex(16), app=app.handle,
                           expires_at=now + settings.refresh_token_ttl)
    store.refresh_tokens[refresh.value] = refresh
    return {"access_token": access.value, "scope": scope_text, "expires_in": settings.token_ttl,
            "refresh_token": refresh.value, "refresh_token_expires_in": settings.refresh_token_ttl}


def _online_token(store: Store, app: AppRegistration, scopes: list[str]) -> dict:
    ttl = store.settings.online_token_ttl
    access = _new_access(store, app, scopes, online=True, expires_at=store.clock.now() + ttl,
                         user_id=store.staff_id)
    return {
        "access_token": access.value, "scope": ",".join(scopes), "expires_in": ttl,
        "associated_user_scope": ",".join(scopes),
        "associated_user": {"id": store.staff_id, "first_name": "Devstore", "last_name": "Owner",
                            "email": store.settings.shop_email, "email_verified": True, "account_owner": True,
                            "locale": "en", "collaborator": False},
    }


def _new_access(store: Store, app: AppRegistration, scopes: list[str], *, online: bool, expires_at: float | None,
                user_id: int | None = None) -> AccessToken:
    token = AccessToken(value=("shpua_" if online else "shpat_") + secrets.token_hex(16), app=app.handle,
                        scopes=list(scopes), online=online, created_at=store.clock.now(), expires_at=expires_at,
                        associated_user_id=user_id)
    store.access_tokens[token.value] = token
    return token


def refresh(store: Store, app: AppRegistration, refresh_value: str) -> dict:
    """New access + refresh token. The old refresh token keeps working until the new access token is used."""
    with store.lock:
        old = store.refresh_tokens.get(refresh_value)
        if old is None or old.app != app.handle or old.expires_at < store.clock.now():
            raise GrantError(400, "invalid_grant", "The refresh token is invalid, expired or already replaced")
        install = store.installation(app.handle)
        if install is None:
            raise GrantError(400, "invalid_grant", "The app is not installed on this shop")
        grant = _offline_token(store, app, install.scopes, expiring=True)
        old.superseded_by.add(grant["access_token"])
        return grant


def token_exchange(store: Store, app: AppRegistration, claims: dict, requested_type: str, expiring: bool) -> dict:
    """Session token → access token for an installed app (platform.md §1.6)."""
    with store.lock:
        install = store.installation(app.handle)
        if install is None:
            raise GrantError(400, "invalid_subject_token", "The app is not installed on this shop")
        if requested_type.endswith(":online-access-token"):
            return _online_token(store, app, install.scopes)
        if requested_type.endswith(":offline-access-token"):
            return _offline_token(store, app, install.scopes, expiring)
        raise GrantError(400, "invalid_request", "Unsupported requested_token_type")


def authenticate(store: Store, token_value: str | None) -> AccessToken | None:
    """The live token for an Admin API call, or None (unknown, revoked, expired, app uninstalled)."""
    if not token_value:
        return None
    with store.lock:
        token = store.access_tokens.get(token_value)
        if token is None or store.installation(token.app) is None:
            return None
        if token.expires_at is not None and token.expires_at <= store.clock.now():
            return None
        if not token.used:
            token.used = True
            for value in [v for v, r in store.refresh_tokens.items() if token.value in r.superseded_by]:
                del store.refresh_tokens[value]
        return token


def uninstall(store: Store, app: AppRegistration) -> None:
    """app/uninstalled goes out, then tokens are revoked and subscriptions deleted at once."""
    with store.lock:
        install = store.installation(app.handle)
        if install is None:
            raise GrantError(409, "not_installed", f"{app.name} is not installed")
        store.publish("app/uninstalled", None, app=app.handle)
        install.installed, install.uninstalled_at = False, store.clock.now()
        for table in (store.access_tokens, store.refresh_tokens, store.auth_codes):
            for key in [k for k, t in table.items() if t.app == app.handle]:
                del table[key]
        for sub_id in [i for i, s in store.subscriptions.items() if s.app == app.handle]:
            del store.subscriptions[sub_id]
