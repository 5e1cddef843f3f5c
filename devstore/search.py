"""The platform's search syntax for the ``query:`` argument, over devstore records.

Supported: ``field:value`` (case-insensitive, ``value*`` prefix match),
``field:>v`` / ``>=`` / ``<`` / ``<=`` for dates and numbers, quoted values,
``-field:value`` or ``NOT field:value``, ``AND`` (implicit) and bare words
matched against the resource's default text fields. Unknown fields match
nothing, so a typo shows up as an empty result rather than everything.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from typing import Any, Callable

from .clock import parse_iso

Getter = Callable[[Any], Any]
_TERM = re.compile(r"^(?P<neg>-)?(?:(?P<field>[a-z_]+):(?P<op>>=|<=|>|<)?)?(?P<value>.*)$", re.S)
DATE_FIELDS = {"created_at", "updated_at", "processed_at", "published_at"}


@dataclass(frozen=True)
class Term:
    field: str | None
    op: str
    value: str
    negated: bool


def parse(query: str | None) -> list[Term]:
    if not query or not query.strip():
        return []
    try:
        words = shlex.split(query)
    except ValueError:
        words = query.split()
    terms, negate_next = [], False
    for word in words:
        if word == "AND":
            continue
        if word == "NOT":
            negate_next = True
            continue
        match = _TERM.match(word)
        assert match is not None  # the pattern accepts any string
        terms.append(Term(field=match["field"], op=match["op"] or ":", value=match["value"].strip("'\""),
                          negated=bool(match["neg"]) or negate_next))
        negate_next = False
    return terms


def _compare(actual: Any, op: str, wanted: str, field: str) -> bool:
    if actual is None:
        return False
    if isinstance(actual, (list, tuple, set)):
        return any(_compare(a, op, wanted, field) for a in actual)
    if field in DATE_FIELDS or isinstance(actual, float) and field.endswith("_at"):
        try:
            target: Any = parse_iso(wanted)
        except ValueError:
            return False
    elif isinstance(actual, (int, float)) and not isinstance(actual, bool):
        try:
            target = int(wanted) if wanted.lstrip("-").isdigit() else float(wanted)
        except ValueError:
            return False
    else:
        text, wanted_l = str(actual).lower(), wanted.lower()
        if op != ":":
            return False
        if wanted_l.endswith("*"):
            return text.startswith(wanted_l[:-1])
        return text == wanted_l
    return {":": actual == target, ">": actual > target, ">=": actual >= target,
            "<": actual < target, "<=": actual <= target}[op]


def matches(record: Any, terms: list[Term], fields: dict[str, Getter], text: Callable[[Any], str]) -> bool:
    for term in terms:
        if term.field is None:
            hit = term.value.lower().rstrip("*") in text(record).lower()
        elif term.field in fields:
            hit = _compare(fields[term.field](record), term.op, term.value, term.field)
        else:
            hit = False
        if hit == term.negated:
            return False
    return True
