"""Start-up options shared by `serve ucsp` and `serve industry`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ucsp.profile import Profile, default_profile


@dataclass
class ServeOptions:
    keys: Path  # directory of `keys init` files
    host: str = "127.0.0.1"
    port: int = 0  # 0: any free port
    config: Path | None = None  # registry / settings TOML
    db: Path | None = None  # SQLite file; None: in memory
    time_scale: float = 1.0  # protocol seconds -> real seconds
    faults: list[str] = field(default_factory=list)
    ucsp_url: str | None = None  # industry only: the UCSP gateway URL
    profile: Profile = field(default_factory=default_profile)
