"""Strict parsing refuses each hostile input of PROTOCOL.md sections 1 and 8 (code 10)."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ucsp import strictjson
from ucsp.codes import ResponseCode
from ucsp.errors import MalformedMessage
from ucsp.strictjson import decode_text, member_span, parse_object, parse_text

LIMIT = 65536


def nested(depth: int, inner: str = '"x"') -> bytes:
    """A JSON object ``depth`` levels deep (the top-level object is depth 1)."""
    return ('{"a":' * depth + inner + "}" * depth).encode()


def padded_object(size: int) -> bytes:
    """A valid JSON object of exactly ``size`` bytes."""
    frame = b'{"pad":""}'
    return frame[:-2] + b"x" * (size - len(frame)) + frame[-2:]


def test_a_plain_object_parses() -> None:
    assert parse_object(b'{"a":"b","c":{"d":["e",1,2.5,true,null]}}') == {
        "a": "b",
        "c": {"d": ["e", 1, 2.5, True, None]},
    }


def test_errors_map_to_format_invalid() -> None:
    with pytest.raises(MalformedMessage) as caught:
        parse_object(b"[]")
    assert caught.value.code is ResponseCode.FORMAT_INVALID
    assert caught.value.reason == str(caught.value)


# --- size, BOM, UTF-8 ---------------------------------------------------------------------


def test_a_body_of_exactly_the_limit_is_accepted() -> None:
    body = padded_object(LIMIT)
    assert len(body) == LIMIT
    assert parse_object(body)["pad"] == "x" * (LIMIT - 10)


def test_a_body_over_the_limit_is_refused_before_parsing() -> None:
    body = padded_object(LIMIT + 1)
    with pytest.raises(MalformedMessage, match=r"65537 bytes exceeds the limit of 65536"):
        parse_object(body)
    with pytest.raises(MalformedMessage, match="exceeds the limit"):
        parse_object(b"\xff" * (LIMIT + 1))  # size comes first: not even decoded


def test_the_size_limit_is_a_parameter() -> None:
    with pytest.raises(MalformedMessage, match="exceeds the limit of 10"):
        parse_object(b'{"a":"bcdef"}', max_bytes=10)


def test_a_byte_order_mark_is_refused() -> None:
    with pytest.raises(MalformedMessage, match="byte order mark"):
        parse_object(b'\xef\xbb\xbf{"a":"b"}')


@pytest.mark.parametrize(
    "body",
    [
        b'{"a":"\xff"}',
        b'{"a":"\xc0\xaf"}',  # overlong encoding of "/"
        b'{"a":"\xed\xa0\x80"}',  # UTF-8 encoded surrogate (CESU-8)
        b'{"a":"\xe4\xb8"}',  # truncated sequence
        b'{"a":"\xf4\x90\x80\x80"}',  # beyond U+10FFFF
        b'{"a":"b"}\x80',
    ],
    ids=["ff", "overlong", "encoded-surrogate", "truncated", "beyond-max", "trailing-byte"],
)
def test_invalid_utf8_is_refused(body: bytes) -> None:
    with pytest.raises(MalformedMessage, match="not valid UTF-8"):
        parse_object(body)


def test_valid_utf8_beyond_ascii_is_accepted() -> None:
    assert parse_object('{"a":"银联 😀"}'.encode()) == {"a": "银联 😀"}


# --- not an object, not JSON --------------------------------------------------------------


@pytest.mark.parametrize("body", [b"[]", b'"text"', b"1", b"null", b"true", b'[{"a":"b"}]'])
def test_a_value_other_than_an_object_is_refused(body: bytes) -> None:
    with pytest.raises(MalformedMessage, match="not a JSON object"):
        parse_object(body)


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"   ",
        b'{"a":"b",}',
        b"{'a':'b'}",
        b'{"a":"b"',
        b'{"a":"b"}x',
        b'{"a":"b"}{}',
        b'{"a":"line\nbreak"}',  # raw control character in a string
        b'{"a":01}',
        b'{"a":"\\x41"}',
    ],
    ids=[
        "empty",
        "blank",
        "trailing-comma",
        "single-quotes",
        "unterminated",
        "trailing-garbage",
        "two-objects",
        "control-char",
        "leading-zero",
        "bad-escape",
    ],
)
def test_text_that_is_not_json_is_refused(body: bytes) -> None:
    with pytest.raises(MalformedMessage, match="not valid JSON"):
        parse_object(body)


# --- duplicate keys -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b'{"a":"1","a":"2"}',
        b'{"a":"1","b":"2","a":"1"}',
        b'{"m":{"k":"1","k":"1"}}',
        b'{"m":[{"k":"1","k":"2"}]}',
        b'{"a":"1","\\u0061":"2"}',  # the same key, written with an escape
    ],
    ids=["top", "same-value", "nested", "in-array", "escaped"],
)
def test_a_duplicate_key_is_refused(body: bytes) -> None:
    with pytest.raises(MalformedMessage, match="duplicate key"):
        parse_object(body)


# --- depth --------------------------------------------------------------------------------


def test_depth_32_is_accepted() -> None:
    value = parse_object(nested(32))
    for _ in range(31):
        value = value["a"]
    assert value == {"a": "x"}


def test_depth_33_is_refused() -> None:
    with pytest.raises(MalformedMessage, match="nesting deeper than 32"):
        parse_object(nested(33))


def test_arrays_count_towards_the_depth() -> None:
    assert parse_object(b'{"a":' + b"[" * 31 + b"]" * 31 + b"}")
    with pytest.raises(MalformedMessage, match="nesting deeper"):
        parse_object(b'{"a":' + b"[" * 32 + b"]" * 32 + b"}")


def test_brackets_inside_strings_do_not_count() -> None:
    text = '{"a":"' + "[{" * 100 + '\\"' + "]}" * 100 + '"}'
    assert parse_text(text) == {"a": "[{" * 100 + '"' + "]}" * 100}


def test_the_depth_limit_is_a_parameter() -> None:
    assert parse_object(nested(3), max_depth=3)
    with pytest.raises(MalformedMessage, match="deeper than 3"):
        parse_object(nested(4), max_depth=3)


@pytest.mark.parametrize("body", [b"[" * 60_000, b'{"a":' * 13_000, nested(10_000)])
def test_very_deep_input_is_refused_without_recursing(body: bytes) -> None:
    assert len(body) <= LIMIT
    with pytest.raises(MalformedMessage, match="nesting deeper"):
        parse_object(body)


def test_very_deep_text_is_refused_even_without_a_size_limit() -> None:
    with pytest.raises(MalformedMessage, match="nesting deeper"):
        parse_text("[" * 1_000_000 + "]" * 1_000_000)


# --- numbers ------------------------------------------------------------------------------


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
@pytest.mark.parametrize("where", ['{{"a":{}}}', '{{"a":[1,{}]}}', '{{"a":{{"b":{}}}}}'])
def test_nan_and_infinity_are_refused(literal: str, where: str) -> None:
    with pytest.raises(MalformedMessage, match=f"{literal} is not allowed"):
        parse_text(where.format(literal))


@pytest.mark.parametrize("literal", ["1e999", "-1e999", "1E400", "2.5e+308", "-0.1e310"])
def test_a_number_overflowing_to_infinity_is_refused(literal: str) -> None:
    with pytest.raises(MalformedMessage, match="overflows to infinity"):
        parse_text(f'{{"a":{literal}}}')


def test_finite_floats_are_accepted() -> None:
    assert parse_text('{"a":1.7976931348623157e308,"b":-2.5e-300}')["a"] > 1e308


@pytest.mark.parametrize("digits", [5000, 20_000])
@pytest.mark.parametrize("sign", ["", "-"])
def test_a_huge_integer_literal_is_refused(digits: int, sign: str) -> None:
    with pytest.raises(MalformedMessage, match="integer literal too long"):
        parse_text(f'{{"a":{sign}{"9" * digits}}}')


def test_ordinary_integers_are_accepted() -> None:
    assert parse_text('{"a":12800,"b":-1,"c":' + "9" * 40 + "}")["c"] == int("9" * 40)


# --- strings ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        r'{"a":"\ud800"}',
        r'{"a":"\udfff"}',
        r'{"a":"x\ud800y"}',
        r'{"a":"\ud800\u0041"}',  # high surrogate not followed by a low one
        r'{"a":"\udc00\ud800"}',  # a pair in the wrong order
        r'{"\ud800":"a"}',  # in a key
        r'{"a":["b",{"c":"\udbff"}]}',  # nested
    ],
    ids=["high", "low", "inside", "unpaired-high", "reversed", "key", "nested"],
)
def test_a_lone_surrogate_escape_is_refused(text: str) -> None:
    with pytest.raises(MalformedMessage, match="lone surrogate"):
        parse_text(text)


def test_a_surrogate_pair_escape_is_accepted() -> None:
    assert parse_text(r'{"a":"\ud83d\ude00"}') == {"a": "😀"}


# --- decode_text --------------------------------------------------------------------------


def test_decode_text_returns_the_text_unchanged() -> None:
    raw = '{ "a" : "银" }\n'.encode()
    assert decode_text(raw) == raw.decode()


# --- member_span --------------------------------------------------------------------------


def test_member_span_finds_a_nested_value() -> None:
    text = '{"x":{"signature":"no"},"certificateSignature":{"id":"7","signature":"c2ln"}}'
    start, end = member_span(text, ("certificateSignature", "signature")) or (0, 0)
    assert text[start:end] == '"c2ln"'


def test_member_span_copes_with_whitespace() -> None:
    text = ' \n{ "a" :\t{ "b" : [1, {"c": 2}] ,\n "c" : "v" } }\n'
    start, end = member_span(text, ("a", "c")) or (0, 0)
    assert text[start:end] == '"v"'
    start, end = member_span(text, ("a", "b")) or (0, 0)
    assert json.loads(text[start:end]) == [1, {"c": 2}]


@pytest.mark.parametrize(
    ("text", "path"),
    [
        ('{"a":{"b":"c"}}', ("a", "x")),
        ('{"a":{"b":"c"}}', ("x", "b")),
        ('{"a":"text"}', ("a", "b")),
        ("{}", ("a",)),
        ('{"a":{}}', ("a", "b")),
    ],
)
def test_member_span_of_an_absent_member_is_none(text: str, path: tuple[str, ...]) -> None:
    assert member_span(text, path) is None


# --- escapes and surrogates, as json decodes them ------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        r'{"a":"\\ud800"}',  # an escaped backslash, then the letters "ud800"
        r'{"a":"\\\\ud800"}',
        r'{"a":"\ud800\udc00\u0041"}',
        r'{"a":"\uD800\uDC00"}',
        r'{"\udbff\udfff":"\\"}',
    ],
)
def test_what_is_not_a_lone_surrogate_is_accepted(text: str) -> None:
    assert parse_text(text) == json.loads(text)


@pytest.mark.parametrize(
    "text",
    [
        r'{"a":"\\\ud800"}',  # an escaped backslash, then a lone surrogate escape
        r'{"a":"\ud800\udc00\udc00"}',  # a pair, then a lone low one
        r'{"a":"\ud800\ud800\udc00"}',  # a lone high one, then a pair
        r'{"a":"\uDBFF"}',
        r'{"a":"\ud800\\udc00"}',  # the low "escape" is text after an escaped backslash
    ],
)
def test_a_lone_surrogate_among_other_escapes_is_refused(text: str) -> None:
    with pytest.raises(MalformedMessage, match="lone surrogate"):
        parse_text(text)


# --- depth counting knows where strings are ------------------------------------------------


def test_escaped_backslashes_end_a_string_before_a_deep_nest() -> None:
    deep = "[" * 40 + "]" * 40
    with pytest.raises(MalformedMessage, match="nesting deeper"):
        parse_text('{"a":"x\\\\\\\\","b":' + deep + "}")
    assert parse_text('{"a":"x\\\\\\"' + deep + '"}') == {"a": 'x\\"' + deep}


def test_brackets_in_an_unterminated_string_do_not_count() -> None:
    with pytest.raises(MalformedMessage, match="not valid JSON"):
        parse_text('{"a":[[],"' + "[{" * 100)


def test_depth_is_exact_when_no_run_of_brackets_is_deep() -> None:
    def staircase(steps: int) -> str:  # each step opens one level and holds an empty array
        return '{"a":[' + '{"b":[],"c":' * steps + "1" + "}" * steps + "]}"

    assert parse_text(staircase(29))  # 2 + 29 levels, and the last empty array
    with pytest.raises(MalformedMessage, match="deeper than 32"):
        parse_text(staircase(30))
    assert parse_text(staircase(30), max_depth=33)


def _reference_depth(text: str) -> int:
    """Deepest nesting outside strings, one character at a time (slow, plainly right)."""
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet='[]{}"\\ab\u00e9,:'),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(alphabet='[]{}"\\k', max_size=4), inner, max_size=3)
    ),
    max_leaves=40,
)


@settings(derandomize=True, database=None, max_examples=300, deadline=None)
@given(value=_json_values, limit=st.integers(min_value=1, max_value=6))
def test_the_depth_guard_counts_as_a_character_by_character_scan(value: object, limit: int) -> None:
    text = json.dumps({"v": value}, ensure_ascii=False)
    deepest = _reference_depth(text)
    if deepest > limit:
        with pytest.raises(MalformedMessage, match=f"nesting deeper than {limit}"):
            parse_text(text, max_depth=limit)
    else:
        assert parse_text(text, max_depth=limit) == {"v": value}


# --- the cost of parsing grows linearly with the size -------------------------------------
#
# Worst-case bodies repeat a hostile unit (brackets, quotes, escapes, keys) behind a prefix
# that opens many levels and perhaps an unterminated string. Each is built at n and 4n bytes
# (4n = the size limit) beside a valid object of short members of the same sizes; every
# figure is the minimum over several runs, measured interleaved. Linear parsing grows about
# 4x from n to 4n, as the valid parse does; a scan that restarts at each quote grows 16x and,
# at 64 KiB, takes seconds where the valid parse takes a fraction of a millisecond. The bounds
# are wide enough that noise on a loaded machine does not reach them, and a quadratic scan
# far exceeds them.

QUARTER = LIMIT // 4
RUNS = 7
GROWTH_BOUND = 2.5  # hostile growth n -> 4n, relative to the valid parse's growth
RATIO_BOUND = 100.0  # hostile parse at 4n, relative to the valid parse at 4n

_atoms = st.sampled_from(
    [
        "[",
        "]",
        "{",
        "}",
        '"',
        '\\"',
        "\\\\",
        "\\u0041",
        "\\ud83d\\ude00",
        "\\ud800",
        ",",
        ":",
        '"k":',
        "1",
        "\u00e9",
        " ",
    ]
)
_hostile_units = st.lists(_atoms, min_size=1, max_size=12).map("".join)
_prefixes = st.builds(
    lambda opens, quote: '{"a":' + "[" * opens + ('"' if quote else ""),
    st.integers(min_value=0, max_value=40),
    st.booleans(),
)


def members_object(size: int) -> bytes:
    """A valid object of exactly ``size`` bytes, of short members like a protocol message's."""
    count = (size - 2) // len('"k00000":"value 00000",')
    body = "{" + ",".join(f'"k{i:05d}":"value {i:05d}"' for i in range(count)) + "}"
    return body.encode() + b" " * (size - len(body))


def _sized(prefix: str, unit: str, size: int) -> bytes:
    """``prefix`` + ``unit`` repeated, cut and padded with spaces to exactly ``size`` bytes."""
    room = size - len(prefix.encode())
    count = room // len(unit.encode())
    body = (prefix + unit * count).encode()
    return body + b" " * (size - len(body))


def _cost(raw: bytes) -> Callable[[], float]:
    def run() -> float:
        t0 = time.perf_counter()
        with contextlib.suppress(MalformedMessage):
            parse_object(raw)
        return time.perf_counter() - t0

    return run


def _minima(runs: list[Callable[[], float]], rounds: int) -> list[float]:
    best = [float("inf")] * len(runs)
    for _ in range(rounds):
        for i, run in enumerate(runs):
            best[i] = min(best[i], run())
    return best


@settings(
    derandomize=True,
    database=None,
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(prefix=_prefixes, unit=_hostile_units)
@example(prefix='{"a":' + "[" * 40 + '"', unit='\\"')  # brackets, then a string of \"
@example(prefix='{"a":"', unit='[{\\"')
@example(prefix="", unit="[]")
@example(prefix='{"a":[', unit="{},")  # an object hook call for each
@example(prefix='{"a":[', unit='"",')
def test_parse_cost_grows_linearly_with_the_size(prefix: str, unit: str) -> None:
    runs = [
        _cost(_sized(prefix, unit, QUARTER)),
        _cost(_sized(prefix, unit, LIMIT)),
        _cost(members_object(QUARTER)),
        _cost(members_object(LIMIT)),
    ]
    best = _minima(runs, 1)
    small, large, valid_small, valid_large = best
    if large <= 30 * RATIO_BOUND * valid_large:  # else a second or more, not noise: fail now
        for _ in range(3):  # further runs only while a bound is not met
            best = [min(b, m) for b, m in zip(best, _minima(runs, RUNS), strict=True)]
            small, large, valid_small, valid_large = best
            growth = (large / small) / (valid_large / valid_small)
            if growth <= GROWTH_BOUND and large <= RATIO_BOUND * valid_large:
                return
    small, large, valid_small, valid_large = best
    growth = (large / small) / (valid_large / valid_small)
    assert growth <= GROWTH_BOUND, f"cost grew {growth:.1f}x faster than the valid parse"
    assert large <= RATIO_BOUND * valid_large, f"{large / valid_large:.0f}x the valid parse"


# --- bodies of many objects: the check after parsing refuses what the hook refuses ----------

# raw JSON key texts, escapes included, so that "\u0061" and "a" are one key
_KEYS = st.sampled_from(['"a"', '"b"', '"q\\""', '"\\\\"', '"ü"', '"\\u0061"', '":"'])
_LEAVES = st.sampled_from(
    ["0", "-1", "1.5", "2e3", "7", '"x"', '"a:b"', '":"', "true", "null", "[]", "{}", '"\\\\"']
)


def _containers(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    members = st.lists(st.tuples(_KEYS, children), max_size=4)
    objects = members.map(lambda ms: "{" + ",".join(f"{k}:{v}" for k, v in ms) + "}")
    arrays = st.lists(children, max_size=4).map(lambda vs: "[" + ",".join(vs) + "]")
    return st.one_of(objects, arrays)


def _outcome(text: str) -> Any:
    try:
        return parse_text(text)
    except MalformedMessage as exc:
        return ("refused", "duplicate key" in str(exc))


@settings(max_examples=600, derandomize=True, database=None, deadline=None)
@given(st.recursive(_LEAVES, _containers, max_leaves=12))
def test_many_objects_are_refused_exactly_as_few_are(inner: str) -> None:
    text = '{"m":' + inner + "}"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(strictjson, "HOOKED_OBJECTS", 10_000)
        hooked = _outcome(text)
        patch.setattr(strictjson, "HOOKED_OBJECTS", 0)
        checked = _outcome(text)
    assert checked == hooked


def test_a_duplicate_key_among_many_objects_is_refused() -> None:
    many = ",".join(["{}"] * (strictjson.HOOKED_OBJECTS + 1))
    with pytest.raises(MalformedMessage, match="duplicate key"):
        parse_text('{"m":[' + many + '],"a":{"k":1,"\\u006b":2}}')
    assert parse_text('{"m":[' + many + '],"a":{"k":1,"K":2,"k\\"":3}}')["a"] == {
        "k": 1,
        "K": 2,
        'k"': 3,
    }
