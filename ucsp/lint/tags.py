"""A scenario's tags against the requirement registry and the role tags.

The tag vocabulary is the suite's markers: one per requirement ID of the registry, and the
role tags ``@industry`` and ``@ucsp``. A scenario runs for the roles its role tags name, or
for both without one (``features/conftest.py``); each role it runs for needs a requirement
that applies to it, and a role tag never names a role its requirements exclude.
"""

from __future__ import annotations

from collections.abc import Mapping

from ucsp.lint.model import Case, Problem
from ucsp.requirements import ROLE_TAGS, Requirement, Role

WORDING = {Role.INDUSTRY: "an Industry Service under test", Role.UCSP: "a UCSP under test"}


def _only(requirement: Requirement) -> str:
    roles = ", ".join(requirement.roles)
    return f"{requirement.id} applies to {roles} only" if len(requirement.roles) == 1 else ""


def tag_problems(case: Case, registry: Mapping[str, Requirement]) -> list[Problem]:
    """Unknown tags, a missing requirement tag, and roles that contradict the requirements."""
    problems = [
        Problem(
            case.path,
            case.line,
            f"unknown tag @{tag}: neither a requirement ID of the registry nor a role tag "
            "(@industry, @ucsp)",
        )
        for tag in sorted(case.tags)
        if tag not in registry and tag not in ROLE_TAGS
    ]
    requirements = [registry[tag] for tag in sorted(case.tags) if tag in registry]
    if not requirements:
        problems.append(
            Problem(
                case.path,
                case.line,
                "no requirement tag: tag the scenario with the IDs of features/requirements.toml "
                "it checks",
            )
        )
        return problems
    tagged = [role for role in Role if role in case.tags]
    if len(tagged) == 1:  # both role tags say no more than none
        role = tagged[0]
        for requirement in requirements:
            if role not in requirement.roles:
                problems.append(
                    Problem(
                        case.path,
                        case.line,
                        f"@{role} contradicts {requirement.id}, which applies to "
                        f"{', '.join(requirement.roles)} only",
                    )
                )
    else:
        for role in case.roles:
            if not any(role in requirement.roles for requirement in requirements):
                others = "; ".join(filter(None, map(_only, requirements)))
                problems.append(
                    Problem(
                        case.path,
                        case.line,
                        f"the scenario runs for {WORDING[role]} too (it has no role tag of its "
                        f"own), where none of its requirements applies ({others}); tag it with "
                        "the role it is for",
                    )
                )
    return problems
