"""The fault catalogue of the reference Industry Service.

Every fault is a small, realistic deviation that a conformance scenario playing UCSP can
observe from outside: through the answers to logins and notices, through the harness, or
through what the IS sends on the wire.
"""

from __future__ import annotations

from ucsp.sim.faults import Fault


def _f(name: str, category: str, description: str, breaks: str) -> Fault:
    return Fault(name=name, category=category, description=description, breaks=breaks)


LOGIN_FAULTS = (
    _f(
        "login-accepts-bad-signature",
        "signature",
        "Logs the user in without verifying the signature of request_data (200 instead of 403).",
        "PROTOCOL.md 3 and 8 (Industry Service rules): bad signature -> 403, no session",
    ),
    _f(
        "login-accepts-unknown-cert",
        "signature",
        "Verifies request_data with the configured UCSP certificate whatever ucspSignCertID "
        "names, so an unknown certificate ID is accepted (200 instead of 403).",
        "PROTOCOL.md 3 and 8 (Industry Service rules): unknown ucspSignCertID -> 403",
    ),
    _f(
        "login-accepts-unknown-enc-cert",
        "encryption",
        "Does not check that appEncCertID names its own encryption certificate "
        "(200 instead of 403).",
        "PROTOCOL.md 8 (Industry Service rules): unknown appEncCertID -> 403",
    ),
    _f(
        "login-skips-decrypt-length-check",
        "encryption",
        "Accepts a decrypted mobile longer than 64 characters (200 instead of 400).",
        "PROTOCOL.md 3 and 8 (Values): the declared length applies to the decrypted value",
    ),
    _f(
        "login-accepts-replay",
        "idempotency",
        "Logs the user in again when the same request_data (same msgID) is replayed "
        "(200 instead of 409).",
        "PROTOCOL.md 8 (Industry Service rules): replayed msgID -> 409",
    ),
    _f(
        "login-max-length-off-by-one",
        "format",
        "Takes the declared maximum length of userId and of the decrypted mobile as "
        "exclusive: a login with either at exactly its maximum length is refused (400).",
        "PROTOCOL.md 5 (INDUSTRY_LOGIN_INFO): userId and mobile ANS 1-64",
    ),
    _f(
        "login-ends-other-sessions",
        "business",
        "Keeps one session at a time: a user's login ends every other user's session.",
        "PROTOCOL.md 5 (INDUSTRY_LOGIN_INFO): a valid login logs that user in (a session)",
    ),
    _f(
        "login-session-on-failure",
        "signature",
        "Opens the session as soon as userId is read, before the checks: a rejected login "
        "leaves the user logged in (harness session loggedIn true after a 4xx).",
        "PROTOCOL.md 5 (INDUSTRY_LOGIN_INFO): on any failure no session is created",
    ),
)

NOTICE_CHECK_FAULTS = (
    _f(
        "notice-skips-verification",
        "signature",
        "Processes notices without verifying their signature (00 instead of 11, state changes).",
        "PROTOCOL.md 3 and 6: bad signature -> 11",
    ),
    _f(
        "notice-ignores-cert-id",
        "signature",
        "Verifies notices with the configured UCSP certificate whatever ucspSignCertID names "
        "(unknown certificate ID answered 00 instead of 11).",
        "PROTOCOL.md 3: an unknown cert ID fails like a bad signature (11)",
    ),
    _f(
        "skew-window-past-only",
        "timing",
        "Applies the clock-skew window only to the past: a notice or login whose timeStamp is "
        "more than 1 s ahead of its clock is refused (10, or HTTP 400 for a login), though "
        "it is within the allowed 300 s.",
        "PROTOCOL.md 4 and 8: only a timeStamp more than 300 s away is refused",
    ),
    _f(
        "notice-skips-format-check",
        "format",
        "Does not validate notices against their schema (a malformed field is not answered 10).",
        "PROTOCOL.md 6 and 8 (Receiving): schema violation -> 10",
    ),
    _f(
        "notice-ignores-other-industry",
        "business",
        "Processes a notice whose industryCode is another industry's (00 instead of 99).",
        "PROTOCOL.md 8 (Receiving): a notice naming another industry's code -> 99",
    ),
    _f(
        "notice-ignores-unknown-order",
        "business",
        "Acknowledges a PAYMENT_RESULT_NOTICE for an orderId it never created (00 instead of 34).",
        "PROTOCOL.md 5 (PAYMENT_RESULT_NOTICE): orderId unknown to IS -> 34",
    ),
    _f(
        "notice-ignores-amount-mismatch",
        "business",
        "Records a notice whose txnAmt differs from the order's (00 instead of 36).",
        "PROTOCOL.md 5 (PAYMENT_RESULT_NOTICE): amount differs -> 36",
    ),
    _f(
        "notice-ignores-currency-mismatch",
        "business",
        "Records a notice whose currencyCode differs from the order's (00 instead of 36).",
        "PROTOCOL.md 5 (PAYMENT_RESULT_NOTICE): currency differs -> 36",
    ),
    _f(
        "notice-ignores-txn-type",
        "business",
        "Records a notice whose txnType is not the order's kind (00 instead of 36).",
        "PROTOCOL.md 8 (Industry Service rules): txnType not the order's kind -> 36",
    ),
    _f(
        "notice-ignores-orig-qry-id",
        "business",
        "Records a cancellation or refund notice whose origQryId is not the original's "
        "queryId (00 instead of 36).",
        "PROTOCOL.md 8 (Industry Service rules): origQryId not the original's -> 36",
    ),
    _f(
        "notice-ignores-contract-id",
        "business",
        "Records an AUTO_DEBIT notice whose contractId is not the order's (00 instead of 36).",
        "PROTOCOL.md 8 (Industry Service rules): contractId not the order's -> 36",
    ),
    _f(
        "notice-duplicate-processed-twice",
        "idempotency",
        "Applies the effect of a success notice again when the order already succeeded: "
        "a refund is counted twice in the original's refundedAmt.",
        "PROTOCOL.md 4: business effects are idempotent; a duplicate notice changes nothing",
    ),
    _f(
        "notice-overrides-final-status",
        "idempotency",
        "Lets a notice change an order that is already final (SUCCEEDED becomes FAILED).",
        "PROTOCOL.md 8 (Industry Service rules): notice for a final order -> 00, no change",
    ),
    _f(
        "sign-notice-accepts-unsolicited",
        "business",
        "Stores a SIGN_AUTO_DEBIT_NOTICE for a userId it never asked to sign (00 instead of 34).",
        "PROTOCOL.md 8 (Industry Service rules): never asked that userId -> 34",
    ),
    _f(
        "sign-notice-ignores-contract-owner",
        "business",
        "Accepts a SIGN_AUTO_DEBIT_NOTICE whose contractId belongs to another user and "
        "hands the contract over (00 instead of 36).",
        "PROTOCOL.md 8 (Industry Service rules): contractId of another user -> 36",
    ),
    _f(
        "sign-notice-reopens-closed",
        "idempotency",
        "A SIGN_AUTO_DEBIT_NOTICE repeated after the contract was closed reopens it "
        "(CLOSED becomes ACTIVE).",
        "PROTOCOL.md 8 (Industry Service rules): duplicates -> 00, unchanged",
    ),
    _f(
        "sign-notice-overwrites-status",
        "idempotency",
        "A later SIGN_AUTO_DEBIT_NOTICE with another status than the contract's overwrites a "
        "contract already recorded from a notice (ACTIVE becomes DECLINED, DECLINED or "
        "CLOSED becomes what the notice says).",
        "PROTOCOL.md 8 (Industry Service rules): a contract recorded from a notice -> 00, "
        "nothing changes, whatever its signStatus says",
    ),
    _f(
        "sign-notice-ignores-front-url-contract",
        "business",
        "Takes the SIGN_AUTO_DEBIT_NOTICE of a contract it first learnt from the browser's "
        "return to frontUrl for a duplicate: the contract stays PENDING.",
        "PROTOCOL.md 8 (Industry Service rules): the notice decides a contract known only "
        "from the browser's return",
    ),
    _f(
        "sign-notice-declines-on-error",
        "business",
        "Records the contract of a SIGN_AUTO_DEBIT_NOTICE it answers with an error (bad "
        "signature) as DECLINED, so the valid retry is taken for a duplicate.",
        "PROTOCOL.md 6 and 8: a message answered 10 or 11 has no business effect; the "
        "notice decides",
    ),
    _f(
        "front-url-demotes-contract",
        "business",
        "The browser's return to frontUrl after signing records the contract as PENDING, "
        "even when the notice already made it ACTIVE.",
        "PROTOCOL.md 8 (Industry Service rules): the notice decides, not the browser's return",
    ),
    _f(
        "close-records-every-contract",
        "business",
        "On a 00 answer to CLOSE_AUTO_DEBIT records every ACTIVE contract as CLOSED, other "
        "users' included, not only the one it closed.",
        "HARNESS.md A (auto-debit/close): on a 00 answer the contract becomes CLOSED",
    ),
)

NOTICE_ANSWER_FAULTS = (
    _f(
        "notice-answer-unsigned",
        "signature",
        "Answers notices with the signature placeholder left in place (the answer is unsigned).",
        "PROTOCOL.md 3: every response is signed by its sender",
    ),
    _f(
        "notice-answer-wrong-key",
        "signature",
        "Signs notice answers with its encryption key instead of its signing key.",
        "PROTOCOL.md 3: the cert ID field names the key that signed",
    ),
    _f(
        "notice-answer-no-echo",
        "format",
        "Answers notices with a fresh msgInfo instead of echoing the notice's.",
        "PROTOCOL.md 2: a response echoes the request's msgInfo",
    ),
    _f(
        "notice-answer-http-error",
        "format",
        "Answers rejected notices with HTTP 400 instead of HTTP 200 carrying the code.",
        "PROTOCOL.md 1: every protocol message is answered HTTP 200, errors included",
    ),
)

FLOW_FAULTS = (
    _f(
        "trusts-answer-order-id",
        "business",
        "Takes the orderId of UCSP's answer for the order's own: an answer naming another "
        "orderId is reported by the harness as an order the IS never created.",
        "HARNESS.md A and PROTOCOL.md 8: the harness reports its own order, or 424 when the "
        "answer is not valid",
    ),
    _f(
        "treats-05-as-success",
        "business",
        "Takes a 05 answer for success: the order becomes SUCCEEDED and no inquiry follows.",
        "PROTOCOL.md 5 and 7: 05 means accepted, result by notice or inquiry",
    ),
    _f(
        "submit-00-means-paid",
        "business",
        "Marks a payment order SUCCEEDED on the 00 answer to SUBMIT_PAYMENT_ORDER, "
        "before any notice.",
        "PROTOCOL.md 8 (Industry Service rules): 00 to SUBMIT_PAYMENT_ORDER leaves it PENDING",
    ),
    _f(
        "answer-undoes-notice",
        "idempotency",
        "Sets a payment order back to PENDING on the 00 answer to SUBMIT_PAYMENT_ORDER, even "
        "when its result notice arrived first.",
        "PROTOCOL.md 5 and 8: a notice may come before the synchronous answer; a final order "
        "stays final",
    ),
    _f(
        "treats-timeout-as-failure",
        "timing",
        "Marks the order FAILED when no valid answer arrives, and never inquires.",
        "PROTOCOL.md 7 and 8: no valid answer -> PENDING and inquiries",
    ),
    _f(
        "keeps-pending-on-failure",
        "business",
        "Leaves the order PENDING (and inquires) after a 01, 10, 11, 34, 36 or 99 answer.",
        "PROTOCOL.md 8 (Industry Service rules): those answers make the order FAILED",
    ),
    _f(
        "inquires-after-refusal",
        "business",
        "Records an order UCSP refused (01, 10, 11, 34, 36 or 99) as FAILED, then inquires "
        "about it once all the same.",
        "PROTOCOL.md 8 (Industry Service rules): those answers make the order FAILED, with no "
        "inquiry",
    ),
    _f(
        "never-inquires",
        "timing",
        "Never sends PAYMENT_RESULT_INQUIRY or REFUND_RESULT_INQUIRY after 05 or a time-out.",
        "PROTOCOL.md 7: inquiries at 0, 1, 3, 7, 15, 31, 63 s",
    ),
    _f(
        "inquires-without-backoff",
        "timing",
        "Inquires every second (offsets 0, 1, 2, 3, 4, 5, 6 s) instead of backing off.",
        "PROTOCOL.md 7: intervals 0, 1, 2, 4, 8, 16, 32 s",
    ),
    _f(
        "inquires-too-often",
        "timing",
        "Goes on inquiring after the seventh inquiry (three more, at 64, 65 and 66 s).",
        "PROTOCOL.md 7: at most seven inquiries",
    ),
    _f(
        "inquires-after-notice",
        "timing",
        "Keeps to the inquiry schedule after the result notice has arrived.",
        "PROTOCOL.md 7: stop as soon as the result notice arrives",
    ),
    _f(
        "stops-inquiring-on-error",
        "timing",
        "Gives up inquiring after an inquiry answered 10, 11, 99 or with no valid answer.",
        "PROTOCOL.md 8 (Industry Service rules): 10, 11, 99 or invalid keep to the schedule",
    ),
    _f(
        "inquiry-wrong-txntime",
        "format",
        "Sends the time of the inquiry as txnTime instead of the order's txnTime.",
        "PROTOCOL.md 5 (PAYMENT_RESULT_INQUIRY): txnTime of the order",
    ),
    _f(
        "reuses-msgid",
        "idempotency",
        "Re-sends every inquiry of an order with the msgID and timeStamp of the first one.",
        "PROTOCOL.md 4: every transmission carries a fresh msgID",
    ),
    _f(
        "sends-wrong-length-field",
        "format",
        "Generates payment orderIds of 41 characters.",
        "PROTOCOL.md 5 (SUBMIT_PAYMENT_ORDER): orderId AN 8-40",
    ),
    _f(
        "wrong-timezone-timestamp",
        "format",
        "Writes timeStamp and txnTime in UTC instead of Beijing time (UTC+8).",
        "PROTOCOL.md 2 and 4: YYYYMMDDhhmmss, Beijing time UTC+8",
    ),
    _f(
        "msgid-wrong-prefix",
        "format",
        "Starts the msgID of the messages it originates with U instead of A.",
        "PROTOCOL.md 2 and 8 (Values): A prefix for IS-originated messages",
    ),
    _f(
        "omits-back-url",
        "format",
        "Leaves the mandatory backUrl out of SIGN_AUTO_DEBIT.",
        "PROTOCOL.md 5 (SIGN_AUTO_DEBIT): backUrl M",
    ),
    _f(
        "refund-05-means-succeeded",
        "business",
        "Takes a 05 answer to PAYMENT_REFUND for success: the refund is SUCCEEDED and counted in "
        "the original's refundedAmt at once, and no inquiry follows.",
        "PROTOCOL.md 5 and 8 (Industry Service rules): 05 -> PENDING and inquiries",
    ),
    _f(
        "cancellation-cancels-before-answer",
        "business",
        "Records the original payment as CANCELLED as soon as it sends PAYMENT_CANCELLATION, "
        "and leaves it so when UCSP refuses the cancellation.",
        "PROTOCOL.md 8 (Industry Service rules): a refused cancellation is FAILED and changes "
        "nothing",
    ),
    _f(
        "reversal-unanswered-fails",
        "timing",
        "Records a cancellation or refund that got no valid answer (time-out, bad signature, "
        "malformed) as FAILED, and never inquires about it.",
        "PROTOCOL.md 7 and 8 (Industry Service rules): no valid answer -> PENDING and inquiries",
    ),
    _f(
        "harness-reports-refusal-as-01",
        "business",
        "The harness reports every refusal of a charge, cancellation or refund (34, 36, 99 ...) "
        "as responseCode 01 instead of the code UCSP answered.",
        "HARNESS.md A and PROTOCOL.md 8: the harness answers {orderId, responseCode} as UCSP "
        "answered",
    ),
    _f(
        "charge-accepts-bad-signature",
        "signature",
        "Takes the answer to SUBMIT_AUTO_DEBIT without verifying its signature: a badly signed "
        "00 makes the charge SUCCEEDED and the harness reports it as UCSP's answer.",
        "PROTOCOL.md 3 and 8 (Industry Service rules): a badly signed answer is no valid "
        "answer -> PENDING, inquiries, harness 424",
    ),
)

CATALOGUE: tuple[Fault, ...] = (
    *LOGIN_FAULTS,
    *NOTICE_CHECK_FAULTS,
    *NOTICE_ANSWER_FAULTS,
    *FLOW_FAULTS,
)
