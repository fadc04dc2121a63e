"""pytest plugin: a team's own ``.feature`` files, anywhere on disk, with no Python beside them.

``--team-features PATH`` (repeatable) names a directory of ``.feature`` files, or one such file.
Each ``.feature`` file under it that the run collects becomes a test module holding one test
per scenario, bound to the suite's step library as pytest-bdd's ``scenarios(...)`` would bind
it, and parametrised by role as the suite's own scenarios are (``features/conftest.py``). The
team writes no test module and no conftest; ``run --features DIR`` passes the directory here.
"""

from __future__ import annotations

import types
from pathlib import Path
from typing import Any

import pytest

from ucsp.suite_files import is_inside

OPTION = "--team-features"
BINDING = "scenarios(__feature__, features_base_dir=__base__)"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.getgroup("ucsp").addoption(
        OPTION,
        action="append",
        default=[],
        metavar="PATH",
        help="a directory of .feature files (or one file) bound to the suite's steps (repeatable)",
    )


def pytest_configure(config: pytest.Config) -> None:
    _title_paths_outside_rootdir()  # a --features directory may hold a test module too


def _title_paths_outside_rootdir() -> None:
    """Let Allure title a feature file outside the rootdir (by its folder and name), whether
    the suite binds it or a team's test module does; its pytest-bdd listener assumes every
    feature file lies under the rootdir."""
    try:
        from allure_pytest_bdd import pytest_bdd_listener
    except ImportError:  # Allure is not installed: nothing to adapt
        return
    inside = pytest_bdd_listener.get_title_path
    if getattr(inside, "outside_rootdir", False):
        return

    def title_path(request: pytest.FixtureRequest, feature: Any) -> list[str]:
        path = Path(feature.filename)
        if path.is_relative_to(request.config.rootpath):
            return list(inside(request, feature))
        return [path.parent.name, feature.name or path.name]

    title_path.outside_rootdir = True  # type: ignore[attr-defined]
    pytest_bdd_listener.get_title_path = title_path


def team_paths(config: pytest.Config) -> list[Path]:
    """The ``--team-features`` paths, resolved."""
    return [Path(p).resolve() for p in config.getoption(OPTION, None) or []]


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if file_path.suffix != ".feature":
        return None
    if not any(is_inside(file_path, team) for team in team_paths(parent.config)):
        return None
    module: FeatureModule = FeatureModule.from_parent(parent, path=file_path)
    return module


def _role_under_test(sut_role: str) -> str:
    """Puts ``sut_role`` in every scenario's fixture closure, so it is parametrised by role."""
    return sut_role


class FeatureModule(pytest.Module):
    """A ``.feature`` file collected as the test module binding its scenarios."""

    def _getobj(self) -> types.ModuleType:
        from pytest_bdd import scenarios

        module = types.ModuleType(f"team_features.{self.path.stem}", f"Scenarios of {self.path}.")
        namespace: dict[str, Any] = module.__dict__
        namespace.update(
            __file__=str(self.path),
            __feature__=str(self.path),
            __base__=str(self.path.parent),
            scenarios=scenarios,
            _role_under_test=pytest.fixture(autouse=True, name="_role_under_test")(
                _role_under_test
            ),
        )
        # pytest-bdd puts the tests into the namespace its caller runs in: run the one call
        # of a binding module in the new module's namespace.
        exec(compile(BINDING, f"<binding of {self.path}>", "exec"), namespace)  # noqa: S102 - fixed text
        return module
