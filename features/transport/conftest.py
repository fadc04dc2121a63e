"""Role tags on Examples tables (``@ucsp Examples: ...``) for the scenarios of this folder.

pytest-bdd turns Examples tags into marks of the example's parameter set;
plugins/deployment.py reads role tags from the scenario only, so an example tagged for one
role would also run for the other. Deselect those items here (only this folder's).
TODO(lead): move into plugins/deployment.py and delete this file.
"""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROLE_TAGS = ("industry", "ucsp")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    keep, drop = [], []
    for item in items:
        callspec = getattr(item, "callspec", None)
        role = callspec.params.get("sut_role") if callspec else None
        tagged = {m.name for m in item.iter_markers() if m.name in ROLE_TAGS}
        mine = HERE in Path(str(item.path)).resolve().parents
        (drop if mine and tagged and role not in tagged else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
