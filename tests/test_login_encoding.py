"""ucsp.login_encoding: request_data as percent-encoding or base64url, and the index URL."""

from __future__ import annotations

import base64
from urllib.parse import unquote_to_bytes

from ucsp.login_encoding import encode_request_data, login_url
from ucsp.profile import RequestDataEncoding

RAW = '{"a":"é 中/+&=~"}'.encode()


def test_percent_encoding_leaves_nothing_unescaped() -> None:
    value = encode_request_data(RAW, RequestDataEncoding.PERCENT)
    assert value == "%7B%22a%22%3A%22%C3%A9%20%E4%B8%AD%2F%2B%26%3D~%22%7D"
    assert unquote_to_bytes(value) == RAW


def test_percent_encoding_keeps_bytes_that_are_not_utf8() -> None:
    assert encode_request_data(b"\xff\xfe{}", RequestDataEncoding.PERCENT) == "%FF%FE%7B%7D"


def test_base64url_is_padded_then_percent_encoded() -> None:
    value = encode_request_data(RAW, RequestDataEncoding.BASE64URL)
    assert base64.urlsafe_b64decode(unquote_to_bytes(value)) == RAW
    assert encode_request_data(b"ab", RequestDataEncoding.BASE64URL) == "YWI%3D"


def test_login_url() -> None:
    assert login_url("http://is/index", "X") == "http://is/index?request_data=X"
    assert login_url("http://is/index?a=1", "X") == "http://is/index?a=1&request_data=X"
