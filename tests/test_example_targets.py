"""The shipped example target for a UCSP passes against the reference UCSP.

The reference UCSP is served as ``ucsp-conformance serve ucsp`` serves it (its settings
register the example's identifiers and the suite's ``{public_url}/index`` and
``{public_url}/notify``). The example is used as shipped, apart from what belongs to the
machine: the key directory, the SUT's URLs, the time scale, and the suite's port (a test
cannot count on 9081 being free).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import free_port, serve_reference
from ucsp.cli import main
from ucsp.profile import Profile, default_profile, load_profile
from ucsp.runner import RunOptions, run
from ucsp.sim.ucsp import build_app
from ucsp.target import load_target

ROOT = Path(__file__).resolve().parent.parent
TEST_KEYS = ROOT / "fixtures" / "keys" / "test-only"
EXAMPLE = ROOT / "fixtures" / "targets" / "ucsp.example.toml"
REGISTRY = ROOT / "fixtures" / "registry" / "ucsp-default.toml"
TIME_SCALE = 0.02
# One scenario or more per area whose URLs the example leaves to their defaults: the login
# redirect (index URL), notices to the registered URL and to backUrl, payments, auto-debit.
SUBSET = (
    "ucsp and (LOGIN-01 or NOT-01 or NOT-03 or PAY-01 or AD-02 or AD-06 or CAN-01 or REF-01 "
    "or INQ-01)"
)


def set_line(text: str, key: str, value: str) -> str:
    """``text`` with the value of ``key = ...`` replaced (the comment kept)."""
    pattern = re.compile(rf"^{re.escape(key)}\s*=\s*(\"[^\"]*\"|[0-9.]+)", re.MULTILINE)
    assert len(pattern.findall(text)) == 1, key
    return pattern.sub(lambda m: m.group(0).replace(m.group(1), value), text)


class ReferenceUcsp:
    """The reference UCSP served on loopback, registering the suite at ``suite_port``."""

    def __init__(self, directory: Path, profile: Profile | None = None) -> None:
        self.suite_port = free_port()
        public = f"http://127.0.0.1:{self.suite_port}"
        settings = directory / "ucsp.toml"
        text = REGISTRY.read_text(encoding="utf-8")
        text = set_line(text, "index_url", f'"{public}/index"')
        text = set_line(text, "notice_url", f'"{public}/notify"')
        settings.write_text(text, encoding="utf-8")
        self.server, self.loop = serve_reference(
            build_app,
            "reference-ucsp",
            config=settings,
            time_scale=TIME_SCALE,
            profile=profile or default_profile(),
        )
        self.url = self.server.url

    def close(self) -> None:
        self.server.stop()
        self.loop.stop()


@pytest.fixture(scope="module")
def reference_ucsp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    """The reference UCSP's base URL and the suite port it has registered."""
    sut = ReferenceUcsp(tmp_path_factory.mktemp("registry"))
    yield sut.url, sut.suite_port
    sut.close()


def example_target(directory: Path, sut_url: str, suite_port: int) -> Path:
    text = EXAMPLE.read_text(encoding="utf-8")
    changed = set_line(text, "keys", f'"{TEST_KEYS}"')
    changed = set_line(changed, "time_scale", str(TIME_SCALE))
    changed = set_line(changed, "gateway_url", f'"{sut_url}/gateway"')
    changed = set_line(changed, "authorize_url", f'"{sut_url}/authorize"')
    changed = set_line(changed, "listen", f'"127.0.0.1:{suite_port}"')
    changed = set_line(changed, "public_url", f'"http://127.0.0.1:{suite_port}"')
    different = [
        old.split("=")[0].strip()
        for old, new in zip(text.splitlines(), changed.splitlines(), strict=True)
        if old != new
    ]
    assert different == [
        "time_scale",
        "listen",
        "public_url",
        "keys",
        "gateway_url",
        "authorize_url",
    ]
    file = directory / "ucsp.toml"
    file.write_text(changed, encoding="utf-8")
    return file


def test_the_example_leaves_the_suites_urls_to_their_defaults() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    assert not re.search(r"^(index_url|notice_url)\s*=", text, re.MULTILINE)
    target = load_target(EXAMPLE)
    assert target.industry.index_url == "http://127.0.0.1:9081/index"
    assert target.industry.notice_url == "http://127.0.0.1:9081/notify"


def test_the_ucsp_example_passes_against_the_reference_ucsp(
    tmp_path: Path, reference_ucsp: tuple[str, int], capsys: pytest.CaptureFixture[str]
) -> None:
    sut_url, suite_port = reference_ucsp
    file = example_target(tmp_path, sut_url, suite_port)
    result = run(RunOptions(target=file, tags=SUBSET, out=tmp_path / "out"))
    out = capsys.readouterr().out
    verdicts = {str(r.get("title") or r.get("nodeid")): r["verdict"] for r in result.records}
    assert len(verdicts) >= 12, out
    assert set(verdicts.values()) == {"pass"}, out
    assert "preflight:" not in out  # no warning either: the reference UCSP conforms
    assert result.exit_code == 0, out


def raw_digest_profile(path: Path) -> Path:
    text = (ROOT / "fixtures" / "profiles" / "default.toml").read_text(encoding="utf-8")
    path.write_text(text.replace('mode = "sha256withrsa"', 'mode = "raw-digest"'), "utf-8")
    return path


def test_run_takes_relative_target_and_profile_paths_from_its_own_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A UCSP signing with raw-digest: ``--profile`` reaches the preflight and the child
    run's peers, and both paths are relative to the directory run was started in."""
    (tmp_path / "sut").mkdir()
    profile = raw_digest_profile(tmp_path / "raw.toml")
    sut = ReferenceUcsp(tmp_path / "sut", load_profile(profile))
    try:
        example_target(tmp_path, sut.url, sut.suite_port)  # tmp_path / "ucsp.toml"
        monkeypatch.chdir(tmp_path)
        assert Path.cwd() != ROOT
        argv = ["run", "--target", "ucsp.toml", "--tags", "ucsp and LOGIN-01", "--out", "out"]
        assert main(["--profile", "raw.toml", *argv]) == 0
        out = capsys.readouterr().out
        assert "PASS  [ucsp] Authorized login at the UCSP" in out, out
        # the same run under the default profile: the UCSP refuses the suite's signature
        assert main([*argv[:-1], "out2"]) == 2
        err = capsys.readouterr().err
        assert "preflight failed" in err and "accepts the suite's signature" in err
        assert err.count("\n") == 1
    finally:
        sut.close()


def test_run_refuses_a_profile_without_a_target(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--profile", str(ROOT / "fixtures" / "profiles" / "default.toml"), "run"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "--profile applies to a run against a target file (--target)" in err
