"""An admin page's settings form read as the merchant's browser and screen reader see it, without a browser.

``Page`` parses the HTML into elements; ``field`` finds where a refused field's error goes by the rule
``plugin/admin/static/form_errors.js`` follows: the slot ``e-<name, dots as dashes>``, the controls that
slot describes (``aria-describedby``), and the name the merchant reads (the control's label, or the
legend of the fieldset the slot sits in directly, after an enclosing ``data-field-context``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field as dataclass_field
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
CONTROLS = {"input", "select", "textarea"}


@dataclass(eq=False)
class Element:
    tag: str
    attrs: dict[str, str]
    parent: Element | None
    children: list = dataclass_field(default_factory=list)  # Elements and text

    @property
    def id(self) -> str:
        return self.attrs.get("id", "")

    def text(self) -> str:
        out, stack = [], [self]
        while stack:
            node = stack.pop()
            if isinstance(node, str):
                out.append(node)
            else:
                stack.extend(reversed(node.children))
        return re.sub(r"\s+", " ", "".join(out)).strip()

    def walk(self):
        stack = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed([c for c in node.children if isinstance(c, Element)]))

    def ancestors(self):
        node = self.parent
        while node is not None:
            yield node
            node = node.parent


class _Builder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {}, None)
        self.open = self.root

    def handle_starttag(self, tag, attrs):
        element = Element(tag, {k: v or "" for k, v in attrs}, self.open)
        self.open.children.append(element)
        if tag not in VOID:
            self.open = element

    def handle_startendtag(self, tag, attrs):
        self.open.children.append(Element(tag, {k: v or "" for k, v in attrs}, self.open))

    def handle_endtag(self, tag):
        for node in [self.open, *self.open.ancestors()]:
            if node.tag == tag:  # closes whatever was left open inside it (an <option> without its end tag)
                self.open = node.parent
                return

    def handle_data(self, data):
        self.open.children.append(data)


@dataclass
class Field:
    slot: Element
    controls: list[Element]
    name: str


class Page:
    def __init__(self, html: str):
        builder = _Builder()
        builder.feed(html)
        self.root = builder.root
        self.by_id = {e.id: e for e in self.root.walk() if e.id}

    def label_of(self, control: Element) -> str:
        for element in self.root.walk():
            if element.tag == "label" and control.id and element.attrs.get("for") == control.id:
                return element.text()
        wrapping = next((a for a in control.ancestors() if a.tag == "label"), None)
        return wrapping.text() if wrapping is not None else control.attrs.get("aria-label", "")

    def field(self, form: Element, key: str) -> Field | None:
        """Where the error of the API's field ``key`` goes on ``form``: its own slot, or None."""
        slot = self.by_id.get("e-" + key.replace(".", "-"))
        if slot is None or form not in slot.ancestors():
            return None
        controls = [e for e in form.walk() if slot.id in e.attrs.get("aria-describedby", "").split()]
        group = slot.parent
        legend = next((c for c in group.walk() if c.tag == "legend"), None) if group.tag == "fieldset" else None
        name = legend.text() if legend else (self.label_of(controls[0]) if controls else "")
        start = group.parent if legend else slot  # as Element.closest: the start itself, then upwards
        context = next((a for a in [start, *start.ancestors()] if "data-field-context" in a.attrs), None)
        if context is not None and name:
            name = f"{context.attrs['data-field-context']} · {name}"
        return Field(slot, controls, name)
