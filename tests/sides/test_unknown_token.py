"""A signUrl of a token never issued: the token (longest run of letters and digits) changed
into another of the same form, the rest of the URL kept."""

from __future__ import annotations

import pytest

from ucsp.sides.auto_debit import unknown_token_url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://u.test:9/sign/abcZ09xyAB12", "http://u.test:9/sign/bcdA10yzBC23"),
        ("http://u.test/s?t=zzzzzzzz99&x=1", "http://u.test/s?t=aaaaaaaa00&x=1"),
        (
            "http://u.test/sign/aaaaaaaa?token=bbbbbbbb",
            "http://u.test/sign/aaaaaaaa?token=cccccccc",
        ),
        ("http://u.test/sign/tok-1234567890/page", "http://u.test/sign/tok-2345678901/page"),
    ],
)
def test_the_token_changes_and_nothing_else(url: str, expected: str) -> None:
    assert unknown_token_url(url) == expected


def test_a_url_without_a_token_is_refused() -> None:
    with pytest.raises(ValueError, match="holds no token"):
        unknown_token_url("http://u.test/s/x?a=1")
