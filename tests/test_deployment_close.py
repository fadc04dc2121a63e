"""Closing deployments: every server is told to exit before any is waited for."""

from __future__ import annotations

from typing import Any

from ucsp.deployment import Deployment, close_all, embedded


class FakeServer:
    def __init__(self, name: str, events: list[str]) -> None:
        self.name, self.events = name, events
        self.server = self  # what LoopbackServer calls its uvicorn server
        self._exit = False

    @property
    def should_exit(self) -> bool:
        return self._exit

    @should_exit.setter
    def should_exit(self, value: bool) -> None:
        self._exit = value
        self.events.append(f"exit {self.name}")

    def stop(self) -> None:
        self.events.append(f"stop {self.name}")


class FakeDeployment:
    """The part of a deployment that closing uses."""

    def __init__(self, name: str, events: list[str]) -> None:
        self.name, self.events = name, events
        self.servers = [FakeServer(f"{name}-sut", events), FakeServer(f"{name}-peer", events)]

    _tell_servers_to_exit = Deployment._tell_servers_to_exit

    def _finish_close(self) -> None:
        for server in reversed(self.servers):
            server.stop()
        self.events.append(f"closed {self.name}")


def test_every_server_is_told_before_any_is_waited_for() -> None:
    events: list[str] = []
    deployments: list[Any] = [FakeDeployment("a", events), FakeDeployment("b", events)]
    close_all(deployments)
    told = [e for e in events if e.startswith("exit")]
    assert events[: len(told)] == told == ["exit a-sut", "exit a-peer", "exit b-sut", "exit b-peer"]
    assert events[len(told) :] == [
        "stop a-peer",
        "stop a-sut",
        "closed a",
        "stop b-peer",
        "stop b-sut",
        "closed b",
    ]


def test_embedded_deployments_close_together() -> None:
    started = [embedded("ucsp"), embedded("industry")]
    close_all(started)
    for deployment in started:
        assert all(server.server.should_exit for server in deployment.servers)
        assert deployment.loop.loop.is_closed()
