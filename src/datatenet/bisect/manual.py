"""A bisect driven by hand, for probes that take hours (a training run on a cluster):
`start`, `next` (the data to test, in a worktree or exported), `good|bad|skip [REV]`, `log`
and `reset`. Each verb is one short process; the state file carries the bisect between them.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from datatenet.bisect import candidates, search, worktree
from datatenet.bisect.datasets import DataReader
from datatenet.bisect.runner import interrupts_as_keyboard
from datatenet.bisect.session import (
    OUTCOME_OF,
    CommitStep,
    Finished,
    Request,
    SampleStep,
    Session,
    Step,
    refuse_unfinished,
)
from datatenet.bisect.state import Outstanding, State, subset_key
from datatenet.errors import DatatenetError
from datatenet.results.bisect import Handout, Outcome, Progress


def start(session: Session, request: Request) -> Progress:
    """Begin a bisect by hand (a finished one gives way; one under way is refused)."""
    request = replace(session.resolved(request), command=None, metric=None)
    with session.saved.locked():
        saved = session.saved.load()
        if saved is not None:
            refuse_unfinished(saved)
            _drop_outstanding(session, saved)
            session.saved.clear()
        state = session.plan(request)
        session.saved.save(state)
        session.log_start(state)
        return _progress(session, state)


def next_probe(session: Session, export: Path | None = None) -> Handout | Outcome:
    """The data to test next, materialised in a worktree (kept until the verdict) or
    exported to a directory; the answer once nothing is left to test."""
    with session.saved.locked(), interrupts_as_keyboard():
        state = _require(session)
        reader = session.reader(state.datasets)
        step = session.step(state, reader)
        if isinstance(step, Finished):
            state = _drop_outstanding(session, state)
            return session.finish(state, step)
        target = step.commit
        subset = tuple(sorted(step.subset)) if isinstance(step, SampleStep) else None
        handed = state.outstanding
        if (
            handed is not None
            and handed.target == target
            and handed.subset == subset
            and handed.export == (str(export) if export else None)
            and (handed.worktree is None or Path(handed.worktree).is_dir())
        ):
            made = _describe(handed, reader, target)  # asked twice: the same handout
        else:
            state = _drop_outstanding(session, state)
            made = _materialise(session, reader, step, export)
            state = replace(
                state,
                outstanding=Outstanding(
                    target,
                    subset,
                    None if export else str(made.path),
                    str(export) if export else None,
                ),
            )
            session.saved.save(state)
            session.saved.log("next", target, *session.subset_detail(step), str(made.path))
        return _handout(session, step, made, export is not None)


def _materialise(
    session: Session, reader: DataReader, step: CommitStep | SampleStep, export: Path | None
) -> worktree.Materialised:
    commit = step.commit
    data = reader.state(commit)
    contents = None
    if isinstance(step, SampleStep):
        contents = session.culprit_samples(reader, commit).contents(step.subset)
    if export is not None:
        made = worktree.export(data, reader, export)
    else:
        made = worktree.create(session.repo, session.saved.worktrees, data)
    if contents is not None:
        worktree.write_files(made.path, contents)
    return made


def _describe(handed: Outstanding, reader: DataReader, commit: str) -> worktree.Materialised:
    place = Path(handed.worktree or handed.export or "")
    files = reader.state(commit).files
    return worktree.Materialised(place, commit, tuple(place / f.path for f in files), ())


def _handout(
    session: Session, step: CommitStep | SampleStep, made: worktree.Materialised, exported: bool
) -> Handout:
    if isinstance(step, CommitStep):
        samples, remaining = None, step.hi - step.lo
        steps_left: int | None = search.worst_case(remaining)
    else:
        samples, remaining, steps_left = len(step.subset), step.units, None
    return Handout(
        step.commit,
        _subject(session, step.commit),
        made.path,
        exported,
        made.datasets,
        made.missing,
        samples,
        remaining,
        steps_left,
    )


def _subject(session: Session, commit: str) -> str:
    return candidates.commit_info(session.repo, commit).subject


def mark(session: Session, verdict: search.Verdict, revision: str | None = None) -> Progress:
    """`bisect good|bad|skip [REV]`: the verdict on REV's data, or on the probe handed out."""
    with session.saved.locked():
        state = _require(session)
        handed = state.outstanding
        if revision is None:
            if handed is None:
                raise DatatenetError(
                    f"nothing to mark {verdict}: no probe is handed out",
                    "run `datatenet bisect next` first, or name the revision: "
                    f"`datatenet bisect {verdict} REV`",
                )
            target = handed.target
        else:
            target = candidates.resolve_commit(session.repo, revision, f"bisect {verdict}")
        answers_handout = handed is not None and handed.target == target
        subset = handed.subset if answers_handout and handed is not None else None
        if subset is not None:
            state = state.with_outcome(subset, OUTCOME_OF[verdict])
        else:
            key = _key_of(session, state, target, revision or target)
            state = state.with_verdict(key, verdict)
        if answers_handout:
            state = _drop_outstanding(session, state)  # the probe is answered
        session.saved.save(state)
        detail = [f"samples {subset_key(subset)}"] if subset is not None else []
        session.saved.log(verdict, target, *detail, "by hand")
        return _progress(session, state)


def _key_of(session: Session, state: State, commit: str, named: str) -> str:
    """The data key of a revision being marked: one of the candidates' (or good's, bad's)."""
    for candidate in state.candidates:
        if candidate.commit == commit:
            return candidate.key
    key = session.reader(state.datasets).state(commit).key
    known = {c.key for c in state.candidates} | {state.good_key, state.bad_key}
    if key not in known:
        raise DatatenetError(
            f"{named}: its data is not that of any commit between good and bad",
            "mark the revision `datatenet bisect next` handed out, or one of the candidates "
            "(`datatenet bisect log` lists the steps so far)",
        )
    return key


def _progress(session: Session, state: State) -> Progress:
    step: Step = session.step(state, session.reader(state.datasets))
    expected = session.expectation(state)
    if isinstance(step, Finished):
        outcome = session.finish(state, step)
        return Progress(len(state.candidates), 0, None, outcome, expected)
    if isinstance(step, CommitStep):
        return Progress(len(state.candidates), step.hi - step.lo, step.commit, None, expected)
    return Progress(len(state.candidates), 1, step.commit, None, expected)


def log(session: Session) -> list[str]:
    """Every step of the bisect so far, one line each."""
    lines = session.saved.read_log()
    if not lines:
        raise DatatenetError("no bisect here", "start one with `datatenet bisect start` or `run`")
    return lines


def reset(session: Session) -> list[Path]:
    """End the bisect: remove its worktrees, state and log. Returns the worktrees removed."""
    with session.saved.locked():
        saved = session.saved.load()
        removed = []
        if saved is not None and saved.outstanding and saved.outstanding.worktree:
            removed.append(Path(saved.outstanding.worktree))
        place = session.saved.worktrees
        if place.is_dir():
            removed += [p for p in sorted(place.iterdir()) if p not in removed]
        for path in removed:
            worktree.remove(session.repo, path)
        session.saved.clear()
        return removed


def _require(session: Session) -> State:
    state = session.saved.load()
    if state is None:
        raise DatatenetError(
            "no bisect is under way here",
            "start one: `datatenet bisect start --good REV --bad REV`",
        )
    return state


def _drop_outstanding(session: Session, state: State) -> State:
    """Remove the worktree of the probe handed out (an export directory is the user's)."""
    handed = state.outstanding
    if handed is None:
        return state
    if handed.worktree:
        worktree.remove(session.repo, Path(handed.worktree))
    return replace(state, outstanding=None)
