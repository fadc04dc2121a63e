"""`serve` start-up errors are one line on stderr and exit 2, before any "serving" line.

Each case goes through ``ucsp.cli.main`` with the real reference implementations; only the
final serving (which would block) is replaced by a recorder.
"""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest

from ucsp import serving
from ucsp.cli import main
from ucsp.errors import ConfigError
from ucsp.loopback import bind_socket
from ucsp.sim.db import Database

ROOT = Path(__file__).resolve().parent.parent
TEST_KEYS = ROOT / "fixtures" / "keys" / "test-only"
UCSP_URL = "http://127.0.0.1:9/gateway"


Served = list[tuple[Any, tuple[str, int], str]]


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Served:
    """What `serve` would have served: the app, the socket's address, and what stderr held
    by then (nothing is served)."""
    runs: Served = []

    def record(app: Any, sock: socket.socket, profile: object) -> None:
        assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN) == 1
        runs.append((app, sock.getsockname()[:2], capsys.readouterr().err))

    monkeypatch.setattr(serving, "serve_socket", record)
    return runs


def _serve(capsys: pytest.CaptureFixture[str], side: str, *argv: str) -> tuple[int, str]:
    extra = ["--ucsp-url", UCSP_URL] if side == "industry" else []
    code = main(["serve", side, "--keys", str(TEST_KEYS), "--port", "0", *extra, *argv])
    out, err = capsys.readouterr()
    assert out == ""
    return code, err


def _assert_one_line(err: str, *parts: str) -> None:
    assert err.count("\n") == 1, err
    assert err.startswith("ucsp-conformance: error: "), err
    assert "Traceback" not in err and "serving" not in err
    for part in parts:
        assert part in err, err


def _garbage(tmp_path: Path) -> Path:
    path = tmp_path / "garbage.db"
    path.write_bytes(b"this is no SQLite database, whatever its name says\n" * 20)
    return path


BAD_DBS = {
    "missing directory": (lambda tmp: tmp / "nonexistent" / "dir" / "x.db", "does not exist"),
    "a directory": (lambda tmp: tmp, "it is a directory"),
    "not SQLite": (_garbage, "file is not a database"),
}


@pytest.mark.parametrize("side", ["ucsp", "industry"])
@pytest.mark.parametrize("case", sorted(BAD_DBS))
def test_a_bad_db_is_one_line(
    capsys: pytest.CaptureFixture[str], served: Served, tmp_path: Path, side: str, case: str
) -> None:
    where, reason = BAD_DBS[case]
    path = where(tmp_path)
    code, err = _serve(capsys, side, "--db", str(path))
    assert code == 2
    _assert_one_line(err, str(path), reason)
    assert served == []


def test_a_bad_db_file_is_left_as_it_was(tmp_path: Path) -> None:
    path = _garbage(tmp_path)
    before = path.read_bytes()
    with pytest.raises(ConfigError, match="file is not a database"):
        Database(path)
    assert path.read_bytes() == before


@pytest.mark.parametrize("port", ["70000", "80800", "-1"])
def test_a_port_out_of_range_is_one_line(
    capsys: pytest.CaptureFixture[str], served: Served, port: str
) -> None:
    code, err = _serve(capsys, "ucsp", "--port", port)
    assert code == 2
    _assert_one_line(err, f"{port} is not a port number (0-65535)")
    assert served == []


def test_a_busy_port_is_one_line_before_any_serving_line(
    capsys: pytest.CaptureFixture[str], served: Served, tmp_path: Path
) -> None:
    busy = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    busy.bind(("127.0.0.1", 0))
    busy.listen(1)
    port = busy.getsockname()[1]
    db = tmp_path / "u.db"
    try:
        code, err = _serve(capsys, "ucsp", "--port", str(port), "--db", str(db))
    finally:
        busy.close()
    assert code == 2
    _assert_one_line(err, f"127.0.0.1:{port}", "already in use")
    assert served == []
    assert not db.exists()  # the port is checked before the database is created


def test_an_unknown_host_is_one_line(capsys: pytest.CaptureFixture[str], served: Served) -> None:
    code, err = _serve(capsys, "industry", "--host", "nonexistent.invalid")
    assert code == 2
    _assert_one_line(err, "unknown host 'nonexistent.invalid'")
    assert served == []


def test_an_address_of_no_interface_is_one_line(
    capsys: pytest.CaptureFixture[str], served: Served
) -> None:
    code, err = _serve(capsys, "ucsp", "--host", "192.0.2.1")  # TEST-NET-1: not this machine
    assert code == 2
    _assert_one_line(err, "192.0.2.1", "no interface of this machine has that address")


@pytest.mark.parametrize("side", ["ucsp", "industry"])
def test_serving_happens_on_the_socket_bound_before_the_line(
    capsys: pytest.CaptureFixture[str], served: Served, side: str
) -> None:
    code, err = _serve(capsys, side)
    assert (code, err) == (0, "")
    [(app, (host, port), printed)] = served
    assert printed == f"serving the reference {side} at http://{host}:{port}\n"
    assert port != 0 and callable(app)


def test_a_listen_port_out_of_range_in_a_target_file_names_the_key(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "target.toml"
    target.write_text(
        f'sut = "ucsp"\n[suite]\nkeys = "{TEST_KEYS}"\nlisten = "127.0.0.1:80800"\n'
        '[ucsp]\ngateway_url = "http://127.0.0.1:8080/gateway"\n'
        'authorize_url = "http://127.0.0.1:8080/authorize"\n'
    )
    code = main(["doctor", "--target", str(target)])
    _, err = capsys.readouterr()
    assert code == 2
    _assert_one_line(err, "suite.listen = '127.0.0.1:80800'", "a port of 0-65535")


def test_bind_socket_errors_are_config_errors() -> None:
    held = bind_socket("127.0.0.1", 0)
    try:
        with pytest.raises(ConfigError, match="already in use"):
            bind_socket("127.0.0.1", held.getsockname()[1])
    finally:
        held.close()
    with pytest.raises(ConfigError, match="not a port number"):
        bind_socket("127.0.0.1", 65536)
