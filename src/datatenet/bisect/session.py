"""One bisect of a repository: its plan, the step it is at, its probes and its answer.

`Session` is shared by the automatic verbs (`bisect/auto.py`) and the verbs driven by hand
(`bisect/manual.py`). The step a bisect is at is computed from its verdicts each time (see
`search.choose` and `ddmin.step`), so a bisect resumes from its state file alone.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from datatenet.bisect import candidates, ddmin, search, worktree
from datatenet.bisect.datasets import DataReader
from datatenet.bisect.runner import (
    SKIP_CODE,
    Metric,
    ProbeAborted,
    ProbeResult,
    run_probe,
)
from datatenet.bisect.state import Candidate, State, Store, parse_subset_key, subset_key
from datatenet.bisect.within import CulpritSamples
from datatenet.errors import DatatenetError
from datatenet.results.bisect import Expectation, Facts, Outcome, WithinCommit

if TYPE_CHECKING:
    from datatenet.repo.repository import Repo

ENV_PREFIX = "DATATENET_BISECT_"
OUTCOME_OF: dict[search.Verdict, ddmin.Outcome] = {
    "good": "pass",
    "bad": "fail",
    "skip": "unresolved",
}


@dataclass(frozen=True)
class Request:
    good: str
    bad: str
    datasets: tuple[str, ...] = ()  # repository-relative paths, globs or pointers
    weighted: bool = False
    within_commit: bool = False
    command: tuple[str, ...] | None = None  # None: driven by hand
    metric: Metric | None = None


@dataclass(frozen=True)
class CommitStep:
    index: int  # 1..n
    commit: str
    lo: int
    hi: int


@dataclass(frozen=True)
class SampleStep:
    commit: str  # the culprit, whose tree the probe uses
    subset: frozenset[int]
    units: int


@dataclass(frozen=True)
class Finished:
    index: int | None  # the culprit's index, None when skips left several suspects
    suspects: tuple[int, ...]
    minimal: ddmin.Minimal | None


Step = CommitStep | SampleStep | Finished


class Session:
    """One bisect of a repository, for the length of one command. `progress` is told what
    happens, one line at a time; `echo` receives CMD's output as it runs."""

    def __init__(
        self,
        repo: Repo,
        *,
        cwd: Path | None = None,
        progress: Callable[[str], None] | None = None,
        echo: BinaryIO | None = None,
    ) -> None:
        self.repo = repo
        self.saved = Store(repo.cache_root)
        self.cwd = cwd or Path.cwd()
        self.progress = progress or (lambda _: None)
        self.echo = echo
        self._samples: CulpritSamples | None = None
        self._readers: dict[tuple[str, ...], DataReader] = {}

    def reader(self, selection: tuple[str, ...]) -> DataReader:
        """Reads the watched datasets (those of `selection`, when given) of any revision."""
        if selection not in self._readers:
            self._readers[selection] = DataReader(self.repo, selection)
        return self._readers[selection]

    # -- the plan --------------------------------------------------------------------------

    def span(self, request: Request) -> candidates.Span:
        reader = self.reader(request.datasets)
        return candidates.span(self.repo, reader, request.good, request.bad)

    def prior(
        self, span: candidates.Span, request: Request, *, facts: bool = False
    ) -> tuple[list[Facts], list[float]]:
        """The candidates' facts (with findings when weighted) and their prior weights (all
        1.0 unless weighted)."""
        if not (request.weighted or facts):
            return [], [1.0] * len(span.commits)
        if request.weighted:
            self.progress(f"reading the changes and findings of {len(span.commits)} candidates")
        found = candidates.facts(
            self.repo, span.commits, request.datasets, findings=request.weighted
        )
        if not request.weighted:
            return found, [1.0] * len(found)
        return found, [search.prior_weight(f.changed, f.kinds) for f in found]

    def plan(self, request: Request) -> State:
        """Check the revisions and list the candidates, with their prior when weighted."""
        span = self.span(request)
        self.progress(
            f"{len(span.commits)} candidates: the commits of {span.walked} between good and bad "
            "that change the watched data"
        )
        _, weights = self.prior(span, request)
        state = State(
            good=span.good,
            bad=span.bad,
            good_key=span.good_state.key,
            bad_key=span.bad_state.key,
            candidates=tuple(
                Candidate(info.commit, data.key, weight)
                for info, data, weight in zip(span.commits, span.states, weights, strict=True)
            ),
            datasets=request.datasets,
            weighted=request.weighted,
            within_commit=request.within_commit,
            command=request.command,
            metric=asdict(request.metric) if request.metric is not None else None,
            started=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        )
        return state

    def log_start(self, state: State) -> None:
        self.saved.log(
            "start",
            f"good {state.good}",
            f"bad {state.bad}",
            f"{len(state.candidates)} candidates",
            *(["datasets " + " ".join(state.datasets)] if state.datasets else []),
            *(["weighted"] if state.weighted else []),
            *(["within-commit"] if state.within_commit else []),
            *(["command " + " ".join(state.command)] if state.command else []),
        )

    def resolved(self, request: Request) -> Request:
        """The request with good and bad as full commit ids (to compare with a saved state),
        once the repository is known to be at rest."""
        candidates.refuse_busy_repository(self.repo)
        return replace(
            request,
            good=candidates.resolve_commit(self.repo, request.good, "--good"),
            bad=candidates.resolve_commit(self.repo, request.bad, "--bad"),
        )

    def matches(self, state: State, request: Request) -> bool:
        metric = asdict(request.metric) if request.metric is not None else None
        return (
            state.good == request.good
            and state.bad == request.bad
            and state.datasets == request.datasets
            and state.weighted == request.weighted
            and state.within_commit == request.within_commit
            and state.command == request.command
            and state.metric == metric
        )

    # -- where the bisect stands -----------------------------------------------------------

    def verdicts(self, state: State) -> dict[int, search.Verdict]:
        """The verdict of every candidate known so far, by its index (1..n)."""
        known: dict[int, search.Verdict] = {}
        for index, candidate in enumerate(state.candidates, start=1):
            if candidate.key == state.bad_key:
                known[index] = "bad"
            elif candidate.key == state.good_key:
                known[index] = "good"
            elif candidate.key in state.verdicts:
                known[index] = state.verdicts[candidate.key]
        return known

    def step(self, state: State, reader: DataReader) -> Step:
        size = len(state.candidates)
        verdicts = self.verdicts(state)
        weights = [c.weight for c in state.candidates] if state.weighted else None
        choice = search.choose(size, verdicts, weights, state.decisive_runs)
        if isinstance(choice, search.Probe):
            lo, hi = search.bounds(size, verdicts)
            return CommitStep(choice.index, state.candidates[choice.index - 1].commit, lo, hi)
        if isinstance(choice, search.OnlySkipped):
            return Finished(None, choice.indices, None)
        if not state.within_commit:
            return Finished(choice.index, (), None)
        samples = self.culprit_samples(reader, state.candidates[choice.index - 1].commit)
        known = {parse_subset_key(k): v for k, v in state.samples.items()}
        found = samples.step(known)
        if isinstance(found, ddmin.NeedTest):
            return SampleStep(samples.culprit, found.subset, len(samples.units))
        return Finished(choice.index, (), found)

    def culprit_samples(self, reader: DataReader, culprit: str) -> CulpritSamples:
        if self._samples is None or self._samples.culprit != culprit:
            self._samples = CulpritSamples(reader, culprit)
        return self._samples

    # -- probes ----------------------------------------------------------------------------

    def probe_directory(self, worktree_path: Path) -> Path:
        """Where CMD runs: in the probe's worktree, at the place the user's directory has in
        their own work tree (made if the revision lacks it), so that relative paths name the
        probe's files. A directory outside the repository is kept as it is."""
        try:
            inside = Path(os.path.realpath(self.cwd)).relative_to(os.path.realpath(self.repo.root))
        except ValueError:
            return self.cwd
        place = worktree_path / inside
        try:
            place.mkdir(parents=True, exist_ok=True)
        except OSError:  # a file of that name at this revision
            return worktree_path
        return place

    def program(self, command: tuple[str, ...]) -> tuple[str, ...]:
        """CMD, its program taken from the user's directory when it is named by a relative path
        there (`./eval.sh`): every probe is evaluated by the same program. Bare names are
        looked up on PATH; arguments are passed as they are."""
        first = command[0]
        if "/" in first and not Path(first).is_absolute() and (self.cwd / first).exists():
            return (str((self.cwd / first).absolute()), *command[1:])
        return command

    def environment(
        self, made: worktree.Materialised, number: int, samples: int | None
    ) -> dict[str, str]:
        """What CMD is told about the probe."""
        env = {
            ENV_PREFIX + "REVISION": made.commit,
            ENV_PREFIX + "WORKTREE": str(made.path),
            ENV_PREFIX + "DATASETS": os.pathsep.join(str(p) for p in made.datasets),
            ENV_PREFIX + "DATASET": str(made.datasets[0]) if made.datasets else "",
            ENV_PREFIX + "PROBE": str(number),
        }
        if samples is not None:
            env[ENV_PREFIX + "SAMPLES"] = str(samples)
        return env

    def probe(self, state: State, step: CommitStep | SampleStep, reader: DataReader) -> State:
        """Run CMD on one step's data, in a worktree removed afterwards; the state with the
        verdict, saved and logged."""
        assert state.command is not None
        number = state.runs + len(state.samples) + 1
        commit = step.commit
        what = (
            f"{commit[:10]} ({step.hi - step.lo} suspects left, at most "
            f"{search.worst_case(step.hi - step.lo)} to go)"
            if isinstance(step, CommitStep)
            else f"{len(step.subset)} of the {step.units} new samples of {commit[:10]}"
        )
        self.progress(f"probe {number}: {what}")
        metric = Metric(**state.metric) if state.metric is not None else None
        samples = len(step.subset) if isinstance(step, SampleStep) else None
        try:
            with worktree.temporary(self.repo, self.saved.worktrees, reader.state(commit)) as made:
                if isinstance(step, SampleStep):
                    assert self._samples is not None
                    worktree.write_files(made.path, self._samples.contents(step.subset))
                if made.missing:
                    result = ProbeResult(
                        "skip",
                        SKIP_CODE,
                        None,
                        self.saved.probe_log(number),
                        "data not available: " + "; ".join(made.missing),
                    )
                else:
                    result = run_probe(
                        self.program(state.command),
                        self.environment(made, number, samples),
                        self.probe_directory(made.path),
                        self.saved.probe_log(number),
                        metric,
                        self.echo,
                    )
        except ProbeAborted as exc:
            self.saved.log("abort", commit, exc.message)
            raise
        except KeyboardInterrupt:
            self.saved.log("interrupted", commit, f"probe {number}")
            raise
        state = self.record(state, step, result.verdict)
        self.progress(f"probe {number}: {result.verdict} ({result.detail})")
        self.saved.log(result.verdict, commit, *self.subset_detail(step), result.detail)
        return state

    def record(self, state: State, step: CommitStep | SampleStep, verdict: search.Verdict) -> State:
        if isinstance(step, SampleStep):
            state = state.with_outcome(tuple(sorted(step.subset)), OUTCOME_OF[verdict])
        else:
            key = state.candidates[step.index - 1].key
            state = state.with_verdict(key, verdict)
        self.saved.save(state)
        return state

    @staticmethod
    def subset_detail(step: CommitStep | SampleStep) -> list[str]:
        return [f"samples {subset_key(step.subset)}"] if isinstance(step, SampleStep) else []

    # -- the answer ------------------------------------------------------------------------

    def expectation(self, state: State) -> Expectation | None:
        if not state.weighted:
            return None
        return expectation([c.weight for c in state.candidates])

    def outcome(self, state: State, finished: Finished) -> Outcome:
        commits = [c.commit for c in state.candidates]
        culprit = None
        if finished.index is not None:
            info = candidates.commit_info(self.repo, commits[finished.index - 1])
            (culprit,) = candidates.facts(self.repo, [info], state.datasets, findings=True)
        within = None
        if finished.minimal is not None and self._samples is not None:
            within = WithinCommit(
                finished.minimal.reproduced,
                tuple(self._samples.found(group) for group in finished.minimal.groups),
                len(self._samples.units),
                self._samples.partition.basis,
                len(state.samples),
            )
        size = len(state.candidates)
        return Outcome(
            culprit,
            tuple(commits[i - 1] for i in finished.suspects),
            size,
            state.runs,
            search.worst_case(size),
            self.expectation(state),
            within,
            tuple(commits[i - 1] for i in search.inconsistent(size, self.verdicts(state))),
            self.saved.log_path,
            finished.index == 1 and set(state.verdicts.values()) == {"bad"},
        )

    def finish(self, state: State, finished: Finished) -> Outcome:
        """The answer, saved and logged the first time it is known."""
        if not state.done:
            self.saved.save(replace(state, done=True, outstanding=None))
            commits = [c.commit for c in state.candidates]
            if finished.index is not None:
                detail = [f"first bad commit {commits[finished.index - 1]}"]
            else:
                suspects = " ".join(commits[i - 1] for i in finished.suspects)
                detail = [f"only skipped commits left: {suspects}"]
            if finished.minimal is not None:
                detail.append(f"samples {subset_key(finished.minimal.units)}")
            self.saved.log("done", *detail, f"{state.runs + len(state.samples)} runs")
        return self.outcome(state, finished)


def expectation(weights: list[float]) -> Expectation:
    """Expected probes under the prior, weighted against halving."""
    size = len(weights)
    return Expectation(
        search.expected_probes(size, weights, True),
        search.expected_probes(size, weights, False),
        search.worst_case(size) + 1,
    )


def refuse_unfinished(saved: State) -> None:
    """A finished bisect gives way to a new one; one under way is kept until reset."""
    if not saved.done:
        how = "by hand" if saved.command is None else "with `bisect run`"
        go_on = (
            "`datatenet bisect next` hands out its next probe"
            if saved.command is None
            else "`bisect run` with the same arguments resumes it"
        )
        raise DatatenetError(
            f"another bisect is under way in this repository ({how}: good {saved.good[:10]}, "
            f"bad {saved.bad[:10]}, started {saved.started})",
            f"finish it ({go_on}), or end it with `datatenet bisect reset`",
        )
