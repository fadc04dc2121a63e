"""How INDUSTRY_LOGIN_INFO travels: its signed bytes as the ``request_data`` query parameter
of INDUSTRY_INDEX_URL (PROTOCOL.md section 8), percent-encoded with nothing left unescaped,
or base64url (padded) then percent-encoded, per the profile's ``login.request_data_encoding``."""

from __future__ import annotations

import base64
from urllib.parse import quote

from ucsp.profile import RequestDataEncoding


def encode_request_data(raw: bytes, encoding: RequestDataEncoding) -> str:
    """The ``request_data`` value for a query string, already escaped. Any bytes are
    encoded as they are, even ones that are not UTF-8."""
    if encoding is RequestDataEncoding.BASE64URL:
        return quote(base64.urlsafe_b64encode(raw).decode("ascii"), safe="")
    return quote(raw, safe="")


def login_url(index_url: str, request_data: str) -> str:
    """INDUSTRY_INDEX_URL carrying the encoded ``request_data`` value."""
    separator = "&" if "?" in index_url else "?"
    return f"{index_url}{separator}request_data={request_data}"
