"""The state of a bisect, kept under the git directory so that it outlives the process.

`<git common dir>/datatenet/bisect/`:
- `state.json`: what is bisected (good, bad, datasets, CMD, options), the candidates with their
  data keys and prior weights, and every verdict so far (by data key, or by sample subset);
  rewritten atomically after each step. The search itself is replayed from the verdicts, so
  nothing else needs keeping: an interrupted bisect resumes where it stopped.
- `log`: every step, one line each, appended as it happens (`datatenet bisect log`).
- `probes/N.log`: CMD's output for probe N.
- `worktrees/`: the temporary worktrees; none is left once a step is over, except the one
  `bisect next` hands to the user.
- `lock`: held (with this process's id) while a command changes the state.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import orjson

from datatenet.bisect.ddmin import OUTCOMES, Outcome
from datatenet.bisect.search import VERDICTS, Verdict
from datatenet.errors import DatatenetError
from datatenet.files import write_atomically

BISECT_DIR = "bisect"
STATE_FILE = "state.json"
LOG_FILE = "log"
FORMAT = 1


@dataclass(frozen=True)
class Candidate:
    commit: str
    key: str  # the data key of the commit (datasets.DataState.key)
    weight: float = 1.0  # the prior


@dataclass(frozen=True)
class Outstanding:
    """A probe handed out and not yet answered: its worktree or export directory."""

    target: str  # a commit id, or "samples" for a subset of the culprit's samples
    subset: tuple[int, ...] | None = None
    worktree: str | None = None
    export: str | None = None


@dataclass(frozen=True)
class State:
    good: str
    bad: str
    good_key: str
    bad_key: str
    candidates: tuple[Candidate, ...]
    datasets: tuple[str, ...] = ()
    weighted: bool = False
    within_commit: bool = False
    command: tuple[str, ...] | None = None  # None: a bisect driven by hand
    metric: Mapping[str, Any] | None = None  # runner.Metric as a dict
    verdicts: Mapping[str, Verdict] = field(default_factory=dict)  # data key -> verdict
    decisive_runs: int = 0  # probes that gave good or bad (the weighted budget counts them)
    runs: int = 0  # probes of commits: runs of CMD, or verdicts given by hand
    # probes of sample subsets inside the culprit: subset key -> outcome
    samples: Mapping[str, Outcome] = field(default_factory=dict)
    outstanding: Outstanding | None = None
    started: str = ""
    done: bool = False  # the answer is known

    def with_verdict(self, key: str, verdict: Verdict) -> State:
        verdicts = {**self.verdicts, key: verdict}
        return replace(
            self,
            verdicts=verdicts,
            runs=self.runs + 1,
            decisive_runs=self.decisive_runs + (verdict != "skip"),
        )

    def with_outcome(self, subset: tuple[int, ...], outcome: Outcome) -> State:
        samples = {**self.samples, subset_key(subset): outcome}
        return replace(self, samples=samples)


def subset_key(subset: tuple[int, ...] | frozenset[int]) -> str:
    return ",".join(map(str, sorted(subset)))


def parse_subset_key(key: str) -> frozenset[int]:
    return frozenset(int(part) for part in key.split(",") if part)


class Store:
    """The files of the bisect under `<git common dir>/datatenet/bisect`."""

    def __init__(self, cache_root: Path) -> None:
        self.directory = cache_root / BISECT_DIR

    @property
    def state_path(self) -> Path:
        return self.directory / STATE_FILE

    @property
    def log_path(self) -> Path:
        return self.directory / LOG_FILE

    @property
    def worktrees(self) -> Path:
        return self.directory / "worktrees"

    def probe_log(self, number: int) -> Path:
        return self.directory / "probes" / f"{number}.log"

    def load(self) -> State | None:
        try:
            data = self.state_path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise self._damaged(str(exc)) from None
        try:
            return _state_from_json(orjson.loads(data))
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            raise self._damaged(str(exc)) from None

    def save(self, state: State) -> None:
        document = {"format": FORMAT, **asdict(state)}
        if not write_atomically(
            self.state_path, orjson.dumps(document, option=orjson.OPT_INDENT_2)
        ):
            raise DatatenetError(
                f"cannot write the bisect state to {self.state_path}",
                "check the permissions and free space of the repository's .git directory",
            )

    def log(self, event: str, *details: str) -> None:
        """Append one step to the log, at once (a crash loses nothing logged before it)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        line = "\t".join((stamp, event, *details)).replace("\n", " ")
        with self.log_path.open("a", encoding="utf-8") as handle:
            handle.write(line + "\n")

    def read_log(self) -> list[str]:
        try:
            return self.log_path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []

    def clear(self) -> None:
        """Forget the bisect: state, log and probe logs (worktrees are removed beforehand)."""
        import shutil

        for path in (self.state_path, self.log_path):
            path.unlink(missing_ok=True)
        shutil.rmtree(self.directory / "probes", ignore_errors=True)

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """One datatenet command at a time changes the bisect of a repository."""
        self.directory.mkdir(parents=True, exist_ok=True)
        lock = self.directory / "lock"
        for _ in range(2):
            try:
                handle = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
                break
            except FileExistsError:
                if _alive(lock):
                    raise DatatenetError(
                        f"another datatenet bisect command is running here ({lock})",
                        "wait for it to end; if no such process exists, delete that file",
                    ) from None
                lock.unlink(missing_ok=True)  # left by a process that is gone
        else:  # pragma: no cover - a race lost twice
            raise DatatenetError(f"cannot take the bisect lock {lock}", "try again")
        try:
            os.write(handle, str(os.getpid()).encode())
            os.close(handle)
            yield
        finally:
            lock.unlink(missing_ok=True)

    def _damaged(self, why: str) -> DatatenetError:
        return DatatenetError(
            f"the bisect state {self.state_path} cannot be read ({why})",
            "start again with `datatenet bisect reset`",
        )


def _alive(lock: Path) -> bool:
    try:
        pid = int(lock.read_text().strip() or "0")
    except (OSError, ValueError):
        return False
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _state_from_json(data: dict[str, Any]) -> State:
    if data.get("format") != FORMAT:
        raise ValueError(f"state format {data.get('format')!r}, expected {FORMAT}")
    verdicts = {str(k): v for k, v in data["verdicts"].items()}
    samples = {str(k): v for k, v in data["samples"].items()}
    if any(v not in VERDICTS for v in verdicts.values()) or any(
        v not in OUTCOMES for v in samples.values()
    ):
        raise ValueError("unknown verdict")
    outstanding = data.get("outstanding")
    return State(
        good=data["good"],
        bad=data["bad"],
        good_key=data["good_key"],
        bad_key=data["bad_key"],
        candidates=tuple(Candidate(**c) for c in data["candidates"]),
        datasets=tuple(data["datasets"]),
        weighted=bool(data["weighted"]),
        within_commit=bool(data["within_commit"]),
        command=tuple(data["command"]) if data["command"] is not None else None,
        metric=data["metric"],
        verdicts=verdicts,
        decisive_runs=int(data["decisive_runs"]),
        runs=int(data["runs"]),
        samples=samples,
        outstanding=(
            None
            if outstanding is None
            else Outstanding(
                outstanding["target"],
                tuple(outstanding["subset"]) if outstanding["subset"] is not None else None,
                outstanding["worktree"],
                outstanding["export"],
            )
        ),
        started=data.get("started", ""),
        done=bool(data.get("done", False)),
    )
