"""INDUSTRY_LOGIN_INFO as UCSP sends it (PROTOCOL.md section 8): built for one user, the
mobile encrypted to the Industry Service's encryption certificate, signed, and carried as the
``request_data`` query parameter of INDUSTRY_INDEX_URL, percent-encoded with nothing left
unescaped, or base64url (padded) then percent-encoded, per the profile's
``login.request_data_encoding``."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from cryptography import x509

from ucsp.codec import Codec
from ucsp.crypto import decrypt_field, encrypt_field
from ucsp.envelope import ENC_CERT_ID_FIELD, build_request
from ucsp.errors import UcspError
from ucsp.messages import LOGIN_TYPE
from ucsp.profile import RequestDataEncoding
from ucsp.target import Target

PLAIN_MOBILE_MAX = 64  # declared length of the decrypted mobile (schema x-plain, ANS 1-64)


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


@dataclass(frozen=True)
class LoginUser:
    """A Channel App user as the login carries it (the mobile is never shown)."""

    user_id: str
    mobile: str = field(repr=False)
    channel_code: str


class LoginBuilder:
    """Builds and signs INDUSTRY_LOGIN_INFO for one user with UCSP's codec."""

    def __init__(
        self,
        codec: Codec,
        target: Target,
        user: LoginUser,
        msg_info: dict[str, Any] | None = None,
    ) -> None:
        self.codec, self.target, self.user = codec, target, user
        self.profile = target.profile
        self.msg_info = dict(msg_info or codec.msg_info(LOGIN_TYPE, target.industry.code))

    @property
    def enc_cert_id(self) -> str:
        return self.target.keys.industry_enc.cert_id

    def encrypt(self, plain: str, cert: x509.Certificate | None = None) -> str:
        """``plain`` encrypted to the IS encryption certificate (or to ``cert``)."""
        to = cert if cert is not None else self.target.keys.industry_enc.cert
        return encrypt_field(to, plain, self.profile.encryption_mode)

    def message(self, mobile: str | None = None, user_id: str | None = None) -> dict[str, Any]:
        trx = {
            "channelCode": self.user.channel_code,
            "mobile": mobile if mobile is not None else self.encrypt(self.user.mobile),
            "userId": user_id if user_id is not None else self.user.user_id,
        }
        return build_request(dict(self.msg_info), trx)

    def sign(self, message: dict[str, Any], **cert_fields: str) -> bytes:
        """Signed bytes; ``cert_fields`` may replace ucspSignCertID or appEncCertID."""
        return self.codec.sign(message, {ENC_CERT_ID_FIELD: self.enc_cert_id, **cert_fields})

    def query(self, raw: bytes) -> str:
        return "request_data=" + encode_request_data(raw, self.profile.request_data_encoding)

    def valid(self) -> str:
        return self.query(self.sign(self.message()))

    def wrong_key_mobile(self) -> str:
        """The mobile encrypted to the IS's signing certificate instead of its encryption one.

        With PKCS#1 v1.5 a wrong-key ciphertext may decrypt to random bytes (implicit
        rejection); when the suite holds the IS encryption key it draws until the IS's
        decryption yields nothing acceptable, so the scenario is deterministic.
        """
        own = self.target.keys.industry_enc.key
        value = ""
        for _ in range(32):
            value = self.encrypt(self.user.mobile, self.target.keys.industry_sign.cert)
            if own is None:
                break
            try:
                plain = decrypt_field(own, value, self.profile.encryption_mode)
            except UcspError:
                break
            if len(plain) > PLAIN_MOBILE_MAX:
                break
        return value
