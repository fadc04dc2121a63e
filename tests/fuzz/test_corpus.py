"""Replays the regression bodies of ``tests/corpus``: the strict parse gives the recorded
outcome, and each of the three receivers refuses them with the code PROTOCOL.md section 8
prescribes (10; 400 at the login URL), changes nothing and answers within the fuzz bound."""

from __future__ import annotations

import asyncio
import time
import tomllib
from pathlib import Path
from typing import Any

import pytest
from sim_ucsp.support import Rig

from fuzz.test_receivers_fuzz import (
    ANSWER_BOUND,
    StateProbe,
    get_index,
    industry_probe,
    request_data,
    start_industry,
)
from ucsp.errors import MalformedMessage
from ucsp.strictjson import parse_object

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
KEYS = Path(__file__).resolve().parents[2] / "fixtures" / "keys" / "test-only"
ENTRIES: dict[str, Any] = tomllib.loads((CORPUS / "corpus.toml").read_text())


def test_every_corpus_file_is_listed_and_every_entry_has_its_file() -> None:
    files = {path.name for path in CORPUS.iterdir() if path.name != "corpus.toml"}
    assert files == set(ENTRIES)


@pytest.mark.parametrize("name", sorted(ENTRIES))
def test_the_strict_parse_gives_the_recorded_outcome(name: str) -> None:
    raw = (CORPUS / name).read_bytes()
    expected = ENTRIES[name]["outcome"]
    if expected == "accepted":
        assert isinstance(parse_object(raw), dict)
    else:
        with pytest.raises(MalformedMessage) as refused:
            parse_object(raw)
        assert str(refused.value).startswith(expected)


def test_each_receiver_refuses_the_corpus_in_time_and_unchanged() -> None:
    bodies = {name: (CORPUS / name).read_bytes() for name in sorted(ENTRIES)}

    async def main() -> list[tuple[str, str, str, float, bool | None]]:
        seen: list[tuple[str, str, str, float, bool | None]] = []
        rig = Rig(KEYS)
        world = start_industry()
        gateway = StateProbe(rig.db.conn, "seen_msgids")
        industry = industry_probe(world)
        try:
            for name, raw in bodies.items():
                before = gateway.take()
                started = time.perf_counter()
                reply = await rig.post(raw)
                seconds = time.perf_counter() - started
                kept = gateway.kept(before, gateway.take(), str(reply.code))
                seen.append(("gateway", name, str(reply.code), seconds, kept))

                before = industry.take()
                started = time.perf_counter()
                notice = await world.post_notice(raw)
                seconds = time.perf_counter() - started
                kept = industry.kept(before, industry.take(), str(notice.code))
                seen.append(("notice URL", name, str(notice.code), seconds, kept))

                before = industry.take()
                started = time.perf_counter()
                status = await get_index(world.sim.app, request_data(raw).encode())
                seconds = time.perf_counter() - started
                kept = industry.kept(before, industry.take(), str(status))
                seen.append(("login URL", name, str(status), seconds, kept))
        finally:
            await rig.close()
            await world.aclose()
        return seen

    for receiver, name, got, seconds, kept in asyncio.run(main()):
        expected = "400" if receiver == "login URL" else "10"
        assert got == expected, (receiver, name, got)
        assert kept is True, (receiver, name)
        assert seconds <= ANSWER_BOUND, (receiver, name, seconds)
