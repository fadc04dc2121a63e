"""Benchmark of strict parsing on hostile bodies of the size limit.

Parses each body of a corpus of adversarial 64 KiB bodies (each kind named) through
``strictjson.parse_object``, the receive path's parse, and a valid signed protocol message of
the same size, measured in the same loop (alternating which goes first). Each figure is the
minimum over K runs. Prints each body's time, its ratio to the valid message and to a bare
``json.loads`` of the same body (what no guard can go below), then the worst.

  target: worst hostile body <= 3x the valid message, and no body over 5 ms

Usage: python bench/bench_hostile.py [-k K] [--budget SECONDS] [--module PATH]

``--module`` parses with another copy of the strict JSON module (e.g. an older revision saved
to a file), to compare; with a slow module, give a small ``-k``.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

from ucsp import sandbox, strictjson
from ucsp.clock import SystemClock
from ucsp.codec import Codec
from ucsp.envelope import build_request
from ucsp.errors import MalformedMessage
from ucsp.keys import Keyset
from ucsp.messages import Party
from ucsp.profile import default_profile

ROOT = Path(__file__).resolve().parent.parent
KEYS = ROOT / "fixtures" / "keys" / "test-only"
SIZE = 65536
RATIO_TARGET = 3.0
ABSOLUTE_TARGET = 0.005  # seconds


def fill(head: str, unit: str, tail: str = "", size: int = SIZE) -> bytes:
    """``head`` + as many ``unit`` as fit + ``tail``, padded with spaces to ``size`` bytes."""
    room = size - len((head + tail).encode())
    body = head + unit * (room // len(unit.encode())) + tail
    return (body + " " * (size - len(body.encode()))).encode()


def joined(head: str, item: str, tail: str, size: int = SIZE) -> bytes:
    """A JSON list of ``item`` repeated, between ``head`` and ``tail``, within ``size``."""
    count = (size - len(head) - len(tail)) // (len(item) + 1)
    body = head + ",".join([item] * count) + tail
    return (body + " " * (size - len(body))).encode()


def hostile_corpus(size: int = SIZE) -> dict[str, bytes]:
    """Named adversarial bodies of exactly ``size`` bytes."""
    deep = "[" * 40
    return {
        # the quadratic case: > 32 brackets, then an unterminated string full of \"
        'deep brackets + unterminated string of \\"': fill('{"a":' + deep + '"', '\\"', "", size),
        'shallow brackets + unterminated string of \\"': fill(
            '{"a":' + "[]," * 40 + '"', '\\"', "", size
        ),
        'unterminated string of \\" (no brackets)': fill('{"a":"', '\\"', "", size),
        "brackets inside a string, no end": fill('{"a":"', '[{\\"', "", size),
        "brackets inside strings": joined('{"a":[', '"[[{{"', "]}", size),
        "long run of \\\\ escapes": fill('{"a":"', "\\\\", '"}', size),
        "long run of \\u0041 escapes": fill('{"a":"', "\\u0041", '"}', size),
        "surrogate pairs": fill('{"a":"', "\\ud83d\\ude00", '"}', size),
        "surrogate pairs, lone one at the end": fill('{"a":"', "\\ud83d\\ude00", '\\ud800"}', size),
        "many keys": joined('{"m":{', '"k":1', "}}", size),
        "many distinct keys, duplicate at the end": _distinct_keys(size),
        "many short strings": joined('{"a":[', '""', "]}", size),
        "many empty arrays": joined('{"a":[', "[]", "]}", size),
        "many empty objects": joined('{"a":[', "{}", "]}", size),
        "nests 31 deep, repeated": joined('{"a":[', "[" * 30 + "]" * 30, "]}", size),
        "60000 opening brackets": fill("", "[", "", size),
        "nesting 40 deep after many arrays": joined('{"a":[', "[]", "," + deep + "]}", size),
        "stray closing brackets": fill("{", "]}", "", size),
        "non-ASCII between brackets": fill("", "[\u00e9", "", size),
        "whitespace run": fill("{", " ", '"a":1}', size),
        "4000-digit integers": joined('{"a":[', "9" * 4000, "]}", size),
        "one 65000-digit float": fill('{"a":0.', "1", "}", size),
        "NaN after many keys": _distinct_keys(size, tail=',"z":NaN}'),
        "1e999 after many numbers": joined('{"a":[', "1.5", ",1e999]}", size),
    }


def _distinct_keys(size: int, tail: str = ',"k0":0}') -> bytes:
    parts, used = ["{"], 1 + len(tail)
    i = 0
    while used + len(f'"k{i}":0,') < size:
        item = f'"k{i}":0'
        parts.append(("," if i else "") + item)
        used += len(item) + (1 if i else 0)
        i += 1
    body = "".join(parts) + tail
    return (body + " " * (size - len(body))).encode()


def valid_message(size: int = SIZE) -> bytes:
    """A signed SUBMIT_PAYMENT_ORDER padded to ``size`` bytes with ordinary unknown members
    (receivers ignore unknown fields: PROTOCOL.md section 2)."""
    keys = Keyset.load(KEYS)
    codec = Codec(
        Party.INDUSTRY,
        keys.industry_sign.identity("industry-sign"),
        trusted={},
        profile=default_profile(),
        clock=SystemClock(),
    )
    trx: dict[str, Any] = {
        "orderId": "ORD2026011500000001",
        "merId": sandbox.MER_ID,
        "txnAmt": "12800",
        "currencyCode": sandbox.CURRENCY_CODE,
        "orderDesc": "Parking fee, January 2026",
    }
    message = build_request(codec.msg_info("SUBMIT_PAYMENT_ORDER", sandbox.INDUSTRY_CODE), trx)
    member = len(',"extField00000":"value of field 000000"')
    count = (size - len(codec.sign(message)) - 200) // member
    trx.update({f"extField{i:05d}": f"value of field {i:06d}" for i in range(count)})
    trx["pad"] = ""
    trx["pad"] = "p" * (size - len(codec.sign(message)))
    raw = codec.sign(message)
    return raw


def load_module(path: Path | None) -> ModuleType:
    if path is None:
        return strictjson
    spec = importlib.util.spec_from_file_location("strictjson_under_test", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"--module: cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def outcome(parse: Callable[[bytes], Any], raw: bytes) -> str:
    try:
        parse(raw)
    except MalformedMessage as exc:
        return "refused: " + str(exc)[:34]
    return "accepted"


def best_of(parse: Callable[[bytes], Any], raw: bytes, k: int) -> float:
    best = float("inf")
    for _ in range(k):
        t0 = time.perf_counter()
        with contextlib.suppress(MalformedMessage):
            parse(raw)
        best = min(best, time.perf_counter() - t0)
    return best


Row = tuple[str, str, float, float]  # name, outcome, parse_object, bare json.loads


def bare_json(raw: bytes) -> Any:
    """What the parse costs without any guard or hook: ``json.loads`` alone."""
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        return None


def measure(module: ModuleType, k: int, budget: float) -> tuple[float, list[Row]]:
    parse: Callable[[bytes], Any] = module.parse_object
    valid = valid_message()
    assert len(valid) == SIZE, len(valid)
    parse(valid)  # it is accepted
    rows: list[Row] = []
    valid_times: list[float] = []
    deadline = time.perf_counter() + budget
    for i, (name, raw) in enumerate(hostile_corpus().items()):
        assert len(raw) == SIZE, (name, len(raw))
        runs = k if time.perf_counter() < deadline else 1
        if i % 2:
            valid_times.append(best_of(parse, valid, runs))
            seconds = best_of(parse, raw, runs)
        else:
            seconds = best_of(parse, raw, runs)
            valid_times.append(best_of(parse, valid, runs))
        rows.append((name, outcome(parse, raw), seconds, best_of(bare_json, raw, runs)))
    return min(valid_times), rows


def report(valid: float, rows: list[Row], k: int) -> bool:
    print(f"strict parse of {SIZE}-byte bodies (parse_object), min of {k} runs each")
    print(f"  {'body':<48} {'parse':>8}    {'/valid':>6} {'json.loads':>10} {'/json':>6}  outcome")
    print(f"  {'valid signed message (many ordinary fields)':<48} {valid * 1e3:8.3f} ms   1.00x")
    for name, result, seconds, bare in rows:
        print(
            f"  {name:<48} {seconds * 1e3:8.3f} ms {seconds / valid:6.2f}x "
            f"{bare * 1e3:7.3f} ms {seconds / bare:5.1f}x  {result}"
        )
    name, _, worst, _ = max(rows, key=lambda row: row[2])
    ratio = worst / valid
    ok = bool(ratio <= RATIO_TARGET and worst <= ABSOLUTE_TARGET)
    print(
        f"  worst: {name}: {worst * 1e3:.3f} ms = {ratio:.2f}x the valid message "
        f"(target <= {RATIO_TARGET}x and <= {ABSOLUTE_TARGET * 1e3:.0f} ms) "
        + ("OK" if ok else "OVER TARGET")
    )
    name, _, seconds, bare = max(rows, key=lambda row: row[2] / row[3])
    print(f"  most guard overhead: {name}: {seconds / bare:.1f}x json.loads alone")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("-k", type=int, default=15, help="runs per body, the minimum kept (15)")
    parser.add_argument(
        "--budget", type=float, default=30.0, help="after this many seconds, 1 run per body (30)"
    )
    parser.add_argument("--module", type=Path, help="a strictjson.py file to measure instead")
    args = parser.parse_args(argv)
    if args.k < 1 or args.budget <= 0:
        parser.error("-k and --budget must be positive")
    valid, rows = measure(load_module(args.module), args.k, args.budget)
    report(valid, rows, args.k)
    return 0


if __name__ == "__main__":
    sys.exit(main())
