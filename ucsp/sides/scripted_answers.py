"""The answer the suite, playing UCSP, gives the Industry Service under test's next
cancellation, refund or charge, and what the Industry Service must do after it.

One mechanism for every order-creating request: the answer is read as for an order
(:func:`ucsp.sides.inquiry_answers.order_answer`: ``code NN``, or an answer the IS cannot take
such as ``a bad signature`` or ``no answer``) and scripted on the suite's UCSP
(:meth:`ucsp.peers.ucsp_peer.UcspPeer.answer_next`), which keeps the rest of its world in
agreement with it. The areas hold the rules each check names.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ucsp.checks.payment import check_harness_error
from ucsp.messages import TxnType
from ucsp.sides.inquiry_answers import order_answer

if TYPE_CHECKING:
    from ucsp.sides.roles import IndustryUnderTest

UNANSWERED = 424  # the harness's status for a call that got no valid answer from UCSP


# The requests whose answer a scenario scripts by name (an order's: with the order itself).
SCRIPTED = {
    "cancellation": TxnType.CANCELLATION.creating_type,
    "refund": TxnType.REFUND.creating_type,
    "charge": TxnType.AUTO_DEBIT.creating_type,
}


def answer_next(side: IndustryUnderTest, request: str, text: str) -> None:
    """The suite, as UCSP, answers the IS's next ``request`` (a :data:`SCRIPTED` name) as
    ``text`` says."""
    side.peer.answer_next(SCRIPTED[request], order_answer(text).override)


def check_reported_unanswered(status: int, report: Mapping[str, Any], requirement: str) -> None:
    """The harness answered HTTP 424 with an error and the orderId it created."""
    check_harness_error(status, report, UNANSWERED, with_order_id=True, requirement=requirement)
