"""The reference UCSP (platform side): gateway, pages, notices, SQLite state, fault catalogue.

``UcspSimulator(keys=..., registry=..., db=..., clock=..., profile=..., faults=..., http=...,
base_url=...)`` builds the Starlette app (``.app``); ``build_app(ServeOptions)`` builds one
from the options of ``serve ucsp``. See docs/reference-ucsp.md.
"""

from ucsp.sim.ucsp.app import UcspSimulator, build_app
from ucsp.sim.ucsp.faults import CATALOGUE
from ucsp.sim.ucsp.registry import Registry, default_registry, load_registry

__all__ = [
    "CATALOGUE",
    "Registry",
    "UcspSimulator",
    "build_app",
    "default_registry",
    "load_registry",
]
