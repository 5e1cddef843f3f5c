"""A shop's DKIM key: making one, the DNS TXT record that publishes it, and whether DNS publishes it yet.

Mailbox providers require DKIM from bulk senders (Gmail's 2024 sender rules,
https://support.google.com/a/answer/14229414), and one-click unsubscribe only counts
when a valid DKIM signature covers it (RFC 8058 §4). The merchant publishes the public
half as a TXT record; ``dns_status`` lets the admin tell them whether that worked, so
nothing is sent under a signature receivers cannot check.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import dns.exception
import dns.resolver
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

# RFC 8301 §3.2: signers MUST use RSA keys of at least 1024 bits and SHOULD use 2048.
KEY_BITS = 2048
DNS_LIFETIME_S = 3.0

FOUND, DIFFERENT, MISSING, UNREACHABLE = "found", "different", "missing", "unreachable"

# RFC 6376 §3.1: a selector is sub-domain *("." sub-domain), a sub-domain being RFC 5321's
# Let-dig [Ldh-str]: letters, digits and inner hyphens, at most 63 characters (RFC 1035 §2.3.4).
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_SELECTOR_RE = re.compile(rf"{_LABEL}(?:\.{_LABEL})*")
_DOMAIN_RE = re.compile(rf"{_LABEL}(?:\.{_LABEL})+")
_MAX_NAME = 253  # RFC 1035 §2.3.4: 255 octets on the wire, 253 characters written out
_BASE64_RE = re.compile(r"[A-Za-z0-9+/]+={0,2}")
_QUOTED_RE = re.compile(r'"((?:[^"\\]|\\.)*)"')
_ESCAPE_RE = re.compile(r"\\(\d{3}|.)")


@dataclass(frozen=True)
class KeyPair:
    private_pem: bytes = field(repr=False)  # PKCS#1 PEM, unencrypted: a secret, kept out of repr and so of logs
    public_b64: str  # base64 of the DER SubjectPublicKeyInfo, what a DKIM record's p= carries (RFC 6376 §3.6.1)


def generate() -> KeyPair:
    """A fresh RSA 2048 key pair.

    The private key is written as PKCS#1 (``BEGIN RSA PRIVATE KEY``), the form DKIM signers read
    most widely: some read no PKCS#8 (e.g. https://github.com/lettre/lettre/issues/926), should a
    merchant move the key to another sender.
    """
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    private_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                                    serialization.NoEncryption())
    public_der = key.public_key().public_bytes(serialization.Encoding.DER,
                                               serialization.PublicFormat.SubjectPublicKeyInfo)
    return KeyPair(private_pem=private_pem, public_b64=base64.b64encode(public_der).decode("ascii"))


def validate_selector(selector: str) -> str:
    """The selector, or ValueError: it becomes a DNS name and the s= tag, so nothing else may get in."""
    if not isinstance(selector, str) or len(selector) > _MAX_NAME or not _SELECTOR_RE.fullmatch(selector):
        raise ValueError(f"DKIM selector {selector!r} is not valid: use letters, digits and hyphens "
                         "(dot-separated labels allowed, none starting or ending with a hyphen), e.g. 'storelift1'.")
    return selector


def validate_domain(domain: str) -> str:
    """The domain, or ValueError: it becomes a DNS name and the d= tag, so nothing else may get in."""
    if not isinstance(domain, str) or len(domain) > _MAX_NAME or not _DOMAIN_RE.fullmatch(domain):
        raise ValueError(f"DKIM domain {domain!r} is not valid: use a domain name such as 'shop.example' "
                         "(letters, digits, hyphens and dots; an international domain in its xn-- form).")
    return domain


def txt_record(selector: str, domain: str, public_b64: str) -> tuple[str, str]:
    """The record to publish: (``selector._domainkey.domain``, ``v=DKIM1; k=rsa; p=…``), per RFC 6376 §3.6.2.1.

    A 2048-bit key's value is longer than one DNS character-string (255 octets); DNS hosts'
    forms split it for you, and a zone file needs it as several quoted strings, which
    verifiers join back together (RFC 6376 §3.6.2.2).
    """
    validate_selector(selector)
    validate_domain(domain)
    if not _BASE64_RE.fullmatch(public_b64 or ""):
        raise ValueError("The DKIM public key must be base64 (the p= value of the key's TXT record).")
    return f"{selector}._domainkey.{domain}", f"v=DKIM1; k=rsa; p={public_b64}"


def dns_status(selector: str, domain: str, public_b64: str,
               lookup: Callable[[str], list[str]] | None = None) -> str:
    """Whether DNS publishes this key: "found", "different" (a DKIM record with another key), "missing" or "unreachable".

    ``lookup(name)`` returns the name's TXT records as DNS writes them (``"v=DKIM1; k=rsa; p=MIIB" "IjAN…"``)
    and raises dnspython's NXDOMAIN or NoAnswer when there are none; by default it asks this
    machine's resolver, giving up after three seconds so an admin page never hangs on DNS.
    """
    name, _ = txt_record(selector, domain, public_b64)
    try:
        records = (lookup or resolve_txt)(name)
    except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
        return MISSING
    except (dns.exception.DNSException, OSError):
        return UNREACHABLE
    keys = [key for key in (_published_key(_joined(record)) for record in records) if key is not None]
    if public_b64 in keys:
        return FOUND
    return DIFFERENT if keys else MISSING


def resolve_txt(name: str) -> list[str]:
    """``name``'s TXT records from this machine's resolver, as ``dns_status`` takes them."""
    resolver = dns.resolver.Resolver()
    resolver.lifetime = DNS_LIFETIME_S
    return [rdata.to_text() for rdata in resolver.resolve(name, "TXT")]


def _joined(record: str) -> str:
    """One TXT record's character-strings as one string: verifiers concatenate them (RFC 6376 §3.6.2.2)."""
    strings = _QUOTED_RE.findall(record)
    if not strings:
        return record
    return "".join(_ESCAPE_RE.sub(_unescape, string) for string in strings)


def _unescape(match: re.Match) -> str:
    """DNS presentation escapes (RFC 1035 §5.1): ``\\X`` is X, ``\\DDD`` is the octet DDD."""
    escaped = match.group(1)
    return chr(int(escaped)) if escaped.isdigit() else escaped


def _published_key(record: str) -> str | None:
    """The p= of a DKIM key record, whitespace removed (RFC 6376 §3.6.1 allows it), or None for other TXT records.

    An empty p= is a revoked key: it is still a DKIM record, so it reads as "different".
    """
    tags = {}
    for part in record.split(";"):
        tag, sep, value = part.partition("=")
        if sep:
            tags[tag.strip()] = value
    if "p" not in tags or tags.get("v", "DKIM1").strip() != "DKIM1":
        return None
    return re.sub(r"\s+", "", tags["p"])
