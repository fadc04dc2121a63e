"""INQ-07 judges an Industry Service by the time-out the target file states for it.

PROTOCOL.md section 7 names no time-out for an unanswered request. The reference Industry
Service is served (as ``serve industry`` serves it) with a time-out of 60 protocol seconds,
three times the default profile's; the INQ-07 scenario passes when the target states
``sut_timeout_seconds = 60`` and fails when it leaves the suite to assume the profile's 10 s.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import free_port, serve_reference
from ucsp.runner import RunOptions, run
from ucsp.sim.industry import build_app

ROOT = Path(__file__).resolve().parent.parent
TEST_KEYS = ROOT / "fixtures" / "keys" / "test-only"
EXAMPLE = ROOT / "fixtures" / "targets" / "industry.example.toml"
TIME_SCALE = 0.05  # roomy: the schedule is judged on a loaded machine
SUT_TIMEOUT = 60.0  # protocol seconds the reference IS waits for the UCSP's answer
SCENARIO = (
    "An order answered 05 is inquired about seven times on the back-off schedule "
    "and stays PENDING whatever the answers"
)


@pytest.fixture(scope="module")
def reference_industry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    """The reference IS's base URL, and the suite port whose gateway it sends to."""
    suite_port = free_port()
    settings = tmp_path_factory.mktemp("industry") / "industry.toml"
    real_timeout = SUT_TIMEOUT * TIME_SCALE
    settings.write_text(f"[industry]\ntimeout_seconds = {real_timeout}\n", encoding="utf-8")
    server, loop = serve_reference(
        build_app,
        "reference-industry",
        config=settings,
        time_scale=TIME_SCALE,
        ucsp_url=f"http://127.0.0.1:{suite_port}/gateway",
    )
    yield server.url, suite_port
    server.stop()
    loop.stop()


def target_file(directory: Path, sut_url: str, suite_port: int, timeout: float | None) -> Path:
    text = EXAMPLE.read_text(encoding="utf-8")
    text = text.replace("127.0.0.1:9080", f"127.0.0.1:{suite_port}")
    text = text.replace("http://127.0.0.1:8081", sut_url)
    text = text.replace('"../keys/test-only"', f'"{TEST_KEYS}"')
    text = re.sub(r"^time_scale = 1.0", f"time_scale = {TIME_SCALE}", text, flags=re.M)
    text = re.sub(r"^timing_slack_seconds = 0.5", "timing_slack_seconds = 0.3", text, flags=re.M)
    if timeout is not None:
        text = f"sut_timeout_seconds = {timeout}\n" + text
    file = directory / "industry.toml"
    file.write_text(text, encoding="utf-8")
    return file


@pytest.mark.parametrize(("stated", "verdict"), [(SUT_TIMEOUT, "pass"), (None, "failure")])
def test_inq_07_waits_as_long_as_the_target_says_the_sut_waits(
    tmp_path: Path,
    reference_industry: tuple[str, int],
    capsys: pytest.CaptureFixture[str],
    stated: float | None,
    verdict: str,
) -> None:
    sut_url, suite_port = reference_industry
    file = target_file(tmp_path, sut_url, suite_port, stated)
    result = run(RunOptions(target=file, scenarios=[SCENARIO], out=tmp_path / "out"))
    out = capsys.readouterr().out
    assert [r["verdict"] for r in result.records] == [verdict], out
    if verdict == "failure":  # the IS was still waiting when the suite expected inquiry #7
        assert str(result.records[0].get("message", "")).startswith("INQ-07: "), out
