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
"""

from __future__ import annotations

import functools
import smtplib
import ssl
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

TIMEOUT_S = 20


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
    """One message to one recipient, step by step, so a failure is known to be before or during DATA."""
    try:
        client = (smtplib.SMTP_SSL(server.host, server.port, timeout=TIMEOUT_S, context=_tls()) if server.tls
                  else smtplib.SMTP(server.host, server.port, timeout=TIMEOUT_S))
    except (OSError, smtplib.SMTPException) as exc:
        return Outcome("retry", f"could not connect: {exc.__class__.__name__}")
    try:
        refused = _envelope(client, server, sender, recipient)
        return refused or _data(client, message)
    finally:
        _close(client)


def _envelope(client: smtplib.SMTP, server: Server, sender: str, recipient: str) -> Outcome | None:
    """Greeting, TLS, login, sender and recipient: any failure here is before the message went."""
    try:
        client.ehlo()
        if not server.tls and client.has_extn("starttls"):
            client.starttls(context=_tls())
            client.ehlo()
        if server.user:
            client.login(server.user, server.password or "")
        code, reply = client.mail(sender)
        if code != 250:
            return _answer(code, reply)
        code, reply = client.rcpt(recipient)
        return None if code in (250, 251) else _answer(code, reply)
    except smtplib.SMTPAuthenticationError as exc:
        return Outcome("retry", f"the mail server refused the login: {exc.smtp_code}")
    except (OSError, smtplib.SMTPException) as exc:
        return Outcome("retry", f"before the message: {exc.__class__.__name__}")


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
