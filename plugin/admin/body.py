"""The admin's request bodies: read capped, parsed by the core's bounded reader (``plugin.safe_input``).

Flask's ``request.get_json`` lets ``RecursionError`` from deeply nested JSON
escape as a 500 and reads up to the app-wide 1 MiB cap; settings are a few
kilobytes, so this reads at most ``MAX_BODY_BYTES`` and refuses the rest with
``InputError``, which the app answers as a 4xx with a JSON reason.
"""

from __future__ import annotations

from flask import request

from ..safe_input import InputError, read_json

MAX_BODY_BYTES = 64 * 1024


def json_body(limit: int = MAX_BODY_BYTES):
    """The request's JSON value (any type: the caller's schema says what it accepts), or InputError."""
    if request.content_length is not None and request.content_length > limit:
        raise InputError(f"body larger than {limit} bytes", 413)
    return read_json(request.stream.read(limit + 1), max_bytes=limit)
