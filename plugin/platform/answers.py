"""Pure readers of what came back from the platform: HTTP answers, GraphQL documents and transport failures.

No I/O and no state: ``client.PlatformClient`` decides what to do (retry, wait, raise); these only say
what an answer holds, refusing shapes it cannot use with ``PlatformBadResponse``. Free text from an
answer is never copied into an error message.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, Iterator

import requests
from urllib3.exceptions import NewConnectionError

from .errors import PlatformBadResponse

_OAUTH_ERROR_CODE = re.compile(r"[a-z_]{1,64}")


@dataclass(frozen=True, repr=False)
class TokenGrant:
    """What the token endpoint granted; times are absolute epoch milliseconds, as the store keeps them."""

    access_token: str
    scopes: tuple[str, ...]
    expires_at_ms: int | None
    refresh_token: str | None
    refresh_expires_at_ms: int | None

    def __repr__(self) -> str:
        # Grants end up in debug output and tracebacks; only whether a refresh token exists is shown.
        refresh = "<hidden>" if self.refresh_token else None
        return (
            f"TokenGrant(access_token=<hidden>, scopes={self.scopes!r}, "
            f"expires_at_ms={self.expires_at_ms!r}, refresh_token={refresh}, "
            f"refresh_expires_at_ms={self.refresh_expires_at_ms!r})"
        )


def may_have_been_sent(exc: requests.RequestException) -> bool:
    """False only when we know the request never left: connect timeout or no connection made."""
    if isinstance(exc, requests.ConnectTimeout):
        return False
    cause = exc.args[0] if exc.args else None
    return not isinstance(getattr(cause, "reason", None), NewConnectionError)


def retry_after(response: requests.Response) -> float | None:
    """``Retry-After`` in seconds, None if absent or not a number.

    Shopify sends seconds, possibly fractional like ``2.0``; an HTTP-date falls back to backoff.
    """
    try:
        seconds = float(response.headers.get("Retry-After", ""))
    except ValueError:
        return None
    return seconds if math.isfinite(seconds) and seconds >= 0 else None


def json_object(response: requests.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        raise PlatformBadResponse("response is not JSON", status=response.status_code) from None
    if not isinstance(body, dict):
        raise PlatformBadResponse("response is not a JSON object", status=response.status_code)
    return body


def oauth_error(response: requests.Response) -> str:
    """The OAuth ``error`` code (e.g. ``invalid_client``) if it is a plain identifier.

    It tells a wrong secret from a used code; free text from the response is never echoed.
    """
    try:
        code = response.json().get("error")
    except (ValueError, AttributeError):
        return ""
    return f", {code}" if isinstance(code, str) and _OAUTH_ERROR_CODE.fullmatch(code) else ""


def token_grant(body: dict[str, Any], now_ms: int) -> TokenGrant:
    """Validate a token response strictly: a half-understood grant must not be stored."""
    access_token = body.get("access_token")
    scope = body.get("scope")
    refresh_token = body.get("refresh_token")
    if not isinstance(access_token, str) or not access_token:
        raise PlatformBadResponse("token response without an access_token")
    if not isinstance(scope, str):
        raise PlatformBadResponse("token response without a scope string")
    if refresh_token is not None and (not isinstance(refresh_token, str) or not refresh_token):
        raise PlatformBadResponse("token response with a malformed refresh_token")
    return TokenGrant(
        access_token=access_token,
        scopes=tuple(s.strip() for s in scope.split(",") if s.strip()),
        expires_at_ms=_expiry_ms(body, "expires_in", now_ms),
        refresh_token=refresh_token,
        refresh_expires_at_ms=_expiry_ms(body, "refresh_token_expires_in", now_ms),
    )


def _expiry_ms(body: dict[str, Any], key: str, now_ms: int) -> int | None:
    seconds = body.get(key)
    if seconds is None:
        return None
    if not isinstance(seconds, int) or isinstance(seconds, bool) or seconds < 0:
        raise PlatformBadResponse(f"token response with a malformed {key}")
    return now_ms + seconds * 1000


def error_list(errors: Any) -> list[dict[str, Any]]:
    """Top-level ``errors`` as a list of dicts; the platform has been seen to send a bare string."""
    if isinstance(errors, str):
        return [{"message": errors}]
    if isinstance(errors, list):
        return [e if isinstance(e, dict) else {"message": str(e)} for e in errors]
    return [{"message": str(errors)}]


def error_code(error: dict[str, Any]) -> Any:
    extensions = error.get("extensions")
    return extensions.get("code") if isinstance(extensions, dict) else None


def cost_extension(document: dict[str, Any]) -> dict[str, Any] | None:
    extensions = document.get("extensions")
    cost = extensions.get("cost") if isinstance(extensions, dict) else None
    return cost if isinstance(cost, dict) else None


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def nodes(connection: dict[str, Any]) -> Iterator[dict[str, Any]]:
    if "nodes" in connection:
        items = connection["nodes"]
    else:
        edges = connection.get("edges")
        if not isinstance(edges, list):
            raise PlatformBadResponse("connection has neither nodes nor edges")
        items = [edge.get("node") if isinstance(edge, dict) else None for edge in edges]
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise PlatformBadResponse("connection has malformed nodes")
    return iter(items)
