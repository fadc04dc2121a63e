"""The answers the suite, playing UCSP, gives an Industry Service under test, as a scenario
words them: to the request that creates an order, and to the inquiries about it."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ucsp.peers.ucsp_peer import GatewayOverride

_CORRUPTIONS = {
    "a bad signature": GatewayOverride(corrupt="signature"),
    "a malformed answer": GatewayOverride(corrupt="format"),
    "an answer that does not echo msgInfo": GatewayOverride(corrupt="echo"),
    "HTTP 500": GatewayOverride(corrupt="http-500"),
    "no answer": GatewayOverride(silent=True),
}
_CODE = re.compile(r"code (\d\d)")
_STATUS = re.compile(r"txnStatus (\d\d)")
_WITH_CODE = re.compile(r"(.+) with code (\d\d)")


@dataclass(frozen=True)
class Answer:
    """One answer of the suite playing UCSP, as a scenario words it.

    ``code N`` (a valid answer with that code), ``txnStatus N`` (the reference UCSP's own
    answer with that txnStatus when it answers 00), or no valid answer: ``a bad signature``,
    ``a malformed answer``, ``an answer that does not echo msgInfo``, ``HTTP 500``,
    ``no answer`` (the first four optionally ``with code N`` inside).
    """

    text: str
    override: GatewayOverride

    @property
    def valid(self) -> bool:
        o = self.override
        return o.corrupt is None and not o.silent

    @property
    def code(self) -> str | None:
        """The code of a valid answer (None: the reference UCSP's, or no valid answer)."""
        return self.override.code if self.valid else None

    @property
    def silent(self) -> bool:
        """Whether the request goes unanswered (the Industry Service times out)."""
        return self.override.silent

    @property
    def final(self) -> bool:
        """Whether this answer to an inquiry ends the inquiries (00/01 status, or 34)."""
        status = (self.override.trx or {}).get("txnStatus")
        return self.valid and (self.code == "34" or status in ("00", "01"))


def parse_answer(text: str) -> Answer:
    words = text.strip()
    if match := _CODE.fullmatch(words):
        return Answer(words, GatewayOverride(code=match[1]))
    if match := _STATUS.fullmatch(words):
        return Answer(words, GatewayOverride(trx={"txnStatus": match[1]}))
    base, code = words, None
    if match := _WITH_CODE.fullmatch(words):
        base, code = match[1], match[2]
    if base in _CORRUPTIONS:
        template = _CORRUPTIONS[base]
        return Answer(words, GatewayOverride(**{**vars(template), "code": code}))
    known = ", ".join(["code NN", "txnStatus NN", *_CORRUPTIONS])
    raise ValueError(f"unknown answer {text!r}; say one of: {known}")


def parse_answers(text: str) -> list[Answer]:
    """``txnStatus 05, code 10 and no answer`` -> three answers, in order."""
    return [parse_answer(part) for part in re.split(r", | and ", text) if part.strip()]


def order_answer(text: str) -> Answer:
    """The answer to an order-creating request: a code, or no valid answer (``txnStatus N``
    and a bare valid answer say nothing about the code)."""
    answer = parse_answer(text)
    if answer.valid and answer.code is None:
        raise ValueError(f"say which code UCSP answers the order with, not {text!r}")
    return answer
