"""Waiting for one specific exchange: the journal's wait helpers and the sides built on them.

No test sleeps: entries are recorded by other tasks (or threads) while a wait is pending, and
time-outs are reached by moving the event loop's clock forward. A side's synchronous waits run
on a loop thread, as a deployment's do, while the test records entries.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any, TypeVar, cast

import pytest

from tests.sides.fakes import FakeUcspPeer, fake_deployment
from ucsp.journal import (
    Direction,
    Journal,
    JournalEntry,
    Waiters,
    about,
    answer_to,
    exchange_of,
    msg_id_of,
)
from ucsp.loopback import LoopThread
from ucsp.messages import MsgType
from ucsp.sides.roles import IndustryUnderTest, side_for
from ucsp.sides.side import Side

pytestmark = pytest.mark.anyio
T = TypeVar("T")
NOTICE = MsgType.PAYMENT_RESULT_NOTICE

WALL = datetime(2026, 1, 15, 2, 30, tzinfo=UTC)
ORDER = "ORD20260115103000abcdef"


def message(msg_id: str, order_id: str = ORDER, msg_type: str = NOTICE) -> dict[str, Any]:
    return {
        "msgInfo": {"msgID": msg_id, "msgType": msg_type},
        "trxInfo": {"orderId": order_id, "txnStatus": "00"},
    }


def entry(
    msg_id: str,
    direction: Direction = "out",
    order_id: str = ORDER,
    msg_type: str = NOTICE,
    status: int | None = 200,
) -> JournalEntry:
    body = json.dumps(message(msg_id, order_id, msg_type)).encode()
    return JournalEntry(direction, msg_type, "http://is/notify", body, status, b"{}", 0.0, WALL)


async def settle() -> None:
    """Let every ready task run (a yield to the event loop, not a sleep)."""
    for _ in range(5):
        await asyncio.sleep(0)


@pytest.fixture
def leap(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[float], None]]:
    """Move the running loop's clock forward, so that pending time-outs expire at once."""
    offset = [0.0]

    def move(seconds: float) -> None:
        loop = asyncio.get_running_loop()
        real = type(loop).time
        offset[0] += seconds
        monkeypatch.setattr(loop, "time", lambda: real(loop) + offset[0])

    yield move


# --- matching one exchange ---------------------------------------------------------------


def test_msg_id_of_reads_the_request_or_gives_none() -> None:
    assert msg_id_of(entry("U1").request) == "U1"
    assert entry("U1").msg_id == "U1"
    for body in (b"", b"not json", b"[1]", b'{"msgInfo": {"msgID": 5}}', b'{"msgInfo": 3}'):
        assert msg_id_of(body) is None


def test_exchange_of_matches_the_msg_id_and_direction() -> None:
    assert exchange_of("U1")(entry("U1", "in"))
    assert exchange_of("U1", "out")(entry("U1", "out"))
    assert not exchange_of("U1", "out")(entry("U1", "in"))
    assert not exchange_of("U1")(entry("U2"))


def test_answer_to_matches_the_exact_request_bytes() -> None:
    sent = entry("U1")
    assert answer_to(sent.request)(sent)
    assert not answer_to(sent.request + b" ")(sent)


def test_about_matches_type_direction_and_values() -> None:
    notice = entry("U1")
    assert about(NOTICE, "out", orderId=ORDER)(notice)
    assert not about(NOTICE, "in", orderId=ORDER)(notice)
    assert not about(NOTICE, orderId="other")(notice)
    assert not about("SIGN_AUTO_DEBIT_NOTICE")(notice)


# --- waiting ----------------------------------------------------------------------------------


async def test_an_exchange_already_journaled_is_returned_at_once() -> None:
    journal = Journal()
    journal.record(entry("U1"))
    found = await journal.wait_entry(exchange_of("U1"), timeout=0)
    assert found is not None and found.msg_id == "U1"
    assert len(journal.waiters) == 0


async def test_a_wait_ends_with_its_exchange_not_with_any_entry_of_the_order() -> None:
    journal = Journal()
    journal.record(entry("CRAFTED"))  # the suite's own notice about the same order
    waiting = asyncio.ensure_future(journal.wait_entry(exchange_of("RELEASED"), timeout=60))
    await settle()
    assert not waiting.done()
    journal.record(entry("OTHER", order_id=ORDER))
    await settle()
    assert not waiting.done()
    journal.record(entry("RELEASED"))
    found = await waiting
    assert found is not None and found.msg_id == "RELEASED"
    assert len(journal.waiters) == 0


async def test_every_concurrent_waiter_is_woken() -> None:
    journal = Journal()
    first = asyncio.ensure_future(journal.wait_entry(exchange_of("U1"), timeout=60))
    second = asyncio.ensure_future(journal.wait_entry(exchange_of("U1"), timeout=60))
    third = asyncio.ensure_future(journal.wait_entry(exchange_of("U2"), timeout=60))
    await settle()
    journal.record(entry("U1"))
    assert (await first) is not None and (await second) is not None
    assert not third.done()
    journal.record(entry("U2"))
    assert (await third) is not None


async def test_entries_before_a_mark_do_not_count() -> None:
    journal = Journal()
    journal.record(entry("U1", "in", msg_type="SUBMIT_PAYMENT_ORDER"))
    mark = journal.mark()
    match = about("SUBMIT_PAYMENT_ORDER", "in")
    assert journal.find(match) is not None
    assert journal.find(match, after=mark) is None
    waiting = asyncio.ensure_future(journal.wait_entry(match, timeout=60, after=mark))
    await settle()
    assert not waiting.done()
    journal.record(entry("U2", "in", msg_type="SUBMIT_PAYMENT_ORDER"))
    found = await waiting
    assert found is not None and found.msg_id == "U2"


async def test_an_entry_recorded_from_another_thread_wakes_the_waiter() -> None:
    journal = Journal()
    waiting = asyncio.ensure_future(journal.wait_entry(exchange_of("U1"), timeout=60))
    await settle()
    await asyncio.to_thread(journal.record, entry("U1"))
    found = await waiting
    assert found is not None and found.msg_id == "U1"


async def test_a_wait_that_times_out_gives_none_and_leaves_no_waiter(
    leap: Callable[[float], None],
) -> None:
    journal = Journal()
    assert await journal.wait_entry(exchange_of("U1"), timeout=0) is None
    waiting = asyncio.ensure_future(journal.wait_entry(exchange_of("U1"), timeout=30))
    await settle()
    assert len(journal.waiters) == 1
    journal.record(entry("U2"))
    leap(31)
    assert await waiting is None
    assert len(journal.waiters) == 0


async def test_the_observation_window_wait_still_reads_all_entries(
    leap: Callable[[float], None],
) -> None:
    journal = Journal()
    window = asyncio.ensure_future(journal.wait_for(lambda es: len(es) > 1, timeout=30))
    journal.record(entry("U1"))
    await settle()
    assert not window.done()
    journal.record(entry("U2"))
    assert await window is True
    late = asyncio.ensure_future(journal.wait_for(lambda es: len(es) > 5, timeout=30))
    await settle()
    leap(31)
    assert await late is False


async def test_waiters_check_their_own_condition() -> None:
    waiters, state = Waiters(), {"held": 0}
    one = asyncio.ensure_future(waiters.wait(lambda: state["held"] >= 1, 60))
    two = asyncio.ensure_future(waiters.wait(lambda: state["held"] >= 2, 60))
    await settle()
    state["held"] = 1
    waiters.notify()
    assert await one is True
    await settle()
    assert not two.done()
    state["held"] = 2
    waiters.notify()
    assert await two is True


# --- the sides wait for the exchange they caused ------------------------------------------


@pytest.fixture
def loop_thread() -> Iterator[LoopThread]:
    """The event loop a side's synchronous waits run on, as a deployment's does."""
    thread = LoopThread("test-journal-waits")
    yield thread
    thread.stop()


def side_of(role: str, journal: Journal, loop: LoopThread) -> Side:
    deployment = fake_deployment(role, FakeUcspPeer(journal))
    cast(Any, deployment).call = loop.call
    return side_for(deployment)


def started(journal: Journal, wait: Callable[[], T]) -> Future[T]:
    """``wait`` running in a thread of its own, once its waiter is pending on ``journal``."""
    running = ThreadPoolExecutor(max_workers=1)
    future = running.submit(wait)
    running.shutdown(wait=False)
    pending = threading.Event()
    while not future.done() and not pending.wait(0.001):
        if len(journal.waiters):
            pending.set()
    return future


async def test_a_held_notice_is_delivered_once_its_own_exchange_is_answered() -> None:
    """NOT-07, NOT-09: a notice the suite crafted about the order is already answered;
    delivering the held one waits for the held one, and other held notices stay held."""
    journal = Journal()
    peer = FakeUcspPeer(journal)
    journal.record(entry("UCRAFTED"))
    side = IndustryUnderTest(fake_deployment("industry", peer))

    async def deliver() -> list[JournalEntry]:
        return await side.delivered(await side.held_notices(orderId=ORDER))

    delivering = asyncio.ensure_future(deliver())
    await settle()
    assert not delivering.done() and peer.released == []  # nothing held yet
    peer.hold(message("UOTHERORDER", order_id="ORDanother"))
    peer.hold(message("UHELD"))
    await settle()
    assert peer.released == ["UHELD"]
    assert not delivering.done()  # the crafted notice's exchange does not end the wait
    journal.record(entry("UHELD"))
    assert [e.msg_id for e in await delivering] == ["UHELD"]
    assert [str(n["msgInfo"]["msgID"]) for n in peer.held] == ["UOTHERORDER"]


@pytest.mark.parametrize(
    ("role", "sent", "other"), [("industry", "out", "in"), ("ucsp", "in", "out")]
)
def test_the_notices_of_an_order_are_those_the_side_playing_ucsp_sent(
    role: str, sent: Direction, other: Direction, loop_thread: LoopThread
) -> None:
    journal = Journal()
    journal.record(entry("UOTHERORDER", sent, order_id="ORDanother"))
    journal.record(entry("UWRONGWAY", other))
    side = side_of(role, journal, loop_thread)
    waiting = started(journal, lambda: side.wait_notices(NOTICE, orderId=ORDER))
    assert not waiting.done()
    journal.record(entry("UNOTICE", sent))
    assert [e.msg_id for e in waiting.result(5)] == ["UNOTICE"]
    assert [e.msg_id for e in side.notices_of(NOTICE, orderId=ORDER)] == ["UNOTICE"]


def test_released_notices_are_delivered_in_their_order(loop_thread: LoopThread) -> None:
    journal = Journal()
    side = cast(IndustryUnderTest, side_of("industry", journal, loop_thread))
    waiting = started(journal, lambda: side.call(side.delivered(["U2", "U1"])))
    journal.record(entry("U1"))
    journal.record(entry("U2", "in"))  # the same msgID the other way round is not it
    assert not waiting.done()
    journal.record(entry("U2"))
    assert [e.msg_id for e in waiting.result(5)] == ["U2", "U1"]


def test_an_exchange_is_settled_when_its_answer_went_out() -> None:
    """Inquiry schedules count from the answer the suite sent, not from the request's arrival
    (the suite's own processing time is not the SUT's lateness)."""
    received = entry("A1", "in", msg_type="SUBMIT_PAYMENT_ORDER")
    assert received.settled == received.elapsed == 0.0
    answered = JournalEntry(
        "in", "SUBMIT_PAYMENT_ORDER", "/gateway", b"{}", 200, b"{}", 3.0, WALL, "05", 4.5
    )
    assert answered.settled == 4.5
    silent = JournalEntry("in", "SUBMIT_PAYMENT_ORDER", "/gateway", b"{}", None, None, 3.0, WALL)
    assert silent.settled == 3.0
