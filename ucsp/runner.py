"""`ucsp-conformance run`: a certification run with live verdicts, reports and evidence.

The scenarios run under pytest in a child process (the kit itself never imports pytest);
the child appends its events (collected, start, wait, finish) to a progress file, which this
module follows to show them as they arrive (:mod:`ucsp.progress`); Ctrl-C stops the child
and still writes every report, INCOMPLETE. ``-n N`` runs the child on pytest-xdist workers
(embedded reference implementations only). Afterwards it writes requirements.json,
report.html, junit.xml (rendered from the final records, :mod:`ucsp.report.junit`), Allure's
extras (:mod:`ucsp.report.allure_extras`) and the signed evidence pack beside results.json,
cucumber.json (masked) and allure-results/, and prints the overall result
(:mod:`ucsp.outcome`): CONFORMANT exit 0, NOT CONFORMANT exit 1, INCOMPLETE exit 2,
marked PARTIAL when the run certifies less than its roles.
"""

from __future__ import annotations

import json
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from ucsp import __version__, suite_files
from ucsp.baseline import (
    apply_judgement,
    check_baseline,
    evidence_fields,
    judge,
    mark_cells,
    mark_records,
)
from ucsp.crypto import Identity
from ucsp.deployment import faults_for, refuse_profile_without_target
from ucsp.errors import ConfigError
from ucsp.keys import Keyset
from ucsp.lint.child import run_child
from ucsp.outcome import (
    INTERRUPTED,
    Selection,
    counts_line,
    requirement_matrix,
    requirements_json,
    summary_of,
)
from ucsp.profile import Profile, default_profile
from ucsp.progress import Display, display_for
from ucsp.provenance import (
    digest_files,
    git_commit,
    is_test_only_certificate,
    schema_files,
    suite_features,
    suite_modules,
)
from ucsp.report.allure_extras import write_allure_extras
from ucsp.report.cucumber import write_cucumber
from ucsp.report.evidence import write_pack
from ucsp.report.html import render_report
from ucsp.report.junit import write_junit
from ucsp.requirements import DEFAULT_REGISTRY_PATH, load_registry
from ucsp.results import ResultsFile, read_results, write_results
from ucsp.target import ROLES, Target, load_target, masker_for

ROOT = suite_files.ROOT  # the suite's own files: the checkout, or the wheel's data
TEST_KEYS = suite_files.TEST_KEYS
# Plugins the scenarios never use, each costing every process (and every worker) its
# start-up: the cache and Hypothesis (the suite's own tests use it, no scenario does).
UNUSED_PLUGINS = ("-p", "no:cacheprovider", "-p", "no:hypothesispytest")
INTERRUPT_GRACE = 10.0  # seconds the child has, after a Ctrl-C, to write results.json


@dataclass
class RunOptions:
    sut: str | None = None  # industry | ucsp | both (None: target's, or both)
    target: Path | None = None
    tags: str | None = None  # pytest marker expression over tags
    strict: bool = False
    out: Path | None = None
    faults: list[str] = field(default_factory=list)  # embedded SUT faults (self-tests)
    scenarios: list[str] = field(default_factory=list)
    features: list[Path] = field(default_factory=list)  # .feature dirs or test paths, anywhere
    force: bool = False  # empty a non-empty --out first
    profile: Path | None = None  # --profile: overrides the target's profile
    workers: str | None = None  # -n: pytest-xdist workers, a number or "auto" (None, "1": serial)
    baseline: Path | None = None  # --baseline: a TOML list of waivers (ucsp.baseline)
    certify: bool = False  # --certify: a certification run, which refuses waivers


@dataclass
class RunResult:
    exit_code: int
    out: Path
    records: list[dict[str, Any]]
    summary: dict[str, Any] = field(default_factory=dict)  # results.json "run"


def sanitized_target(target: Target | None) -> dict[str, Any]:
    """The target as evidence: URLs, roles, certificate IDs; never key material."""
    if target is None:
        return {"name": "embedded reference implementations"}
    keys = target.keys
    return {
        "name": target.source,
        "sut": target.sut,
        "timeScale": target.time_scale,
        "industry": {k: v for k, v in vars(target.industry).items() if v},
        "ucsp": {
            "gateway_url": target.ucsp.gateway_url,
            "authorize_url": target.ucsp.authorize_url,
        },
        "certificateIds": {
            "ucspSign": keys.ucsp_sign.cert_id,
            "industrySign": keys.industry_sign.cert_id,
            "industryEnc": keys.industry_enc.cert_id,
        },
    }


def evidence_signer(target: Target | None) -> Identity:
    """The suite's own signing key: the one it signs protocol messages with."""
    if target is None:
        return Keyset.load(TEST_KEYS).ucsp_sign.identity("the suite's test-only key")
    pair = target.keys.signing(target.suite_party)
    return pair.identity("the suite's signing key (signs the evidence pack)")


def pytest_command(options: RunOptions, out: Path, progress: Path) -> list[str]:
    """The child's command line; it runs in :data:`ROOT` with the suite's own pytest options
    (``-c``), whichever directory ``run`` started in."""
    command = [
        sys.executable,
        "-m",
        "pytest",
        "features",
        *(str(path.resolve()) for path in options.features),
        "-c",
        str(suite_files.INI),
        "--rootdir",
        str(ROOT),
        *UNUSED_PLUGINS,
        "-q",
        "--results-json",
        str(out / "results.json"),
        "--progress-file",
        str(progress),
        "--junitxml",
        str(out / "junit.xml"),
        "--alluredir",
        str(out / "allure-results"),
        "--cucumberjson",
        str(out / "cucumber.json"),
    ]
    if options.sut:
        command += ["--sut", options.sut]
    if options.target:
        command += ["--target", str(Path(options.target).resolve())]
    if options.profile:
        command += ["--ucsp-profile", str(Path(options.profile).resolve())]
    if options.tags:
        command += ["-m", options.tags]
    if options.strict:
        command.append("--ucsp-strict")
    command += worker_options(options.workers)
    for fault in options.faults:
        command += ["--fault", fault]
    for scenario in options.scenarios:  # a title as run and list print it, or an outline's name
        command += ["--scenario-title", scenario]
    for path in options.features:
        if is_team_features(path):
            command += ["--team-features", str(path.resolve())]
    return command


def worker_options(workers: str | None) -> list[str]:
    """pytest-xdist's options for ``-n N`` (none for one worker). Work stealing: scenarios
    take from 10 ms to a couple of seconds (retry schedules), and an idle worker takes
    pending ones from a busy one rather than waiting out a fixed share."""
    if workers in (None, "1"):
        return []
    return ["-n", str(workers), "--dist", "worksteal"]


def is_team_features(path: Path) -> bool:
    """True for a ``.feature`` file, or a directory of them with no test module: the suite
    binds its scenarios (``plugins/team_features.py``); anything else runs as pytest finds it."""
    if path.is_file():
        return path.suffix == ".feature"
    return not any(path.rglob("test_*.py")) and not any(path.rglob("*_test.py"))


def _follow(process: subprocess.Popen[bytes], progress: Path, display: Display) -> None:
    """Show the child's events (:mod:`ucsp.progress`) as they arrive, until it exits."""
    offset = 0
    while True:
        done = process.poll() is not None
        if progress.exists():
            with progress.open(encoding="utf-8") as handle:
                handle.seek(offset)
                chunk = handle.read()
            complete = chunk[: chunk.rfind("\n") + 1]
            offset += len(complete.encode("utf-8"))
            for line in complete.splitlines():
                display.event(json.loads(line))
        if done:
            return
        display.tick()
        time.sleep(0.1)


def _interrupt(process: subprocess.Popen[bytes], grace: float = INTERRUPT_GRACE) -> None:
    """Stop the child after a Ctrl-C: SIGINT first (pytest ends its session and writes
    results.json), after ``grace`` seconds SIGTERM, then SIGKILL."""
    try:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
        process.wait(grace)
    except (subprocess.TimeoutExpired, KeyboardInterrupt):
        process.terminate()
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def summary(
    records: list[dict[str, Any]], roles: list[str], stream: TextIO, badge: str = ""
) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="UCSP conformance summary", caption=f"result: {badge}" if badge else None)
    table.add_column("role under test")
    for verdict in ("pass", "failure", "warning", "error", "skipped"):
        table.add_column(verdict, justify="right")
    for role in roles:
        counts = Counter(str(r["verdict"]) for r in records if r.get("role") == role)
        table.add_row(
            role, *(str(counts[v]) for v in ("pass", "failure", "warning", "error", "skipped"))
        )
    other = Counter(str(r["verdict"]) for r in records if r.get("role") not in roles)
    if other:
        table.add_row(
            "(suite)", *(str(other[v]) for v in ("pass", "failure", "warning", "error", "skipped"))
        )
    Console(file=stream, width=100).print(table)


def run(options: RunOptions, stream: TextIO | None = None) -> RunResult:
    """One certification run. Raises ConfigError for a usage or configuration problem."""
    stream = sys.stdout if stream is None else stream  # per call: stdout may be redirected
    refuse_profile_without_target(options.profile, options.target)
    target = load_target(options.target, options.profile) if options.target else None
    if target is not None and options.sut not in (None, target.sut):
        raise ConfigError(
            f"--sut {options.sut} contradicts {target.source} (sut = "
            f"{target.sut!r}); drop --sut or use another target file"
        )
    _check_faults(options, target)
    _check_workers(options, target)
    _check_features(options)
    waivers = check_baseline(options.baseline, options.certify, load_registry())
    _lint_first(options, stream)
    _refuse_out_in_suite(options.out)
    _refuse_non_empty_out(options)
    if target is not None:
        from ucsp.doctor import preflight

        problems, warnings = preflight(target)
        for warning in warnings:  # the SUT's behaviour: the scenarios grade it
            print(f"preflight: {warning}", file=stream, flush=True)
        if problems:
            raise ConfigError("preflight failed: " + " | ".join(problems))
    started = datetime.now(UTC)
    run_id = started.strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)
    out = (options.out or Path.cwd() / "reports" / run_id).resolve()
    _prepare_out(out, options.force, given=options.out is not None)
    progress = out / ".progress.jsonl"
    progress.unlink(missing_ok=True)
    roles: list[str] = (
        [target.sut] if target else list(ROLES if options.sut in (None, "both") else [options.sut])
    )
    print(
        f"ucsp-conformance {__version__}: run {run_id}, role(s) under test: "
        f"{', '.join(roles)}; reports in {out}",
        file=stream,
        flush=True,
    )
    # The child's output goes to a file, not a pipe: nobody reads a pipe while _follow
    # polls, and a child writing more than the pipe buffer would block forever.
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            pytest_command(options, out, progress),
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        display = display_for(stream)
        interrupted = False
        try:
            _follow(process, progress, display)
        except KeyboardInterrupt:
            interrupted = True
            display.close()
            print("interrupted: stopping the scenarios", file=stream, flush=True)
            _interrupt(process)
        finally:
            display.close()
        log.seek(0)
        output = log.read().decode("utf-8", "replace")
    results = out / "results.json"
    if interrupted and not results.exists():  # the child had no time: what it had finished
        seen = [{"exchanges": [], **r} for r in display.progress.records]
        write_results(results, ResultsFile(interrupted_run(options, roles, progress), seen))
    progress.unlink(missing_ok=True)
    if not results.exists() or (
        process.returncode in (2, 3, 4) and not interrupted and not _stopped(results)
    ):
        tail = [line for line in output.strip().splitlines() if line.strip()][-3:]
        _drop_unmasked(out)
        raise ConfigError("the scenarios could not run: " + " / ".join(tail))
    child = read_results(results)
    if interrupted:
        child = ResultsFile({**child.run, "interrupted": True}, child.scenarios)
    records = child.scenarios
    if not records and not interrupted:
        _drop_unmasked(out)
        raise ConfigError(
            f"no scenario matches --tags {options.tags!r}"
            if options.tags
            else "no scenario was collected"
        )
    profile: Profile = target.profile if target else default_profile()
    registry = load_registry()
    outcome = summary_of(child.run, records, registry, roles)
    judgement = judge(waivers, records, started.date())  # a waiver holds through its day, UTC
    outcome = apply_judgement(outcome, records, judgement)
    records = mark_records(records, judgement)
    waiver_fields = evidence_fields(judgement, options.certify)
    signer = evidence_signer(target)
    meta = {
        "runId": run_id,
        "started": started.isoformat(timespec="seconds"),
        "suiteVersion": __version__,
        "suiteCommit": git_commit(),
        "roles": roles,
        "certification": options.certify,
        "waivers": judgement.as_meta(),
        **{k: outcome[k] for k in ("result", "badge", "partial", "partialReasons", "stopped")},
        "selection": outcome["selection"],
        "targetName": sanitized_target(target)["name"],
        "profileSha256": profile.digest,
        "sha256": {
            "features": digest_files(_feature_files(child.run), ROOT),
            "registry": digest_files([DEFAULT_REGISTRY_PATH], ROOT),
            "schemas": digest_files(schema_files(), ROOT),
            "profile": profile.digest,
        },
        "signingKey": {
            "certificateId": signer.cert_id,
            "testOnly": is_test_only_certificate(signer.cert),
        },
    }
    write_results(results, ResultsFile({**child.run, **outcome, **meta, **waiver_fields}, records))
    rows = requirement_matrix(
        records, registry, roles, outcome["coverage"] or None, strict=options.strict
    )
    (out / "requirements.json").write_text(
        json.dumps(mark_cells(requirements_json(rows, roles), records), indent=1),
        encoding="utf-8",
    )
    (out / "report.html").write_text(render_report(records, registry, meta, rows), encoding="utf-8")
    write_junit(out / "junit.xml", records, registry, meta, _feature_files(child.run))
    masker = masker_for(target)
    write_cucumber(out / "cucumber.json", masker, records)
    write_allure_extras(out / "allure-results", meta)
    if options.baseline is not None:  # the waivers as given, signed with the rest
        shutil.copyfile(options.baseline, out / "baseline.toml")
    write_pack(
        out,
        out / "evidence.zip",
        signer,
        {
            **meta,
            **waiver_fields,
            "target": sanitized_target(target),
            "features": child.run.get("features", []),
        },
    )
    summary(records, roles, stream, outcome["badge"])
    if outcome["stopped"]:
        print(outcome["stopped"], file=stream)
    print(counts_line(rows, roles), file=stream)
    print(f"report: {out / 'report.html'}\nevidence: {out / 'evidence.zip'}", file=stream)
    for line in judgement.lines(records):
        print(line, file=stream)
    for reason in outcome["partialReasons"]:
        print(f"partial: {reason}", file=stream)
    print(f"result: {outcome['badge']} (exit {outcome['exitCode']})", file=stream)
    return RunResult(outcome["exitCode"], out, records, {**child.run, **outcome, **meta})


def interrupted_run(options: RunOptions, roles: list[str], progress: Path) -> dict[str, Any]:
    """The ``run`` of results.json for a child stopped before it wrote one: what was
    selected, and what its processes collected (their ``collection`` events)."""
    selection = Selection(
        roles=tuple(roles),
        tags=options.tags or None,
        scenarios=tuple(options.scenarios),
        faults=tuple(options.faults),
        strict=options.strict,
    )
    coverage: dict[str, set[str]] = {}
    features: set[str] = set()
    modules: set[str] = set()
    for event in _events(progress):
        if event.get("event") == "collection":
            for rid, covered in event.get("coverage", {}).items():
                coverage.setdefault(rid, set()).update(covered)
            features.update(event.get("features", []))
            modules.update(event.get("modules", []))
    own = {str(f) for f in suite_features()}
    own_modules = {str(m) for m in suite_modules()}
    return {
        "selection": selection.as_dict(),
        "interrupted": True,
        "stopped": INTERRUPTED,
        "coverage": {rid: sorted(covered) for rid, covered in coverage.items()},
        "features": sorted(_shown(f) for f in features),
        "outsideFeatures": sorted(_shown(f) for f in features - own),
        "missingFeatures": sorted(_shown(f) for f in own - features) if features else [],
        "outsideTests": sorted(_shown(m) for m in modules - own_modules),
    }


def _events(progress: Path) -> list[dict[str, Any]]:
    """The progress file's whole events (none when there is no file)."""
    try:
        lines = progress.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return []
    events = []
    for line in lines:
        try:
            event = json.loads(line)
        except ValueError:  # a line the child was still writing when it stopped
            continue
        if isinstance(event, dict):
            events.append(event)
    return events


def _shown(path: str) -> str:
    """A collected file as reports show it: relative to the suite's files when inside them."""
    try:
        return Path(path).relative_to(ROOT).as_posix()
    except ValueError:
        return path


def _drop_unmasked(out: Path) -> None:
    """A run that stops with a ConfigError leaves no cucumber.json: the child's is unmasked
    (the runner masks it only when it writes the reports)."""
    (out / "cucumber.json").unlink(missing_ok=True)


def _check_faults(options: RunOptions, target: Target | None) -> None:
    """Faults exist only in the embedded reference implementations, under their own names."""
    if not options.faults:
        return
    if target is not None:
        raise ConfigError(
            "--fault switches on faults of the embedded reference implementations; "
            "drop --target or --fault"
        )
    roles = [r for r in ROLES if options.sut in (None, "both", r)]
    for role in roles:
        faults_for(role, options.faults, roles)  # raises UnknownFault naming the known ones


def _check_workers(options: RunOptions, target: Target | None) -> None:
    """``-n N``: a number of workers or ``auto``; more than one only for the embedded
    reference implementations (a real SUT is one system: concurrent scenarios would share
    its state and its sandbox users, and verdicts would depend on timing)."""
    workers = None if options.workers is None else str(options.workers)
    if workers in (None, "1"):
        return
    if workers != "auto" and not (workers.isdigit() and int(workers) >= 1):
        raise ConfigError(f"-n {workers}: name a number of workers (1 or more) or auto")
    if target is not None:
        raise ConfigError(
            f"-n {workers} needs the embedded reference implementations: a real target runs "
            "serially (see README)"
        )


def _check_features(options: RunOptions) -> None:
    """Each ``--features`` path exists and holds scenarios: ``.feature`` files or a test
    module. It may lie anywhere, inside the suite's files or not."""
    for path in options.features:
        if not path.exists():
            raise ConfigError(
                f"--features {path} does not exist; name a directory of .feature files"
            )
        if path.is_dir() and not any(path.rglob("*.feature")) and not any(path.rglob("*.py")):
            raise ConfigError(f"--features {path} holds no .feature file")
        if path.is_file() and path.suffix not in (".feature", ".py"):
            raise ConfigError(f"--features {path} is neither a .feature file nor a test module")


def _lint_first(options: RunOptions, stream: TextIO) -> None:
    """The selected features (the suite's own, and each ``--features`` path of ``.feature``
    files) lint clean before any SUT is met; else their problems are printed and the run
    stops."""
    team = [str(p.resolve()) for p in options.features if is_team_features(p)]
    done = run_child([str(suite_files.FEATURES), *team])
    if done.returncode == 0:
        return
    for line in done.lines[:-1] or done.stderr.strip().splitlines()[-1:]:
        print(line, file=stream, flush=True)
    found = done.lines[-1] if done.lines else "a bad path"
    raise ConfigError(
        f"the scenarios do not lint ({found}); fix them before a run "
        "(ucsp-conformance lint PATH shows them)"
    )


def _refuse_non_empty_out(options: RunOptions) -> None:
    out = options.out
    if out is None or options.force or not out.exists():
        return
    if not out.is_dir():
        raise ConfigError(f"--out {out} is a file; name a directory")
    if any(out.iterdir()):
        raise ConfigError(
            f"--out {out} is not empty; name an empty directory, or add --force to empty it first"
        )


def _refuse_out_in_suite(out: Path | None, given: bool = True) -> None:
    """Reports go outside the suite's own files (the checkout, or the installed package's
    data), or under the checkout's ``reports/``: never among those files."""
    if out is None or not suite_files.is_inside(out, ROOT):
        return
    reports = (ROOT / "reports").resolve()
    if suite_files.in_checkout() and reports in out.resolve().parents:
        return
    what = f"--out {out}" if given else f"the reports directory {out} (./reports/<run-id>)"
    if not suite_files.in_checkout():
        raise ConfigError(
            f"{what} is inside the suite's installed files {ROOT}; name a directory outside it"
        )
    raise ConfigError(
        f"{what} is inside the suite's checkout; name a directory outside it or under {reports}"
    )


def _prepare_out(out: Path, force: bool, given: bool = True) -> None:
    """Create the report directory; with ``force``, empty it first."""
    _refuse_out_in_suite(out, given)
    if force and out.is_dir():
        if out == Path(out.anchor) or out == Path.home().resolve() or out in ROOT.parents:
            raise ConfigError(f"--out {out}: --force will not empty this directory; name another")
        for child in out.iterdir():
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()
    out.mkdir(parents=True, exist_ok=True)


def _stopped(results: Path) -> bool:
    """True when the child stopped the session on purpose (it still wrote its results)."""
    try:
        return bool(read_results(results).run.get("stopped"))
    except ConfigError:
        return False


def _feature_files(run: dict[str, Any]) -> list[Path]:
    """The feature files a run collected (relative to the suite's files, or absolute)."""
    files = [ROOT / name for name in run.get("features", [])]
    return [f for f in files if f.is_file()]
