"""The automatic bisect: `bisect run` (probe until the answer is known) and `--dry-run`."""

from __future__ import annotations

from datatenet.bisect.runner import interrupts_as_keyboard
from datatenet.bisect.session import Finished, Request, Session, expectation, refuse_unfinished
from datatenet.bisect.state import State
from datatenet.errors import DatatenetError
from datatenet.results.bisect import DryRun, DryRunEntry, Outcome


def dry_run(session: Session, request: Request) -> DryRun:
    """`--dry-run`: the candidates with their statements and change sizes (and, weighted,
    their prior and the expected probes); nothing is run, nothing is saved."""
    request = session.resolved(request)
    span = session.span(request)
    facts, weights = session.prior(span, request, facts=True)
    total = sum(weights) or 1.0
    return DryRun(
        span.good,
        span.bad,
        span.walked,
        tuple(DryRunEntry(f, w, w / total) for f, w in zip(facts, weights, strict=True)),
        expectation(weights) if request.weighted else None,
    )


def run(session: Session, request: Request) -> Outcome:
    """`datatenet bisect run`: probe until the culprit (and its samples) are known. Running
    the same request again after an interruption resumes it."""
    if request.command is None or not request.command:
        raise DatatenetError("bisect run needs a command after `--`", "e.g. -- ./eval.sh")
    with session.saved.locked(), interrupts_as_keyboard():
        state = _open(session, session.resolved(request))
        reader = session.reader(state.datasets)
        while True:
            step = session.step(state, reader)
            if isinstance(step, Finished):
                return session.finish(state, step)
            state = session.probe(state, step, reader)


def _open(session: Session, request: Request) -> State:
    saved = session.saved.load()
    if saved is not None:
        if session.matches(saved, request):
            session.saved.log("resume", f"{saved.runs + len(saved.samples)} runs so far")
            return saved
        refuse_unfinished(saved)
        session.saved.clear()
    state = session.plan(request)
    session.saved.save(state)
    session.log_start(state)
    return state
