"""A signUrl of a token never issued: the token is where the signUrls of two identical signing
requests differ, widened to whole unreserved characters; it changes into one of the same
length and characters, and the rest of the URL is kept."""

from __future__ import annotations

import pytest

from ucsp.sides.auto_debit import unknown_token_url


@pytest.mark.parametrize(
    ("url", "other", "expected"),
    [
        (
            "http://u.test:9/sign/3f2a1b4c9d8e7f60?userId=adu00112233",
            "http://u.test:9/sign/3f2a77c0e1d2a4b5?userId=adu00112233",
            "http://u.test:9/sign/06f7e8d9c4b1a2f3?userId=adu00112233",
        ),
        (
            "http://u.test/s?t=abc123&merId=777290058110048",
            "http://u.test/s?t=xyz789&merId=777290058110048",
            "http://u.test/s?t=321cba&merId=777290058110048",
        ),
        (  # a palindrome cannot be reversed into another token: the two are spliced
            "http://u.test/sign/abba",
            "http://u.test/sign/cddc",
            "http://u.test/sign/cdba",
        ),
    ],
)
def test_only_the_token_changes_into_one_of_its_form(url: str, other: str, expected: str) -> None:
    assert unknown_token_url(url, other) == expected


@pytest.mark.parametrize(
    ("url", "other", "why"),
    [
        ("http://u.test/sign/abc", "http://u.test/sign/abc", "same signUrl"),
        ("http://u.test/s/a1?u=x1", "http://u.test/s/b2?u=y2", "more than a token"),
    ],
)
def test_signurls_that_do_not_show_a_token_are_refused(url: str, other: str, why: str) -> None:
    with pytest.raises(ValueError, match=why):
        unknown_token_url(url, other)
