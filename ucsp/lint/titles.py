"""Scenario titles as ``run`` and ``list`` print them and ``run --scenario`` accepts them.

An outline's title is its name with each ``<parameter>`` replaced by the Examples value. Two
rows that render the same title are told apart by their values, in brackets, and rows that are
identical throughout by their number (``#2``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence

PARAMETER = re.compile(r"<(.+?)>")


def render_title(name: str, row: Mapping[str, object]) -> str:
    """``name`` with each ``<parameter>`` the row holds replaced by its value."""
    return PARAMETER.sub(lambda m: str(row[m[1]]) if m[1] in row else m[0], name)


def unique_titles(name: str, rows: Sequence[Mapping[str, object]]) -> list[str]:
    """The title of each Examples row of the outline ``name`` (``[name]`` without rows)."""
    if not rows:
        return [name]
    plain = [render_title(name, row) for row in rows]
    repeated = Counter(plain)
    titles = [
        title if repeated[title] == 1 else f"{title} [{', '.join(map(str, row.values()))}]"
        for title, row in zip(plain, rows, strict=True)
    ]
    still = Counter(titles)
    seen: Counter[str] = Counter()
    unique = []
    for title in titles:
        if still[title] > 1:
            seen[title] += 1
            title = f"{title} #{seen[title]}"
        unique.append(title)
    return unique
