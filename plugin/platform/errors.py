"""The one error hierarchy for every failure talking to the platform (platform.md §1.5, §3.5).

Callers catch ``PlatformError`` to treat any failure alike, or a subclass to react to one cause
(refresh the token on ``PlatformAuthError``, reschedule on ``PlatformUnavailable``). Messages are
built only from our own text, the request path and status codes, never from a secret.
"""

from __future__ import annotations

from typing import Any


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
