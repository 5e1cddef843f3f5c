"""Handing one signed message to the mail server named by ``STORELIFT_SMTP_URL``, and what its answer means.

``smtp://user:password@host:587`` upgrades with STARTTLS whenever the server
offers it; ``smtps://…:465`` speaks TLS from the first byte. The answer sorts
into four outcomes, because each needs its own handling:

- ``sent``: the server took responsibility for the message (250 after DATA);
- ``retry``: it did not take the message and said so, or the connection failed
  before the message went (a 4xx reply, a refused or dropped connection): safe
  to try again later;
- ``refused``: a permanent 5xx for this address (RFC 5321 §4.2.1), so the
  address is suppressed;
- ``unknown``: the connection broke while the message itself was being sent or
  answered, so it may have been taken: never sent again (at most once per step).

A worker keeps its session open between messages (``Mailer``): a new session costs a TCP
handshake, a TLS handshake with STARTTLS, EHLO and a login before the first MAIL, which was
most of a send's time (bench/emails.py). The admin's one-off test send uses ``hand_over``.
"""

from __future__ import annotations

import functools
import smtplib
import ssl
import threading
import time
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

TIMEOUT_S = 20
# A kept session idle longer than this is closed and a new one opened: servers hang up on idle
# clients (RFC 5321 §4.5.3.2.7 lets them after 5 minutes; relays often sooner).
IDLE_S = 30


class SmtpUrlError(ValueError):
    """``STORELIFT_SMTP_URL`` names no server Storelift can use."""


@dataclass(frozen=True)
class Server:
    host: str
    port: int
    tls: bool  # TLS from the first byte (smtps); otherwise STARTTLS when offered
    user: str | None
    password: str | None


@dataclass(frozen=True)
class Outcome:
    kind: str  # "sent" | "retry" | "refused" | "unknown"
    detail: str


def parse(url: str) -> Server:
    """The server in ``url``, or SmtpUrlError saying what is wrong (never echoing a password)."""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise SmtpUrlError("STORELIFT_SMTP_URL must look like smtp://user:password@host:587 or smtps://host:465")
    try:
        port = parts.port or (465 if parts.scheme == "smtps" else 25)
    except ValueError:
        raise SmtpUrlError("STORELIFT_SMTP_URL has a port that is not a number") from None
    return Server(parts.hostname, port, parts.scheme == "smtps", unquote(parts.username) if parts.username else None,
                  unquote(parts.password) if parts.password else None)


def _reply(code: int, message: bytes | str) -> str:
    text = message.decode(errors="replace") if isinstance(message, bytes) else str(message)
    return f"{code} {text}".strip()


def _answer(code: int, message) -> Outcome:
    return Outcome("refused" if code >= 500 else "retry", _reply(code, message))


@functools.cache
def _tls() -> ssl.SSLContext:
    """The TLS settings, made once per process: loading the system's CA certificates costs about 20 ms,
    which made it most of the time a send took (bench/emails.py)."""
    return ssl.create_default_context()


def hand_over(server: Server, sender: str, recipient: str, message: bytes) -> Outcome:
    """One message to one recipient over a session of its own, closed afterwards."""
    client, outcome = _open(server)
    if client is None:
        return outcome
    try:
        return _envelope(client, sender, recipient) or _data(client, message)
    finally:
        _close(client)


class Mailer:
    """Hands messages over on a session kept open per thread and server, so a worker sending a run
    of emails greets, upgrades to TLS and logs in once.

    A kept session that turns out to be gone before the message went (the server hung up, or said
    421) is replaced by a new one for the same message, which is safe: nothing was handed over. After
    a refusal the session is reset (RSET) and kept; after ``unknown`` it is dropped.
    """

    def __init__(self, clock=time.monotonic):
        self._clock = clock
        self._local = threading.local()

    def hand_over(self, server: Server, sender: str, recipient: str, message: bytes) -> Outcome:
        client = self._kept(server)
        if client is not None:
            try:
                refused = _envelope_on(client, sender, recipient)
                gone = refused is not None and refused.detail.startswith("421")
            except (OSError, smtplib.SMTPException):
                refused, gone = None, True
            if not gone:
                return self._after(server, client, refused or _data(client, message))
            _close(client)
        client, outcome = _open(server)
        if client is None:
            return outcome
        return self._after(server, client, _envelope(client, sender, recipient) or _data(client, message))

    def _kept(self, server: Server) -> smtplib.SMTP | None:
        kept = getattr(self._local, "session", None)
        self._local.session = None
        if kept is None:
            return None
        kept_for, client, used_at = kept
        if kept_for == server and self._clock() - used_at < IDLE_S:
            return client
        _close(client)
        return None

    def _after(self, server: Server, client: smtplib.SMTP, outcome: Outcome) -> Outcome:
        """Keep the session for the next message unless it broke (or, after a refusal, cannot be reset)."""
        if outcome.kind == "unknown" or outcome.detail.startswith("421"):
            _close(client)
            return outcome
        if outcome.kind != "sent":
            try:
                client.rset()
            except (OSError, smtplib.SMTPException):
                _close(client)
                return outcome
        self._local.session = (server, client, self._clock())
        return outcome


def _open(server: Server) -> tuple[smtplib.SMTP | None, Outcome | None]:
    """A new session: connected, greeted, upgraded to TLS when possible, logged in; or why not (``retry``)."""
    try:
        client = (smtplib.SMTP_SSL(server.host, server.port, timeout=TIMEOUT_S, context=_tls()) if server.tls
                  else smtplib.SMTP(server.host, server.port, timeout=TIMEOUT_S))
    except (OSError, smtplib.SMTPException) as exc:
        return None, Outcome("retry", f"could not connect: {exc.__class__.__name__}")
    try:
        client.ehlo()
        if not server.tls and client.has_extn("starttls"):
            client.starttls(context=_tls())
            client.ehlo()
        if server.user:
            client.login(server.user, server.password or "")
    except smtplib.SMTPAuthenticationError as exc:
        _close(client)
        return None, Outcome("retry", f"the mail server refused the login: {exc.smtp_code}")
    except (OSError, smtplib.SMTPException) as exc:
        _close(client)
        return None, Outcome("retry", f"before the message: {exc.__class__.__name__}")
    return client, None


def _envelope(client: smtplib.SMTP, sender: str, recipient: str) -> Outcome | None:
    """Sender and recipient: None when both were taken; any failure here is before the message went."""
    try:
        return _envelope_on(client, sender, recipient)
    except (OSError, smtplib.SMTPException) as exc:
        return Outcome("retry", f"before the message: {exc.__class__.__name__}")


def _envelope_on(client: smtplib.SMTP, sender: str, recipient: str) -> Outcome | None:
    code, reply = client.mail(sender)
    if code != 250:
        return _answer(code, reply)
    code, reply = client.rcpt(recipient)
    return None if code in (250, 251) else _answer(code, reply)


def _data(client: smtplib.SMTP, message: bytes) -> Outcome:
    try:
        code, reply = client.data(message)
    except smtplib.SMTPDataError as exc:
        return _answer(exc.smtp_code, exc.smtp_error)
    except (OSError, smtplib.SMTPException) as exc:
        return Outcome("unknown", f"while sending the message: {exc.__class__.__name__}")
    return Outcome("sent", _reply(code, reply)) if code == 250 else _answer(code, reply)


def _close(client: smtplib.SMTP) -> None:
    """QUIT politely; the outcome is already known, so a server gone by now changes nothing."""
    try:
        client.quit()
    except (OSError, smtplib.SMTPException):
        client.close()
