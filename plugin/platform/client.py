"""Storelift's one client for the platform's HTTP APIs (GraphQL Admin API and OAuth token endpoint).

Every outbound call to a shop goes through here so that timeouts, retries, rate limiting and the
mapping of failures to one error hierarchy (``errors``) live in a single place (platform.md §1.5, §3.5).

Secrets never leave this module except inside a returned ``TokenGrant``: error messages and log
records are built only from our own text, the request path, status codes, attempts and waits, and
``TokenGrant``'s repr hides its tokens. Log through ``storelift.platform``; never log a request or
response object from here.
"""

from __future__ import annotations

import itertools
import logging
import time
from typing import Any, Callable, Iterator, Sequence, TypeVar

import requests

from .answers import (
    TokenGrant,
    cost_extension,
    error_code,
    error_list,
    is_number,
    json_object,
    may_have_been_sent,
    nodes,
    oauth_error,
    retry_after,
    token_grant,
)
from .errors import (
    GraphQLError,
    PlatformAuthError,
    PlatformBadResponse,
    PlatformError,
    PlatformRateLimited,
    PlatformTimeout,
    PlatformUnavailable,
    ThrottledError,
    UserErrors,
)

log = logging.getLogger("storelift.platform")

T = TypeVar("T")

TOKEN_PATH = "/admin/oauth/access_token"
# Waits beyond this are not worth holding a worker for: we give up and let the caller reschedule.
MAX_WAIT = 30.0
# A THROTTLED answer whose numbers say "enough is available" (a race with another client of the
# same app+shop bucket) still needs a pause, or the retry would be throttled again at once.
MIN_THROTTLE_WAIT = 0.5


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
            document = json_object(response)
            self._note_cost(query, document)
            errors = document.get("errors")
            if errors:
                errors = error_list(errors)
                if any(error_code(e) == "THROTTLED" for e in errors):
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
            yield from nodes(connection)
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
        with self._with_retries("bulk result file", self._get_attempt(url, "bulk result")) as response:
            if response.status_code != 200:
                raise PlatformBadResponse(f"GET bulk result: HTTP {response.status_code}", status=response.status_code)
            try:
                yield from (line for line in response.iter_lines() if line)
            except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
                raise PlatformTimeout("GET bulk result: the download broke off") from exc

    def download(self, url: str, max_bytes: int) -> bytes | None:
        """A small public file from the shop's CDN (a product image for an email card), or None when it is
        missing or larger than ``max_bytes``; retried like every call here."""
        with self._with_retries("file", self._get_attempt(url, "file")) as response:
            if response.status_code != 200:
                return None
            body = response.raw.read(max_bytes + 1, decode_content=True)
        return body if len(body) <= max_bytes else None

    def _get_attempt(self, url: str, what: str) -> Callable[[], requests.Response]:
        """One streamed GET of ``url`` for ``_with_retries``: a lost connection, 429 and 5xx are tried again;
        any other answer is the caller's. ``what`` names it in errors instead of the URL."""
        def attempt() -> requests.Response:
            try:
                response = self._session.get(url, timeout=self._timeout, stream=True)
            except (requests.ConnectionError, requests.Timeout) as exc:
                raise _Retry("connection failed", None, PlatformTimeout(f"GET {what}: connection failed")) from exc
            if response.status_code == 429 or response.status_code >= 500:
                raise _Retry(str(response.status_code), retry_after(response),
                             PlatformUnavailable(f"GET {what}: HTTP {response.status_code}"))
            return response
        return attempt

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
                    f"token endpoint refused the request (HTTP {status}{oauth_error(response)})",
                    status=status,
                )
            if not 200 <= status < 300:
                raise PlatformBadResponse(f"token endpoint answered HTTP {status}", status=status)
            return token_grant(json_object(response), int(self._clock() * 1000))

        return self._with_retries(TOKEN_PATH, attempt)

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
            if resend_after_sent or not may_have_been_sent(exc):
                raise _Retry(kind, None, timeout) from exc
            log.warning("POST %s: %s after sending; not resending", path, kind)
            raise timeout from exc
        status = response.status_code
        log.debug("POST %s -> %d", path, status)
        if status == 429:
            error: PlatformError = PlatformRateLimited(f"POST {path}: rate limited (HTTP 429)", status=status)
            raise _Retry("429", retry_after(response), error)
        if status >= 500:
            error = PlatformUnavailable(f"POST {path}: HTTP {status}", status=status)
            raise _Retry(str(status), retry_after(response), error)
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
        cost = cost_extension(document)
        if cost is None:
            return
        requested, status = cost.get("requestedQueryCost"), cost.get("throttleStatus")
        if is_number(requested):
            self._query_costs[query] = float(requested)
        if isinstance(status, dict):
            available, maximum, rate = (
                status.get("currentlyAvailable"), status.get("maximumAvailable"), status.get("restoreRate")
            )
            if is_number(available) and is_number(maximum) and is_number(rate) and rate > 0:
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
        cost = cost_extension(document) or {}
        requested, status = cost.get("requestedQueryCost"), cost.get("throttleStatus")
        if not is_number(requested) or not isinstance(status, dict):
            return None
        available, rate = status.get("currentlyAvailable"), status.get("restoreRate")
        if not is_number(available) or not is_number(rate) or rate <= 0:
            return None
        return max((requested - available) / rate, MIN_THROTTLE_WAIT)
