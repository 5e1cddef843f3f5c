"""One triggered email's subject, preheader, HTML and plain-text parts, from plain data.

The HTML goes through three steps, each doing what it is best at: Jinja2 (autoescape on) fills the
MJML template, so every merchant, shopper and catalog string arrives in the markup as escaped data;
MJML (mjml-python, the Rust MRML port) turns the layout into the table-based, responsive HTML mail
clients need; css-inline copies the stylesheet into ``style=`` attributes, because Gmail and Outlook
drop or ignore much of ``<style>``. Only the media queries that make columns stack on phones stay in
a ``<style>`` block, since an ``@media`` rule cannot be inlined.

The plain-text part is written from the same content rather than stripped from the HTML, so it reads
as text (lines, labels, URLs spelled out) and never carries markup a merchant typed.

The Jinja template and the CSS inliner are built once per process: rendering sits on the send path,
which must keep up with 100+ emails a second on two cores.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from urllib.parse import urlsplit

import css_inline
import jinja2
import mjml
from babel.numbers import format_currency

from plugin.capture.contrast import contrast_ratio

DEFAULT_COLOR = "#111111"
WHITE = "#ffffff"
# Open-time recommendation images are shown at this size (CSS pixels); the image endpoint should draw
# them at twice that for high-density screens. Two fit side by side in the 600px body.
SLOT_IMAGE_WIDTH = 260
SLOT_IMAGE_HEIGHT = 260
FALLBACK_FIRST_NAME = "there"

_TEMPLATES = Path(__file__).parent / "templates"
_COLOR_RE = re.compile(r"#[0-9a-fA-F]{6}")
_PLACEHOLDER_RE = re.compile(r"\{(\w+)\}")
_PARAGRAPH_BREAK_RE = re.compile(r"\n[ \t]*\n\s*")
# Line breaks (CR, LF and Unicode's NEL/LS/PS) and other control characters: in a header they could
# start a new header (RFC 5322 §2.2: a header field is one line, folding aside), in a preheader they
# mean nothing.
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]+")
# Media queries cannot be inlined, so they stay in <style>; everything else moves to style= attributes.
# Remote stylesheets are never fetched: the template links none, and rendering must not touch the network.
_INLINER = css_inline.CSSInliner(keep_at_rules=True, load_remote_stylesheets=False)
# In css-inline's serialized output: a comment, a <style> block, or a start tag (attributes always double-quoted).
_COMMENT_STYLE_OR_TAG_RE = re.compile(r'<!--.*?-->|<style\b.*?</style>|<[A-Za-z][^>"]*(?:"[^"]*"[^>"]*)*>', re.S)
_QUOTED_RE = re.compile(r'"[^"]*"')


@dataclass(frozen=True)
class Item:
    """A cart or checkout line, or a recommendation chosen at send time, shown as HTML."""

    title: str
    price: str  # a decimal string ("19.90"), shown as given (the platform's line price) in the email's currency
    url: str  # where the item links: its product page, or the cart or checkout
    image_url: str | None = None  # shown at 64x64: pass a square crop
    variant_title: str | None = None
    quantity: int = 1


@dataclass(frozen=True)
class Slot:
    """An open-time recommendation: an image chosen when the email is opened, linking to what it shows."""

    image_url: str  # absolute https URL of /email/o/<token>/<n>.png
    link_url: str  # absolute URL of /email/c/<token>/<n>
    alt: str  # what the slot shows at send time, for readers with images off
    text_url: str  # the text part's link: to the product ``alt`` names (an open may choose another since)


@dataclass(frozen=True)
class Texts:
    """The merchant's texts for one flow step; each may say {first_name}, {discount} or {shop}."""

    subject: str
    preview: str
    heading: str
    body: str  # plain text, paragraphs separated by blank lines
    button: str


@dataclass(frozen=True)
class Brand:
    shop_name: str
    postal_address: str  # multi-line; CAN-SPAM requires the sender's postal address in every commercial email
    color: str = DEFAULT_COLOR  # button and accent colour, #rrggbb; anything else falls back to the default
    logo_url: str | None = None


@dataclass(frozen=True)
class EmailContent:
    texts: Texts
    brand: Brand
    currency: str  # ISO 4217, e.g. "USD"; prices are formatted by Babel for locale "en"
    button_url: str  # the cart, checkout or shop link the button goes to
    unsubscribe_url: str  # the footer's visible link, the same URL as the List-Unsubscribe header
    first_name: str | None = None
    discount: str | None = None  # what {discount} shows, e.g. "10%"
    code: str | None = None  # a unique discount code, shown prominently when given
    items: tuple[Item, ...] = ()
    slots: tuple[Slot, ...] = ()
    items_heading: str = "Your items"
    slots_heading: str = "Picked for you"


@dataclass(frozen=True)
class Rendered:
    subject: str  # one line, no markup
    preview: str  # one line, no markup
    html: str
    text: str


def fill(template: str, values: Mapping[str, str]) -> str:
    """Placeholders {first_name} {discount} {shop} replaced; any other brace text left as typed.

    One regular-expression pass, never ``str.format``: merchant text is data, so ``{0.__class__}`` or
    ``{x:>99999}`` must not reach attributes or format specs, and a value that itself looks like a
    placeholder (a shopper named "{shop}") is not filled again.
    """
    return _PLACEHOLDER_RE.sub(lambda match: values.get(match.group(1), match.group(0)), template)


def render(content: EmailContent) -> Rendered:
    """The email's parts. Raises ValueError for a price that is not a decimal or a link that is not http(s)."""
    texts = _filled_texts(content)
    view = _view(content, texts)
    html = _INLINER.inline(mjml.mjml2html(_template().render(view), fonts={}))
    return Rendered(subject=texts.subject, preview=texts.preview, html=_escape_brackets_in_attributes(html),
                    text=_plain_text(view))


@functools.cache
def _template() -> jinja2.Template:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(_TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return environment.get_template("email.mjml")


def _escape_brackets_in_attributes(html: str) -> str:
    """The HTML with ``<`` and ``>`` inside attribute values written as ``&lt;`` and ``&gt;``.

    css-inline re-serializes the document the way the HTML Standard did before 2025, which escapes only
    ``&`` and ``"`` in attribute values, so an item titled ``<img src=x onerror=...>`` comes out raw
    inside its ``alt="..."``. That is still one attribute to a conforming parser, but sanitizers that
    re-parse in another context are fooled by such markup (mutation XSS), which is why the standard now
    escapes both brackets in attributes too (HTML Standard, "Serializing HTML fragments", escaping a
    string in attribute mode). Comments (Outlook's conditional markup) and ``<style>`` are left alone;
    text content is already escaped by the serializer.
    """
    def escaped(match: re.Match[str]) -> str:
        tag = match.group(0)
        if tag.startswith(("<!--", "<style")) or '"' not in tag:
            return tag
        return _QUOTED_RE.sub(lambda value: value.group(0).replace("<", "&lt;").replace(">", "&gt;"), tag)

    return _COMMENT_STYLE_OR_TAG_RE.sub(escaped, html)


def _filled_texts(content: EmailContent) -> Texts:
    """The merchant's texts with the placeholders filled, on plain text; escaping happens later, once."""
    first_name = (content.first_name or "").strip()
    values = {
        "first_name": first_name or FALLBACK_FIRST_NAME,
        "discount": content.discount or "",
        "shop": content.brand.shop_name,
    }
    texts = content.texts
    return Texts(
        subject=_one_line(fill(texts.subject, values)),
        preview=_one_line(fill(texts.preview, values)),
        heading=fill(texts.heading, values),
        body=fill(texts.body, values),
        button=fill(texts.button, values),
    )


def _one_line(text: str) -> str:
    return _CONTROL_RE.sub(" ", text).strip()


def _view(content: EmailContent, texts: Texts) -> dict:
    """What the template and the text part show: plain strings, already formatted, not yet escaped."""
    brand = content.brand
    color = brand.color if _COLOR_RE.fullmatch(brand.color) else DEFAULT_COLOR
    slots = [
        {"image_url": _checked_url(s.image_url), "link_url": _checked_url(s.link_url), "alt": s.alt,
         "text_url": _checked_url(s.text_url)}
        for s in content.slots
    ]
    return {
        "subject": texts.subject,
        "preview": texts.preview,
        "heading": texts.heading,
        "paragraphs": _paragraphs(texts.body),
        "button": texts.button,
        "button_url": _checked_url(content.button_url),
        "color": color,
        "button_text_color": _readable_on(color),
        "shop_name": brand.shop_name,
        "logo_url": _checked_url(brand.logo_url) if brand.logo_url else None,
        "address_lines": _lines(brand.postal_address),
        "unsubscribe_url": _checked_url(content.unsubscribe_url),
        "code": content.code,
        "items_heading": content.items_heading,
        "items": [_item_view(item, content.currency) for item in content.items],
        "slots_heading": content.slots_heading,
        "slots": slots,
        "slot_rows": [slots[i:i + 2] for i in range(0, len(slots), 2)],
        "slot_width": SLOT_IMAGE_WIDTH,
        "slot_height": SLOT_IMAGE_HEIGHT,
    }


def _item_view(item: Item, currency: str) -> dict:
    return {
        "title": item.title,
        "variant_title": item.variant_title,
        "quantity": item.quantity,
        "price": _money(item.price, currency),
        "url": _checked_url(item.url),
        "image_url": _checked_url(item.image_url) if item.image_url else None,
    }


def _money(price: str, currency: str) -> str:
    try:
        amount = Decimal(price)
    except InvalidOperation:
        raise ValueError(f"item price is not a decimal: {price!r}") from None
    if not amount.is_finite():
        raise ValueError(f"item price is not a decimal: {price!r}")
    return format_currency(amount, currency, locale="en")


def _checked_url(url: str) -> str:
    """The URL, if it is an absolute http(s) one: a ``javascript:`` or ``data:`` link never reaches an email."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise ValueError(f"not an absolute http(s) URL: {url!r}")
    return url


def _readable_on(color: str) -> str:
    """White or near-black button text, whichever contrasts more with the button colour (WCAG 2.x ratio)."""
    return WHITE if contrast_ratio(WHITE, color) >= contrast_ratio(DEFAULT_COLOR, color) else DEFAULT_COLOR


def _lines(text: str) -> list[str]:
    """Non-empty lines, trimmed; CRLF and lone CR count as line breaks."""
    return [line.strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n") if line.strip()]


def _paragraphs(body: str) -> list[list[str]]:
    """The body as paragraphs (split on blank lines), each a list of its lines."""
    normalized = body.replace("\r\n", "\n").replace("\r", "\n").strip()
    return [lines for lines in map(_lines, _PARAGRAPH_BREAK_RE.split(normalized)) if lines]


def _plain_text(view: dict) -> str:
    """The text/plain part: the HTML's content in the same order, with every link written out."""
    blocks = [view["heading"], *("\n".join(lines) for lines in view["paragraphs"])]
    if view["code"]:
        blocks.append(f"Your code: {view['code']}")
    if view["items"]:
        blocks.append("\n".join([view["items_heading"], *map(_item_line, view["items"])]))
    blocks.append(f"{view['button']}: {view['button_url']}")
    if view["slots"]:
        blocks.append("\n".join([view["slots_heading"], *(f"{s['alt']}: {s['text_url']}" for s in view["slots"])]))
    footer = [view["shop_name"], *view["address_lines"], f"Unsubscribe: {view['unsubscribe_url']}"]
    blocks.append("\n".join(footer))
    return "\n\n".join(blocks) + "\n"


def _item_line(item: dict) -> str:
    variant = f" ({item['variant_title']})" if item["variant_title"] else ""
    return f"{item['quantity']} × {item['title']}{variant} — {item['price']}"
