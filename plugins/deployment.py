"""pytest plugin: which role is under test, against what, and the deployment per role.

Options: ``--sut industry|ucsp|both`` (default both), ``--target FILE`` (a real SUT; without
it the reference implementations run embedded on loopback), ``--ucsp-profile FILE`` (the
wire profile, over the target's; ``run --profile`` passes it), ``--fault NAME`` (switch a fault
of the embedded SUT on; used by the self-tests), ``--scenario NAME`` (run only the named
scenarios), ``--time-scale X`` (embedded runs).
"""

from __future__ import annotations

import contextlib
from collections.abc import Generator
from typing import Any

import pytest
from pytest_bdd.scenario import scenario_wrapper_template_registry

from ucsp.deployment import (
    EMBEDDED_TIME_SCALE,
    Deployment,
    close_all,
    embedded,
    faults_for,
    from_target,
    refuse_profile_without_target,
)
from ucsp.errors import ConfigError
from ucsp.mask import Masker
from ucsp.requirements import roles_of
from ucsp.sides.roles import IndustryUnderTest, UcspUnderTest, side_for
from ucsp.sides.side import Side
from ucsp.target import ROLES, Role, Target, load_target, masker_for

NOT_APPLICABLE = "n/a"
DEPLOYMENT_KEY = pytest.StashKey[Deployment]()
POOL_KEY = pytest.StashKey["_Deployments"]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("ucsp", "UCSP conformance")
    group.addoption(
        "--sut",
        choices=("industry", "ucsp", "both"),
        default=None,
        help="role under test (default: the target's, or both when embedded)",
    )
    group.addoption("--target", default=None, metavar="FILE", help="target file of a real SUT")
    group.addoption(
        "--ucsp-profile",
        default=None,
        metavar="FILE",
        help="wire profile TOML file (overrides the target's; with --target only)",
    )
    group.addoption(
        "--fault",
        action="append",
        default=[],
        metavar="NAME",
        help="switch on a fault of the embedded SUT (self-tests)",
    )
    group.addoption(
        "--scenario",
        action="append",
        default=[],
        metavar="NAME",
        help="run only the scenario with this name (repeatable)",
    )
    group.addoption(
        "--time-scale",
        type=float,
        default=EMBEDDED_TIME_SCALE,
        help="time scale of the embedded reference implementations",
    )


def pytest_configure(config: pytest.Config) -> None:
    try:
        refuse_profile_without_target(
            config.getoption("--ucsp-profile", None), config.getoption("--target", None)
        )
    except ConfigError as exc:
        raise pytest.UsageError(str(exc)) from None


def _target(config: pytest.Config) -> Target | None:
    cached: Target | None = getattr(config, "_ucsp_target", None)
    path = config.getoption("--target")
    profile = config.getoption("--ucsp-profile")
    if cached is None and path:
        try:
            cached = load_target(path, profile)
        except ConfigError as exc:
            raise pytest.UsageError(str(exc)) from None
        config._ucsp_target = cached  # type: ignore[attr-defined]
    return cached


def masker_of(config: pytest.Config) -> Masker:
    """The reports' masker: the schemas' private fields and the target's private values."""
    cached: Masker | None = getattr(config, "_ucsp_masker", None)
    if cached is None:
        target = _target(config) if config.getoption("--target", None) else None
        cached = masker_for(target)
        config._ucsp_masker = cached  # type: ignore[attr-defined]
    return cached


def selected_roles(config: pytest.Config) -> tuple[Role, ...]:
    target = _target(config)
    choice = config.getoption("--sut")
    if target is not None:
        if choice not in (None, target.sut):
            raise pytest.UsageError(
                f"--sut {choice} contradicts the target file ({target.source} says "
                f"sut = {target.sut!r})"
            )
        return (target.sut,)
    if choice in (None, "both"):
        return ROLES
    return (choice,)


def scenario_roles(item_or_func: Any) -> tuple[Role, ...]:
    """The roles a scenario applies to: its role tags, or both when it has none."""
    runs_for = roles_of(m.name for m in getattr(item_or_func, "pytestmark", []))
    return tuple(r for r in ROLES if r in runs_for)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "sut_role" not in metafunc.fixturenames:
        return
    roles = [r for r in scenario_roles(metafunc.function) if r in selected_roles(metafunc.config)]
    metafunc.parametrize("sut_role", roles or [NOT_APPLICABLE], scope="function")


def scenario_of(item: pytest.Item) -> Any:
    """The pytest-bdd scenario (template) behind a test item, or None for plain tests."""
    function = getattr(item, "function", None)
    if function is None:
        return None
    return scenario_wrapper_template_registry.get(function)


def role_of(item: pytest.Item) -> str | None:
    """The role an item runs for; None for a plain test, NOT_APPLICABLE when it runs for none."""
    callspec = getattr(item, "callspec", None)
    role = callspec.params.get("sut_role") if callspec else None
    # Role tags may sit on the scenario or on one Examples table (a parameter's marks).
    tagged = {m.name for m in item.iter_markers() if m.name in ROLES}
    if role is not None and tagged and role not in tagged:
        return NOT_APPLICABLE
    return None if role is None else str(role)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    wanted = set(config.getoption("--scenario"))
    keep, drop = [], []
    for item in items:
        scenario = scenario_of(item)
        if role_of(item) == NOT_APPLICABLE or (
            wanted and (scenario is None or scenario.name not in wanted)
        ):
            drop.append(item)
        else:
            keep.append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


class _Deployments:
    """One deployment per role for the whole session, started on first use."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.started: dict[Role, Deployment] = {}

    def get(self, role: Role) -> Deployment:
        if role not in self.started:
            target = _target(self.config)
            if target is not None:
                self.started[role] = from_target(target)
            else:
                faults = faults_for(
                    role, self.config.getoption("--fault"), selected_roles(self.config)
                )
                self.started[role] = embedded(role, faults, self.config.getoption("--time-scale"))
        return self.started[role]

    def start_early(self, role: Role) -> None:
        """Start ``role``'s deployment now; one that cannot start is left for the first
        scenario's ``deployment`` fixture to try again and report, as it would have."""
        with contextlib.suppress(Exception):  # raised again where a scenario needs it
            self.get(role)

    def close(self) -> None:
        started, self.started = list(self.started.values()), {}
        close_all(started)


def _pool(config: pytest.Config) -> _Deployments:
    pool = config.stash.get(POOL_KEY, None)
    if pool is None:
        pool = config.stash[POOL_KEY] = _Deployments(config)
    return pool


@pytest.fixture(scope="session")
def deployments(pytestconfig: pytest.Config) -> _Deployments:
    """The session's pool, started before the first test and closed when the session
    finishes (:func:`pytest_runtestloop`, :func:`pytest_sessionfinish`)."""
    return _pool(pytestconfig)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtestloop(session: pytest.Session) -> Generator[None, object, object]:
    """Start the deployments of the roles the selected scenarios run for before the first
    one runs (on each xdist worker: its own), so that starting them is no part of whichever
    scenario comes first; stopping them likewise waits for the end of the session."""
    if not session.config.option.collectonly:
        needed = {role_of(item) for item in session.items}
        pool = _pool(session.config)
        for role in selected_roles(session.config):
            if role in needed:
                pool.start_early(role)
    return (yield)


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    pool = session.config.stash.get(POOL_KEY, None)
    if pool is not None:
        pool.close()


@pytest.fixture
def sut_role(request: pytest.FixtureRequest) -> Role:
    role: Role = request.param
    return role


@pytest.fixture
def deployment(
    deployments: _Deployments, sut_role: Role, request: pytest.FixtureRequest
) -> Deployment:
    """The deployment of the role under test, reset for this scenario."""
    current = deployments.get(sut_role)
    current.reset()
    request.node.stash[DEPLOYMENT_KEY] = current
    return current


@pytest.fixture
def side(deployment: Deployment) -> Side:
    """The suite's side for the role under test: the one place the role is chosen."""
    return side_for(deployment)


@pytest.fixture
def ucsp_under_test(side: Side) -> UcspUnderTest:
    """The side of a step that applies only to a UCSP under test (else an authoring error)."""
    return side.only(UcspUnderTest)


@pytest.fixture
def industry_under_test(side: Side) -> IndustryUnderTest:
    """The side of a step that applies only to an Industry Service under test."""
    return side.only(IndustryUnderTest)


def deployment_of(item: pytest.Item) -> Deployment | None:
    """The deployment a test used, if any."""
    return item.stash.get(DEPLOYMENT_KEY, None)
