"""Authoring checks of Gherkin scenarios that need no pytest run and no SUT.

:mod:`ucsp.lint.model` holds what is checked (a :class:`Case` per scenario as it runs) and what
is found (a :class:`Problem`, printed ``FILE:LINE: message``); :mod:`ucsp.lint.titles`
renders an outline's titles, unique within it; :mod:`ucsp.lint.tags` checks a scenario's tags
against the requirement registry and the role tags. Binding the steps to the step library
happens beside the library itself (``steps/lint.py``, ``python -m steps.lint``).
"""

from ucsp.lint.model import Case, CaseStep, Problem, summary_line
from ucsp.lint.tags import tag_problems
from ucsp.lint.titles import render_title, unique_titles
from ucsp.requirements import roles_of

__all__ = [
    "Case",
    "CaseStep",
    "Problem",
    "render_title",
    "roles_of",
    "summary_line",
    "tag_problems",
    "unique_titles",
]
