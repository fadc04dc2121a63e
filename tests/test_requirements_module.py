"""ucsp.requirements: loading and validating a requirement registry."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from tests.support import SEC_02_ENTRY
from tests.support import sec_02_entry as entry
from ucsp.errors import ConfigError
from ucsp.requirements import (
    DEFAULT_REGISTRY_PATH,
    Level,
    Provenance,
    Requirement,
    Role,
    load_registry,
)
from ucsp.verdict import RequirementViolation, Verdict, verdict_for_violation

GOOD_ENTRY = SEC_02_ENTRY


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "requirements.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_valid_registry_loads_into_frozen_requirements(tmp_path: Path) -> None:
    registry = load_registry(write(tmp_path, GOOD_ENTRY + entry(id='"TRN-01"', roles='["ucsp"]')))

    assert list(registry) == ["SEC-02", "TRN-01"]
    req = registry["SEC-02"]
    assert req == Requirement(
        id="SEC-02",
        level=Level.MUST,
        provenance=Provenance.PROFILE,
        roles=(Role.INDUSTRY, Role.UCSP),
        text="A receiver answers 11 to a badly signed message.",
        section="§8 Receiving",
    )
    assert req.area == "SEC"
    assert registry["TRN-01"].roles == (Role.UCSP,)
    with pytest.raises(AttributeError):
        req.level = Level.SHOULD  # type: ignore[misc]


def test_the_default_path_is_the_checkout_registry() -> None:
    checkout = Path(__file__).resolve().parent.parent
    assert checkout / "features" / "requirements.toml" == DEFAULT_REGISTRY_PATH


# (registry text, regex the ConfigError message must contain)
DEFECTS = {
    "duplicate-id": (
        GOOD_ENTRY + GOOD_ENTRY,
        r"#2 \(SEC-02\): key 'id': duplicate id 'SEC-02' \(first used by requirement #1\)",
    ),
    "id-one-digit": (entry(id='"SEC-2"'), r"#1 \(SEC-2\): key 'id': 'SEC-2' is not"),
    "id-lowercase": (entry(id='"sec-02"'), r"key 'id': 'sec-02' is not"),
    "id-unknown-area": (entry(id='"XYZ-02"'), r"key 'id': 'XYZ-02' is not .*areas: TRN, FMT"),
    "id-not-string": (entry(id="2"), r"#1: key 'id': expected a non-empty string"),
    "bad-level": (entry(level='"MAY"'), r"#1 \(SEC-02\): key 'level': 'MAY' is not one of MUST"),
    "level-lowercase": (entry(level='"must"'), r"key 'level': 'must' is not one of"),
    "bad-provenance": (entry(provenance='"lore"'), r"key 'provenance': 'lore' is not one of seed"),
    "bad-role": (entry(roles='["issuer"]'), r"key 'roles': 'issuer' is not one of industry, ucsp"),
    "roles-not-list": (entry(roles='"ucsp"'), r"key 'roles': expected a non-empty list"),
    "roles-empty": (entry(roles="[]"), r"key 'roles': expected a non-empty list"),
    "role-twice": (entry(roles='["ucsp", "ucsp"]'), r"key 'roles': 'ucsp' is listed twice"),
    "empty-text": (entry(text='""'), r"key 'text': expected a non-empty string"),
    "missing-id": (entry(id=None), r"#1: key 'id' is missing"),
    "missing-level": (entry(level=None), r"#1 \(SEC-02\): key 'level' is missing"),
    "missing-provenance": (entry(provenance=None), r"key 'provenance' is missing"),
    "missing-roles": (entry(roles=None), r"key 'roles' is missing"),
    "missing-text": (entry(text=None), r"key 'text' is missing"),
    "missing-section": (entry(section=None), r"key 'section' is missing"),
    "unknown-key": (GOOD_ENTRY + 'levle = "MUST"\n', r"#1 \(SEC-02\): unknown key\(s\) 'levle'"),
    "misspelt-table": ('[[requirements]]\nid = "SEC-02"\n', r"unknown top-level key\(s\)"),
    "no-entries": ("# nothing here\n", r"no \[\[requirement\]\] tables"),
    "not-tables": ("requirement = 3\n", r"no \[\[requirement\]\] tables"),
    "entry-not-table": ("requirement = [3]\n", r"#1: expected a \[\[requirement\]\] table"),
    "bad-toml": ('[[requirement]\nid = "x"\n', r"not valid TOML"),
}


@pytest.mark.parametrize(("text", "expected"), DEFECTS.values(), ids=DEFECTS.keys())
def test_a_defective_registry_is_a_config_error_naming_entry_and_key(
    tmp_path: Path, text: str, expected: str
) -> None:
    path = write(tmp_path, text)

    with pytest.raises(ConfigError, match=expected) as excinfo:
        load_registry(path)

    assert str(path) in str(excinfo.value)


def test_a_missing_registry_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read the requirement registry"):
        load_registry(tmp_path / "absent.toml")


def test_a_registry_not_in_utf8_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "requirements.toml"
    path.write_bytes(GOOD_ENTRY.encode("utf-16"))

    with pytest.raises(ConfigError, match="not UTF-8"):
        load_registry(path)


def test_a_violation_carries_its_requirement_and_message_and_survives_pickling() -> None:
    violation = RequirementViolation("SEC-02", "expected code 11, got 00")

    assert isinstance(violation, AssertionError)
    assert (violation.requirement, violation.message) == ("SEC-02", "expected code 11, got 00")
    assert str(violation) == "SEC-02: expected code 11, got 00"
    copy = pickle.loads(pickle.dumps(violation))  # noqa: S301 (our own bytes)
    assert (copy.requirement, copy.message) == ("SEC-02", "expected code 11, got 00")


@pytest.mark.parametrize(
    ("level", "strict", "verdict"),
    [
        (Level.MUST, False, Verdict.FAILURE),
        (Level.MUST, True, Verdict.FAILURE),
        (Level.SHOULD, False, Verdict.WARNING),
        (Level.SHOULD, True, Verdict.FAILURE),
        ("SHOULD", False, Verdict.WARNING),
    ],
)
def test_the_verdict_of_a_violation_follows_its_level(
    level: Level | str, strict: bool, verdict: Verdict
) -> None:
    assert verdict_for_violation(level, strict=strict) is verdict
