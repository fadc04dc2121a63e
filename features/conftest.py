"""Conformance scenarios: each runs once per applicable role under test."""

from __future__ import annotations

import pytest

from ucsp.target import Role


@pytest.fixture(autouse=True)
def _role_under_test(sut_role: Role) -> Role:
    """Puts ``sut_role`` in every scenario's fixture closure, so it is parametrised by role."""
    return sut_role
