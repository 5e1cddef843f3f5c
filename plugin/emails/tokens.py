"""Signed, expiring tokens in every email link: which send (and so whom) a link came in.

A link in an email must work on any device, with no login, and must not let
anyone change the id in it to act for someone else: the token is the shop and
the send's id signed with the app's secret (``itsdangerous``, which Flask itself
uses for sessions), with a purpose of its own so an unsubscribe token cannot
be replayed as a click token. All of the app's secrets verify (rotation). The
address is not in it (tokens are readable, and URLs end up in logs): the send
row names it.
Unsubscribe tokens stay good for a year: RFC 8058 wants the one-click URL to
keep working for as long as the message may be read.

A preview or a test email has no send to name: its recommendation slots carry
``sample`` tokens instead, which name the shop and the product the preview
chose, so their images draw that product and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from itsdangerous import BadSignature, URLSafeTimedSerializer

DAY_S = 86_400
EMAIL_TOKEN = "sl_t"  # the query parameter that carries a ``link`` token onto the storefront
LIFETIMES_S = {"unsubscribe": 365 * DAY_S, "link": 30 * DAY_S, "sample": 30 * DAY_S}
MAX_TOKEN = 200  # ours are under 100 characters


@dataclass(frozen=True)
class Holder:
    """Whom a verified token names."""

    shop: str
    send_id: int


class BadToken(ValueError):
    """A token that is forged, damaged, for another purpose or expired."""


def _serializer(secrets: tuple[str, ...], purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(list(reversed(secrets)), salt=f"storelift.email.{purpose}")


def issue(secrets: tuple[str, ...], purpose: str, holder: Holder) -> str:
    """A URL-safe token for ``holder``; ``secrets[0]`` signs."""
    assert purpose in LIFETIMES_S
    return _serializer(secrets, purpose).dumps([holder.shop, holder.send_id])


def verify(secrets: tuple[str, ...], purpose: str, token: str) -> Holder:
    """Whom ``token`` names, or ``BadToken``."""
    try:
        shop, send_id = _serializer(secrets, purpose).loads(token, max_age=LIFETIMES_S[purpose])
    except (BadSignature, ValueError, TypeError):
        raise BadToken(f"not a valid {purpose} token") from None
    if not (isinstance(shop, str) and isinstance(send_id, int) and not isinstance(send_id, bool)):
        raise BadToken(f"not a valid {purpose} token")
    return Holder(shop, send_id)


def issue_sample(secrets: tuple[str, ...], shop: str, product_id: str) -> str:
    """A token for a preview's slot image showing ``product_id`` of ``shop`` (``""``: a made-up sample product)."""
    return _serializer(secrets, "sample").dumps([shop, product_id])


def verify_sample(secrets: tuple[str, ...], token: str) -> tuple[str, str]:
    """The shop and product a ``sample`` token names, or ``BadToken``."""
    try:
        shop, product_id = _serializer(secrets, "sample").loads(token, max_age=LIFETIMES_S["sample"])
    except (BadSignature, ValueError, TypeError):
        raise BadToken("not a valid sample token") from None
    if not (isinstance(shop, str) and isinstance(product_id, str)):
        raise BadToken("not a valid sample token")
    return shop, product_id


def recipient(secrets: tuple[str, ...], store, shop: str, token: str) -> str | None:
    """The address of the email whose link carried ``token`` to ``shop``'s storefront, or None (a bad,
    expired or foreign token, or a send erased since)."""
    try:
        holder = verify(secrets, "link", token[:MAX_TOKEN])
    except BadToken:
        return None
    send = store.emails.get(shop, holder.send_id) if holder.shop == shop else None
    return send.email if send is not None else None


def tagged(url: str, token: str) -> str:
    """``url`` with the link token added to its query string: the landing page's loader reports it."""
    parts = urlsplit(url)
    query = urlencode([*parse_qsl(parts.query, keep_blank_values=True), (EMAIL_TOKEN, token)])
    return urlunsplit(parts._replace(query=query))
