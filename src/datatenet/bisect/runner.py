"""Running CMD on one probe and reading its verdict.

By its exit code, as `git bisect run` reads it: 0 good, 125 skip (this data cannot be
tested), 1-127 bad, 128 and above (or death by a signal) aborts the bisect. Or, with a metric,
from a number CMD prints: the last match of a regular expression in its output, against a
threshold.

CMD runs in its own process group with no terminal input, its output going to a log file
(and echoed while it runs). When datatenet is interrupted (Ctrl-C, SIGTERM, SIGHUP) the whole
group is stopped, gently first: a training run gets the chance to end cleanly.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from datatenet.bisect.search import Verdict
from datatenet.errors import DatatenetError
from datatenet.repo.checkouts import environment as isolated

SKIP_CODE = 125
ABORT_FROM = 128
_GRACE_SECONDS = 5.0
_POLL_SECONDS = 0.1


class ProbeAborted(DatatenetError):
    """CMD asked for the bisect to stop (exit code 128 or above, or a signal)."""


@dataclass(frozen=True)
class Metric:
    pattern: str  # a regular expression; its first group (or the whole match) is the number
    threshold: float
    higher_is_better: bool = False

    def compiled(self) -> re.Pattern[str]:
        try:
            return re.compile(self.pattern, re.MULTILINE)
        except re.error as exc:
            raise DatatenetError(
                f"--metric: {self.pattern!r} is not a regular expression ({exc})",
                r"e.g. --metric 'accuracy: ([0-9.]+)'",
            ) from None


@dataclass(frozen=True)
class ProbeResult:
    verdict: Verdict
    exit_code: int
    score: float | None
    log: Path
    detail: str  # one line for the bisect log


def run_probe(
    command: Sequence[str],
    environment: Mapping[str, str],
    cwd: Path,
    log: Path,
    metric: Metric | None = None,
    echo: BinaryIO | None = None,
) -> ProbeResult:
    """Run CMD once and read its verdict. Raises ProbeAborted when CMD asks to stop."""
    if metric is not None:
        metric.compiled()  # a bad expression is an error before CMD runs, not after
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as output:
        try:
            process = subprocess.Popen(
                list(command),
                cwd=cwd,
                env=isolated(environment),
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                process_group=0,
            )
        except OSError as exc:
            raise DatatenetError(
                f"cannot run {command[0]!r}: {exc.strerror or exc}",
                "name an executable (with its path, e.g. ./eval.sh), after `--`",
            ) from None
        code = _wait(process, log, echo)
    return judge(code, log, metric)


def _wait(process: subprocess.Popen[bytes], log: Path, echo: BinaryIO | None) -> int:
    """Wait for CMD, echoing its output; on any interruption, stop its process group."""
    shown = 0
    try:
        while True:
            try:
                code = process.wait(timeout=_POLL_SECONDS)
                break
            except subprocess.TimeoutExpired:
                shown = _echo(log, shown, echo)
        _echo(log, shown, echo)
        return code
    except BaseException:
        stop_group(process)
        raise


def _echo(log: Path, shown: int, echo: BinaryIO | None) -> int:
    if echo is None:
        return shown
    with log.open("rb") as handle:
        handle.seek(shown)
        data = handle.read()
    if data:
        echo.write(data)
        echo.flush()
    return shown + len(data)


def stop_group(process: subprocess.Popen[bytes]) -> None:
    """SIGINT, then SIGTERM, then SIGKILL to CMD's process group, until it is gone."""
    with deferred_interrupts():
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGKILL):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, sig)
            try:
                process.wait(timeout=_GRACE_SECONDS)
                break
            except subprocess.TimeoutExpired:
                continue
        # children CMD left behind in its group
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)


def judge(code: int, log: Path, metric: Metric | None) -> ProbeResult:
    """The verdict of a finished CMD: by its exit code, or by the score in its output."""
    if code < 0 or code >= ABORT_FROM:
        how = f"was killed by signal {-code}" if code < 0 else f"exited with {code}"
        raise ProbeAborted(
            f"CMD {how}: the bisect stops (128 and above abort, as with `git bisect run`); "
            f"its output is in {log}",
            "fix CMD, then run the same `datatenet bisect run` again: it resumes",
        )
    if code == SKIP_CODE:
        return ProbeResult("skip", code, None, log, "exit 125: cannot be tested")
    if metric is None:
        verdict: Verdict = "good" if code == 0 else "bad"
        return ProbeResult(verdict, code, None, log, f"exit {code}")
    score = read_score(log, metric)
    if score is None:
        if code != 0:
            return ProbeResult("skip", code, None, log, f"exit {code} and no score: skipped")
        raise ProbeAborted(
            f"no match of --metric {metric.pattern!r} in CMD's output ({log})",
            "check the expression against what CMD prints; its first group is the number",
        )
    good = score >= metric.threshold if metric.higher_is_better else score <= metric.threshold
    relation = (">=" if good else "<") if metric.higher_is_better else ("<=" if good else ">")
    return ProbeResult(
        "good" if good else "bad",
        code,
        score,
        log,
        f"score {score:g} {relation} {metric.threshold:g}",
    )


def read_score(log: Path, metric: Metric) -> float | None:
    """The number of the last match of the metric's expression in the log."""
    text = log.read_bytes().decode("utf-8", "replace")
    matches = list(metric.compiled().finditer(text))
    if not matches:
        return None
    last = matches[-1]
    found = last.group(1) if last.re.groups else last.group(0)
    try:
        return float(found)
    except (TypeError, ValueError):
        raise ProbeAborted(
            f"--metric matched {found!r}, which is not a number",
            r"put the number in the first group, e.g. 'accuracy: ([0-9.]+)'",
        ) from None


@contextlib.contextmanager
def deferred_interrupts() -> Iterator[None]:
    """Hold off Ctrl-C, SIGTERM and SIGHUP while a step that must not be cut short runs
    (creating or removing a worktree); a signal that came meanwhile is raised afterwards."""
    received: list[int] = []

    def hold(signum: int, frame: object) -> None:
        received.append(signum)

    try:
        with _handled((signal.SIGINT, signal.SIGTERM, signal.SIGHUP), hold):
            yield
    finally:
        if received:
            raise KeyboardInterrupt


@contextlib.contextmanager
def interrupts_as_keyboard() -> Iterator[None]:
    """SIGTERM and SIGHUP (a closed terminal) stop a bisect the way Ctrl-C does: CMD stopped,
    the worktree removed, the state kept for resuming."""

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    with _handled((signal.SIGTERM, signal.SIGHUP), interrupt):
        yield


@contextlib.contextmanager
def _handled(
    signals: tuple[signal.Signals, ...], handler: Callable[[int, object], None]
) -> Iterator[None]:
    """`handler` for `signals` inside, the previous handlers restored after; outside the main
    thread, where handlers cannot be set, nothing changes."""
    try:
        previous = {sig: signal.signal(sig, handler) for sig in signals}
    except ValueError:
        yield
        return
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
