"""The Locust side of a load run: users, the notice listener, the tally between processes.

Run by Locust (``locust -f ucsp/load/locustfile.py --ucsp-plan JSON ...``), never imported
by the kit: Locust patches the process with gevent. Every load process (the single process,
or each worker) judges its own exchanges into a :class:`Tally` and sends it to the master
with Locust's worker reports; the master (or the single process) writes the merged tally to
``plan.results`` when it quits.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, cast

import gevent  # type: ignore[import-untyped]
from gevent.pywsgi import WSGIServer  # type: ignore[import-untyped]
from locust import FastHttpUser, events, task
from locust.env import Environment
from locust.runners import STATE_RUNNING, STATE_SPAWNING, MasterRunner, WorkerRunner

from ucsp.load.plan import MAX_BURST, Plan
from ucsp.load.process import LoadProcess, build_process
from ucsp.load.session import HttpAnswer, TransportError
from ucsp.load.tally import Tally

KEYS_ENV = "UCSP_LOAD_KEYS"  # a worker's own key directory (else the plan's)
NOTICE_HOST_ENV = "UCSP_LOAD_NOTICE_HOST"  # where a worker listens for notices

_state: dict[str, Any] = {}


def _options(parser: Any) -> None:
    parser.add_argument("--ucsp-plan", default="", help="the load plan (JSON)")


def _plan(environment: Environment) -> Plan:
    text = getattr(environment.parsed_options, "ucsp_plan", "")
    plan = Plan.from_json(text)
    plan.keys_dir = os.environ.get(KEYS_ENV) or plan.keys_dir
    plan.notice_host = os.environ.get(NOTICE_HOST_ENV) or plan.notice_host
    return plan


def _process() -> LoadProcess:
    process = _state.get("process")
    assert isinstance(process, LoadProcess), "the load process starts with the test"
    return process


def _prepare(environment: Environment, **_: Any) -> None:
    """Build this process's pieces at start-up when its plan is known (a single process and
    local workers), so that the run's time is not spent on them."""
    if getattr(environment.parsed_options, "ucsp_plan", ""):
        _start(environment)


def _start(environment: Environment, **_: Any) -> None:
    """Build this process's pieces (once; a remote worker learns its plan only now)."""
    if isinstance(environment.runner, MasterRunner) or "process" in _state:
        return
    process = build_process(_plan(environment))
    server = WSGIServer((process.plan.notice_host, 0), process.notice_app, log=None)
    server.start()
    host = process.plan.notice_host
    shown = f"[{host}]" if ":" in host else host
    process.notice_url = f"http://{shown}:{server.server_port}/notify"
    _state["process"], _state["server"] = process, server
    UcspLoadUser.tasks = cast(Any, process.weighted_tasks())


def _report(client_id: str, data: dict[str, Any]) -> None:
    process = _state.get("process")
    if process is not None:
        data["ucsp"] = process.drain()


def _worker_report(client_id: str, data: dict[str, Any]) -> None:
    if "ucsp" in data:
        _state.setdefault("merged", Tally()).merge(data["ucsp"])
        _state.setdefault("workers", set()).add(client_id)


def _quit(environment: Environment, **_: Any) -> None:
    if isinstance(environment.runner, WorkerRunner):
        return
    runner = environment.runner
    if isinstance(runner, MasterRunner) and runner.state in (STATE_RUNNING, STATE_SPAWNING):
        runner.quit()  # ended by a signal: the workers stop and send their last reports
    merged: Tally = _state.setdefault("merged", Tally())
    process = _state.get("process")
    if process is not None:
        merged.merge(process.drain())
    plan = _plan(environment)
    if not plan.results:
        return
    total = environment.stats.total
    out = {
        "tally": merged.to_dict(),
        "locust": {"requests": total.num_requests, "failures": total.num_failures},
        "workers": len(_state.get("workers", ())) or 1,
    }
    Path(plan.results).write_text(json.dumps(out), encoding="utf-8")


class LocustTransport:
    """One HTTP call through the user's Locust client; non-conformant answers are failures."""

    def __init__(self, user: FastHttpUser) -> None:
        self.user = user

    def post(
        self,
        url: str,
        body: bytes,
        content_type: str,
        name: str,
        follow: bool = False,
        judge: Callable[[HttpAnswer], Sequence[Any]] | None = None,
        method: str = "POST",
    ) -> HttpAnswer:
        headers = {"Content-Type": content_type} if method == "POST" else {}
        with self.user.client.request(
            method,
            url,
            data=cast(Any, body) if method == "POST" else None,
            headers=headers,
            name=name,
            catch_response=True,
            allow_redirects=follow,
        ) as response:
            status = response.status_code or 0
            if status == 0:
                error = response.error or response.request_meta.get("exception")
                response.failure(f"transport: {type(error).__name__}")
                raise TransportError(type(error).__name__)
            answer = HttpAnswer(
                status,
                response.headers.get("Content-Type"),
                response.content or b"",
                response.headers.get("Location"),
                float(response.request_meta["response_time"]),
            )
            findings = judge(answer) if judge is not None else ()
            if findings:
                response.failure("; ".join(f"{f.requirement} {f.rule}" for f in findings))
            else:
                response.success()
            return answer


def _parallel(thunks: Sequence[Callable[[], Any]]) -> list[Any]:
    greenlets = [gevent.spawn(thunk) for thunk in thunks]
    gevent.joinall(greenlets, raise_error=True)
    return [g.value for g in greenlets]


class UcspLoadUser(FastHttpUser):
    """One simulated party of the load: runs the plan's flows at their weights."""

    concurrency = 2 * MAX_BURST + 2
    network_timeout = 30.0
    connection_timeout = 10.0

    def on_start(self) -> None:
        self.session = _process().session(LocustTransport(self), _parallel, time.time)

    @task
    def idle(self) -> None:  # replaced by the plan's flows at the start of the test
        gevent.sleep(0.1)


LISTENERS: dict[str, Callable[..., None]] = {
    "init_command_line_parser": _options,
    "init": _prepare,
    "test_start": _start,
    "report_to_master": _report,
    "worker_report": _worker_report,
    "quitting": _quit,
}
for _event, _listener in LISTENERS.items():
    cast(Any, getattr(events, _event)).add_listener(_listener)
