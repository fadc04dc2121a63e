"""Target files: where the system under test is and how the suite meets it.

A target file (TOML) names the role under test, the SUT's URLs and certificates, the
harness base URL, the time scale, and where the suite's own endpoints listen. Every error
names the key and the fix.

For a UCSP under test the suite serves INDUSTRY_INDEX_URL and the notice URL: they default
to ``{public_url}/index`` and ``{public_url}/notify``. ``sut_timeout_seconds`` states how
long the SUT waits for an answer before it treats a request as timed out (PROTOCOL.md names
no value; default: the profile's ``transport.timeout_seconds``).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from ucsp import sandbox
from ucsp.errors import ConfigError, read_config_text
from ucsp.keys import Keyset
from ucsp.mask import Masker
from ucsp.messages import Party
from ucsp.profile import Profile, default_profile, load_profile

Role = Literal["industry", "ucsp"]
ROLES: tuple[Role, ...] = ("industry", "ucsp")


@dataclass(frozen=True)
class IndustryInfo:
    """The Industry Service: the SUT when role is industry, the suite's identity otherwise."""

    code: str = sandbox.INDUSTRY_CODE
    mer_id: str = sandbox.MER_ID
    acq_iin: str = sandbox.ACQ_IIN
    other_mer_id: str = sandbox.OTHER_MER_ID  # a second merchant of the industry (AD-09)
    channel_code: str = sandbox.CHANNEL_CODE
    index_url: str = ""
    notice_url: str = ""
    harness_url: str | None = None


@dataclass(frozen=True)
class UcspInfo:
    """The UCSP under test (role ucsp)."""

    gateway_url: str = ""
    authorize_url: str = ""
    user_id: str = sandbox.SANDBOX_USERS[0][0]
    mobile: str = sandbox.SANDBOX_USERS[0][1]
    # a second sandbox Channel App user, for the scenarios that log in two users
    second_user_id: str = sandbox.SANDBOX_USERS[1][0]
    second_mobile: str = sandbox.SANDBOX_USERS[1][1]


@dataclass(frozen=True)
class Target:
    sut: Role
    keys: Keyset
    industry: IndustryInfo
    ucsp: UcspInfo = field(default_factory=UcspInfo)
    profile: Profile = field(default_factory=default_profile)
    time_scale: float = 1.0
    timing_slack: float = 0.5  # real seconds added to the schedule tolerance
    listen_host: str = "127.0.0.1"
    listen_port: int = 0
    suite_url: str | None = None  # how the SUT reaches the suite (None: the bound address)
    source: str = "<embedded>"
    # How long the SUT waits for an answer before it treats a request as timed out, in
    # protocol seconds (PROTOCOL.md names no value); None: the profile's transport time-out.
    sut_timeout_seconds: float | None = None

    @property
    def suite_party(self) -> Party:
        """The party the suite plays: the peer of the one under test."""
        return Party(self.sut).peer

    @property
    def sut_timeout(self) -> float:
        """The SUT's answer time-out in protocol seconds (the target's, else the profile's)."""
        if self.sut_timeout_seconds is not None:
            return self.sut_timeout_seconds
        return self.profile.timeout_seconds

    def private_values(self) -> tuple[str, ...]:
        """The personal or secret values this target configures (:data:`PRIVATE_KEYS`):
        reports and logs mask them wherever they appear."""
        return tuple(str(getattr(getattr(self, table), key)) for table, key in PRIVATE_KEYS)


# Target keys whose values are personal or secret ([table], key): masked in every report
# and log, never written into the evidence's copy of the target.
PRIVATE_KEYS: tuple[tuple[str, str], ...] = (("ucsp", "mobile"), ("ucsp", "second_mobile"))

_SECTIONS: dict[str, set[str]] = {
    "": {
        "sut",
        "time_scale",
        "timing_slack_seconds",
        "sut_timeout_seconds",
        "profile",
        "suite",
        "industry",
        "ucsp",
    },
    "suite": {"listen", "public_url", "keys"},
    "industry": {
        "code",
        "mer_id",
        "other_mer_id",
        "acq_iin",
        "channel_code",
        "index_url",
        "notice_url",
        "harness_url",
    },
    "ucsp": {
        "gateway_url",
        "authorize_url",
        "user_id",
        "mobile",
        "second_user_id",
        "second_mobile",
    },
}
_REQUIRED: dict[Role, tuple[tuple[str, str], ...]] = {
    "industry": (("industry", "index_url"), ("industry", "notice_url")),
    "ucsp": (("ucsp", "gateway_url"), ("ucsp", "authorize_url")),
}


def _check_keys(data: dict[str, Any], origin: str) -> None:
    for section, allowed in _SECTIONS.items():
        table = data if not section else data.get(section, {})
        if not isinstance(table, dict):
            raise ConfigError(f"{origin}: [{section}] must be a table")
        for key in table:
            if key not in allowed:
                where = f"{section}.{key}" if section else key
                raise ConfigError(
                    f"{origin}: unknown key {where}; allowed here: {', '.join(sorted(allowed))}"
                )


def _string(table: dict[str, Any], key: str, where: str, default: str = "") -> str:
    value = table.get(key, default)
    if not isinstance(value, str):
        raise ConfigError(f"{where}.{key} must be a string, got {value!r}")
    return value


def _url(value: object, where: str) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{where} must be a string URL, got {value!r}")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(
            f"{where} = {value!r} is not an http(s) URL; write e.g. 'http://127.0.0.1:8081/notify'"
        )
    return value.rstrip("/") if value.endswith("/") and parts.path == "/" else value


_WILDCARD_HOSTS = ("0.0.0.0", "::", "[::]", "")  # noqa: S104 - listen addresses, not URLs


def _suite_base(public: str | None, host: str, port: int) -> str | None:
    """How the SUT reaches the suite: suite.public_url, else a fixed listen address."""
    if public:
        return public.rstrip("/")
    if port and host not in _WILDCARD_HOSTS:
        return f"http://{host}:{port}"
    return None


def _suite_urls(industry: IndustryInfo, base: str | None) -> IndustryInfo:
    """For a UCSP under test, the suite serves INDUSTRY_INDEX_URL and the notice URL itself:
    they default to ``{public_url}/index`` and ``{public_url}/notify``."""
    if base is None:
        return industry
    return replace(
        industry,
        index_url=industry.index_url or f"{base}/index",
        notice_url=industry.notice_url or f"{base}/notify",
    )


def _sut_timeout(data: dict[str, Any], origin: str) -> float | None:
    value = data.get("sut_timeout_seconds")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < 1e9:
        raise ConfigError(
            f"{origin}: sut_timeout_seconds must be a positive number of seconds "
            f"(how long the SUT waits for an answer), got {value!r}"
        )
    return float(value)


def parse_target(
    text: str, origin: str, base_dir: Path, profile_file: str | Path | None = None
) -> Target:
    """A target from TOML text; ``profile_file`` (``--profile``) overrides its ``profile``."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{origin}: not valid TOML ({exc})") from None
    _check_keys(data, origin)
    sut = data.get("sut")
    if sut not in ROLES:
        raise ConfigError(
            f'{origin}: sut = {sut!r}; set sut = "industry" to certify an '
            'Industry Service or sut = "ucsp" to certify a UCSP'
        )
    for section, key in _REQUIRED[sut]:
        if not data.get(section, {}).get(key):
            raise ConfigError(
                f'{origin}: {section}.{key} is required when sut = "{sut}"; '
                f"add {key} = 'http://...' under [{section}]"
            )
    suite = data.get("suite", {})
    keys_dir = suite.get("keys")
    if not isinstance(keys_dir, str):
        raise ConfigError(
            f"{origin}: suite.keys must name the suite's key directory "
            "(create one with 'ucsp-conformance keys init DIR')"
        )
    if not (base_dir / keys_dir).is_dir():
        raise ConfigError(
            f"{origin}: suite.keys = {keys_dir!r}: {base_dir / keys_dir} is not a directory; "
            "correct the path (relative to the target file) or create the directory with "
            "'ucsp-conformance keys init DIR'"
        )
    keys = Keyset.load(base_dir / keys_dir)
    if "profile" in data and not isinstance(data["profile"], str):
        raise ConfigError(f"{origin}: profile = {data['profile']!r}; name a profile TOML file")
    if profile_file is not None:
        profile = load_profile(profile_file)
    elif "profile" in data:
        profile = load_profile(base_dir / data["profile"])
    else:
        profile = default_profile()
    ind, uc = data.get("industry", {}), data.get("ucsp", {})
    harness = ind.get("harness_url")
    industry = IndustryInfo(
        code=_string(ind, "code", "industry", sandbox.INDUSTRY_CODE),
        mer_id=_string(ind, "mer_id", "industry", sandbox.MER_ID),
        other_mer_id=_string(ind, "other_mer_id", "industry", sandbox.OTHER_MER_ID),
        acq_iin=_string(ind, "acq_iin", "industry", sandbox.ACQ_IIN),
        channel_code=_string(ind, "channel_code", "industry", sandbox.CHANNEL_CODE),
        index_url=_url(ind["index_url"], "industry.index_url") if "index_url" in ind else "",
        notice_url=_url(ind["notice_url"], "industry.notice_url") if "notice_url" in ind else "",
        harness_url=_url(harness, "industry.harness_url") if harness else None,
    )
    user_id = _string(uc, "user_id", "ucsp", sandbox.SANDBOX_USERS[0][0])
    second = sandbox.other_sandbox_user(user_id)  # unless the target names one
    ucsp = UcspInfo(
        gateway_url=_url(uc["gateway_url"], "ucsp.gateway_url") if "gateway_url" in uc else "",
        authorize_url=_url(uc["authorize_url"], "ucsp.authorize_url")
        if "authorize_url" in uc
        else "",
        user_id=user_id,
        mobile=_string(uc, "mobile", "ucsp", sandbox.SANDBOX_USERS[0][1]),
        second_user_id=_string(uc, "second_user_id", "ucsp", second[0]),
        second_mobile=_string(uc, "second_mobile", "ucsp", second[1]),
    )
    listen = _string(suite, "listen", "suite", "127.0.0.1:0")
    host, _, port = listen.rpartition(":")
    if not host or not port.isdigit() or int(port) > 65535:
        raise ConfigError(
            f"{origin}: suite.listen = {listen!r}; write HOST:PORT, e.g. '127.0.0.1:9080' "
            "(a port of 0-65535; 0: any free port)"
        )
    scale = data.get("time_scale", 1.0)
    slack = data.get("timing_slack_seconds", 0.5)
    for name, value in (("time_scale", scale), ("timing_slack_seconds", slack)):
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise ConfigError(f"{origin}: {name} must be a positive number, got {value!r}")
    if scale == 0:
        raise ConfigError(f"{origin}: time_scale must be positive (1.0 for a real system)")
    public = suite.get("public_url")
    suite_url = _url(public, "suite.public_url") if public else None
    if sut == "ucsp":
        industry = _suite_urls(industry, _suite_base(suite_url, host, int(port)))
    return Target(
        sut=sut,
        keys=keys,
        industry=industry,
        ucsp=ucsp,
        profile=profile,
        time_scale=float(scale),
        timing_slack=float(slack),
        listen_host=host,
        listen_port=int(port),
        suite_url=suite_url,
        source=origin,
        sut_timeout_seconds=_sut_timeout(data, origin),
    )


def load_target(path: str | Path, profile: str | Path | None = None) -> Target:
    """Load a target file; ``profile`` (the ``--profile`` option) overrides its profile."""
    file = Path(path)
    text = read_config_text(file, "target file")
    return parse_target(text, str(file), file.resolve().parent, profile)


def masker_for(target: Target | None) -> Masker:
    """The reports' masker: the schemas' private fields, and the private values of ``target``
    (none for the embedded reference implementations)."""
    return Masker(target.private_values() if target is not None else ())
