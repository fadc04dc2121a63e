"""The probe set-up table: one entry per message type a party receives, naming that party."""

from __future__ import annotations

from ucsp.messages import GATEWAY_TYPES, NOTICE_TYPES, Party
from ucsp.sides.probe_setup import DEFAULT_PROBE, SETUPS, received_types, setup_for


def test_every_received_type_has_a_setup_naming_its_receiver() -> None:
    assert set(SETUPS) == set(GATEWAY_TYPES) | set(NOTICE_TYPES)
    for party in Party:
        assert {t for t, s in SETUPS.items() if s.receiver is party} == set(received_types(party))


def test_setup_for_refuses_a_type_the_party_does_not_receive() -> None:
    assert setup_for("SUBMIT_PAYMENT_ORDER", Party.UCSP) is SETUPS["SUBMIT_PAYMENT_ORDER"]
    assert setup_for("SUBMIT_PAYMENT_ORDER", Party.INDUSTRY) is None
    assert setup_for("PAYMENT_RESULT_NOTICE", Party.UCSP) is None
    assert setup_for("UNKNOWN_INTERFACE", Party.UCSP) is None
    for party, msg_type in DEFAULT_PROBE.items():
        assert setup_for(msg_type, party) is not None
