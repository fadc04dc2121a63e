"""What the lint checks and what it finds: scenarios as they run, and problems by line."""

from __future__ import annotations

from dataclasses import dataclass

from ucsp.requirements import Role


@dataclass(frozen=True, order=True)
class Problem:
    """One authoring problem, where it is: printed ``FILE:LINE: message``."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass(frozen=True)
class CaseStep:
    """One step as it runs: And/But typed like the step before it, Examples values in place."""

    line: int
    type: str  # given, when or then
    name: str

    def __str__(self) -> str:
        return f'{self.type.capitalize()} "{self.name}"'


@dataclass(frozen=True)
class Case:
    """One scenario as it runs: a scenario, or an outline with one Examples row substituted.

    ``tags`` are the feature's, the rule's, the scenario's and the Examples table's; ``steps``
    begin with the Background's.
    """

    path: str
    line: int
    name: str  # the scenario's own name (an outline's template)
    title: str  # the rendered title, unique within its outline
    tags: frozenset[str]
    steps: tuple[CaseStep, ...]
    roles: tuple[Role, ...]  # the roles it runs for

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


def summary_line(scenarios: int, bound: int, problems: int) -> str:
    """The lint's last line."""
    return f"{scenarios} scenarios, {bound} fully bound, {problems} problems"
