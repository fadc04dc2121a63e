"""Where the suite's own files are: the checkout it runs from, or the data its wheel installs.

Both layouts hold the same tree under one root: ``features/`` (scenarios, ``catches.toml``,
``requirements.toml``), ``steps/``, ``plugins/``, the root ``conftest.py``, ``pyproject.toml``
(the pytest options of a run), ``schemas/`` and ``fixtures/`` (profiles, registry defaults,
example targets and the test-only keys). In a checkout the root is the directory holding the
``ucsp`` package; an installed wheel carries the tree as ``ucsp/_data``.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "FEATURES",
    "FIXTURES",
    "INI",
    "PROFILES",
    "REGISTRY",
    "ROOT",
    "SCHEMAS",
    "TEST_KEYS",
    "in_checkout",
    "is_inside",
]

PACKAGE = Path(__file__).resolve().parent
INSTALLED = PACKAGE / "_data"


def _root() -> Path:
    """The installed data directory when the wheel carries one, else the checkout."""
    if (INSTALLED / "features").is_dir():
        return INSTALLED
    return PACKAGE.parent


ROOT = _root()
FEATURES = ROOT / "features"
REGISTRY = FEATURES / "requirements.toml"
SCHEMAS = ROOT / "schemas"
FIXTURES = ROOT / "fixtures"
PROFILES = FIXTURES / "profiles"
TEST_KEYS = FIXTURES / "keys" / "test-only"
INI = ROOT / "pyproject.toml"


def in_checkout() -> bool:
    """True when the suite runs from a source checkout (editable install or plain clone)."""
    return ROOT != INSTALLED


def is_inside(path: Path, root: Path = ROOT) -> bool:
    """True when ``path`` is ``root`` or lies under it (both resolved)."""
    resolved, base = path.resolve(), root.resolve()
    return resolved == base or base in resolved.parents
