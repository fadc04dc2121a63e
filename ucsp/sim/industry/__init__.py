"""The reference Industry Service (merchant back end) with the harness API of HARNESS.md A."""

from ucsp.sim.industry.app import IndustrySimulator, build_app, build_simulator
from ucsp.sim.industry.config import IndustryConfig, load_config
from ucsp.sim.industry.faults import CATALOGUE

__all__ = [
    "CATALOGUE",
    "IndustryConfig",
    "IndustrySimulator",
    "build_app",
    "build_simulator",
    "load_config",
]
