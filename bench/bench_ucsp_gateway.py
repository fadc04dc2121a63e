"""SUBMIT_PAYMENT_ORDER exchanges per second: reference UCSP vs a floor app, same stack.

Each server runs in its own process on one uvicorn worker on loopback; this process is the
Industry Service: it signs every request up front (distinct orderId and msgID, so neither the
replay check nor idempotency short-cuts anything), then keeps ``--concurrency`` keep-alive
connections busy for ``--seconds`` and counts the answers that are HTTP 200 with code 00.

The floor app does the least any UCSP must: strict parsing, signature verification, and a
signed response (echoed msgInfo, fixed trxInfo). The ratio reference/floor is the share of
the unavoidable cost; the target is >= 0.6.

    .venv/bin/python bench/bench_ucsp_gateway.py [--seconds 4] [--concurrency 16]
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from servers import floor_app, loopback_server, reference_app

SERVE = "serve"
MAX_RATE = 3000  # requests signed per second of timed run: above what one worker answers


# --- the servers (run in child processes) ----------------------------------------------------


FIXED = {"orderId": "FLOOR000", "tn": "0" * 32, "paymentUrl": "http://127.0.0.1/pay/0"}


def serve(kind: str, keys_dir: Path) -> None:
    """Child process: bind loopback port 0, print it, serve until killed."""
    if kind == "reference":
        app = reference_app(keys_dir)
    else:  # echoed msgInfo, fixed trxInfo
        app = floor_app(keys_dir, lambda _: FIXED, refused=FIXED)
    server, sock = loopback_server(app)
    server.run(sockets=[sock])


# --- the load (this process) ---------------------------------------------------------------


def signed_requests(keys_dir: Path, count: int) -> list[bytes]:
    from ucsp import sandbox
    from ucsp.codec import Codec
    from ucsp.envelope import build_request, format_time
    from ucsp.keys import Keyset
    from ucsp.messages import Party

    keys = Keyset.load(keys_dir)
    codec = Codec(Party.INDUSTRY, keys.industry_sign.identity("industry"))
    now = format_time(codec.clock.now(), codec.profile)
    bodies = []
    count = min(count, 999_999)
    for n in range(count):
        trx = {
            "orderId": f"BENCH{n:010d}",
            "merId": sandbox.MER_ID,
            "acqIIN": sandbox.ACQ_IIN,
            "txnAmt": "10000",
            "currencyCode": sandbox.CURRENCY_CODE,
            "txnTime": now,
        }
        msg_info = codec.msg_info("SUBMIT_PAYMENT_ORDER", sandbox.INDUSTRY_CODE)
        msg_info["timeStamp"] = now
        msg_info["msgID"] = f"A{sandbox.INDUSTRY_CODE}{now}{n:06d}"  # unique: no replay
        body = codec.sign(build_request(msg_info, trx))
        head = (
            "POST /gateway HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            "Content-Type: application/json; charset=UTF-8\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        bodies.append(head.encode() + body)
    return bodies


async def _read_answer(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value)
    return status, await reader.readexactly(length)


async def load(
    port: int, requests: list[bytes], seconds: float, concurrency: int
) -> tuple[int, int, float]:
    """(answered 00, other answers, elapsed) within ``seconds``."""
    queue = iter(requests)
    counts = [0, 0]
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            for request in queue:
                if time.perf_counter() >= deadline:
                    return
                writer.write(request)
                status, body = await _read_answer(reader)
                counts[0 if status == 200 and b'"responseCode":"00"' in body else 1] += 1
        finally:
            writer.close()

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return counts[0], counts[1], time.perf_counter() - start


def start(kind: str, keys_dir: Path) -> tuple[subprocess.Popen[str], int]:
    child = subprocess.Popen(
        [sys.executable, __file__, SERVE, kind, str(keys_dir)], stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None
    return child, int(child.stdout.readline())


def measure(keys_dir: Path, requests: list[bytes], args: argparse.Namespace) -> dict[str, float]:
    """Exchanges/s of each server, over rounds that alternate between them.

    Alternating short rounds spreads any drift in the machine's load (other processes on a
    shared host) evenly over both servers, so the ratio stays meaningful. A round ends after
    its time budget or when its batch is used up, whichever comes first.
    """
    kinds = ("reference", "floor")
    children = {kind: start(kind, keys_dir) for kind in kinds}
    totals = {kind: [0, 0, 0.0] for kind in kinds}
    fresh = iter(requests)  # the reference needs distinct msgIDs and orderIds
    try:
        for kind in kinds:
            warm = [next(fresh) for _ in range(args.warmup)]
            asyncio.run(load(children[kind][1], warm, 30, args.concurrency))
        budget = args.seconds / args.rounds
        for _ in range(args.rounds):
            batch = [r for r, _ in zip(fresh, range(int(budget * MAX_RATE)), strict=False)]
            for kind in kinds:  # the floor only verifies: the same batch serves it again
                ok, other, elapsed = asyncio.run(
                    load(children[kind][1], batch, budget, args.concurrency)
                )
                total = totals[kind]
                total[0], total[1], total[2] = total[0] + ok, total[1] + other, total[2] + elapsed
    finally:
        for child, _ in children.values():
            child.terminate()
            child.wait(10)
    rates = {}
    for kind in kinds:
        ok, other, elapsed = totals[kind]
        rates[kind] = ok / elapsed
        print(
            f"{kind:9} {int(ok):6d} exchanges answered 00 in {elapsed:5.2f} s"
            f" = {rates[kind]:7.1f}/s  (other answers: {int(other)})"
        )
        if other:
            raise SystemExit(f"{kind}: {int(other)} answers were not HTTP 200 with code 00")
    return rates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=4.0, help="timed run per server")
    parser.add_argument("--rounds", type=int, default=8, help="alternations between servers")
    parser.add_argument("--concurrency", type=int, default=16, help="keep-alive connections")
    parser.add_argument("--warmup", type=int, default=300, help="requests per server, untimed")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        from ucsp.crypto import init_test_keyset

        keys_dir = Path(tmp)
        init_test_keyset(keys_dir)
        started = time.perf_counter()
        count = 2 * args.warmup + int(args.seconds * MAX_RATE) + args.rounds
        requests = signed_requests(keys_dir, count)
        print(
            f"signed {len(requests)} requests in {time.perf_counter() - started:.1f} s; "
            f"{args.concurrency} connections, {args.seconds:g} s per server "
            f"in {args.rounds} alternating rounds"
        )
        rates = measure(keys_dir, requests, args)
    print(f"ratio reference/floor = {rates['reference'] / rates['floor']:.2f} (target >= 0.6)")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == SERVE:
        serve(sys.argv[2], Path(sys.argv[3]))
    else:
        main()
