"""Fixtures of the test world (sim_industry.world): the reference Industry Service wired
in-process to the suite's UcspPeer."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from sim_industry.world import World, new_world
from ucsp.keys import Keyset

__all__ = ["World", "WorldFactory"]

WorldFactory = Callable[..., World]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def make_world(keyset: Keyset) -> AsyncIterator[WorldFactory]:
    worlds: list[World] = []

    def make(*faults: str, **options: Any) -> World:
        world = new_world(keyset, *faults, **options)
        worlds.append(world)
        return world

    yield make
    for world in worlds:
        await world.aclose()


@pytest.fixture
async def world(make_world: WorldFactory) -> World:
    return make_world()
