"""`datatenet bisect`: the command line of the data bisect, a thin shell over `bisect/`.

Each command opens the repository once, calls one verb (`bisect/auto.py`, `bisect/manual.py`)
and hands its result to `report/bisect.py`. Progress and CMD's output go to stderr when it is
a terminal; otherwise only the result is printed (stdout) and CMD's output stays in the log.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from datatenet.bisect.search import Verdict
    from datatenet.bisect.session import Request, Session
    from datatenet.results.bisect import Outcome, Progress

_RUN_SETTINGS = {"ignore_unknown_options": True, "allow_interspersed_args": False}


@click.group()
def bisect() -> None:
    """Find the data commit that degraded a model, and the samples inside it.

    \b
    datatenet bisect run --good v1 --bad HEAD -- ./eval.sh    probe until the culprit is known
    datatenet bisect start --good v1 --bad HEAD               or by hand, one probe at a time:
    datatenet bisect next [--export DIR]                        the data to test next
    datatenet bisect good | bad | skip [REV]                    its verdict
    datatenet bisect log | reset

    Only commits that change the watched datasets are probed, each in a temporary worktree
    under the git directory: your working tree, index, HEAD and stash are never touched.
    """


def _revisions(function: Callable[..., Any]) -> Callable[..., Any]:
    """The options that say what is bisected (run and start)."""
    options = [
        click.option("--good", required=True, metavar="REV", help="A revision whose data is good."),
        click.option("--bad", required=True, metavar="REV", help="A later one whose data is bad."),
        click.option(
            "--dataset",
            "datasets",
            multiple=True,
            type=click.Path(path_type=Path),
            metavar="PATH",
            help="Watch only this dataset (a file, a directory, a glob or a .dvc pointer); "
            "repeatable. Default: every dataset of .datatenet.toml.",
        ),
        click.option(
            "--weighted",
            is_flag=True,
            help="Probe where the prior (change size, findings) splits the suspicion in half.",
        ),
        click.option(
            "--within-commit",
            is_flag=True,
            help="Then search the culprit's new samples for the smallest group that does it.",
        ),
        click.option("--json", "as_json", is_flag=True, help="Print a JSON document."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


@bisect.command("run", context_settings=_RUN_SETTINGS)
@_revisions
@click.option("--dry-run", is_flag=True, help="List the candidates; run nothing.")
@click.option(
    "--metric",
    metavar="REGEX",
    help="Read a score from CMD's output: the last match, its first group (e.g. 'acc: ([0-9.]+)').",
)
@click.option(
    "--threshold", type=float, metavar="X", help="With --metric: the worst score still good."
)
@click.option(
    "--higher-is-better", is_flag=True, help="With --metric: scores at or above X are good."
)
@click.argument("command", nargs=-1, type=click.UNPROCESSED, metavar="[--] CMD [ARGS]...")
def run(
    good: str,
    bad: str,
    datasets: tuple[Path, ...],
    weighted: bool,
    within_commit: bool,
    as_json: bool,
    dry_run: bool,
    metric: str | None,
    threshold: float | None,
    higher_is_better: bool,
    command: tuple[str, ...],
) -> None:
    """Probe with CMD until the first bad commit (and its samples) are known.

    CMD's exit code is read as `git bisect run` reads it: 0 good, 125 skip, 1-127 bad, 128 and
    above stop the bisect. With --metric and --threshold, a score read from its output decides
    instead (lower is better unless --higher-is-better). CMD runs in the probe's worktree, in
    the directory you run this from; DATATENET_BISECT_REVISION, _WORKTREE, _DATASETS (and
    _DATASET, _PROBE, _SAMPLES) tell it what it tests. Interrupted, the same command resumes.
    """
    from datatenet.bisect import auto
    from datatenet.bisect.runner import Metric
    from datatenet.errors import DatatenetError

    if (metric is None) != (threshold is None):
        raise DatatenetError(
            "--metric and --threshold go together", "e.g. --metric 'acc: ([0-9.]+)' --threshold 0.8"
        )
    if higher_is_better and metric is None:
        raise DatatenetError("--higher-is-better needs --metric and --threshold", "add both")
    if command[:1] == ("--",):
        command = command[1:]
    if not command and not dry_run:
        raise DatatenetError("bisect run needs a command after `--`", "e.g. -- ./eval.sh")
    chosen = (
        Metric(metric, threshold, higher_is_better) if metric and threshold is not None else None
    )
    with _session(verbose=not dry_run) as session:
        request = _request(session, good, bad, datasets, weighted, within_commit)
        if dry_run:
            from datatenet.report.bisect import dry_run_document, render_dry_run

            listed = auto.dry_run(session, request)
            _show(as_json, dry_run_document(listed), lambda: render_dry_run(listed))
            return
        from dataclasses import replace

        try:
            outcome = auto.run(session, replace(request, command=command, metric=chosen))
        except KeyboardInterrupt:
            click.echo("bisect interrupted; the same command resumes it", err=True)
            raise
        _show_outcome(as_json, outcome)


@bisect.command()
@_revisions
def start(
    good: str,
    bad: str,
    datasets: tuple[Path, ...],
    weighted: bool,
    within_commit: bool,
    as_json: bool,
) -> None:
    """Begin a bisect driven by hand.

    `datatenet bisect next` then hands out each probe; `good`, `bad` or `skip` answers it.
    """
    from datatenet.bisect import manual

    with _session() as session:
        request = _request(session, good, bad, datasets, weighted, within_commit)
        _show_progress(as_json, manual.start(session, request))


@bisect.command("next")
@click.option(
    "--export",
    type=click.Path(path_type=Path, file_okay=False),
    metavar="DIR",
    help="Write the dataset files to DIR (e.g. to copy to a cluster) instead of a worktree.",
)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON document.")
def next_probe(export: Path | None, as_json: bool) -> None:
    """Hand out the data to test next: a worktree, kept until its verdict, or an export."""
    from datatenet.bisect import manual
    from datatenet.report.bisect import handout_document, render_handout
    from datatenet.results.bisect import Handout

    with _session() as session:
        handed = manual.next_probe(session, export.absolute() if export else None)
    if isinstance(handed, Handout):
        _show(as_json, handout_document(handed), lambda: render_handout(handed))
    else:
        _show_outcome(as_json, handed)


def _mark(verdict: Verdict) -> Callable[..., None]:
    @click.argument("revision", required=False, metavar="[REV]")
    @click.option("--json", "as_json", is_flag=True, help="Print a JSON document.")
    def mark(revision: str | None, as_json: bool) -> None:
        from datatenet.bisect import manual

        with _session() as session:
            _show_progress(as_json, manual.mark(session, verdict, revision))

    mark.__doc__ = (
        f"Mark the data handed out by `next` (or REV's) {verdict}."
        if verdict != "skip"
        else "Mark the data handed out by `next` (or REV's) as untestable."
    )
    return mark


for _verdict in ("good", "bad", "skip"):
    bisect.command(_verdict)(_mark(_verdict))


@bisect.command("log")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON document.")
def show_log(as_json: bool) -> None:
    """Every step of the bisect so far.

    Its start, each probe with its verdict, interruptions, resumptions and the answer.
    """
    from datatenet.bisect import manual
    from datatenet.report.bisect import log_document, render_log

    with _session() as session:
        lines = manual.log(session)
    _show(as_json, log_document(lines), lambda: render_log(lines))


@bisect.command()
def reset() -> None:
    """End the bisect: its worktrees, state and log are removed."""
    from datatenet.bisect import manual
    from datatenet.report.bisect import render_reset

    with _session() as session:
        removed = manual.reset(session)
    click.echo(render_reset(removed))


# -- shared -------------------------------------------------------------------------------------


@contextmanager
def _session(*, verbose: bool = True) -> Iterator[Session]:
    """The repository of the current directory, opened for one command; progress (and CMD's
    output) on stderr when it is a terminal."""
    from datatenet.bisect.session import Session
    from datatenet.progress import Progress
    from datatenet.repo.repository import Repo

    shown = Progress(quiet=not verbose)
    progress = (
        (lambda line: click.echo(f"datatenet bisect: {line}", err=True)) if shown.enabled else None
    )
    echo = sys.stderr.buffer if shown.enabled else None
    with Repo.open(Path.cwd()) as repo:
        yield Session(repo, cwd=Path.cwd(), progress=progress, echo=echo)


def _request(
    session: Session,
    good: str,
    bad: str,
    datasets: tuple[Path, ...],
    weighted: bool,
    within_commit: bool,
) -> Request:
    from datatenet.bisect.session import Request

    paths = tuple(dict.fromkeys(session.repo.relative(path) for path in datasets))
    return Request(good, bad, paths, weighted=weighted, within_commit=within_commit)


def _show(as_json: bool, document: dict[str, Any], text: Callable[[], str]) -> None:
    if as_json:
        import orjson

        click.echo(orjson.dumps(document, option=orjson.OPT_INDENT_2).decode())
    else:
        click.echo(text())


def _show_outcome(as_json: bool, outcome: Outcome) -> None:
    from datatenet.report.bisect import outcome_document, render_outcome

    command = _report_command(outcome)
    _show(
        as_json,
        outcome_document(outcome, command),
        lambda: render_outcome(outcome, command),
    )


def _show_progress(as_json: bool, progress: Progress) -> None:
    from datatenet.report.bisect import progress_document, render_progress

    command = _report_command(progress.outcome) if progress.outcome is not None else None
    _show(
        as_json,
        progress_document(progress, command),
        lambda: render_progress(progress, command),
    )


def _report_command(outcome: Outcome) -> str | None:
    """The command that writes the report of the culprit's change, for the reviewer."""
    if outcome.culprit is None:
        return None
    short = outcome.culprit.commit[:12]
    return f"datatenet report {short}~1 {short} --html datatenet-bisect-{short[:7]}.html"
