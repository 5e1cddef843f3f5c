"""A triggered email's parts: placeholders filled, merchant text inert, CSS inlined, prices, code, items, slots, footer.

The HTML is read back with the stdlib parser (as a mail client would parse it) so the checks are about
elements, attributes and text, not about how MJML happens to lay out its tables.
"""

from __future__ import annotations

import dataclasses
from html.parser import HTMLParser

import pytest

from plugin.emails.render import Brand, EmailContent, Item, Slot, Texts, fill, render

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
SCRIPT = "<script>alert(1)</script>"
ONERROR = '<img src=x onerror="alert(2)">'
HOSTILE = f'{SCRIPT}{ONERROR} & "quoted"'
UNSUBSCRIBE = "https://app.example/email/u/tok123?shop=acme&x=1"
BUTTON_URL = "https://acme.example/cart/c1?key=k&ref=email"


@dataclasses.dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    parts: list[str] = dataclasses.field(default_factory=list)  # its text nodes, descendants' included

    @property
    def text(self) -> str:
        return "".join(self.parts)

    @property
    def words(self) -> str:
        """The text nodes joined by single spaces, as a reader sees them on separate lines or cells."""
        return " ".join(" ".join(self.parts).split())


class Document(HTMLParser):
    """Every element with its attributes and inner text, in document order."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self._open: list[Element] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        element = Element(tag, {name: value or "" for name, value in attrs})
        self.elements.append(element)
        if tag not in VOID:
            self._open.append(element)

    def handle_endtag(self, tag):
        while self._open:
            if self._open.pop().tag == tag:
                break

    def handle_data(self, data):
        for element in self._open:
            element.parts.append(data)

    def all(self, tag: str, **attrs: str) -> list[Element]:
        return [e for e in self.elements if e.tag == tag and all(e.attrs.get(k) == v for k, v in attrs.items())]

    def texts(self, tag: str) -> list[str]:
        return [e.words for e in self.all(tag)]


def content(**changes) -> EmailContent:
    base = EmailContent(
        texts=Texts(subject="Still there, {first_name}?", preview="Your cart at {shop} is saved",
                    heading="Hi {first_name}", body="Your cart is waiting.\nIt is saved.\n\nTake {discount} off.",
                    button="Back to my cart"),
        brand=Brand(shop_name="Acme", postal_address="1 Main St\r\nSpringfield, IL 62701\nUSA", color="#0a7d4f"),
        currency="USD",
        button_url=BUTTON_URL,
        unsubscribe_url=UNSUBSCRIBE,
        first_name="Ana",
        discount="10%",
        items=(Item(title="Blue Shirt", price="19.90", url="https://acme.example/products/blue-shirt",
                    image_url="https://cdn.example/blue.jpg", variant_title="M", quantity=2),),
    )
    return dataclasses.replace(base, **changes)


def texts(**changes) -> Texts:
    return dataclasses.replace(content().texts, **changes)


def brand(**changes) -> Brand:
    return dataclasses.replace(content().brand, **changes)


def slots(n: int) -> tuple[Slot, ...]:
    return tuple(Slot(image_url=f"https://app.example/email/o/tok/{i}.png",
                      link_url=f"https://app.example/email/c/tok/{i}", alt=f"Linen Scarf {i}",
                      text_url=f"https://app.example/email/p/tok/{i}/{700 + i}") for i in range(n))


def button(document: Document) -> Element:
    [link] = document.all("a", href=BUTTON_URL)
    return link


# --------------------------------------------------------------------------- placeholders


def test_placeholders_are_filled_in_every_text_and_part():
    email = render(content(texts=Texts(subject="{first_name}, {discount} at {shop}", preview="P {first_name} {discount}",
                                       heading="H {first_name}", body="B {shop} {discount}", button="Go {first_name}")))
    document = Document(email.html)
    assert email.subject == "Ana, 10% at Acme"
    assert email.preview == "P Ana 10%"
    assert document.texts("h1") == ["H Ana"]
    assert "B Acme 10%" in document.texts("p")
    assert button(document).words == "Go Ana"
    assert email.text.startswith("H Ana\n\nB Acme 10%\n\n")
    assert f"Go Ana: {BUTTON_URL}\n" in email.text


def test_a_missing_first_name_reads_there_and_a_missing_discount_is_empty():
    email = render(content(first_name=None, discount=None, texts=texts(subject="Hi {first_name}! [{discount}]")))
    assert email.subject == "Hi there! []"
    assert render(content(first_name="  ", texts=texts(subject="Hi {first_name}"))).subject == "Hi there"


def test_other_braces_and_format_specs_stay_as_typed():
    typed = "{name} {0} {0.__class__} {first_name!r} {discount:>99} {{shop}} {}"
    email = render(content(texts=texts(subject=typed, heading=typed)))
    assert email.subject == "{name} {0} {0.__class__} {first_name!r} {discount:>99} {Acme} {}"
    assert Document(email.html).texts("h1") == [email.subject]


def test_a_value_that_looks_like_a_placeholder_is_not_filled_again():
    assert fill("{first_name} / {shop}", {"first_name": "{shop}", "shop": "Acme"}) == "{shop} / Acme"
    assert render(content(first_name="{discount}", texts=texts(subject="Hi {first_name}"))).subject == "Hi {discount}"


# --------------------------------------------------------------------------- merchant text is data


HOSTILE_FIELDS = {
    "subject": lambda: content(texts=texts(subject=HOSTILE)),
    "preview": lambda: content(texts=texts(preview=HOSTILE)),
    "heading": lambda: content(texts=texts(heading=HOSTILE)),
    "body": lambda: content(texts=texts(body=HOSTILE)),
    "button": lambda: content(texts=texts(button=HOSTILE)),
    "shop name": lambda: content(brand=brand(shop_name=HOSTILE)),
    "shop name as logo alt": lambda: content(brand=brand(shop_name=HOSTILE, logo_url="https://cdn.example/logo.png")),
    "postal address": lambda: content(brand=brand(postal_address=HOSTILE)),
    "first name": lambda: content(first_name=HOSTILE, texts=texts(heading="Hi {first_name}")),
    "discount": lambda: content(discount=HOSTILE, texts=texts(heading="Take {discount}")),
    "code": lambda: content(code=HOSTILE),
    "item title": lambda: content(items=(Item(title=HOSTILE, price="1", url="https://acme.example/p",
                                              image_url="https://cdn.example/p.jpg"),)),
    "item variant": lambda: content(items=(Item(title="T", price="1", url="https://acme.example/p", variant_title=HOSTILE),)),
    "items heading": lambda: content(items_heading=HOSTILE),
    "slot alt": lambda: content(slots=(Slot("https://app.example/o/1.png", "https://app.example/c/1", HOSTILE,
                                                     "https://app.example/p/1/7"),)),
    "slots heading": lambda: content(slots=slots(1), slots_heading=HOSTILE),
}


@pytest.mark.parametrize("field", HOSTILE_FIELDS)
def test_markup_in_any_merchant_text_is_inert_in_the_html(field):
    html = render(HOSTILE_FIELDS[field]()).html
    document = Document(html)
    assert document.all("script") == []
    assert [e for e in document.elements if any(name.startswith("on") for name in e.attrs)] == []
    assert document.all("img", src="x") == []
    assert SCRIPT not in html and "<img src=x" not in html  # escaped in text and in attribute values alike
    shown = [e.text for e in document.elements] + [v for e in document.elements for v in e.attrs.values()]
    assert any(HOSTILE in value for value in shown)  # still there, as the text a reader sees


@pytest.mark.parametrize("field", [f for f in HOSTILE_FIELDS if f not in ("subject", "preview")])
def test_markup_in_any_merchant_text_is_literal_in_the_text_part(field):
    assert HOSTILE in render(HOSTILE_FIELDS[field]()).text


def test_subject_and_preview_carry_markup_as_plain_text():
    email = render(content(texts=texts(subject=HOSTILE, preview=HOSTILE)))
    assert (email.subject, email.preview) == (HOSTILE, HOSTILE)


@pytest.mark.parametrize("breaker", ["\r\n", "\n", "\r", "\u2028", "\x85", "\r\n\t"])
def test_the_subject_is_one_line(breaker):
    email = render(content(texts=texts(subject=f"Hello{breaker}Bcc: victim@example.com", preview=f"a{breaker}b")))
    assert email.subject == "Hello Bcc: victim@example.com"
    assert email.preview == "a b"


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,<b>x</b>", "//acme.example/cart", "/cart"])
def test_a_link_that_is_not_absolute_http_is_refused(url):
    with pytest.raises(ValueError):
        render(content(button_url=url))
    with pytest.raises(ValueError):
        render(content(items=(Item(title="T", price="1", url="https://acme.example/p", image_url=url),)))


@pytest.mark.parametrize("price", ["", "abc", "NaN", "Infinity", "1,50"])
def test_a_price_that_is_not_a_decimal_is_refused(price):
    with pytest.raises(ValueError):
        render(content(items=(Item(title="T", price=price, url="https://acme.example/p"),)))


# --------------------------------------------------------------------------- layout


def test_css_is_inlined_onto_the_elements():
    document = Document(render(content()).html)
    style = button(document).attrs["style"]
    assert "background:#0a7d4f" in style.replace(" ", "") and "color:#ffffff" in style.replace(" ", "")
    assert "font-size:24px" in document.all("h1")[0].attrs["style"].replace(" ", "")  # from the template's <mj-style>
    assert document.all("td", **{"class": "item-price"})[0].attrs["style"]
    left_in_style_blocks = " ".join(e.text for e in document.all("style"))
    assert ".heading" not in left_in_style_blocks and ".item-price" not in left_in_style_blocks
    assert "@media" in left_in_style_blocks  # what cannot be inlined stays: the phone layout


def test_the_button_is_a_table_cell_in_the_brand_colour_holding_the_link():
    document = Document(render(content()).html)
    cells = document.all("td", bgcolor="#0a7d4f")
    assert len(cells) == 1 and cells[0].words == "Back to my cart"
    assert button(document).attrs["href"] == BUTTON_URL


@pytest.mark.parametrize("color", ["red", "#fff", "#12345g", "0a7d4f", '#0a7d4f" onclick="x', "#0a7d4f\n"])
def test_a_colour_that_is_not_rrggbb_falls_back_to_the_default(color):
    document = Document(render(content(brand=brand(color=color))).html)
    assert [c.attrs["bgcolor"] for c in document.all("td") if "bgcolor" in c.attrs and c.text.strip()] == ["#111111"]


def test_a_light_brand_colour_gets_dark_button_text():
    style = button(Document(render(content(brand=brand(color="#ffee00"))).html)).attrs["style"].replace(" ", "")
    assert "color:#111111" in style and "background:#ffee00" in style


@pytest.mark.parametrize("currency, shown", [("USD", "$19.90"), ("EUR", "€19.90"), ("GBP", "£19.90"), ("JPY", "¥20")])
def test_prices_are_shown_in_the_currency(currency, shown):
    email = render(content(currency=currency))
    assert shown in [e.words for e in Document(email.html).all("td", **{"class": "item-price"})]
    assert f"2 × Blue Shirt (M) — {shown}\n" in email.text


def test_items_show_image_title_variant_quantity_and_link():
    email = render(content(items=(
        Item(title="Blue Shirt", price="19.90", url="https://acme.example/products/blue-shirt",
             image_url="https://cdn.example/blue.jpg", variant_title="M", quantity=2),
        Item(title="Cap", price="5", url="https://acme.example/products/cap"),
    ), items_heading="In your cart"))
    document = Document(email.html)
    [image] = document.all("img", src="https://cdn.example/blue.jpg")
    assert image.attrs["alt"] == "Blue Shirt" and image.attrs["width"] == "64" and image.attrs["height"] == "64"
    assert [e.words for e in document.all("td", **{"class": "item-title"})] == ["Blue Shirt M", "Cap"]
    assert [e.text.strip() for e in document.all("td", **{"class": "item-quantity"})] == ["× 2", "× 1"]
    assert len(document.all("a", href="https://acme.example/products/blue-shirt")) == 2  # the image and the title
    assert "In your cart" in document.texts("h2")
    assert "In your cart\n2 × Blue Shirt (M) — $19.90\n1 × Cap — $5.00\n" in email.text


def test_no_items_no_items_table():
    email = render(content(items=()))
    assert Document(email.html).all("tr", **{"class": "item"}) == []
    assert "Your items" not in email.html and "Your items" not in email.text


def test_the_code_box_is_there_only_with_a_code():
    with_code = render(content(code="WELCOME-7Q2X"))
    assert Document(with_code.html).texts("p").count("WELCOME-7Q2X") == 1
    assert "Your code: WELCOME-7Q2X\n" in with_code.text
    without = render(content(code=None))
    assert Document(without.html).all("p", **{"class": "code"}) == []
    assert "Your code" not in without.html and "Your code" not in without.text


def test_slots_are_linked_images_two_to_a_row_that_stack_on_phones():
    email = render(content(slots=slots(3), slots_heading="More for you"))
    document = Document(email.html)
    for i in range(3):
        [link] = document.all("a", href=f"https://app.example/email/c/tok/{i}")
        [image] = document.all("img", src=f"https://app.example/email/o/tok/{i}.png")
        assert image.attrs["alt"] == f"Linen Scarf {i}" and image.attrs["width"] and image.attrs["height"]
        assert document.elements.index(image) == document.elements.index(link) + 1  # the image is the link's content
    assert len([d for d in document.all("div") if "mj-column-per-50" in d.attrs.get("class", "")]) == 3
    assert "More for you" in document.texts("h2")
    assert "More for you\nLinen Scarf 0: https://app.example/email/p/tok/0/700\nLinen Scarf 1: " in email.text


def test_every_image_has_alt_text_and_a_size():
    document = Document(render(content(slots=slots(2), brand=brand(logo_url="https://cdn.example/logo.png"))).html)
    images = document.all("img")
    assert len(images) == 4
    assert all(i.attrs.get("alt") and i.attrs.get("width") and i.attrs.get("height") for i in images)
    assert document.all("img", src="https://cdn.example/logo.png")[0].attrs["alt"] == "Acme"


def test_without_a_logo_the_shop_name_heads_the_email():
    document = Document(render(content()).html)
    assert document.all("img", src="https://cdn.example/logo.png") == []
    assert document.all("body")[0].words.startswith("Your cart at Acme is saved Acme Hi Ana")  # the preheader, then the shop's name


def test_the_preheader_is_hidden_and_carries_the_preview():
    document = Document(render(content()).html)
    [preheader] = [d for d in document.all("div") if "display:none" in d.attrs.get("style", "").replace(" ", "")]
    assert preheader.text == "Your cart at Acme is saved"


def test_body_paragraphs_and_their_line_breaks_are_kept():
    email = render(content(texts=texts(body="One\r\nline two\n\n\n  Two  \n\nThree")))
    document = Document(email.html)
    paragraphs = [e for e in document.all("p") if e.attrs.get("class") == "paragraph"]
    assert [p.parts for p in paragraphs] == [["One", "line two"], ["Two"], ["Three"]]
    assert document.elements[document.elements.index(paragraphs[0]) + 1].tag == "br"
    assert "Hi Ana\n\nOne\nline two\n\nTwo\n\nThree\n\n" in email.text


def test_the_footer_has_the_address_lines_and_the_unsubscribe_link_in_both_parts():
    email = render(content())
    document = Document(email.html)
    [unsubscribe] = document.all("a", href=UNSUBSCRIBE)
    assert unsubscribe.text == "Unsubscribe"
    [footer] = [p for p in document.all("p") if "1 Main St" in p.text]
    assert footer.parts == ["Acme", "1 Main St", "Springfield, IL 62701", "USA"]
    assert sum(1 for e in document.elements[document.elements.index(footer):][:4] if e.tag == "br") == 3
    assert email.text.endswith(f"Acme\n1 Main St\nSpringfield, IL 62701\nUSA\nUnsubscribe: {UNSUBSCRIBE}\n")


def test_the_text_part_is_the_whole_email_in_order():
    email = render(content(code="WELCOME-7Q2X", slots=slots(1)))
    assert email.text == (
        "Hi Ana\n\n"
        "Your cart is waiting.\nIt is saved.\n\n"
        "Take 10% off.\n\n"
        "Your code: WELCOME-7Q2X\n\n"
        "Your items\n2 × Blue Shirt (M) — $19.90\n\n"
        f"Back to my cart: {BUTTON_URL}\n\n"
        "Picked for you\nLinen Scarf 0: https://app.example/email/p/tok/0/700\n\n"
        f"Acme\n1 Main St\nSpringfield, IL 62701\nUSA\nUnsubscribe: {UNSUBSCRIBE}\n"
    )
