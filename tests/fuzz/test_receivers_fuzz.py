"""Bounded, derandomised fuzzing of the three receivers of the reference implementations.

The reference UCSP gateway, the reference Industry Service's notice URL and its login URL
(INDUSTRY_INDEX_URL, GET with ``request_data``) each get CASES messages, driven in-process
over ``httpx.ASGITransport``. Each case is a correct, freshly signed message with one
mutation: raw mutations of the bytes (truncation, bad UTF-8, BOM, duplicate keys, depth,
NaN, overflow, lone surrogates, hostile bodies of the size limit, a broken signature) and
semantic mutations re-signed so that they pass the signature and reach the field and business
rules. The expected answer of each kind comes from PROTOCOL.md (section 1 and section 8,
checked in the order of section 6: format 10, signature 11, business rules): never a 5xx,
exactly that code (or, at the login URL, that HTTP status), no state change after a rejected
message, and every answer within ANSWER_BOUND seconds, which a parse that grows with the
square of the body breaks by far (such a body took 12 s or more).

The generator is seeded: every run sends the same cases.
"""

from __future__ import annotations

import asyncio
import random
import sqlite3
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sim_industry.world import World, new_world
from sim_ucsp.support import Rig

from ucsp import sandbox
from ucsp.crypto import encrypt_field, sign_message
from ucsp.keys import Keyset
from ucsp.mutation.signature import flip_signature, replace_signature
from ucsp.profile import default_profile

ROOT = Path(__file__).resolve().parents[2]
KEYS = ROOT / "fixtures" / "keys" / "test-only"
CASES = 2000  # per receiver
SEED = 20260115
ANSWER_BOUND = 2.0  # seconds for any one answer: generous, not a timing
LIMIT = default_profile().max_body_bytes

# Outcomes, as PROTOCOL.md names them; each receiver maps them to what it answers.
FORMAT, SIGNATURE, REPLAY, TOO_LARGE, ACCEPTED = "10", "11", "replay", "413", "00"
BUSINESS = {"34", "36", "99"}  # business rejections: only the replay record may change


@cache
def keyset() -> Keyset:
    return Keyset.load(KEYS)


# --- raw mutations: the same for every receiver -------------------------------------------


def _insert_member(raw: bytes, member: bytes) -> bytes:
    """``member`` added as the last member of trxInfo (raw bytes, after signing)."""
    at = raw.index(b'"trxInfo":{') + len(b'"trxInfo":{')
    return raw[:at] + member + b"," + raw[at:]


def _hostile(prefix: bytes, unit: bytes, size: int) -> bytes:
    body = prefix + unit * ((size - len(prefix)) // len(unit))
    return body + b" " * (size - len(body))


def _deep(raw: bytes, depth: int) -> bytes:
    return _insert_member(raw, b'"deep":' + b"[" * depth + b"]" * depth)


RawMutation = Callable[[random.Random, bytes], tuple[bytes, str]]

RAW_MUTATIONS: dict[str, RawMutation] = {
    "truncated": lambda r, raw: (raw[: r.randrange(len(raw))], FORMAT),
    "invalid UTF-8": lambda r, raw: (_insert_member(raw, b'"x":"\xff\xfe"'), FORMAT),
    "byte order mark": lambda r, raw: (b"\xef\xbb\xbf" + raw, FORMAT),
    "duplicate key": lambda r, raw: (b'{"trxInfo":{},' + raw[1:], FORMAT),
    "depth over 32": lambda r, raw: (_deep(raw, 31), FORMAT),  # 2 levels above it
    "NaN": lambda r, raw: (_insert_member(raw, b'"x":NaN'), FORMAT),
    "number overflowing": lambda r, raw: (_insert_member(raw, b'"x":1e999'), FORMAT),
    "lone surrogate": lambda r, raw: (_insert_member(raw, b'"x":"\\ud800"'), FORMAT),
    "not an object": lambda r, raw: (b"[" + raw + b"]", FORMAT),
    "random bytes": lambda r, raw: (r.randbytes(r.randrange(1, 200)), FORMAT),
    "deep brackets, unterminated string of escaped quotes": lambda r, raw: (
        _hostile(b'{"a":' + b"[" * 40 + b'"', b'\\"', LIMIT - r.randrange(64)),
        FORMAT,
    ),
    "unterminated string of brackets and escaped quotes": lambda r, raw: (
        _hostile(b'{"a":"', b'[{\\"', LIMIT - r.randrange(64)),
        FORMAT,
    ),
    "60000 brackets": lambda r, raw: (b"[" * 60000, FORMAT),
    "over the size limit": lambda r, raw: (raw + b" " * (LIMIT + 1 - len(raw)), TOO_LARGE),
    "signature flipped": lambda r, raw: (flip_signature(raw), SIGNATURE),
    "signature not Base64": lambda r, raw: (replace_signature(raw, "!!not-base64!!"), SIGNATURE),
}


def _flip_byte(r: random.Random, raw: bytes) -> tuple[bytes, str]:
    """One byte changed to another value: 10 when the body is no longer a message that passes
    the format rules, else 11 (the signed bytes changed): which one depends on the byte."""
    at = r.randrange(len(raw))
    other = (raw[at] + r.randrange(1, 256)) % 256
    return raw[:at] + bytes([other]) + raw[at + 1 :], FORMAT + "|" + SIGNATURE


RAW_MUTATIONS["byte changed"] = _flip_byte


# --- cases --------------------------------------------------------------------------------


@dataclass
class Case:
    kind: str
    expected: str  # an outcome, or several separated by "|"
    body: bytes
    then: bytes | None = None  # sent after ``body``; its answer is the one judged (replay)


def _pick(r: random.Random, table: dict[str, Any]) -> tuple[str, Any]:
    name = r.choice(sorted(table))
    return name, table[name]


@dataclass
class Verdict:
    kind: str
    expected: str
    got: str
    status: int
    seconds: float
    state_kept: bool | None  # None: the message was accepted, state may change


def _judge(verdicts: list[Verdict]) -> None:
    kinds = Counter(v.kind for v in verdicts)
    assert len(verdicts) >= CASES
    assert len(kinds) >= 30 and min(kinds.values()) >= 10, kinds  # every kind, many times
    server_errors = [v for v in verdicts if v.status >= 500]
    assert not server_errors, server_errors[:5]
    wrong = [v for v in verdicts if v.got not in v.expected.split("|")]
    assert not wrong, wrong[:5]
    changed = [v for v in verdicts if v.state_kept is False]
    assert not changed, changed[:5]
    slow = [v for v in verdicts if v.seconds > ANSWER_BOUND]
    assert not slow, slow[:5]


class StateProbe:
    """Whether a message changed the database: SQLite counts every row written on the
    connection. A business rejection may add its msgID to the replay record, and nothing
    else."""

    def __init__(self, conn: sqlite3.Connection, replay_table: str) -> None:
        self.conn, self.replay_table = conn, replay_table

    def take(self) -> tuple[int, int]:
        count = self.conn.execute(f"SELECT COUNT(*) FROM {self.replay_table}").fetchone()[0]  # noqa: S608
        return self.conn.total_changes, int(count)

    def kept(self, before: tuple[int, int], after: tuple[int, int], got: str) -> bool | None:
        """None when the message was accepted (its state may change)."""
        if got in (ACCEPTED, "01", "05", "200"):
            return None
        writes, replay_rows = after[0] - before[0], after[1] - before[1]
        if got in BUSINESS or got == REPLAY:
            return writes == replay_rows and replay_rows in (0, 1)
        return writes == 0


# --- the reference UCSP gateway ------------------------------------------------------------


class GatewayCases:
    """Requests to the gateway, from the Industry Service side of the rig."""

    def __init__(self, rig: Rig, r: random.Random) -> None:
        self.rig, self.r = rig, r
        self.orders: list[dict[str, Any]] = []  # submitted, for inquiries

    def valid(self) -> tuple[str, bytes]:
        rig = self.rig
        kind = self.r.choice(["SUBMIT_PAYMENT_ORDER", "PAYMENT_RESULT_INQUIRY", "SIGN_AUTO_DEBIT"])
        if kind == "PAYMENT_RESULT_INQUIRY" and self.orders:
            order = self.r.choice(self.orders)
            trx = {"orderId": order["orderId"], "txnTime": order["txnTime"]}
        elif kind == "SIGN_AUTO_DEBIT":
            trx = rig.sign_request(f"user{self.r.randrange(10**6):06d}")
        else:
            kind, trx = "SUBMIT_PAYMENT_ORDER", rig.order()
        return kind, rig.sign(rig.message(kind, trx))

    def semantic(self) -> Case:
        rig, r = self.rig, self.r
        order = rig.order()

        def signed(msg_type: str, trx: dict[str, Any], **info: str) -> bytes:
            message = rig.message(msg_type, trx)
            message["msgInfo"].update(info)
            return rig.sign(message)

        def other_cert(message: dict[str, Any], cert_id: str) -> bytes:
            body = dict(message)
            body["certificateSignature"] = {"appSignCertID": cert_id, "signature": "00000000"}
            key = rig.keys.industry_sign.identity("industry").key
            return sign_message(body, key, rig.profile.signature_mode, rig.profile.placeholder)

        field = r.choice(["orderId", "merId", "acqIIN", "txnAmt", "currencyCode", "txnTime"])
        table: dict[str, Callable[[], tuple[str, bytes]]] = {
            "field missing": lambda: (
                FORMAT,
                signed("SUBMIT_PAYMENT_ORDER", {k: v for k, v in order.items() if k != field}),
            ),
            "field a number": lambda: (
                FORMAT,
                signed("SUBMIT_PAYMENT_ORDER", {**order, field: 12345678}),
            ),
            "field too long": lambda: (
                FORMAT,
                signed("SUBMIT_PAYMENT_ORDER", {**order, field: "1" * 600}),
            ),
            "txnAmt zero": lambda: (
                FORMAT,
                signed("SUBMIT_PAYMENT_ORDER", {**order, "txnAmt": r.choice(["0", "000"])}),
            ),
            "unknown msgType": lambda: (
                FORMAT,
                signed("SUBMIT_PAYMENT_ORDER", order, msgType="SUBMIT_PAYMENT_ORDER2"),
            ),
            "timeStamp an hour off": lambda: (
                FORMAT,
                signed("SUBMIT_PAYMENT_ORDER", order, timeStamp=_shifted(rig.now(), 3600)),
            ),
            "appEncCertID without an encrypted field": lambda: (
                FORMAT,
                rig.sign(
                    rig.message("SUBMIT_PAYMENT_ORDER", order),
                    appEncCertID=rig.keys.industry_enc.cert_id,
                ),
            ),
            "unknown appSignCertID": lambda: (
                SIGNATURE,
                other_cert(rig.message("SUBMIT_PAYMENT_ORDER", order), "987654321"),
            ),
            "unregistered industryCode": lambda: (
                SIGNATURE,
                rig.sign(rig.message("SUBMIT_PAYMENT_ORDER", order, industry_code="ZZZZ9999")),
            ),
            "signed with another key": lambda: (
                SIGNATURE,
                sign_message(
                    {
                        **rig.message("SUBMIT_PAYMENT_ORDER", order),
                        "certificateSignature": {
                            "appSignCertID": rig.keys.industry_sign.cert_id,
                            "signature": rig.profile.placeholder,
                        },
                    },
                    rig.keys.industry_enc.identity("enc").key,
                    rig.profile.signature_mode,
                    rig.profile.placeholder,
                ),
            ),
            "inquiry of an unknown order": lambda: (
                "34",
                signed(
                    "PAYMENT_RESULT_INQUIRY",
                    {"orderId": "NOSUCH" + order["orderId"], "txnTime": order["txnTime"]},
                ),
            ),
            "auto-debit of an unknown merId": lambda: (
                "36",
                signed("SIGN_AUTO_DEBIT", rig.sign_request(merId="999999999999999")),
            ),
            "close of an unknown contract": lambda: (
                "34",
                signed("CLOSE_AUTO_DEBIT", {"contractId": "NOSUCH0001", "userId": "user0001"}),
            ),
            "refund of an unknown origQryId": lambda: (
                "34",
                signed("PAYMENT_REFUND", rig.reversal("NOSUCHQUERY0001", "100")),
            ),
            "unknown field": lambda: (
                ACCEPTED,
                signed("SUBMIT_PAYMENT_ORDER", {**order, "zzExtension": "ignored"}),
            ),
        }
        name, make = _pick(r, table)
        expected, body = make()
        return Case(name, expected, body)

    def case(self) -> Case:
        roll = self.r.random()
        if roll < 0.45:
            name, mutate = _pick(self.r, RAW_MUTATIONS)
            _, raw = self.valid()
            body, expected = mutate(self.r, raw)
            return Case(name, expected, body)
        if roll < 0.9:
            return self.semantic()
        if roll < 0.95:
            _, raw = self.valid()
            return Case("replayed message", REPLAY, raw, then=raw)
        kind, raw = self.valid()
        return Case(f"valid {kind}", ACCEPTED, raw)


def _shifted(stamp: str, seconds: int) -> str:
    from datetime import datetime, timedelta

    moment = datetime.strptime(stamp, "%Y%m%d%H%M%S") + timedelta(seconds=seconds)
    return moment.strftime("%Y%m%d%H%M%S")


def test_the_gateway_survives_hostile_and_mutated_requests() -> None:
    async def main() -> list[Verdict]:
        rig = Rig(KEYS)
        r = random.Random(SEED)
        cases = GatewayCases(rig, r)
        verdicts: list[Verdict] = []
        try:
            for _ in range(20):  # orders to inquire about
                trx, _reply = await rig.submitted()
                cases.orders.append(trx)
            probe = StateProbe(rig.db.conn, "seen_msgids")
            for _ in range(CASES):
                verdicts.append(await _gateway_case(rig, probe, cases.case()))
            await rig.drain()
            assert rig.sim.errors == [], rig.sim.errors[:3]
        finally:
            await rig.close()
        return verdicts

    _judge(asyncio.run(main()))


async def _gateway_case(rig: Rig, probe: StateProbe, case: Case) -> Verdict:
    if case.then is not None:
        first = await rig.post(case.body)
        assert first.code == ACCEPTED, (case.kind, first.message)
    await rig.drain()  # notices of earlier cases: not this message's doing
    before = probe.take()
    started = time.perf_counter()
    reply = await rig.post(case.then or case.body)
    seconds = time.perf_counter() - started
    got = str(reply.status) if reply.status != 200 else str(reply.code)
    if got == "99" and case.expected == REPLAY:
        got = REPLAY
    kept = probe.kept(before, probe.take(), got)
    return Verdict(case.kind, case.expected, got, reply.status, seconds, kept)


# --- the reference Industry Service: notice URL and login URL -------------------------------


def start_industry() -> World:
    """The reference Industry Service, without faults, wired in-process to a UcspPeer."""
    return new_world(keyset())


def industry_probe(world: World) -> StateProbe:
    return StateProbe(world.sim.db.conn, "is_seen_msgids")


async def pending_order(world: World, amount: str) -> dict[str, Any]:
    """The trxInfo of a successful notice for a new payment order (made-up queryId)."""
    answer = await world.post("/harness/payments", {"txnAmt": amount, "currencyCode": "156"})
    assert answer.status_code == 200, answer.text
    order = world.sim.store.order(str(answer.json()["orderId"]))
    assert order is not None
    return {
        "orderId": order.order_id,
        "txnType": order.kind.value,
        "queryId": "Q" + order.order_id[-12:],
        "txnAmt": order.txn_amt,
        "currencyCode": order.currency_code,
        "txnTime": order.txn_time,
        "txnStatus": "00",
    }


class NoticeCases:
    def __init__(self, world: World, r: random.Random) -> None:
        self.world, self.r = world, r
        self.pending: list[dict[str, Any]] = []  # orders only ever sent rejected notices
        self.settled: list[dict[str, Any]] = []  # orders for valid notices

    def build(
        self, trx: dict[str, Any], msg_type: str = "PAYMENT_RESULT_NOTICE", **kw: Any
    ) -> bytes:
        return self.world.build(msg_type, trx, **kw)

    def semantic(self) -> Case:
        r, peer = self.r, self.world.peer
        keys, profile = peer.target.keys, peer.target.profile
        trx = dict(r.choice(self.pending))
        field = r.choice(["orderId", "txnType", "queryId", "txnAmt", "txnTime", "txnStatus"])

        def info(**over: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
            def mutate(message: dict[str, Any]) -> dict[str, Any]:
                message["msgInfo"].update(over)
                return message

            return mutate

        def cert(cert_id: str) -> bytes:
            message = peer.codec.msg_info("PAYMENT_RESULT_NOTICE", sandbox.INDUSTRY_CODE)
            body = {
                "msgInfo": message,
                "trxInfo": trx,
                "certificateSignature": {"ucspSignCertID": cert_id, "signature": "00000000"},
            }
            key = keys.ucsp_sign.identity("ucsp").key
            return sign_message(body, key, profile.signature_mode, profile.placeholder)

        table: dict[str, Callable[[], tuple[str, bytes]]] = {
            "field missing": lambda: (
                FORMAT,
                self.build({k: v for k, v in trx.items() if k != field}),
            ),
            "field a number": lambda: (FORMAT, self.build({**trx, field: 7})),
            "txnStatus not a status": lambda: (FORMAT, self.build({**trx, "txnStatus": "7x"})),
            "not a notice type": lambda: (FORMAT, self.build(trx, "SUBMIT_PAYMENT_ORDER")),
            "unknown msgType": lambda: (
                FORMAT,
                self.build(trx, mutate=info(msgType="PAYMENT_RESULT_NOTICE2")),
            ),
            "timeStamp an hour off": lambda: (
                FORMAT,
                self.build(
                    trx,
                    mutate=lambda m: info(timeStamp=_shifted(m["msgInfo"]["timeStamp"], -3600))(m),
                ),
            ),
            "unknown ucspSignCertID": lambda: (SIGNATURE, cert("987654321")),
            "another industry's code": lambda: (
                "99",
                self.build(trx, industry_code="OTHER001"),
            ),
            "unknown orderId": lambda: (
                "34",
                self.build({**trx, "orderId": "NOSUCH" + trx["orderId"][-10:]}),
            ),
            "amount differs": lambda: (
                "36",
                self.build({**trx, "txnAmt": str(int(trx["txnAmt"]) + 1)}),
            ),
            "currency differs": lambda: ("36", self.build({**trx, "currencyCode": "840"})),
            "txnType differs": lambda: (
                "36",
                self.build({**trx, "txnType": "REFUND", "origQryId": "Q1"}),
            ),
            "sign notice for a user never asked": lambda: (
                "34",
                self.build(
                    {"contractId": "CT9999", "userId": "nobody01", "signStatus": "00"},
                    "SIGN_AUTO_DEBIT_NOTICE",
                ),
            ),
        }
        name, make = _pick(r, table)
        expected, body = make()
        return Case(name, expected, body)

    def case(self) -> Case:
        r = self.r
        roll = r.random()
        if roll < 0.45:
            name, mutate = _pick(r, RAW_MUTATIONS)
            body, expected = mutate(r, self.build(r.choice(self.pending)))
            return Case(name, expected, body)
        if roll < 0.92:
            return self.semantic()
        raw = self.build(r.choice(self.settled))
        if roll < 0.96:
            return Case("replayed notice", REPLAY, raw, then=raw)
        return Case("valid notice", ACCEPTED, raw)


def test_the_notice_url_survives_hostile_and_mutated_notices() -> None:
    async def main() -> list[Verdict]:
        world = start_industry()
        r = random.Random(SEED + 1)
        cases = NoticeCases(world, r)
        probe = industry_probe(world)
        verdicts: list[Verdict] = []
        try:
            for i in range(10):
                cases.pending.append(await pending_order(world, str(1000 + i)))
                cases.settled.append(await pending_order(world, str(2000 + i)))
            for _ in range(CASES):
                case = cases.case()
                if case.then is not None:
                    first = await world.post_notice(case.body)
                    assert first.code == ACCEPTED, (case.kind, first.message)
                await world.sim.background.drain()
                before = probe.take()
                started = time.perf_counter()
                answer = await world.post_notice(case.then or case.body)
                seconds = time.perf_counter() - started
                status = answer.status or 0  # 0: no answer at all
                got = str(status) if status != 200 else str(answer.code)
                if got == "99" and case.expected == REPLAY:
                    got = REPLAY
                kept = probe.kept(before, probe.take(), got)
                verdicts.append(Verdict(case.kind, case.expected, got, status, seconds, kept))
            await world.sim.background.drain()
            assert not world.sim.background.errors
        finally:
            await world.aclose()
        return verdicts

    _judge(asyncio.run(main()))


# --- the login URL ------------------------------------------------------------------------

LOGIN_JSON = 20_000  # bytes of JSON in a hostile login: a GET of 60 KB, as in the field
LOGIN_STATUS = {FORMAT: "400", SIGNATURE: "403", REPLAY: "409", TOO_LARGE: "400", ACCEPTED: "200"}


class LoginCases:
    def __init__(self, world: World, r: random.Random) -> None:
        self.world, self.r = world, r

    def user(self) -> str:
        return f"user{self.r.randrange(10**8):08d}"

    def query(self, **kw: Any) -> str:
        return self.world.login_query(user_id=self.user(), **kw)

    def raw_body(self, **kw: Any) -> bytes:
        target = self.world.peer.target
        keys = target.keys
        trx = {
            "channelCode": sandbox.CHANNEL_CODE,
            "mobile": encrypt_field(
                keys.industry_enc.cert, "13800138000", target.profile.encryption_mode
            ),
            "userId": self.user(),
        }
        return self.world.build(
            "INDUSTRY_LOGIN_INFO",
            trx,
            extra_cert_fields={"appEncCertID": keys.industry_enc.cert_id},
            **kw,
        )

    def semantic(self) -> Case:
        r = self.r

        def info(**over: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
            def mutate(message: dict[str, Any]) -> dict[str, Any]:
                message["msgInfo"].update(over)
                return message

            return mutate

        def trx(**over: Any) -> Callable[[dict[str, Any]], dict[str, Any]]:
            def mutate(message: dict[str, Any]) -> dict[str, Any]:
                message["trxInfo"].update(over)
                return message

            return mutate

        table: dict[str, Callable[[], tuple[str, str]]] = {
            "userId too long": lambda: (FORMAT, self.query(mutate=trx(userId="u" * 65))),
            "channelCode a number": lambda: (FORMAT, self.query(mutate=trx(channelCode=12345678))),
            "unknown msgType": lambda: (FORMAT, self.query(mutate=info(msgType="LOGIN"))),
            "mobile does not decrypt": lambda: (
                FORMAT,
                self.query(mutate=trx(mobile="QUJDREVGR0g=")),
            ),
            "mobile encrypted to another key": lambda: (
                FORMAT,
                self.query(wrong_key_mobile=True),
            ),
            "unknown appEncCertID": lambda: (SIGNATURE, self.query(enc_cert_id="987654321")),
            "signature flipped": lambda: ("403", request_data(flip_signature(self.raw_body()))),
            "another industry's code": lambda: (
                "400|403",
                self.query(mutate=info(industryCode="OTHER001")),
            ),
            "another channel": lambda: ("400|403", self.query(channel_code="OTHERCH1")),
            "bad percent escape": lambda: (FORMAT, self.query() + "%zz"),
            "two request_data": lambda: (FORMAT, self.query() + "&" + self.query()),
            "no request_data": lambda: (FORMAT, "request_datum=x"),
        }
        name, make = _pick(r, table)
        expected, query = make()
        return Case(name, expected, query.encode())

    def case(self) -> Case:
        r = self.r
        roll = r.random()
        if roll < 0.45:
            name, mutate = _pick(r, RAW_MUTATIONS)
            raw, expected = mutate(r, self.raw_body())
            if expected == FORMAT and len(raw) > LOGIN_JSON:
                raw = raw[:LOGIN_JSON]  # still refused; a GET of about 60 KB once encoded
            return Case(name, expected, request_data(raw).encode())
        if roll < 0.93:
            return self.semantic()
        query = self.query().encode()
        if roll < 0.96:
            return Case("replayed login", REPLAY, query, then=query)
        return Case("valid login", ACCEPTED, query)


async def get_index(app: Any, query: bytes) -> int:
    """GET /index?<query> straight into the ASGI app (httpx refuses URLs over 64 KiB)."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/index",
        "raw_path": b"/index",
        "query_string": query,
        "root_path": "",
        "headers": [(b"host", b"is.test")],
        "client": ("127.0.0.1", 50000),
        "server": ("is.test", 80),
    }
    statuses: list[int] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    await app(scope, receive, send)
    return statuses[0]


def request_data(raw: bytes) -> str:
    return "request_data=" + quote(raw, safe="")


def test_the_login_url_survives_hostile_and_mutated_logins() -> None:
    async def main() -> list[Verdict]:
        world = start_industry()
        cases = LoginCases(world, random.Random(SEED + 2))
        probe = industry_probe(world)
        verdicts: list[Verdict] = []
        try:
            for _ in range(CASES):
                case = cases.case()
                if case.then is not None:
                    first = await get_index(world.sim.app, case.body)
                    assert first == 200, case.kind
                before = probe.take()
                started = time.perf_counter()
                status = await get_index(world.sim.app, case.then or case.body)
                seconds = time.perf_counter() - started
                got = str(status)
                expected = "|".join(LOGIN_STATUS.get(e, e) for e in case.expected.split("|"))
                kept = probe.kept(before, probe.take(), REPLAY if got == "409" else got)
                verdicts.append(Verdict(case.kind, expected, got, status, seconds, kept))
        finally:
            await world.aclose()
        return verdicts

    _judge(asyncio.run(main()))
