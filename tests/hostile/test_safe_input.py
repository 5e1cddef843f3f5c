"""The bounded JSON reader and the number/id parsers every door uses (plugin.safe_input)."""

from __future__ import annotations

import json

import pytest

from plugin.safe_input import INT64_MAX, InputError, parse_id, read_json, whole_number

from tests.support.hostile import nested


def reason(call) -> tuple[str, int]:
    with pytest.raises(InputError) as caught:
        call()
    return caught.value.reason, caught.value.status


def test_ordinary_json_reads_as_json():
    assert read_json(b'{"a": [1, -2.5, "x", null, true], "id": 9223372036854775807}', max_bytes=100) == {
        "a": [1, -2.5, "x", None, True], "id": INT64_MAX}
    assert read_json(nested(32).encode(), max_bytes=100) == json.loads(nested(32))


@pytest.mark.parametrize("raw, expected", [
    (nested(33).encode(), ("JSON nested deeper than 32 levels", 400)),
    (nested(5000).encode(), ("JSON nested deeper than 32 levels", 400)),  # json.loads raises RecursionError here
    (b"9" * 21, ("integers have at most 20 ASCII digits", 400)),
    (b"[" + b"9" * 5000 + b"]", ("integers have at most 20 ASCII digits", 400)),
    (b"1e999", ("number out of range", 400)),
    (b"0." + b"1" * 60, ("numbers are at most 40 ASCII characters", 400)),
    (b"[NaN]", ("NaN is not a JSON number", 400)),
    ("[1²]".encode(), ("body is not JSON", 400)),
    (b"\xff\xfe{}", ("body is not JSON", 400)),
    (b"{nope", ("body is not JSON", 400)),
])
def test_hostile_json_is_an_input_error_with_a_reason(raw, expected):
    assert reason(lambda: read_json(raw, max_bytes=1_000_000)) == expected


def test_a_body_over_the_cap_is_a_413_before_it_is_parsed():
    assert reason(lambda: read_json(b" " * 11, max_bytes=10)) == ("body larger than 10 bytes", 413)


def test_the_depth_limit_is_the_caller_s():
    assert read_json(nested(64).encode(), max_bytes=1000, max_depth=64) == json.loads(nested(64))
    assert reason(lambda: read_json(b'{"a":' * 65 + b"1" + b"}" * 65, max_bytes=1000, max_depth=64))[0] == \
        "JSON nested deeper than 64 levels"


@pytest.mark.parametrize("value, expected", [(7, 7), ("7", 7), (" 30 ", 30), ("0090", 90)])
def test_whole_numbers_are_json_integers_or_ascii_digits(value, expected):
    assert whole_number(value, 0, 90) == expected


@pytest.mark.parametrize("value", ["²", "١٢", "１２", "9" * 5000, "-1", "1.0", 1.0, True, None, "", "91", 91])
def test_anything_else_is_refused_with_the_range(value):
    assert reason(lambda: whole_number(value, 0, 90, name="days")) == ("days: must be a whole number from 0 to 90", 400)


@pytest.mark.parametrize("value", [1, "1", INT64_MAX, str(INT64_MAX)])
def test_ids_are_positive_and_fit_64_bits(value):
    assert parse_id(value) == int(value)


@pytest.mark.parametrize("value", [0, "0", -1, INT64_MAX + 1, str(INT64_MAX + 1), "1" * 40, "²", "١٢", "12a", False])
def test_anything_else_is_not_an_id(value):
    assert reason(lambda: parse_id(value))[0] == "an id is 1 to 19 ASCII digits, at most 9223372036854775807"
