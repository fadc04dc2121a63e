"""The suite's notice URL in a load process: a small WSGI app judging every notice.

The UCSP under test sends each notice of the load's orders here (the orders name it as their
backUrl). Every notice is judged by :meth:`Wire.notice` and answered as a conformant
Industry Service would (00, or 10 / 11 for a message it cannot accept), and its trxInfo is
filed in a :class:`NoticeBook` under its orderId or contractId for the flow to check.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from ucsp.envelope import fallback_msg_info
from ucsp.load.judge import Verdict, Wire
from ucsp.load.tally import NOTICE_PREFIX, Tally
from ucsp.mask import body_text

StartResponse = Callable[[str, list[tuple[str, str]]], Any]
NOTICE_PATH = "/notify"
BOOK_LIMIT = 50_000  # keys kept; the oldest are dropped first


class NoticeBook:
    """Notices received, by orderId / contractId; a flow waits for the one it expects."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._items: dict[str, list[dict[str, Any]]] = {}

    def file(self, key: str, trx: dict[str, Any]) -> None:
        with self._cond:
            self._items.setdefault(key, []).append(trx)
            while len(self._items) > BOOK_LIMIT:
                del self._items[next(iter(self._items))]
            self._cond.notify_all()

    def wait(
        self, key: str, match: Callable[[dict[str, Any]], bool], timeout: float
    ) -> dict[str, Any] | None:
        """The first notice filed under ``key`` that ``match`` accepts, waiting up to
        ``timeout`` seconds for it (None when none came)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for trx in self._items.get(key, []):
                    if match(trx):
                        return trx
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self._cond.wait(left)

    def forget(self, key: str) -> None:
        with self._cond:
            self._items.pop(key, None)


def _answer_code(verdict: Verdict) -> str:
    """What a conformant Industry Service answers: 10 unreadable, 11 bad signature, else 00."""
    rules = {f.rule for f in verdict.findings}
    if verdict.message is None or rules & {"json", "schema"}:
        return "10"
    return "11" if "signature" in rules else "00"


class NoticeApp:
    """WSGI: POST /notify judges, files and answers one notice."""

    def __init__(
        self,
        wire: Wire,
        book: NoticeBook,
        tally: Tally,
        industry_code: str,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.wire, self.book, self.tally = wire, book, tally
        self.industry_code = industry_code
        self.clock = clock

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") != "POST":
            start_response("405 Method Not Allowed", [("Allow", "POST")])
            return [b""]
        started = time.perf_counter()
        length = int(environ.get("CONTENT_LENGTH") or 0)
        raw = environ["wsgi.input"].read(length) if length else b""
        verdict = self.wire.notice(raw, environ.get("CONTENT_TYPE"), self.industry_code)
        code = _answer_code(verdict)
        codec = self.wire.codec
        info = verdict.msg_info or fallback_msg_info(
            verdict.message, codec.party, self.industry_code, codec.clock.now(), codec.profile
        )
        body = self.wire.response(info, code)
        name = NOTICE_PREFIX + str(verdict.msg_info.get("msgType") or "?")
        evidence = {"name": name, "request": body_text(raw), "response": body_text(body)}
        self.tally.exchange(
            name,
            (time.perf_counter() - started) * 1000,
            int(self.clock()),
            verdict.findings,
            evidence if verdict.findings else None,
        )
        trx = verdict.trx
        key = trx.get("orderId") or trx.get("contractId") or trx.get("userId")
        if code == "00" and isinstance(key, str):
            self.book.file(key, {"msgType": name[len(NOTICE_PREFIX) :], **trx})
        headers = [
            ("Content-Type", "application/json; charset=UTF-8"),
            ("Content-Length", str(len(body))),
        ]
        start_response("200 OK", headers)
        return [body]
