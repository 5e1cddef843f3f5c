"""The mail catcher: real SMTP in with smtplib, what it keeps, scripted refusals, and the web inbox.

The inbox pages are read through Flask's test client and checked with an HTML parser, so "escaped"
means "the browser would see text, not a tag" and "only in the iframe" means "only in its srcdoc".
"""

from __future__ import annotations

import io
import smtplib
import threading
from email.message import EmailMessage
from html.parser import HTMLParser

import pytest
from PIL import Image as Picture

from devstore.mailbox import Mailbox
from devstore.mailbox_web import create_inbox_app, serve_mailbox
from tests.support.devstore import http
from tests.support.servers import ServerThread

SHOPPER = "shopper@example.test"
STORE = "Demo Outfitters <hello@demo-outfitters.test>"


@pytest.fixture
def mailbox():
    with Mailbox() as running:
        yield running


@pytest.fixture
def inbox(mailbox):
    return create_inbox_app(mailbox).test_client()


def letter(subject: str = "Your cart is waiting", to: str = SHOPPER, text: str | None = "Come back soon.",
           html: str | None = None, **headers: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = STORE
    message["To"] = to
    message["Subject"] = subject
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    if text is not None:
        message.set_content(text)
    if html is not None:
        if text is None:
            message.set_content(html, subtype="html")
        else:
            message.add_alternative(html, subtype="html")
    return message


def send(mailbox: Mailbox, message: EmailMessage, to: list[str] | None = None) -> dict:
    with smtplib.SMTP("127.0.0.1", mailbox.smtp_port, timeout=10) as smtp:
        return smtp.send_message(message, from_addr="bounces@demo-outfitters.test", to_addrs=to)


class Page(HTMLParser):
    """A page as a browser's parser sees it: its elements with their (unescaped) attributes, and its text."""

    def __init__(self, html: str):
        super().__init__()
        self.elements: list[tuple[str, dict]] = []
        self.text = ""
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text += data

    def all(self, tag: str) -> list[dict]:
        return [attrs for name, attrs in self.elements if name == tag]


def test_a_sent_message_is_kept_with_its_envelope_and_parsed(mailbox):
    send(mailbox, letter(subject="Still thinking it over? ☕"), to=[SHOPPER, "copy@example.test"])
    [kept] = mailbox.messages()
    assert kept.id == 1
    assert kept.mail_from == "bounces@demo-outfitters.test"
    assert kept.recipients == (SHOPPER, "copy@example.test")
    assert kept.subject == "Still thinking it over? ☕" and kept.message["Subject"] == kept.subject
    assert kept.sender == STORE and kept.to == SHOPPER
    assert kept.text == "Come back soon.\n" and kept.html is None
    assert b"Subject: Still thinking it over?" in kept.raw
    assert kept.received_at.tzinfo is not None
    assert mailbox.messages(to="Copy@Example.TEST") == [kept]
    assert mailbox.messages(to="someone-else@example.test") == []
    assert mailbox.get(1) is kept and mailbox.get(2) is None


def test_newest_first_ids_keep_increasing_and_only_the_newest_are_kept():
    with Mailbox(keep=2) as small:
        for n in (1, 2, 3):
            send(small, letter(subject=f"number {n}"))
        assert [(k.id, k.subject) for k in small.messages()] == [(3, "number 3"), (2, "number 2")]
        small.clear()
        assert small.messages() == []
        send(small, letter(subject="after clearing"))
        assert [k.id for k in small.messages()] == [4]


def test_wait_for_returns_the_message_another_thread_sends_while_it_waits(mailbox):
    send(mailbox, letter(subject="Not this one"))
    waiting = threading.Event()

    def is_the_welcome(kept) -> bool:
        waiting.set()  # first called inside wait_for, on the message above: the welcome is not sent yet
        return kept.subject == "Welcome"

    def sender():
        waiting.wait(10)
        send(mailbox, letter(subject="Welcome"))

    thread = threading.Thread(target=sender)
    thread.start()
    try:
        kept = mailbox.wait_for(is_the_welcome, timeout=30)
    finally:
        thread.join(10)
    assert kept.subject == "Welcome" and kept.id == 2


def test_wait_for_without_a_match_raises_timeout_error(mailbox):
    send(mailbox, letter(subject="Something else"))
    with pytest.raises(TimeoutError):
        mailbox.wait_for(lambda kept: kept.subject == "Welcome", timeout=0)


def test_a_permanent_refusal_refuses_every_message_until_told_to_stop(mailbox):
    mailbox.fail(SHOPPER, code=550, message="5.1.1 no such user")
    for _ in range(2):
        with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
            send(mailbox, letter())
        assert refused.value.recipients == {SHOPPER: (550, b"5.1.1 no such user")}
    assert mailbox.messages() == []
    mailbox.stop_failing(SHOPPER)
    send(mailbox, letter())
    assert len(mailbox.messages(to=SHOPPER)) == 1


def test_refusals_for_an_address_queue_up_and_a_transient_one_passes_on_retry(mailbox):
    mailbox.fail(SHOPPER.upper(), code=451, times=1)
    mailbox.fail(SHOPPER, code=550, times=1)
    codes = []
    for _ in range(2):
        with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
            send(mailbox, letter())
        codes.append(refused.value.recipients[SHOPPER][0])
    assert codes == [451, 550]
    send(mailbox, letter())
    assert len(mailbox.messages()) == 1


def test_a_refused_recipient_does_not_stop_the_others(mailbox):
    mailbox.fail("gone@example.test")
    refused = send(mailbox, letter(), to=["gone@example.test", SHOPPER])
    assert refused["gone@example.test"][0] == 550
    [kept] = mailbox.messages()
    assert kept.recipients == (SHOPPER,)


def test_a_refusal_after_data_raises_smtp_data_error(mailbox):
    mailbox.fail(SHOPPER, code=552, message="5.2.2 mailbox full", times=1, at="data")
    with pytest.raises(smtplib.SMTPDataError) as refused:
        send(mailbox, letter())
    assert (refused.value.smtp_code, refused.value.smtp_error) == (552, b"5.2.2 mailbox full")
    send(mailbox, letter())
    assert len(mailbox.messages()) == 1


@pytest.mark.parametrize("arguments", [{"code": 250}, {"code": 700}, {"times": 0}, {"at": "mail"}])
def test_fail_takes_only_a_refusal(mailbox, arguments):
    with pytest.raises(ValueError):
        mailbox.fail(SHOPPER, **arguments)


def test_the_inbox_lists_newest_first_with_subject_and_addresses_as_text(mailbox, inbox):
    send(mailbox, letter(subject="First"))
    hostile = '<script>alert("subject")</script>'
    send(mailbox, letter(subject=hostile, to='"<img src=x onerror=alert(1)>" <victim@example.test>'))
    response = inbox.get("/mail/")
    assert response.status_code == 200
    page = Page(response.get_data(as_text=True))
    assert page.all("script") == [] and page.all("img") == []
    assert hostile in page.text and "<img src=x onerror=alert(1)>" in page.text
    assert page.text.index(hostile) < page.text.index("First")
    assert [a["href"] for a in page.all("a") if a["href"].startswith("/mail/")][-2:] == ["/mail/2", "/mail/1"]


def test_the_message_page_shows_the_text_part_the_html_part_and_every_header(mailbox, inbox):
    html = "<html><head><title>t</title></head><body><p>Your <b>cart</b> &amp; more</p></body></html>"
    send(mailbox, letter(text="Your cart & more", html=html, X_Campaign="<i>cart-1</i>"))
    response = inbox.get("/mail/1")
    page = Page(response.get_data(as_text=True))
    assert page.all("pre") and "Your cart & more\n" in page.text
    [frame] = page.all("iframe")
    assert frame["srcdoc"] == html.replace("<head>", '<head><base target="_blank">') + "\n"
    for name, value in mailbox.get(1).message.items():
        assert name in page.text and str(value) in page.text
    assert page.all("i") == [], "a header value is text"
    [download] = [a for a in page.all("a") if a["href"] == "/mail/1.eml"]
    assert "download" in download


def test_the_html_part_exists_only_inside_the_sandboxed_frame(mailbox, inbox):
    html = ('<p onclick="steal()">Hi</p><script>document.cookie</script>'
            '<img src="https://cdn.example.test/p.png"><a href="https://shop.example.test/cart">Cart</a>')
    send(mailbox, letter(text=None, html=html))
    response = inbox.get("/mail/1")
    page = Page(response.get_data(as_text=True))
    [frame] = page.all("iframe")
    assert frame["sandbox"] == "allow-same-origin allow-popups allow-popups-to-escape-sandbox"  # no allow-scripts
    assert frame["srcdoc"] == '<base target="_blank">' + html + "\n"
    assert page.all("script") == [{"src": "/mail/static/fit-frame.js", "defer": None}] and page.all("img") == []
    assert inbox.get("/mail/static/fit-frame.js").mimetype == "text/javascript"
    assert not any("onclick" in attrs for _, attrs in page.elements)
    assert "https://shop.example.test/cart" not in [a.get("href") for a in page.all("a")]
    assert "document.cookie" not in page.text
    policy = dict(d.strip().split(" ", 1) for d in response.headers["Content-Security-Policy"].split(";"))
    assert policy["default-src"] == "'none'" and policy["script-src"] == "'self'", "only the inbox's own scripts run"


def test_the_raw_message_downloads_as_an_eml_file(mailbox, inbox):
    send(mailbox, letter())
    response = inbox.get("/mail/1.eml")
    assert response.mimetype == "message/rfc822"
    assert response.headers["Content-Disposition"] == 'attachment; filename="message-1.eml"'
    assert response.get_data() == mailbox.get(1).raw


def test_an_unknown_message_is_not_found(inbox):
    assert inbox.get("/mail/7").status_code == 404
    assert inbox.get("/mail/7.eml").status_code == 404


def test_the_inbox_has_an_icon_at_favicon_ico(mailbox):
    """The demo's inbox is a browser tab of its own: without an icon, each visit logs a 404 in the console."""
    response = create_inbox_app(mailbox).test_client().get("/favicon.ico")
    assert response.status_code == 200 and response.mimetype == "image/vnd.microsoft.icon"
    assert Picture.open(io.BytesIO(response.get_data())).format == "ICO"
    assert "max-age" in response.headers["Cache-Control"]  # not asked for again on every page of the inbox


def test_serve_mailbox_runs_smtp_and_the_inbox_on_loopback():
    running = serve_mailbox()
    try:
        assert running.smtp_url == f"smtp://127.0.0.1:{running.mailbox.smtp_port}"
        assert running.web_url.startswith("http://127.0.0.1:") and running.web_url.endswith("/mail/")
        send(running.mailbox, letter(subject="Over the wire"))
        browser = http()
        assert "Over the wire" in browser.get(running.web_url, timeout=10).text
        root = running.web_url.removesuffix("mail/")
        assert browser.get(root, timeout=10).url == running.web_url
    finally:
        running.stop()


def _elsewhere(environ, start_response):
    """The sites an email points at: a 40x30 product image and a store page."""
    if environ["PATH_INFO"] == "/product.svg":
        start_response("200 OK", [("Content-Type", "image/svg+xml")])
        return [b'<svg xmlns="http://www.w3.org/2000/svg" width="40" height="30"><rect width="40" height="30"/></svg>']
    start_response("200 OK", [("Content-Type", "text/html")])
    return [b"<title>The store</title><h1>The store</h1>"]


def test_in_a_browser_the_email_shows_its_images_and_opens_links_in_a_tab_but_runs_no_script(browser):
    elsewhere = ServerThread(_elsewhere)
    running = serve_mailbox()
    try:
        html = (f'<!doctype html><html><head><title>e</title></head><body><p id="greeting">Hello</p>'
                f'<img id="product" src="{elsewhere.url}/product.svg">'
                f'<script>document.getElementById("greeting").textContent = "script ran"</script>'
                f'<a id="shop" href="{elsewhere.url}/cart">Back to your cart</a></body></html>')
        send(running.mailbox, letter(html=html))
        page = browser.new_page()
        try:
            page.goto(running.web_url + "1")  # waits for the load event, which waits for the frame's
            email = page.frame_locator("iframe.html-part")
            assert email.locator("#greeting").inner_text() == "Hello"
            assert email.locator("#product").evaluate("image => image.naturalWidth") == 40
            with page.expect_popup() as opened:
                email.locator("#shop").click()
            opened.value.wait_for_load_state()
            assert opened.value.url == f"{elsewhere.url}/cart" and opened.value.title() == "The store"
        finally:
            page.context.close()
    finally:
        running.stop()
        elsewhere.close()


@pytest.mark.parametrize("viewport", [{"width": 390, "height": 844}, {"width": 1280, "height": 800}])
def test_in_a_browser_the_frame_is_as_tall_as_the_email_so_none_of_it_is_cut_off(browser, viewport):
    """A triggered email's product cards come last: the frame grows to the whole email, on a phone and a desktop,
    and the page scrolls instead of a box inside it."""
    elsewhere = ServerThread(_elsewhere)
    running = serve_mailbox()
    try:
        cards = "".join(f'<p><img src="{elsewhere.url}/product.svg" width="240" height="180"> Product {n}</p>'
                        for n in range(1, 9))
        html = (f'<!doctype html><html><head><title>e</title></head><body><h1>We saved your cart</h1>{cards}'
                f'<p id="footer">Unsubscribe</p></body></html>')
        send(running.mailbox, letter(html=html))
        page = browser.new_page(viewport=viewport)
        try:
            page.goto(running.web_url + "1")  # waits for the load event, which waits for the frame's
            frame = page.locator("iframe.html-part")
            inside = frame.evaluate("f => f.clientHeight")
            email = page.frame_locator("iframe.html-part")
            footer_bottom = email.locator("#footer").evaluate("p => p.getBoundingClientRect().bottom")
            assert footer_bottom <= inside and inside > viewport["height"]
            assert email.locator("html").evaluate("html => html.scrollHeight") <= inside  # nothing left to scroll to
        finally:
            page.context.close()
    finally:
        running.stop()
        elsewhere.close()
