"""What a load run does, as plain data: the run plan shared by the driver and the load
processes (JSON on the Locust command line, forwarded by a master to its workers).

The plan holds no secret: key material is read by each load process from its own key
directory. Parsing of the command's values (``--mix``, ``--duration``) lives here too, each
bad value a :class:`ConfigError` naming the option and the fix.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass

from ucsp import sandbox
from ucsp.errors import ConfigError

UCSP_FLOWS = ("payment", "refund", "inquiry", "autodebit", "order")
INDUSTRY_FLOWS = ("notices", "duplicates", "unordered", "unknown")
FLOWS = {"ucsp": UCSP_FLOWS, "industry": INDUSTRY_FLOWS}
DEFAULT_MIX = {
    "ucsp": {"payment": 5, "refund": 2, "inquiry": 3, "autodebit": 1},
    "industry": {"notices": 4, "duplicates": 2, "unordered": 2, "unknown": 1},
}
_DURATION = re.compile(r"(?P<value>\d+(?:\.\d+)?)(?P<unit>ms|s|m|h)?")
_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, None: 1.0}
MAX_BURST = 32


@dataclass
class Plan:
    """One load run: who is under test, where it listens, which flows at which weights."""

    sut: str  # "ucsp" or "industry": the role under test
    mix: dict[str, int]
    industry_code: str = sandbox.INDUSTRY_CODE
    mer_id: str = sandbox.MER_ID
    acq_iin: str = sandbox.ACQ_IIN
    currency: str = sandbox.CURRENCY_CODE
    gateway_url: str = ""  # UCSP under test
    notice_url: str = ""  # Industry Service under test
    harness_url: str = ""  # Industry Service under test
    keys_dir: str = ""
    profile: str | None = None
    burst: int = 0  # concurrent copies in burst mode (0: off)
    results: str = ""  # where the master (or the single process) writes its tally
    notice_host: str = "127.0.0.1"  # where each load process listens for notices

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> Plan:
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ConfigError("the load plan is not a JSON object")
        return cls(**data)


def parse_mix(text: str | None, sut: str) -> dict[str, int]:
    """``payment=5,refund=2``: weights of the flows (missing flows weigh 0)."""
    if text is None:
        return dict(DEFAULT_MIX[sut])
    known = FLOWS[sut]
    mix: dict[str, int] = {}
    for item in text.split(","):
        name, sep, weight = item.strip().partition("=")
        name = name.strip()
        if not sep or name not in known:
            raise ConfigError(
                f"--mix {text!r}: {item.strip()!r} is not FLOW=WEIGHT with FLOW one of "
                f"{', '.join(known)}"
            )
        if name in mix:
            raise ConfigError(f"--mix {text!r}: {name} is given twice")
        if not weight.strip().isdigit():
            raise ConfigError(f"--mix {text!r}: the weight of {name} is not a whole number")
        mix[name] = int(weight)
    if not any(mix.values()):
        raise ConfigError(f"--mix {text!r}: give at least one flow a weight above 0")
    return mix


def parse_duration(text: str) -> float:
    """``60s``, ``2m``, ``500ms`` or a bare number of seconds; above 0."""
    match = _DURATION.fullmatch(text.strip())
    if match is None:
        raise ConfigError(f"--duration {text!r} is not a duration such as 60s, 2m or 500ms")
    seconds = float(match["value"]) * _UNITS[match["unit"]]
    if seconds <= 0:
        raise ConfigError(f"--duration {text!r} must be above 0")
    return seconds


def check_burst(value: int) -> int:
    if not 0 <= value <= MAX_BURST:
        raise ConfigError(f"--burst {value} must be 0 (off) or 2..{MAX_BURST}")
    if value == 1:
        raise ConfigError("--burst 1 sends no concurrent copies: give 0 (off) or 2 and more")
    return value
