"""What the Industry Service's two receive endpoints (notice URL, login URL) are built from.

Each is a :class:`Receiver`: the codec that parses and signs, this IS's encryption identity,
the store, clock, faults and journal, and a replay stage keyed by the message's msgID on the
store's replay table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ucsp.clock import Clock
from ucsp.codec import Codec, Decoded
from ucsp.crypto import Identity
from ucsp.journal import Journal
from ucsp.sim.faults import FaultSet
from ucsp.sim.industry.store import Store
from ucsp.sim.pipeline import Message, Stage, replay_stage


def text_field(info: dict[str, Any], key: str) -> str:
    """``info[key]`` when it is a string, else ``""``."""
    value = info.get(key)
    return value if isinstance(value, str) else ""


def msg_id(message: Message) -> tuple[str]:
    """The replay key of a received message: its msgID."""
    return (text_field(message.decoded.msg_info, "msgID"),)


@dataclass(eq=False, kw_only=True)
class Receiver:
    """The parts of a receive endpoint; a subclass builds its pipeline in ``__post_init__``."""

    codec: Codec
    enc_identity: Identity
    store: Store
    clock: Clock
    faults: FaultSet
    journal: Journal

    def __post_init__(self) -> None:
        self.profile = self.codec.profile

    def replay_stage(self, reason: str) -> Stage:
        """Refuse with ``reason`` a msgID seen within the profile's replay window."""
        return replay_stage(self.store.replay_guard(self.profile), self.clock, msg_id, reason)

    def _parse(self, raw: bytes) -> Decoded:
        return self.codec.parse(raw, "request")
