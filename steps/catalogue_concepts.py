"""The concepts the step catalogue groups phrases by, and which concept a phrase belongs to.

A phrase goes under the concept of what it talks about, whatever module defines it: the
first rule whose words the phrase contains decides, else the defining module's concept.
The rules run from the most particular subject to the most general: a login, an inquiry,
a contract or charge, a cancellation or refund, a result notice (of an order), the
transport, then the order itself. So "the result notice of the charge ..." is auto-debit,
"the result notice of the order ..." is notices, and "the payment is still ..." is payment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Concept:
    name: str
    anchor: str
    about: str


CONCEPTS: tuple[Concept, ...] = (
    Concept(
        "Login",
        "login",
        "The authorized login: a UCSP redirecting the sandbox user with INDUSTRY_LOGIN_INFO, "
        "an Industry Service opening a session from it.",
    ),
    Concept(
        "Payment",
        "payment",
        "Frontend payment orders: submitting, the answer, the cashier, what is recorded, and "
        "the Industry Service's harness.",
    ),
    Concept(
        "Auto-debit",
        "auto-debit",
        "Signing an auto-debit agreement, its signing notice, closing the contract, charging "
        "it and the charge's result notice.",
    ),
    Concept(
        "Cancellation and refund",
        "cancellation-and-refund",
        "Cancelling and refunding a payment: the requests, their answers, notices and records, "
        "and what is left to refund.",
    ),
    Concept(
        "Inquiry",
        "inquiry",
        "Result inquiries: the answers the suite (as UCSP) gives an Industry Service's "
        "inquiries, their schedule, and a UCSP answering the suite's inquiries.",
    ),
    Concept(
        "Notices",
        "notices",
        "Result notices of payment orders: where they go, their retries, held and crafted "
        "notices, and how an Industry Service takes them.",
    ),
    Concept(
        "Format and security",
        "format-and-security",
        "A probe message the system under test would accept, sent broken in format or "
        "signature, replayed; its answer and its effect; and what the SUT itself sends.",
    ),
    Concept(
        "Transport",
        "transport",
        "HTTP methods, content types and body sizes at the receiving URL, and how the SUT's "
        "own messages travel.",
    ),
)
BY_NAME = {concept.name: concept for concept in CONCEPTS}

# (concept, words of the phrase), the first match deciding.
RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("Login", re.compile(r"\blogin\b|authoriz|INDUSTRY_LOGIN_INFO|logged in")),
    ("Inquiry", re.compile(r"inquir")),
    ("Auto-debit", re.compile(r"contract|charge|signing|auto-debit|AUTO_DEBIT|closing")),
    ("Cancellation and refund", re.compile(r"cancel|refund|\{which:Reversal\}|origQryId")),
    ("Notices", re.compile(r"result notice")),
    ("Transport", re.compile(r"\bmethod\b|Content-Type|body size|travelled")),
    ("Payment", re.compile(r"\bpayment is\b")),
)
MODULES = {
    "steps.login": "Login",
    "steps.payment": "Payment",
    "steps.auto_debit": "Auto-debit",
    "steps.reversal": "Cancellation and refund",
    "steps.inquiry": "Inquiry",
    "steps.notices": "Notices",
    "steps.format": "Format and security",
    "steps.security": "Format and security",
    "steps.transport": "Transport",
}


def concept_of(phrase: str, module: str) -> str:
    """The concept a phrase (as written in its decorator) of ``module`` goes under."""
    for concept, words in RULES:
        if words.search(phrase):
            return concept
    return MODULES[module]
