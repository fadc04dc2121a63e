"""The fault catalogue of the reference UCSP.

Each fault is a small deviation a real implementer might make. Every one is observable from
the Industry Service side: over HTTP at the gateway, in the notices received, or in the
redirect of ``/authorize``. ``docs/faults.md`` is generated from :data:`CATALOGUE`.
"""

from __future__ import annotations

from ucsp.sim.faults import Fault

CATALOGUE: tuple[Fault, ...] = (
    # --- signature ------------------------------------------------------------------------
    Fault(
        "accepts-bad-signature",
        "signature",
        "Does not verify the request signature (the certificate ID is still looked up), so a "
        "tampered request is processed and answered 00.",
        "§3, §6: an invalid signature is answered 11",
    ),
    Fault(
        "accepts-unknown-cert-id",
        "signature",
        "An appSignCertID naming no registered certificate falls back to the industry's first "
        "certificate, so a request signed by the right key under an unknown ID is answered 00.",
        "§3, §8: an unknown cert ID fails like a bad signature (11)",
    ),
    Fault(
        "signs-responses-badly",
        "signature",
        "Signs a re-serialisation of the response (spaces after separators) but sends the "
        "compact bytes, so no response signature verifies.",
        "§3: the signed bytes are the transmitted bytes",
    ),
    Fault(
        "login-unsigned-fields",
        "signature",
        "Signs INDUSTRY_LOGIN_INFO before adding trxInfo, so the request_data the IS receives "
        "does not verify.",
        "§3: every field of the message is covered by the signature",
    ),
    # --- login ----------------------------------------------------------------------------
    Fault(
        "logs-in-first-sandbox-user",
        "business",
        "Builds INDUSTRY_LOGIN_INFO for its first sandbox user whatever userId and mobile "
        "AUTHORIZATION_URL was given, so a second user's authorization logs in the first.",
        "§5 AUTHORIZATION_URL, §8 Sandbox hooks: the login carries the authorizing user",
    ),
    Fault(
        "authorize-max-length-off-by-one",
        "format",
        "Takes the 64-character limit of userId and mobile at AUTHORIZATION_URL as exclusive: "
        "a value of exactly 64 characters is refused with HTTP 400.",
        "§8 Sandbox hooks: /authorize requires userId and mobile ANS 1-64",
    ),
    # --- format ---------------------------------------------------------------------------
    Fault(
        "no-echo-msginfo",
        "format",
        "Answers gateway requests with a fresh UCSP msgInfo instead of echoing the request's.",
        "§2: a response echoes the request's msgInfo",
    ),
    Fault(
        "skips-schema-check",
        "format",
        "Does not check field lengths in trxInfo: an orderId of 41 characters is answered 00.",
        "§5, §8: any schema violation is answered 10",
    ),
    Fault(
        "wrong-code-for-bad-format",
        "format",
        "Answers 99 instead of 10 to every malformed message.",
        "§6, §8: format errors are answered 10",
    ),
    Fault(
        "http-500-on-bad-json",
        "format",
        "Answers HTTP 500 with no protocol message when the body is not valid JSON.",
        "§1: every message that reaches protocol processing is answered HTTP 200 (code 10)",
    ),
    Fault(
        "accepts-duplicate-keys",
        "format",
        "Parses JSON with last-key-wins, so a signed body with a duplicate key is processed.",
        "§1, §8: a duplicate key is a format error (10)",
    ),
    # --- business -------------------------------------------------------------------------
    Fault(
        "refund-exceeds-original",
        "business",
        "Does not add up refunds: the refunded total may exceed the original amount.",
        "§5 PAYMENT_REFUND: at most the amount not yet refunded (36)",
    ),
    Fault(
        "cancels-after-refund",
        "business",
        "Accepts a cancellation of a payment that has a succeeded or pending refund.",
        "§8: cancellation -> 36 once any refund succeeded or is pending",
    ),
    Fault(
        "cancels-partial-amount",
        "business",
        "Accepts a cancellation whose txnAmt differs from the original amount.",
        "§5 PAYMENT_CANCELLATION: txnAmt must equal the original amount (36)",
    ),
    Fault(
        "accepts-unknown-acqiin",
        "business",
        "Does not compare acqIIN with the merchant's: any acqIIN is answered 00.",
        "§5 SUBMIT_PAYMENT_ORDER: unknown merId or acqIIN -> 36",
    ),
    Fault(
        "charges-closed-contract",
        "business",
        "Charges an auto-debit contract that was closed.",
        "§5, §8 SUBMIT_AUTO_DEBIT: closed contract -> 36",
    ),
    Fault(
        "close-closes-merchant-contracts",
        "business",
        "CLOSE_AUTO_DEBIT of an active contract closes every active contract of its merchant, "
        "other users' included, not only the one named.",
        "§5 CLOSE_AUTO_DEBIT, §8 UCSP business rules: the closing closes the contract it names",
    ),
    Fault(
        "charges-any-merchant",
        "business",
        "Charges a contract for any registered merchant of the industry, not only the one the"
        " user signed with.",
        "§8 UCSP business rules: SUBMIT_AUTO_DEBIT with a merId other than the contract's -> 36",
    ),
    Fault(
        "inquiry-unknown-order-00",
        "business",
        "Answers an inquiry for an unknown orderId with 00 and txnStatus 01 instead of 34.",
        "§5, §8 inquiries: unknown orderId -> 34",
    ),
    Fault(
        "inquiry-ignores-txntime",
        "business",
        "Answers an inquiry whose txnTime is not the order's as if it matched.",
        "§8 inquiries: a txnTime other than the order's -> 34",
    ),
    Fault(
        "refund-inquiry-original-status",
        "business",
        "Answers REFUND_RESULT_INQUIRY with the txnStatus of the payment the cancellation or "
        "refund reverses, not its own: a declined refund of a paid order is reported 00.",
        "§5 REFUND_RESULT_INQUIRY, §8 inquiries: the status of the cancellation or refund",
    ),
    Fault(
        "refund-inquiry-original-amount",
        "business",
        "Answers REFUND_RESULT_INQUIRY with the txnAmt of the payment the cancellation or "
        "refund reverses, not its own.",
        "§5 REFUND_RESULT_INQUIRY: txnAmt of the cancellation or refund",
    ),
    Fault(
        "notice-wrong-amount",
        "business",
        "PAYMENT_RESULT_NOTICE carries txnAmt one minor unit above the transaction's amount.",
        "§5 PAYMENT_RESULT_NOTICE: txnAmt of the transaction",
    ),
    # --- idempotency ----------------------------------------------------------------------
    Fault(
        "duplicate-order-new-tn",
        "idempotency",
        "An identical resubmission of SUBMIT_PAYMENT_ORDER gets a new tn and paymentUrl.",
        "§4, §8: identical resubmission returns the first answer",
    ),
    Fault(
        "order-id-reuse-accepted",
        "idempotency",
        "Reusing an orderId with different content replaces the first order (00) instead of 36.",
        "§4: same orderId with different content -> 36",
    ),
    Fault(
        "replay-accepted",
        "idempotency",
        "Does not remember msgIDs: a replayed request is processed again instead of 99.",
        "§4, §8 (SHOULD): a msgID seen within 24 h -> 99",
    ),
    Fault(
        "notice-reuses-msgid",
        "idempotency",
        "Retries a notice with the bytes of the first attempt (same msgID, timeStamp, signature).",
        "§4: every transmission, retries included, is fresh",
    ),
    Fault(
        "resubmission-compares-unknown-fields",
        "idempotency",
        "Compares a resubmitted order's whole trxInfo, unknown fields included, so a "
        "resubmission that only adds an unknown field is refused 36 as a reuse.",
        "§2: unknown fields are ignored by receivers; §8: an identical resubmission gets the "
        "first answer",
    ),
    # --- sandbox hooks --------------------------------------------------------------------
    Fault(
        "sign-hook-accepts-any-result",
        "business",
        "Takes a result other than 00 or 01 on the signing page for a decline: 302 and a "
        "SIGN_AUTO_DEBIT_NOTICE instead of 400.",
        "§8 (Sandbox hooks): another result -> 400",
    ),
    Fault(
        "sign-hook-unknown-token-400",
        "business",
        "Answers a POST to the signing page of a token it never issued with 400, as for a bad "
        "form, instead of 404.",
        "§8 (Sandbox hooks): unknown tn or token -> 404",
    ),
    # --- timing ---------------------------------------------------------------------------
    Fault(
        "skew-not-checked",
        "timing",
        "Accepts a timeStamp any distance from its clock.",
        "§4, §8 (SHOULD): timeStamp more than 300 s away -> 10",
    ),
    Fault(
        "skew-window-past-only",
        "timing",
        "Applies the clock-skew window only to the past: a timeStamp more than 1 s ahead of "
        "its clock is answered 10, though it is within the allowed 300 s.",
        "§4, §8: only a timeStamp more than 300 s away from the receiver's clock is refused",
    ),
    Fault(
        "notice-no-retry",
        "timing",
        "Sends each notice once and never retries an unacknowledged one.",
        "§5, §7: an unacknowledged notice is retried at 0, 1, 3, 7, 15, 31, 63 s",
    ),
    Fault(
        "notice-retry-too-fast",
        "timing",
        "Retries an unacknowledged notice every 0.5 s, with no back-off.",
        "§7: retries at offsets 0, 1, 3, 7, 15, 31, 63 s",
    ),
    Fault(
        "notice-stops-on-any-answer",
        "timing",
        "Counts any HTTP 200 as an acknowledgement, so a notice answered 99 is never retried.",
        "§8: only a valid, signed, echoing answer with code 00 acknowledges a notice",
    ),
    # --- encryption -----------------------------------------------------------------------
    Fault(
        "mobile-not-encrypted",
        "encryption",
        "Sends mobile in clear in INDUSTRY_LOGIN_INFO (appEncCertID still present).",
        "§3: mobile is encrypted to the IS encryption certificate",
    ),
    Fault(
        "encrypts-with-wrong-key",
        "encryption",
        "Encrypts mobile to UCSP's own signing certificate instead of the IS encryption "
        "certificate named by appEncCertID.",
        "§3: encrypted with the public key of the certificate named by appEncCertID",
    ),
)

FAULT_NAMES: tuple[str, ...] = tuple(fault.name for fault in CATALOGUE)
