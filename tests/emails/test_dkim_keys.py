"""A shop's DKIM key: it signs what its published record verifies, and DNS is read the way verifiers read it.

Every lookup here is a fake: these tests never touch the network."""

from __future__ import annotations

import base64

import dkim
import dns.exception
import dns.resolver
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from plugin.emails import dkim_keys
from plugin.emails.message import build_message, sign

DOMAIN, SELECTOR = "shop.example", "storelift1"
NAME = "storelift1._domainkey.shop.example"


@pytest.fixture(scope="module")
def key() -> dkim_keys.KeyPair:
    return dkim_keys.generate()


def _lookup(answers: dict[str, list[str]] | Exception):
    """A stand-in for DNS: the TXT records per name, or the error every query raises."""
    def lookup(name: str) -> list[str]:
        if isinstance(answers, Exception):
            raise answers
        if name not in answers:
            raise dns.resolver.NXDOMAIN()
        return answers[name]
    return lookup


def test_a_generated_key_is_rsa_2048_with_its_public_half_as_spki(key):
    private = serialization.load_pem_private_key(key.private_pem, password=None)
    assert isinstance(private, rsa.RSAPrivateKey) and private.key_size == 2048
    public = serialization.load_der_public_key(base64.b64decode(key.public_b64))
    assert public.public_numbers() == private.public_key().public_numbers()


def test_the_private_key_stays_out_of_repr(key):
    assert b"PRIVATE KEY" in key.private_pem
    assert "PRIVATE" not in repr(key) and key.private_pem.decode() not in repr(key)


def test_two_generated_keys_differ(key):
    assert dkim_keys.generate().public_b64 != key.public_b64


def test_the_txt_record_names_the_selector_and_carries_the_key(key):
    name, value = dkim_keys.txt_record(SELECTOR, DOMAIN, key.public_b64)
    assert name == NAME
    assert value == f"v=DKIM1; k=rsa; p={key.public_b64}"


def test_a_message_signed_with_the_key_verifies_against_its_record(key):
    name, value = dkim_keys.txt_record(SELECTOR, DOMAIN, key.public_b64)
    message = build_message(sender_name="Shop", sender_address="hello@shop.example", to="ada@example.com",
                            subject="Hi", html="<p>Hi</p>", text="Hi", unsubscribe_url="https://storelift.example/u/1",
                            message_id="send-1.1@storelift.example", sent_at_ms=0).as_bytes()
    signed = sign(message, domain=DOMAIN, selector=SELECTOR, private_key_pem=key.private_pem)
    published = {f"{name}.".encode(): value.encode()}
    assert dkim.verify(signed, dnsfunc=lambda queried, timeout=5: published.get(queried))


@pytest.mark.parametrize("selector", ["s1", "storelift-2024", "2024.storelift", "A1"])
def test_selectors_that_are_dns_labels_are_accepted(key, selector):
    assert dkim_keys.txt_record(selector, DOMAIN, key.public_b64)[0] == f"{selector}._domainkey.{DOMAIN}"


@pytest.mark.parametrize("selector", ["", "-s1", "s1-", "s_1", "s 1", "s1.", ".s1", "s1..s2", "sé", "s1;p=x",
                                      "s1\n", "x" * 64])
def test_selectors_that_are_not_dns_labels_are_refused(key, selector):
    with pytest.raises(ValueError, match="DKIM selector"):
        dkim_keys.txt_record(selector, DOMAIN, key.public_b64)


@pytest.mark.parametrize("domain", ["", "example", "shop..example", "-shop.example", "shop.example.", "shöp.example",
                                    "shop.example/x", "shop example.com", "shop_1.example", "a." * 127 + "com"])
def test_domains_that_are_not_dns_names_are_refused(key, domain):
    with pytest.raises(ValueError, match="DKIM domain"):
        dkim_keys.dns_status(SELECTOR, domain, key.public_b64, lookup=_lookup({}))


def test_a_public_key_that_is_not_base64_is_refused():
    with pytest.raises(ValueError, match="base64"):
        dkim_keys.txt_record(SELECTOR, DOMAIN, "MIIB; p=other")


def test_found_when_dns_publishes_the_key(key):
    value = dkim_keys.txt_record(SELECTOR, DOMAIN, key.public_b64)[1]
    assert dkim_keys.dns_status(SELECTOR, DOMAIN, key.public_b64, lookup=_lookup({NAME: [f'"{value}"']})) == "found"


def test_found_when_the_record_is_split_into_several_strings(key):
    """A 2048-bit key is longer than one 255-octet DNS string, so zone files split it (RFC 6376 §3.6.2.2)."""
    value = dkim_keys.txt_record(SELECTOR, DOMAIN, key.public_b64)[1]
    split = " ".join(f'"{value[i:i + 200]}"' for i in range(0, len(value), 200))
    assert split.count('"') > 2
    assert dkim_keys.dns_status(SELECTOR, DOMAIN, key.public_b64, lookup=_lookup({NAME: [split]})) == "found"


def test_found_among_other_txt_records_and_with_whitespace_in_the_key(key):
    folded = " ".join(key.public_b64[i:i + 64] for i in range(0, len(key.public_b64), 64))
    records = ['"v=spf1 include:_spf.example -all"', f'"v=DKIM1; k=rsa;  p= {folded} "', "google-site-verification=x"]
    assert dkim_keys.dns_status(SELECTOR, DOMAIN, key.public_b64, lookup=_lookup({NAME: records})) == "found"


def test_dns_escapes_in_a_record_are_read(key):
    escaped = f'"v\\=DKIM1\\059 k=rsa\\; p={key.public_b64}"'
    assert dkim_keys.dns_status(SELECTOR, DOMAIN, key.public_b64, lookup=_lookup({NAME: [escaped]})) == "found"


def test_different_when_dns_publishes_another_key(key):
    other = dkim_keys.generate()
    value = dkim_keys.txt_record(SELECTOR, DOMAIN, other.public_b64)[1]
    assert dkim_keys.dns_status(SELECTOR, DOMAIN, key.public_b64, lookup=_lookup({NAME: [f'"{value}"']})) == "different"


def test_different_when_the_published_key_is_revoked(key):
    revoked = '"v=DKIM1; k=rsa; p="'
    assert dkim_keys.dns_status(SELECTOR, DOMAIN, key.public_b64, lookup=_lookup({NAME: [revoked]})) == "different"


@pytest.mark.parametrize("lookup", [_lookup({}), _lookup(dns.resolver.NoAnswer()),
                                    _lookup({NAME: []}), _lookup({NAME: ['"v=spf1 -all"']}),
                                    _lookup({"other._domainkey.shop.example": ['"v=DKIM1; p=MIIB"']})])
def test_missing_when_there_is_no_dkim_record_at_the_name(key, lookup):
    assert dkim_keys.dns_status(SELECTOR, DOMAIN, key.public_b64, lookup=lookup) == "missing"


@pytest.mark.parametrize("error", [dns.exception.Timeout(), dns.resolver.NoNameservers(),
                                   dns.resolver.NoResolverConfiguration(), OSError("network is unreachable")])
def test_unreachable_when_dns_cannot_answer(key, error):
    assert dkim_keys.dns_status(SELECTOR, DOMAIN, key.public_b64, lookup=_lookup(error)) == "unreachable"
