"""Exceptions of the kit, each mapped to the response code a receiver answers with."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ucsp.codes import ResponseCode

if TYPE_CHECKING:
    from ucsp.schemas import FieldError


class UcspError(Exception):
    """Base class of every protocol error the kit raises."""

    code: ResponseCode = ResponseCode.COMMON_ERROR

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class MalformedMessage(UcspError):
    """The bytes are not an acceptable protocol message (response code 10)."""

    code = ResponseCode.FORMAT_INVALID


class SchemaViolation(MalformedMessage):
    """The message parsed but breaks its schema (response code 10)."""

    def __init__(self, errors: Sequence[FieldError]) -> None:
        super().__init__("; ".join(str(e) for e in errors) or "schema violation")
        self.errors = list(errors)


class SignatureInvalid(UcspError):
    """Signature verification failed (response code 11).

    ``kind`` is one of: ``bad-signature``, ``not-base64``, ``unknown-cert``,
    ``cert-id-mismatch``, ``missing-cert-id``.
    """

    code = ResponseCode.SIGNATURE_FAILS

    def __init__(self, kind: str, reason: str) -> None:
        super().__init__(reason)
        self.kind = kind


class DecryptionFailed(UcspError):
    """An encrypted field could not be decrypted to an acceptable value."""

    code = ResponseCode.FORMAT_INVALID


class ConfigError(Exception):
    """A profile, target or key file is unusable; the message names the key and the fix."""


def read_config_text(path: Path, what: str) -> str:
    """The text of a configuration file, or a ConfigError naming it (unreadable, not UTF-8)."""
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read {what} {path}: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{what} {path} is not UTF-8 text (byte {exc.start}); save it as UTF-8"
        ) from None


class UnknownFault(ConfigError):
    """A fault name that no fault catalogue of the roles under test holds."""


class SuiteError(Exception):
    """The suite could not judge a scenario: no claim about the system under test.

    ``kind`` is the error kind recorded with the scenario's ERROR verdict (see
    :class:`ucsp.verdict.ErrorKind`).
    """

    kind = "suite-exception"


class AuthoringError(SuiteError):
    """A feature or step is written wrongly: undefined step, value outside a vocabulary."""

    kind = "authoring"


class SutUnreachable(SuiteError):
    """The system under test cannot be reached: no connection to it can be made."""

    kind = "sut-unreachable"


class RequirementViolation(AssertionError):
    """The system under test broke the requirement ``requirement`` (e.g. ``"SEC-02"``).

    >>> raise RequirementViolation("SEC-02", "expected code 11, got 00")
    """

    def __init__(self, requirement: str, message: str) -> None:
        super().__init__(f"{requirement}: {message}")
        self.requirement = requirement
        self.message = message

    def __reduce__(self) -> tuple[type[RequirementViolation], tuple[str, str]]:
        # The default pickling would call __init__ with the single formatted argument.
        return (type(self), (self.requirement, self.message))
