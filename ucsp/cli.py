"""The ``ucsp-conformance`` console script.

Exit codes: 0 success; 1 the message checked is invalid; 2 bad arguments, an unreadable file
or a configuration error (one line on stderr, never a traceback).

Each subcommand is one ``cmd_*`` function, added to the parser by a ``register_*`` function
listed in :data:`REGISTRARS`; a new subcommand adds its own register function there.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cryptography import x509

from ucsp import __version__, sandbox
from ucsp import cli_author as author
from ucsp import cli_certify as certify
from ucsp.crypto import (
    Identity,
    cert_id,
    init_test_keyset,
    load_certificate,
    sign_message,
    signed_bytes,
    verify_bytes,
)
from ucsp.envelope import CERT_ID_FIELD
from ucsp.errors import ConfigError, MalformedMessage, SignatureInvalid
from ucsp.load.driver import register_load
from ucsp.messages import MESSAGE_TYPES, Kind, Party
from ucsp.profile import Profile, load_profile
from ucsp.sim.options import ServeOptions
from ucsp.strictjson import decode_text, parse_text

PROG = "ucsp-conformance"
EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2

Handler = Callable[[argparse.Namespace], int]
Subparsers = Any  # argparse's _SubParsersAction is private


class UsageError(Exception):
    """A bad argument or an unreadable file: one line on stderr, exit 2."""


# --- helpers ---------------------------------------------------------------------------


def _profile_option(parser: argparse.ArgumentParser) -> None:
    """``--profile`` on a subcommand; SUPPRESS keeps a global ``--profile`` given earlier."""
    parser.add_argument(
        "--profile", metavar="FILE", default=argparse.SUPPRESS, help="wire profile TOML file"
    )


def _profile(args: argparse.Namespace) -> Profile:
    return load_profile(args.profile)


def _read_bytes(name: str) -> bytes:
    if name == "-":
        return sys.stdin.buffer.read()
    try:
        return Path(name).read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read {name}: {exc.strerror or exc}") from None


def _type_and_kind(message: dict[str, Any]) -> tuple[str, Kind]:
    """The message type (msgInfo.msgType) and kind (a response has msgResponse)."""
    info = message.get("msgInfo")
    msg_type = info.get("msgType") if isinstance(info, dict) else None
    if not isinstance(msg_type, str) or msg_type not in MESSAGE_TYPES:
        raise MalformedMessage(f"unknown msgInfo.msgType {msg_type!r}")
    kind: Kind = "response" if "msgResponse" in message else "request"
    if kind == "response" and not MESSAGE_TYPES[msg_type].has_response:
        raise MalformedMessage(f"{msg_type} has no response")
    return msg_type, kind


def signer_of(msg_type: str, kind: Kind) -> Party:
    """Who signs a message: the sender of a request, the receiver of it for a response."""
    spec = MESSAGE_TYPES[msg_type]
    return spec.sender if kind == "request" else spec.receiver


def _signer(message: dict[str, Any], forced: str | None) -> Party:
    return Party(forced) if forced else signer_of(*_type_and_kind(message))


def _parse(raw: bytes, profile: Profile) -> tuple[str, dict[str, Any]]:
    text = decode_text(raw, max_bytes=profile.max_body_bytes)
    return text, parse_text(text, max_depth=profile.max_depth)


def _port(text: str) -> int:
    """A whole number; whether it is a usable port is the binding's to say (one line)."""
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (0-65535)") from None


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} must be a positive number")
    return value


def _http_url(text: str) -> str:
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise argparse.ArgumentTypeError(f"{text!r} is not an http(s) URL")
    return text


# --- keys ------------------------------------------------------------------------------


def register_keys(sub: Subparsers) -> None:
    keys = sub.add_parser("keys", help="test-only key material")
    actions = keys.add_subparsers(dest="action", required=True, metavar="ACTION")
    init = actions.add_parser(
        "init", help="write a TEST-ONLY keyset (RSA 2048, self-signed) to DIR"
    )
    init.add_argument("dir", metavar="DIR", type=Path)
    init.set_defaults(func=cmd_keys_init)


def cmd_keys_init(args: argparse.Namespace) -> int:
    written = init_test_keyset(args.dir)
    for path in written:
        note = f" (cert ID {cert_id(load_certificate(path))})" if path.suffix == ".crt" else ""
        print(f"wrote {path}{note}")
    print(
        "WARNING: these are TEST-ONLY keys with self-signed certificates; "
        "never use them for anything real.",
        file=sys.stderr,
    )
    return EXIT_OK


# --- message ---------------------------------------------------------------------------


def register_message(sub: Subparsers) -> None:
    message = sub.add_parser("message", help="validate, sign or verify a message file")
    actions = message.add_subparsers(dest="action", required=True, metavar="ACTION")

    validate = actions.add_parser(
        "validate", help="check a message against its schema (type from msgInfo.msgType)"
    )
    validate.add_argument("file", metavar="FILE", help="message file, or - for stdin")
    _profile_option(validate)
    validate.set_defaults(func=cmd_message_validate)

    sign = actions.add_parser("sign", help="sign a message; print the bytes to send")
    sign.add_argument("file", metavar="FILE", help="message file, or - for stdin")
    sign.add_argument("--key", required=True, metavar="K", help="PEM private key")
    sign.add_argument("--cert", required=True, metavar="C", help="PEM certificate of the key")
    sign.add_argument("--as", dest="signer", choices=[p.value for p in Party], help="signing party")
    _profile_option(sign)
    sign.set_defaults(func=cmd_message_sign)

    verify = actions.add_parser(
        "verify", help="verify a message's signature over the file's raw bytes"
    )
    verify.add_argument("file", metavar="FILE", help="message file, or - for stdin")
    verify.add_argument("--cert", required=True, metavar="C", help="signer's PEM certificate")
    verify.add_argument(
        "--as", dest="signer", choices=[p.value for p in Party], help="signing party"
    )
    _profile_option(verify)
    verify.set_defaults(func=cmd_message_verify)


def cmd_message_validate(args: argparse.Namespace) -> int:
    from ucsp import schemas  # jsonschema is slow to import; only this command needs it

    profile = _profile(args)
    raw = _read_bytes(args.file)
    try:
        _, message = _parse(raw, profile)
        msg_type, kind = _type_and_kind(message)
    except MalformedMessage as exc:
        print(f"{args.file}: malformed message: {exc.reason}")
        return EXIT_INVALID
    errors = schemas.validate(message, msg_type, kind)
    for error in errors:
        print(f"{args.file}: {error}")
    if errors:
        return EXIT_INVALID
    print(f"{args.file}: valid {msg_type} {kind}")
    return EXIT_OK


def cmd_message_sign(args: argparse.Namespace) -> int:
    profile = _profile(args)
    identity = Identity.load(args.key, args.cert)
    raw = _read_bytes(args.file)
    try:
        _, message = _parse(raw, profile)
        party = _signer(message, args.signer)
        fields = message.get("certificateSignature", {})
        if not isinstance(fields, dict):
            raise MalformedMessage("certificateSignature is not an object")
    except MalformedMessage as exc:
        print(f"{args.file}: malformed message: {exc.reason}")
        return EXIT_INVALID
    fields = {k: v for k, v in fields.items() if k != "signature"}
    fields[CERT_ID_FIELD[party]] = identity.cert_id
    fields["signature"] = profile.placeholder
    body = {**message, "certificateSignature": fields}
    signed = sign_message(body, identity.key, profile.signature_mode, profile.placeholder)
    sys.stdout.buffer.write(signed)  # exactly the signed bytes: a newline would break them
    if sys.stdout.isatty():
        sys.stdout.buffer.write(b"\n")
    sys.stdout.flush()
    return EXIT_OK


def cmd_message_verify(args: argparse.Namespace) -> int:
    profile = _profile(args)
    cert = load_certificate(args.cert)
    raw = _read_bytes(args.file)
    try:
        text, message = _parse(raw, profile)
        party = _signer(message, args.signer)
        field = CERT_ID_FIELD[party]
        fields = message.get("certificateSignature")
        named = fields.get(field) if isinstance(fields, dict) else None
        if not isinstance(named, str) or not named:
            raise MalformedMessage(f"certificateSignature.{field} is missing")
        if named != cert_id(cert):
            print(
                f"{args.file}: certificate ID mismatch: {field} is {named}, "
                f"the certificate's serial is {cert_id(cert)}"
            )
            return EXIT_INVALID
        data, signature = signed_bytes(text, profile.placeholder)
        verify_bytes(cert, data, signature, profile.signature_mode)
    except MalformedMessage as exc:
        print(f"{args.file}: malformed message: {exc.reason}")
        return EXIT_INVALID
    except SignatureInvalid as exc:
        print(f"{args.file}: bad signature: {exc.reason}{_trailing_hint(text, cert, profile)}")
        return EXIT_INVALID
    print(f"{args.file}: valid signature by {party.value} ({field} {named})")
    return EXIT_OK


def _trailing_hint(text: str, cert: x509.Certificate, profile: Profile) -> str:
    """Explain the common case of an editor adding a newline after the signed bytes."""
    stripped = text.rstrip()
    if stripped == text:
        return ""
    try:
        verify_bytes(cert, *signed_bytes(stripped, profile.placeholder), profile.signature_mode)
    except (MalformedMessage, SignatureInvalid):
        return ""
    return " (it holds without the whitespace at the end of the file, which was not signed)"


# --- serve -----------------------------------------------------------------------------


def register_serve(sub: Subparsers) -> None:
    serve = sub.add_parser("serve", help="run a reference implementation")
    sides = serve.add_subparsers(dest="side", required=True, metavar="SIDE")
    ports = {"ucsp": sandbox.UCSP_PORT, "industry": sandbox.INDUSTRY_PORT}
    helps = {"ucsp": "the reference UCSP", "industry": "the reference Industry Service"}
    for side, port in ports.items():
        parser = sides.add_parser(side, help=helps[side])
        parser.add_argument("--host", default="127.0.0.1", help="default 127.0.0.1")
        parser.add_argument("--port", type=_port, default=port, help=f"default {port}")
        parser.add_argument(
            "--keys", type=Path, required=True, metavar="DIR", help="directory of `keys init` files"
        )
        parser.add_argument("--config", type=Path, metavar="FILE", help="settings TOML file")
        parser.add_argument(
            "--db", type=Path, metavar="PATH", help="SQLite file (default: in memory)"
        )
        parser.add_argument(
            "--time-scale",
            type=_positive_float,
            default=1.0,
            metavar="X",
            help="real seconds per protocol second (default 1)",
        )
        parser.add_argument(
            "--fault",
            dest="faults",
            action="append",
            metavar="NAME",
            help="switch a fault on (repeatable)",
        )
        if side == "industry":
            parser.add_argument(
                "--ucsp-url",
                type=_http_url,
                required=True,
                metavar="URL",
                help="the UCSP gateway URL",
            )
        _profile_option(parser)
        parser.set_defaults(func=cmd_serve)


def cmd_serve(args: argparse.Namespace) -> int:
    if not args.keys.is_dir():
        raise UsageError(f"--keys {args.keys} is not a directory")
    if args.config is not None and not args.config.is_file():
        raise UsageError(f"--config {args.config} is not a readable file")
    options = ServeOptions(
        keys=args.keys,
        host=args.host,
        port=args.port,
        config=args.config,
        db=args.db,
        time_scale=args.time_scale,
        faults=list(args.faults or []),
        ucsp_url=getattr(args, "ucsp_url", None),
        profile=_profile(args),
    )
    try:
        module = importlib.import_module(f"ucsp.sim.{args.side}")
    except ModuleNotFoundError as exc:
        raise UsageError(f"the reference {args.side} is not available ({exc})") from None
    from ucsp import serving  # uvicorn is slow to import; only this command needs it
    from ucsp.loopback import bind_socket, url_of

    # Bind first: a busy port or an unknown host fails here, before any "serving" line and
    # before the database file is created; then the app is served on this very socket.
    sock = bind_socket(args.host, args.port)
    try:
        app = module.build_app(options)
        print(f"serving the reference {args.side} at {url_of(sock)}", file=sys.stderr)
        serving.serve_socket(app, sock, options.profile)
    finally:
        sock.close()
    return EXIT_OK


# --- entry point -------------------------------------------------------------------------

REGISTRARS: list[Callable[[Subparsers], None]] = [
    register_keys,
    register_message,
    register_serve,
    register_load,
    *certify.REGISTRARS,
    *author.REGISTRARS,
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=PROG, description="UCSP conformance suite tools")
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    parser.add_argument(
        "--profile",
        metavar="FILE",
        default=None,
        help="wire profile TOML file (for doctor and run: overrides the target file's)",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for register in REGISTRARS:
        register(sub)
    return parser


def _fail(message: str) -> int:
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return EXIT_USAGE


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # --help (0) and argparse's usage errors (2)
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    handler: Handler = args.func
    try:
        return handler(args)
    except (UsageError, ConfigError) as exc:
        return _fail(str(exc))
    except OSError as exc:
        where = f" {exc.filename}" if exc.filename else ""
        return _fail(f"cannot access{where}: {exc.strerror or exc}")
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
