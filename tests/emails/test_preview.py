"""The Emails page's preview against the email a flow really sends: the same "Picked for you" block, with the
same products drawn as the same cards, linking to the same product pages."""

from __future__ import annotations

from plugin.capture.pool import LOW_WATER
from plugin.capture.settings import CAPTURE, discount_key
from plugin.capture.signup import subscribe
from plugin.clock import now_ms

from ..support.app import SHOP
from ..support.signing import session_token
from .conftest import BUYER
from .test_opens import catalog_and_history
from .test_render import Document

APP = "https://storelift.test"


def code_pool(store) -> None:
    """A campaign with more codes than the refill threshold, so a sign-up gets its code and nothing is refilled."""
    settings = CAPTURE.read(store, SHOP)[0]
    campaign = store.capture.add_campaign(SHOP, discount_key=discount_key(settings), discount_id="gid://d/1",
                                          title="Welcome", starts_at=now_ms(), ends_at=None)
    store.capture.add_codes(SHOP, campaign, [f"WELCOME-{n:04d}" for n in range(LOW_WATER + 2)])


def picked_for_you(html: str, kind: str) -> list[tuple[str, str, str | None]]:
    """The block's slots in order, each as (alt text, image path, the link around the image), for slot images
    served under ``/email/<kind>/``; the block's heading must be there too."""
    document = Document(html)
    assert "Picked for you" in document.texts("h2")
    slots, link = [], None
    for element in document.elements:
        if element.tag == "a":
            link = element.attrs.get("href")
        elif element.tag == "img" and element.attrs.get("src", "").startswith(f"{APP}/email/{kind}/"):
            slots.append((element.attrs["alt"], element.attrs["src"].removeprefix(APP), link))
    return slots


def test_the_welcome_preview_shows_the_product_block_the_sent_welcome_email_has(mail_app, shop, worker, mailbox):
    catalog_and_history(shop)
    code_pool(shop)
    subscribe(shop, SHOP, email=BUYER, visitor_id=None, page="/")
    worker.run_until_idle()
    [mail] = mailbox.messages(to=BUYER)
    client = mail_app.test_client()
    answer = client.post("/admin/api/emails/preview", json={"flow": "welcome"},
                         headers={"Authorization": f"Bearer {session_token()}"})
    assert answer.status_code == 200 and answer.json["person"]["label"].startswith(BUYER)

    sent, previewed = picked_for_you(mail.html, "o"), picked_for_you(answer.json["html"], "s")
    assert len(sent) == 4 and [alt for alt, _, _ in previewed] == [alt for alt, _, _ in sent]
    for (_, sent_image, sent_link), (_, preview_image, preview_link) in zip(sent, previewed):
        opened, shown = client.get(sent_image), client.get(preview_image)
        assert opened.status_code == shown.status_code == 200 and shown.mimetype == "image/png"
        assert shown.data == opened.data  # the card a shopper's open draws, pixel for pixel
        landing = client.get(sent_link.removeprefix(APP)).headers["Location"]
        assert landing.split("?")[0] == preview_link  # the same product page, without a click to record
    assert "Picked for you" in answer.json["text"] and "Picked for you" in mail.text
    assert answer.json["sample_products"] is False  # the shop's own products, not made-up ones


def test_a_forged_or_foreign_token_draws_no_preview_card(mail_app, shop, worker, mailbox):
    catalog_and_history(shop)
    client = mail_app.test_client()
    answer = client.post("/admin/api/emails/preview", json={"flow": "browse"},
                         headers={"Authorization": f"Bearer {session_token()}"})
    [(_, image, _), *_] = picked_for_you(answer.json["html"], "s")
    assert client.get(image).status_code == 200
    token = image.removeprefix("/email/s/").removesuffix(".png")
    assert client.get(f"/email/s/{token[:-4]}AAAA.png").status_code == 404
    assert client.get("/email/o/" + token + "/1.png").status_code == 404  # not a send's link token either
    assert client.get(f"/email/s/{'A' * 5000}.png").status_code == 404
