"""Check functions: pure, unit-tested, each raising RequirementViolation naming what broke.

Steps compose them; they never talk to the network themselves.
"""

from ucsp.errors import RequirementViolation

__all__ = ["RequirementViolation", "ensure"]


def ensure(condition: bool, requirement: str, message: str) -> None:
    """Raise a violation of ``requirement`` unless ``condition`` holds."""
    if not condition:
        raise RequirementViolation(requirement, message)
