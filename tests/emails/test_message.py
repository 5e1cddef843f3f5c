"""A triggered email's bytes: headers a merchant's text cannot break, RFC 8058 one-click unsubscribe, and a DKIM
signature that covers it and fails when it is tampered with."""

from __future__ import annotations

import email
import re
from email import policy

import dkim
import pytest

from plugin.emails import dkim_keys
from plugin.emails.message import build_message, sign

DOMAIN, SELECTOR = "storelift.example", "sl1"
UNSUBSCRIBE = "https://storelift.example/u/t0k3n-abc?s=shop.example"


@pytest.fixture(scope="module")
def key() -> dkim_keys.KeyPair:
    return dkim_keys.generate()


def _build(**changes):
    fields = dict(sender_name="Acme Shoes", sender_address="hello@shop.example", to="ada@example.com",
                  subject="You left something behind", html="<p>Your <b>cart</b></p>", text="Your cart",
                  unsubscribe_url=UNSUBSCRIBE, message_id="send-42.1700000000000@storelift.example",
                  sent_at_ms=1_700_000_000_123)
    fields.update(changes)
    return build_message(**fields)


def _parsed(raw: bytes):
    return email.message_from_bytes(raw, policy=policy.default)


def _signed(key, **changes) -> bytes:
    return sign(_build(**changes).as_bytes(), domain=DOMAIN, selector=SELECTOR, private_key_pem=key.private_pem)


def _dns_for(key):
    """dkimpy's DNS lookup, answered from the key's own TXT record: no network."""
    name, value = dkim_keys.txt_record(SELECTOR, DOMAIN, key.public_b64)

    def dnsfunc(queried: bytes, timeout: int = 5):
        return value.encode("ascii") if queried == f"{name}.".encode("ascii") else None
    return dnsfunc


def _signature_tags(signed: bytes) -> dict[str, str]:
    header = _parsed(signed)["DKIM-Signature"]
    return {tag.strip(): value.strip() for tag, _, value in (part.partition("=") for part in str(header).split(";"))}


def test_the_headers_a_receiver_reads():
    message = _parsed(_build().as_bytes())
    assert str(message["From"]) == "Acme Shoes <hello@shop.example>"
    assert str(message["To"]) == "ada@example.com"
    assert str(message["Subject"]) == "You left something behind"
    assert str(message["Date"]) == "Tue, 14 Nov 2023 22:13:20 +0000"
    assert str(message["Message-ID"]) == "<send-42.1700000000000@storelift.example>"
    assert message["Reply-To"] is None
    assert message["MIME-Version"] == "1.0"


def test_one_click_unsubscribe_headers_follow_rfc_8058():
    message = _parsed(_build().as_bytes())
    assert str(message["List-Unsubscribe"]) == f"<{UNSUBSCRIBE}>"
    assert str(message["List-Unsubscribe-Post"]) == "List-Unsubscribe=One-Click"


def test_a_long_unsubscribe_url_stays_one_literal_uri():
    """Folding would make an over-long header RFC 2047 words, which no receiver reads as a URI."""
    url = "https://storelift.example/u/" + "x" * 400
    raw = _build(unsubscribe_url=url).as_bytes()
    assert f"\r\nList-Unsubscribe: <{url}>\r\n".encode("ascii") in raw


@pytest.mark.parametrize("url", ["http://storelift.example/u/1", "mailto:u@storelift.example",
                                 "https://storelift.example/u/1>, <https://evil.example/",
                                 "https://storelift.example/u/a b", "https://storelift.example/u/1\r\nBcc: x@y",
                                 "https:///no-host", "https://storelift.example/" + "x" * 1000])
def test_the_unsubscribe_url_must_be_one_https_uri(url):
    with pytest.raises(ValueError):
        _build(unsubscribe_url=url)


def test_reply_to_when_given():
    message = _parsed(_build(reply_to="help@shop.example").as_bytes())
    assert str(message["Reply-To"]) == "help@shop.example"


def test_plain_text_first_then_html_both_utf8():
    message = _parsed(_build(text="Ton panier t'attend ✓", html="<p>Ton panier t’attend ✓</p>").as_bytes())
    assert message.get_content_type() == "multipart/alternative"
    plain, rich = message.get_payload()
    assert (plain.get_content_type(), rich.get_content_type()) == ("text/plain", "text/html")
    assert plain.get_content_charset() == rich.get_content_charset() == "utf-8"
    assert plain.get_content().strip() == "Ton panier t'attend ✓"
    assert rich.get_content().strip() == "<p>Ton panier t’attend ✓</p>"


def test_the_message_is_seven_bit_so_relays_do_not_re_encode_it():
    """RFC 6376 §5.3: an 8-bit body converted to 7-bit on the way would fail the body hash."""
    raw = _build(sender_name="Café Ünïcode", subject="Ça vous plaît ? 🛒", text="Grüße", html="<p>Grüße</p>").as_bytes()
    assert raw.isascii()
    assert all(len(line) <= 998 for line in raw.split(b"\r\n"))


def test_non_ascii_names_and_subjects_survive_a_round_trip():
    name, subject = "Boutique Ça Va, «Été» 東京", "Votre panier vous attend — 20 % de remise 🛒 " * 3
    message = _parsed(_build(sender_name=name, subject=subject).as_bytes())
    assert message["From"].addresses[0].display_name == name
    assert message["From"].addresses[0].addr_spec == "hello@shop.example"
    assert str(message["Subject"]) == subject.strip()


@pytest.mark.parametrize("name", ['Acme "Best" Shoes, Inc.', "O'Brien <boss@evil.example>", "a@b.example, c@d.example",
                                  "Semi; colon: (comment)"])
def test_a_display_name_with_quotes_or_commas_stays_one_display_name(name):
    message = _parsed(_build(sender_name=name).as_bytes())
    (sender,) = message["From"].addresses
    assert (sender.display_name, sender.addr_spec) == (name, "hello@shop.example")


@pytest.mark.parametrize("text", ["Evil\r\nBcc: x@y", "Evil\nBcc: x@y", "Evil\rBcc: x@y", "Evil\u2028Bcc: x@y",
                                  "Evil\x0bBcc: x@y", "Evil\r\n\r\nbody"])
def test_a_line_break_in_the_sender_name_or_subject_adds_no_header(key, text):
    message = _parsed(_signed(key, sender_name=text, subject=text))
    assert message["Bcc"] is None
    (sender,) = message["From"].addresses
    assert sender.addr_spec == "hello@shop.example"
    assert "\n" not in sender.display_name and "\r" not in sender.display_name
    assert sender.display_name.startswith("Evil ")
    assert str(message["Subject"]) == sender.display_name
    assert message.get_content_type() == "multipart/alternative"


@pytest.mark.parametrize("field,value", [("to", "ada@example.com\r\nBcc: x@y"), ("to", "Ada <ada@example.com>"),
                                         ("to", "ada@example.com, eve@example.com"), ("to", "ada@"), ("to", "ada"),
                                         ("to", "adä@example.com"), ("sender_address", "a b@shop.example"),
                                         ("reply_to", "help@shop.example\nBcc: x@y"),
                                         ("message_id", "send-42@storelift.example>\r\nBcc: x@y"),
                                         ("message_id", "no-at-sign")])
def test_addresses_and_message_ids_are_refused_unless_plain(field, value):
    with pytest.raises(ValueError):
        _build(**{field: value})


def test_a_signed_message_verifies(key):
    signed = _signed(key)
    assert signed.startswith(b"DKIM-Signature: ")
    assert dkim.verify(signed, dnsfunc=_dns_for(key))


def test_the_signature_covers_both_unsubscribe_headers_relaxed(key):
    tags = _signature_tags(_signed(key))
    signed_headers = [name.strip().lower() for name in tags["h"].split(":")]
    assert {"list-unsubscribe", "list-unsubscribe-post", "from", "to", "subject", "date",
            "message-id", "mime-version", "content-type"} <= set(signed_headers)
    assert (tags["c"], tags["d"], tags["s"], tags["a"]) == ("relaxed/relaxed", DOMAIN, SELECTOR, "rsa-sha256")


@pytest.mark.parametrize("original,tampered", [
    (b"List-Unsubscribe-Post: List-Unsubscribe=One-Click", b"List-Unsubscribe-Post: List-Unsubscribe=Two-Clicks"),
    (f"List-Unsubscribe: <{UNSUBSCRIBE}>".encode(), b"List-Unsubscribe: <https://evil.example/u>"),
    (b"Subject: You left something behind", b"Subject: You won a prize"),
    (b"Your cart", b"Your card"),
])
def test_tampering_with_a_signed_header_or_the_body_fails(key, original, tampered):
    signed = _signed(key)
    assert signed.count(original) == 1
    assert not dkim.verify(signed.replace(original, tampered), dnsfunc=_dns_for(key))


def test_removing_the_one_click_header_fails(key):
    signed = _signed(key)
    stripped = re.sub(rb"List-Unsubscribe-Post: [^\r]*\r\n", b"", signed)
    assert stripped != signed
    assert not dkim.verify(stripped, dnsfunc=_dns_for(key))


def test_whitespace_changes_a_relay_makes_still_verify(key):
    """Relaxed canonicalization (RFC 6376 §3.4.2, §3.4.4) ignores refolded headers and trailing spaces."""
    signed = _signed(key)
    relayed = signed.replace(b"List-Unsubscribe-Post: List-Unsubscribe", b"List-Unsubscribe-Post:   List-Unsubscribe")
    relayed = relayed.replace(b"Your cart\r\n", b"Your cart   \r\n")
    assert relayed != signed
    assert dkim.verify(relayed, dnsfunc=_dns_for(key))


def test_a_signature_from_another_key_fails(key):
    other = dkim_keys.generate()
    signed = sign(_build().as_bytes(), domain=DOMAIN, selector=SELECTOR, private_key_pem=other.private_pem)
    assert not dkim.verify(signed, dnsfunc=_dns_for(key))


@pytest.mark.parametrize("domain,selector", [("storelift.example; x=y", SELECTOR), (DOMAIN, "sl1; h=from"),
                                             ("", SELECTOR), (DOMAIN, "")])
def test_signing_refuses_a_selector_or_domain_that_is_not_a_dns_name(key, domain, selector):
    with pytest.raises(ValueError):
        sign(_build().as_bytes(), domain=domain, selector=selector, private_key_pem=key.private_pem)
