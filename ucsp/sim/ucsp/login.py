"""INDUSTRY_LOGIN_INFO: the signed message UCSP passes to INDUSTRY_INDEX_URL (PROTOCOL.md §3, §8).

``mobile`` is encrypted to the industry's encryption certificate (named by appEncCertID), the
message is signed by UCSP, and the signed JSON bytes travel as the query parameter
``request_data``: percent-encoded with nothing left unescaped, or base64url (padded).
"""

from __future__ import annotations

import json
from typing import Any

from ucsp.codec import Codec
from ucsp.crypto import encrypt_field, serialise_with_placeholder
from ucsp.envelope import ENC_CERT_ID_FIELD, build_request
from ucsp.sim.faults import FaultSet
from ucsp.sim.ucsp.registry import Industry

LOGIN_TYPE = "INDUSTRY_LOGIN_INFO"


def _mobile(codec: Codec, industry: Industry, mobile: str, faults: FaultSet) -> str:
    if "mobile-not-encrypted" in faults:
        return mobile
    cert = codec.identity.cert if "encrypts-with-wrong-key" in faults else industry.enc_cert
    return encrypt_field(cert, mobile, codec.profile.encryption_mode)


def login_message(
    codec: Codec,
    industry: Industry,
    channel_code: str,
    user_id: str,
    mobile: str,
    faults: FaultSet,
) -> bytes:
    """The signed bytes of INDUSTRY_LOGIN_INFO for one user."""
    trx = {
        "channelCode": channel_code,
        "mobile": _mobile(codec, industry, mobile, faults),
        "userId": user_id,
    }
    message = build_request(codec.msg_info(LOGIN_TYPE, industry.code), trx)
    extra = {ENC_CERT_ID_FIELD: industry.enc_cert_id}
    if "login-unsigned-fields" not in faults:
        return codec.sign(message, extra)
    partial = json.loads(codec.sign({"msgInfo": message["msgInfo"]}, extra))
    signature: Any = partial["certificateSignature"]["signature"]
    message["certificateSignature"] = partial["certificateSignature"]
    return serialise_with_placeholder(message, signature).encode("utf-8")
