"""Benchmark of the protocol kit on a typical SUBMIT_PAYMENT_ORDER.

Prints medians over N repetitions of: build + sign, Codec.decode (strict parse + schema +
signature), schema validation alone, and bare `cryptography` sign and verify of the same
bytes, measured in the same loop (alternating which goes first). Then:

  overhead ratio  = kit (build + sign + decode) / bare (sign + verify), target <= 1.15
  validation cost = validate alone / one bare signature

Usage: python bench/bench_kit.py [-n N] [--budget SECONDS] [--cprofile]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from ucsp import sandbox, schemas
from ucsp.clock import SystemClock
from ucsp.codec import Codec
from ucsp.crypto import signed_bytes
from ucsp.envelope import build_request
from ucsp.keys import Keyset
from ucsp.messages import Party
from ucsp.profile import default_profile

ROOT = Path(__file__).resolve().parent.parent
KEYS = ROOT / "fixtures" / "keys" / "test-only"
TARGET = 1.15
MSG_TYPE = "SUBMIT_PAYMENT_ORDER"
TRX_INFO = {
    "orderId": "ORD2026011500000001",
    "merId": sandbox.MER_ID,
    "acqIIN": sandbox.ACQ_IIN,
    "txnAmt": "12800",
    "currencyCode": sandbox.CURRENCY_CODE,
    "txnTime": "20260115102955",
    "orderDesc": "Parking fee, January 2026",
    "backUrl": "https://industry.test/ucsp/notice",
    "frontUrl": "https://industry.test/pay/return",
}


def codecs() -> tuple[Codec, Codec]:
    keys = Keyset.load(KEYS)
    profile, clock = default_profile(), SystemClock()
    industry, ucsp = (
        Codec(party, keys.signing(party).identity(f"{party}-sign"), keys.certs_of(party.peer),
              profile=profile, clock=clock)
        for party in (Party.INDUSTRY, Party.UCSP)
    )  # fmt: skip
    return industry, ucsp


def measure(repeat: int, budget: float) -> dict[str, list[float]]:
    industry, ucsp = codecs()
    key = industry.identity.key
    public = key.public_key()
    assert isinstance(public, rsa.RSAPublicKey)
    pkcs1, sha256 = padding.PKCS1v15(), hashes.SHA256()
    names = (
        "build_sign",
        "decode",
        "parse",
        "format",
        "signature",
        "validate",
        "bare_sign",
        "bare_verify",
    )
    samples: dict[str, list[float]] = {name: [] for name in names}
    state: dict[str, Any] = {}
    clock = time.perf_counter

    def kit() -> None:
        t0 = clock()
        message = build_request(industry.msg_info(MSG_TYPE, sandbox.INDUSTRY_CODE), dict(TRX_INFO))
        signed = industry.sign(message)
        t1 = clock()
        decoded = ucsp.decode(signed, "request", MSG_TYPE)
        t2 = clock()
        samples["build_sign"].append(t1 - t0)
        samples["decode"].append(t2 - t1)
        state["signed"], state["message"] = signed, decoded.message

    def bare() -> None:
        data, _ = signed_bytes(state["signed"].decode())  # the very bytes the kit signed
        t0 = clock()
        signature = key.sign(data, pkcs1, sha256)
        t1 = clock()
        public.verify(signature, data, pkcs1, sha256)
        t2 = clock()
        samples["bare_sign"].append(t1 - t0)
        samples["bare_verify"].append(t2 - t1)

    def parts() -> None:
        t0 = clock()
        decoded = ucsp.parse(state["signed"], "request")
        t1 = clock()
        ucsp.check_format(decoded, MSG_TYPE)
        t2 = clock()
        ucsp.check_signature(decoded)
        t3 = clock()
        schemas.validate(state["message"], MSG_TYPE, "request")
        t4 = clock()
        for name, seconds in zip(
            ("parse", "format", "signature", "validate"),
            (t1 - t0, t2 - t1, t3 - t2, t4 - t3),
            strict=True,
        ):
            samples[name].append(seconds)

    for _ in range(20):  # warm-up: schema compilation, caches
        kit()
        bare()
        parts()
    for values in samples.values():
        values.clear()

    deadline = clock() + budget
    for i in range(repeat):
        first, second = (kit, bare) if i % 2 else (bare, kit)  # no order bias
        first()
        second()
        parts()
        if clock() > deadline:
            break
    return samples


def report(samples: dict[str, list[float]], elapsed: float) -> float:
    def med(name: str) -> float:
        return statistics.median(samples[name])

    n = len(samples["decode"])
    kit = [b + d for b, d in zip(samples["build_sign"], samples["decode"], strict=True)]
    bare = [s + v for s, v in zip(samples["bare_sign"], samples["bare_verify"], strict=True)]
    ratio = statistics.median(kit) / statistics.median(bare)
    rows = [
        ("build + sign", med("build_sign")),
        ("decode (parse + schema + signature)", med("decode")),
        ("  strict parse", med("parse")),
        ("  format check (type, schema, skew)", med("format")),
        ("  signature check", med("signature")),
        ("validate alone (schemas.validate)", med("validate")),
        ("bare cryptography sign", med("bare_sign")),
        ("bare cryptography verify", med("bare_verify")),
        ("kit: build + sign + decode", statistics.median(kit)),
        ("bare: sign + verify", statistics.median(bare)),
    ]
    print(
        f"ucsp kit benchmark: {MSG_TYPE} request, RSA-2048 sha256withrsa, "
        f"N={n} repetitions in {elapsed:.1f} s; medians"
    )
    for label, seconds in rows:
        print(f"  {label:<38} {seconds * 1e6:9.1f} us")
    verdict = "OK" if ratio <= TARGET else "OVER TARGET"
    print(f"  {'overhead ratio kit / bare':<38} {ratio:9.3f}    (target <= {TARGET}) {verdict}")
    fraction = med("validate") / med("bare_sign")
    print(f"  {'validation / one signature':<38} {fraction:9.3f}")
    return ratio


def profile_kit(repeat: int) -> None:
    """Where the kit's time goes, beyond the RSA operations."""
    industry, ucsp = codecs()

    def loop() -> None:
        for _ in range(repeat):
            message = build_request(industry.msg_info(MSG_TYPE, sandbox.INDUSTRY_CODE), TRX_INFO)
            ucsp.decode(industry.sign(message), "request", MSG_TYPE)

    loop()  # warm-up
    profiler = cProfile.Profile()
    profiler.runcall(loop)
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(18)
    print(out.getvalue())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("-n", "--repeat", type=int, default=2000, help="repetitions (2000)")
    parser.add_argument(
        "--budget", type=float, default=4.0, help="stop early after this many seconds (4)"
    )
    parser.add_argument("--cprofile", action="store_true", help="also profile the kit path")
    args = parser.parse_args(argv)
    if args.repeat < 1 or args.budget <= 0:
        parser.error("--repeat and --budget must be positive")
    started = time.perf_counter()
    samples = measure(args.repeat, args.budget)
    report(samples, time.perf_counter() - started)
    if args.cprofile:
        profile_kit(min(args.repeat, 200))
    return 0


if __name__ == "__main__":
    sys.exit(main())
