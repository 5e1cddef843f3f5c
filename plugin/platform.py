"""Storelift's one client for the platform's HTTP APIs (GraphQL Admin API and OAuth token endpoint).

Every outbound call to a shop goes through here so that timeouts, retries, rate limiting and the
mapping of failures to one error hierarchy live in a single place (platform.md §1.5, §3.5).

Secrets never leave this module except inside a returned ``TokenGrant``: error messages and log
records are built only from our own text, the request path, status codes, attempts and waits, and
``TokenGrant``'s repr hides its tokens. Log through ``storelift.platform``; never log a request or
response object from here.
"""

from __future__ import annotations

import itertools
import logging
import math
import re
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Sequence, TypeVar

import requests
from urllib3.exceptions import NewConnectionError

log = logging.getLogger("storelift.platform")

T = TypeVar("T")

TOKEN_PATH = "/admin/oauth/access_token"
# Waits beyond this are not worth holding a worker for: we give up and let the caller reschedule.
MAX_WAIT = 30.0
# A THROTTLED answer whose numbers say "enough is available" (a race with another client of the
# same app+shop bucket) still needs a pause, or the retry would be throttled again at once.
MIN_THROTTLE_WAIT = 0.5
_OAUTH_ERROR_CODE = re.compile(r"[a-z_]{1,64}")


class PlatformError(Exception):
    """Base of every failure talking to the platform; ``status`` is the HTTP status when there was one."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class PlatformTimeout(PlatformError):
    """No answer: connection failed or timed out (after retries, where retrying was safe)."""


class PlatformUnavailable(PlatformError):
    """The platform kept answering 5xx until we ran out of attempts."""


class PlatformRateLimited(PlatformError):
    """The platform kept answering 429 until we ran out of attempts (or asked for a too-long wait)."""


class PlatformAuthError(PlatformError):
    """401/403 (token revoked or expired) or a refused code / refresh token.

    The caller may refresh the token or mark the shop uninstalled.
    """


class PlatformBadResponse(PlatformError):
    """An answer we cannot use: not JSON, the wrong shape, or an unexpected 4xx."""


class GraphQLError(PlatformError):
    """The GraphQL response carried top-level ``errors``; ``errors`` is that list as received."""

    def __init__(self, message: str, errors: list[dict[str, Any]]) -> None:
        super().__init__(message)
        self.errors = errors


class ThrottledError(GraphQLError):
    """The query stayed THROTTLED by cost limiting until we ran out of attempts."""


class UserErrors(PlatformError):
    """A mutation ran but refused its input.

    ``errors`` holds the ``userErrors`` dicts (field, message, code); ``mutation`` names the payload.
    """

    def __init__(self, mutation: str, errors: list[dict[str, Any]]) -> None:
        messages = "; ".join(str(e.get("message")) for e in errors)
        super().__init__(f"{mutation} rejected: {messages}")
        self.mutation = mutation
        self.errors = errors


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


class _Retry(Exception):
    """Internal signal from one attempt: worth retrying after ``wait`` seconds (None: use backoff),
    otherwise ``error`` is what the caller gets. ``reason`` is a short, secret-free word for the log."""

    def __init__(self, reason: str, wait: float | None, error: PlatformError) -> None:
        super().__init__(reason)
        self.reason = reason
        self.wait = wait
        self.error = error


class PlatformClient:
    """Client for one shop (``base_url`` is ``https://{shop}``, or the simulated store in tests).

    Not tied to a token: the OAuth methods work without one, and after a refresh the caller builds a
    new client with the new token (cheap; pass the same ``session`` to keep connections pooled).
    ``sleep`` and ``clock`` are injectable so tests never wait and can steer expiry and throttling.
    """

    def __init__(
        self,
        base_url: str,
        api_version: str,
        access_token: str | None = None,
        *,
        session: requests.Session | None = None,
        timeout: tuple[float, float] = (3.05, 10.0),
        max_attempts: int = 5,
        sleep: Callable[[float], None] | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self._base_url = base_url.rstrip("/")
        self._graphql_path = f"/admin/api/{api_version}/graphql.json"
        self._access_token = access_token
        self._session = session or requests.Session()
        self._timeout = timeout
        self._max_attempts = max_attempts
        self._sleep = sleep or time.sleep
        self._clock = clock or time.time
        # Cost bookkeeping for proactive throttling: the last requestedQueryCost seen per query text
        # (queries are constants in our code, so this stays small) and the last bucket state seen.
        self._query_costs: dict[str, float] = {}
        self._bucket: tuple[float, float, float, float] | None = None  # available, maximum, rate, seen_at

    # ------------------------------------------------------------------ GraphQL Admin API

    def graphql(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """Run one GraphQL operation and return its ``data``.

        Retries transport failures, 429, 5xx and THROTTLED up to ``max_attempts`` in total. Mutations
        are retried too: the ones Storelift runs are keyed by natural unique values (discount code,
        webhook topic + address), so replaying one whose success we never saw comes back as a
        ``userError`` rather than a duplicate.
        """
        if not self._access_token:
            raise PlatformAuthError("no access token for this shop")
        body = {"query": query, "variables": variables or {}}
        headers = {"X-Shopify-Access-Token": self._access_token, "Accept": "application/json"}

        def attempt() -> dict[str, Any]:
            self._wait_for_bucket(query)
            response = self._post(self._graphql_path, body, headers, resend_after_sent=True)
            if response.status_code in (401, 403):
                raise PlatformAuthError(
                    f"access token refused (HTTP {response.status_code})", status=response.status_code
                )
            if not 200 <= response.status_code < 300:
                raise PlatformBadResponse(
                    f"GraphQL answered HTTP {response.status_code}", status=response.status_code
                )
            document = _json_object(response)
            self._note_cost(query, document)
            errors = document.get("errors")
            if errors:
                errors = _error_list(errors)
                if any(_error_code(e) == "THROTTLED" for e in errors):
                    raise _Retry(
                        "THROTTLED",
                        self._throttle_wait(document),
                        ThrottledError("query cost throttled (THROTTLED)", errors),
                    )
                messages = "; ".join(str(e.get("message")) for e in errors)
                raise GraphQLError(f"GraphQL errors: {messages}", errors)
            data = document.get("data")
            if not isinstance(data, dict):
                raise PlatformBadResponse("GraphQL response has no data object", status=response.status_code)
            return data

        return self._with_retries(self._graphql_path, attempt)

    def mutate(self, query: str, variables: dict[str, Any] | None, payload_key: str) -> dict[str, Any]:
        """Run a mutation and return ``data[payload_key]``; raise ``UserErrors`` if it refused its input."""
        payload = self.graphql(query, variables).get(payload_key)
        if not isinstance(payload, dict):
            raise PlatformBadResponse(f"mutation payload {payload_key!r} missing")
        user_errors = payload.get("userErrors") or []
        if not isinstance(user_errors, list) or not all(isinstance(e, dict) for e in user_errors):
            raise PlatformBadResponse(f"mutation payload {payload_key!r} has malformed userErrors")
        if user_errors:
            raise UserErrors(payload_key, user_errors)
        return payload

    def paginate(
        self,
        query: str,
        variables: dict[str, Any] | None,
        connection_path: Sequence[str],
        page_size: int = 100,
    ) -> Iterator[dict[str, Any]]:
        """Yield every node of a connection, page by page.

        The query must declare ``$first: Int!`` and ``$after: String`` and select
        ``pageInfo { hasNextPage endCursor }`` plus ``nodes`` or ``edges { node }`` on the connection
        found at ``connection_path`` inside ``data``.
        """
        cursor: str | None = None
        while True:
            data = self.graphql(query, {**(variables or {}), "first": page_size, "after": cursor})
            connection: Any = data
            for key in connection_path:
                connection = connection.get(key) if isinstance(connection, dict) else None
            if not isinstance(connection, dict):
                raise PlatformBadResponse(f"connection {'.'.join(connection_path)} missing")
            yield from _nodes(connection)
            page_info = connection.get("pageInfo")
            if not isinstance(page_info, dict) or not page_info.get("hasNextPage"):
                return
            next_cursor = page_info.get("endCursor")
            # A repeated or missing cursor would loop forever over the same page.
            if not isinstance(next_cursor, str) or not next_cursor or next_cursor == cursor:
                raise PlatformBadResponse("hasNextPage without a new endCursor")
            cursor = next_cursor

    def download_lines(self, url: str) -> Iterator[bytes]:
        """Stream a bulk operation's JSONL result file line by line (no token: the URL is signed).

        The URL is a credential of its own, so neither it nor its query ever reaches a log line.
        """
        def attempt() -> requests.Response:
            try:
                response = self._session.get(url, timeout=self._timeout, stream=True)
            except (requests.ConnectionError, requests.Timeout) as exc:
                raise _Retry("connection failed", None, PlatformTimeout("GET bulk result: connection failed")) from exc
            if response.status_code == 429 or response.status_code >= 500:
                raise _Retry(str(response.status_code), _retry_after(response),
                             PlatformUnavailable(f"GET bulk result: HTTP {response.status_code}"))
            if response.status_code != 200:
                raise PlatformBadResponse(f"GET bulk result: HTTP {response.status_code}", status=response.status_code)
            return response

        with self._with_retries("bulk result file", attempt) as response:
            try:
                yield from (line for line in response.iter_lines() if line)
            except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
                raise PlatformTimeout("GET bulk result: the download broke off") from exc

    # ------------------------------------------------------------------ OAuth token endpoint

    def exchange_code(self, api_key: str, api_secret: str, code: str, expiring: bool = True) -> TokenGrant:
        """Exchange an authorization code for an offline token (platform.md §1.5).

        The code is single-use, and OAuth servers may revoke what a reused code granted (RFC 6749
        §4.1.2) — for offline tokens that can be the shop's existing token. So a request that may
        have reached the server (read timeout, dropped connection) is never resent: it fails with
        ``PlatformTimeout`` and the merchant restarts the install. Failures before sending (connect
        timeout, connection refused) and 429 are retried: the code was never used. 5xx is retried
        too, because a server error normally means no grant was made; if the code was consumed after
        all, the resend is refused (``PlatformAuthError``) and the merchant restarts the install,
        as they would have had to anyway.
        """
        payload = {
            "client_id": api_key,
            "client_secret": api_secret,
            "code": code,
            "expiring": "1" if expiring else "0",
        }
        return self._token_request(payload, resend_after_sent=False)

    def refresh(self, api_key: str, api_secret: str, refresh_token: str) -> TokenGrant:
        """Trade a refresh token for a new access + refresh token; store both (the old refresh token retires).

        Fully retried, including after a read timeout: the platform keeps the previous refresh token
        valid until the app uses its replacement (platform.md §1.5), so a resend is harmless.
        """
        payload = {
            "client_id": api_key,
            "client_secret": api_secret,
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
        }
        return self._token_request(payload, resend_after_sent=True)

    def _token_request(self, payload: dict[str, str], *, resend_after_sent: bool) -> TokenGrant:
        def attempt() -> TokenGrant:
            response = self._post(
                TOKEN_PATH, payload, {"Accept": "application/json"}, resend_after_sent=resend_after_sent
            )
            status = response.status_code
            if status in (400, 401, 403):
                raise PlatformAuthError(
                    f"token endpoint refused the request (HTTP {status}{_oauth_error(response)})",
                    status=status,
                )
            if not 200 <= status < 300:
                raise PlatformBadResponse(f"token endpoint answered HTTP {status}", status=status)
            return self._grant(_json_object(response))

        return self._with_retries(TOKEN_PATH, attempt)

    def _grant(self, body: dict[str, Any]) -> TokenGrant:
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
        now_ms = int(self._clock() * 1000)
        return TokenGrant(
            access_token=access_token,
            scopes=tuple(s.strip() for s in scope.split(",") if s.strip()),
            expires_at_ms=_expiry(body, "expires_in", now_ms),
            refresh_token=refresh_token,
            refresh_expires_at_ms=_expiry(body, "refresh_token_expires_in", now_ms),
        )

    # ------------------------------------------------------------------ transport and retries

    def _post(
        self, path: str, body: dict[str, Any], headers: dict[str, str], *, resend_after_sent: bool
    ) -> requests.Response:
        """POST JSON once; turn transport failures, 429 and 5xx into ``_Retry``, return any other answer."""
        try:
            response = self._session.post(
                self._base_url + path, json=body, headers=headers, timeout=self._timeout
            )
        except (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError) as exc:
            kind = "timed out" if isinstance(exc, requests.Timeout) else "connection failed"
            timeout = PlatformTimeout(f"POST {path}: {kind}")
            if resend_after_sent or not _may_have_been_sent(exc):
                raise _Retry(kind, None, timeout) from exc
            log.warning("POST %s: %s after sending; not resending", path, kind)
            raise timeout from exc
        status = response.status_code
        log.debug("POST %s -> %d", path, status)
        if status == 429:
            error: PlatformError = PlatformRateLimited(f"POST {path}: rate limited (HTTP 429)", status=status)
            raise _Retry("429", _retry_after(response), error)
        if status >= 500:
            error = PlatformUnavailable(f"POST {path}: HTTP {status}", status=status)
            raise _Retry(str(status), _retry_after(response), error)
        return response

    def _with_retries(self, path: str, attempt: Callable[[], T]) -> T:
        """Run ``attempt`` until it returns, raises a final error, or ``max_attempts`` are used up.

        Waits: what the platform asked for (Retry-After, throttle status), else 1, 2, 4 … s capped at
        ``MAX_WAIT``. A requested wait longer than ``MAX_WAIT`` ends the retries at once: sleeping
        less than asked would only earn another refusal.
        """
        for number in itertools.count(1):
            try:
                return attempt()
            except _Retry as retry:
                wait = retry.wait if retry.wait is not None else min(2.0 ** (number - 1), MAX_WAIT)
                if number >= self._max_attempts or wait > MAX_WAIT:
                    log.warning(
                        "POST %s: %s on attempt %d/%d; giving up",
                        path, retry.reason, number, self._max_attempts,
                    )
                    raise retry.error from retry.__cause__
                log.warning(
                    "POST %s: %s on attempt %d/%d; retrying in %.2fs",
                    path, retry.reason, number, self._max_attempts, wait,
                )
                self._sleep(wait)

    # ------------------------------------------------------------------ cost throttling

    def _note_cost(self, query: str, document: dict[str, Any]) -> None:
        """Remember the query's requested cost and the bucket state from ``extensions.cost``.

        Malformed or missing numbers are ignored: cost data is advisory and must not fail a query.
        """
        cost = _cost(document)
        if cost is None:
            return
        requested, status = cost.get("requestedQueryCost"), cost.get("throttleStatus")
        if _is_number(requested):
            self._query_costs[query] = float(requested)
        if isinstance(status, dict):
            available, maximum, rate = (
                status.get("currentlyAvailable"), status.get("maximumAvailable"), status.get("restoreRate")
            )
            if _is_number(available) and _is_number(maximum) and _is_number(rate) and rate > 0:
                self._bucket = (float(available), float(maximum), float(rate), self._clock())

    def _wait_for_bucket(self, query: str) -> None:
        """Sleep before sending if this query's last known cost exceeds what the bucket holds by now.

        The bucket refills at ``restoreRate`` points/s from the last state seen, up to
        ``maximumAvailable``. A query never seen before, or no state yet, is sent at once (the
        platform's THROTTLED answer then teaches us both). It is an estimate: other clients of the
        same app+shop drain the same bucket, which the reactive THROTTLED retry covers.
        """
        cost = self._query_costs.get(query)
        if cost is None or self._bucket is None:
            return
        available, maximum, rate, seen_at = self._bucket
        available_now = min(maximum, available + rate * max(0.0, self._clock() - seen_at))
        wait = (min(cost, maximum) - available_now) / rate
        if wait > 0:
            wait = min(wait, MAX_WAIT)
            log.info("POST %s: waiting %.2fs for query cost budget", self._graphql_path, wait)
            self._sleep(wait)

    def _throttle_wait(self, document: dict[str, Any]) -> float | None:
        """Seconds until the bucket holds the requested cost again; None (use backoff) without the numbers."""
        cost = _cost(document) or {}
        requested, status = cost.get("requestedQueryCost"), cost.get("throttleStatus")
        if not _is_number(requested) or not isinstance(status, dict):
            return None
        available, rate = status.get("currentlyAvailable"), status.get("restoreRate")
        if not _is_number(available) or not _is_number(rate) or rate <= 0:
            return None
        return max((requested - available) / rate, MIN_THROTTLE_WAIT)


# ---------------------------------------------------------------------- helpers (pure)


def _may_have_been_sent(exc: requests.RequestException) -> bool:
    """False only when we know the request never left: connect timeout or no connection made."""
    if isinstance(exc, requests.ConnectTimeout):
        return False
    cause = exc.args[0] if exc.args else None
    return not isinstance(getattr(cause, "reason", None), NewConnectionError)


def _retry_after(response: requests.Response) -> float | None:
    """``Retry-After`` in seconds, None if absent or not a number.

    Shopify sends seconds, possibly fractional like ``2.0``; an HTTP-date falls back to backoff.
    """
    try:
        seconds = float(response.headers.get("Retry-After", ""))
    except ValueError:
        return None
    return seconds if math.isfinite(seconds) and seconds >= 0 else None


def _json_object(response: requests.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        raise PlatformBadResponse("response is not JSON", status=response.status_code) from None
    if not isinstance(body, dict):
        raise PlatformBadResponse("response is not a JSON object", status=response.status_code)
    return body


def _oauth_error(response: requests.Response) -> str:
    """The OAuth ``error`` code (e.g. ``invalid_client``) if it is a plain identifier.

    It tells a wrong secret from a used code; free text from the response is never echoed.
    """
    try:
        code = response.json().get("error")
    except (ValueError, AttributeError):
        return ""
    return f", {code}" if isinstance(code, str) and _OAUTH_ERROR_CODE.fullmatch(code) else ""


def _expiry(body: dict[str, Any], key: str, now_ms: int) -> int | None:
    seconds = body.get(key)
    if seconds is None:
        return None
    if not isinstance(seconds, int) or isinstance(seconds, bool) or seconds < 0:
        raise PlatformBadResponse(f"token response with a malformed {key}")
    return now_ms + seconds * 1000


def _error_list(errors: Any) -> list[dict[str, Any]]:
    """Top-level ``errors`` as a list of dicts; the platform has been seen to send a bare string."""
    if isinstance(errors, str):
        return [{"message": errors}]
    if isinstance(errors, list):
        return [e if isinstance(e, dict) else {"message": str(e)} for e in errors]
    return [{"message": str(errors)}]


def _error_code(error: dict[str, Any]) -> Any:
    extensions = error.get("extensions")
    return extensions.get("code") if isinstance(extensions, dict) else None


def _cost(document: dict[str, Any]) -> dict[str, Any] | None:
    extensions = document.get("extensions")
    cost = extensions.get("cost") if isinstance(extensions, dict) else None
    return cost if isinstance(cost, dict) else None


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _nodes(connection: dict[str, Any]) -> Iterator[dict[str, Any]]:
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
