"""The receive pipeline shared by the gateway, the notice URL and the login URL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from ucsp.codec import Decoded
from ucsp.errors import MalformedMessage, SignatureInvalid
from ucsp.sim.faults import Fault, FaultSet
from ucsp.sim.industry.faults import CATALOGUE as INDUSTRY_CATALOGUE
from ucsp.sim.industry.stage_faults import login_faults, notice_faults
from ucsp.sim.pipeline import (
    PARSE,
    REPLAY,
    Message,
    Pipeline,
    Refused,
    Replayed,
    skipping,
    wrapping,
)
from ucsp.sim.ucsp.faults import CATALOGUE as UCSP_CATALOGUE
from ucsp.sim.ucsp.gateway_faults import stage_faults


def _parse(raw: bytes) -> Decoded:
    if raw == b"bad":
        raise MalformedMessage("not JSON")
    return Decoded(raw, raw.decode(), {"msgInfo": {"msgType": "X"}}, "request")


def _pipeline(seen: list[str], refuse: str | None = None) -> Pipeline:
    def stage(name: str):  # type: ignore[no-untyped-def]
        def run(message: Message) -> None:
            seen.append(name)
            if name == refuse:
                raise SignatureInvalid("bad-signature", f"{name} refused")

        return run

    @contextmanager
    def scope() -> Iterator[None]:
        seen.append("begin")
        yield
        seen.append("end")

    return Pipeline(
        _parse,
        [("format", stage("format")), ("signature", stage("signature"))],
        stage(REPLAY),
        scope,
    )


def test_stages_run_in_order_with_replay_and_business_inside_the_scope() -> None:
    seen: list[str] = []
    result = _pipeline(seen).run(b"{}", lambda message: seen.append("business") or "ok")
    assert result == "ok"
    assert seen == ["format", "signature", "begin", REPLAY, "business", "end"]


def test_a_refusal_names_its_stage_and_stops_the_pipeline() -> None:
    seen: list[str] = []
    with pytest.raises(Refused) as caught:
        _pipeline(seen, refuse="format").run(b"{}", lambda message: None)
    assert (caught.value.stage, caught.value.error.reason) == ("format", "format refused")
    assert caught.value.message is not None
    assert seen == ["format"]
    with pytest.raises(Refused) as unparsed:
        _pipeline(seen).run(b"bad", lambda message: None)
    assert (unparsed.value.stage, unparsed.value.message) == (PARSE, None)


def test_a_fault_skips_or_wraps_a_stage() -> None:
    catalogue = [
        Fault("skips", "format", "d", "b"),
        Fault("wraps", "signature", "d", "b"),
        Fault("off", "format", "d", "b"),
    ]
    seen: list[str] = []

    def twice(inner):  # type: ignore[no-untyped-def]
        def run(message: Message) -> None:
            inner(message)
            inner(message)

        return run

    table = {"skips": skipping("format"), "wraps": wrapping("signature", twice)}
    pipeline = _pipeline(seen).apply(FaultSet(catalogue, ["skips", "wraps"]), table)
    pipeline.run(b"{}", lambda message: None)
    assert seen == ["signature", "signature", "begin", REPLAY, "end"]
    with pytest.raises(KeyError):
        pipeline.skip("no-such-stage")


def test_replayed_is_a_common_error() -> None:
    assert Replayed("again").code == "99"


def test_every_stage_fault_is_in_its_catalogue() -> None:
    class Stub:
        codec = profile = enc_identity = None

    ucsp = {fault.name for fault in UCSP_CATALOGUE}
    industry = {fault.name for fault in INDUSTRY_CATALOGUE}
    assert set(stage_faults(Stub())) <= ucsp  # type: ignore[arg-type]
    assert set(notice_faults(Stub())) | set(login_faults(Stub())) <= industry  # type: ignore[arg-type]
