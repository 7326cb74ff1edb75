"""The commands that make reports: `report` (a change, or with `--history` a dataset's
history) and `demo`. Like cli.py, a thin shell: arguments in, one verb called, its result
handed to the renderers of report/outputs.py, the files written."""

from __future__ import annotations

import gc
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import click

from datatenet.cli_common import open_repo
from datatenet.cli_options import Change, change_options, interpret_change

if TYPE_CHECKING:
    from datatenet.progress import Progress
    from datatenet.repo.repository import Repo
    from datatenet.results.commit import CheckResult
    from datatenet.results.report import ChangeReport

OUTPUT_PATH = click.Path(path_type=Path, dir_okay=False, allow_dash=True)
STDOUT = Path("-")


@click.command()
@change_options
@click.option("--html", type=OUTPUT_PATH, help="Write the HTML report here (one file).")
@click.option("--md", type=OUTPUT_PATH, help="Write the Markdown for a PR comment here.")
@click.option("--json", "json_path", type=OUTPUT_PATH, help="Write the JSON document here.")
@click.option(
    "--metrics", type=OUTPUT_PATH, help="Write flat metrics here (for dvc metrics show/diff)."
)
@click.option(
    "--history",
    is_flag=True,
    help="Report the history instead: ARGS are [RANGE] [PATH], one row per data commit.",
)
@click.option("--title", help="A title for the report.")
@click.option("-q", "--quiet", is_flag=True, help="No progress on stderr.")
def report(
    change: Change,
    html: Path | None,
    md: Path | None,
    json_path: Path | None,
    metrics: Path | None,
    history: bool,
    title: str | None,
    quiet: bool,
) -> None:
    """Write the report of a change for reviewers: --html (one self-contained page), --md
    (a pull-request comment), --json, --metrics (for DVC); any of them, `-` for stdout.

    \b
    datatenet report --html r.html                      HEAD against the working tree
    datatenet report main --merge-base --html r.html --md r.md   what a pull request changes
    datatenet report HEAD~1 HEAD --metrics m.json      one commit, as flat numbers
    datatenet report old.jsonl new.jsonl --html r.html    two files
    datatenet report --history --html h.html           every data commit, and the composition
    datatenet report --history main..HEAD data/x.jsonl --html h.html

    It takes the same states and paths as `datatenet diff`; the repository's [gates] give
    the verdict. It exits 0 whatever the verdict (CI gates with `datatenet check-range`).
    """
    from datatenet.progress import Progress

    outputs = {"html": html, "md": md, "json": json_path, "metrics": metrics}
    wanted = {name: path for name, path in outputs.items() if path is not None}
    _check_outputs(wanted, history)
    progress = Progress(quiet=quiet)
    gc.disable()
    if history:
        if change.staged or change.worktree or change.merge_base or change.no_index:
            raise click.UsageError("--history takes a RANGE and a PATH, not --staged and the like")
        from datatenet.report.outputs import render_history
        from datatenet.verbs.history_report import history_report

        with open_repo(skip_invalid=change.skip_invalid) as repo:
            spec, path = _history_args(repo, change.args)
            found = history_report(repo, spec, path, checks=change.checks, progress=progress)
        with progress.status("rendering the report"):
            files = render_history(found, wanted, title)
        _write(files, wanted)
        return
    from datatenet.report.outputs import render_change

    made = _change_report(change, progress)
    if title:
        from dataclasses import replace

        made = replace(made, title=title)
    html_name = html.name if html is not None and html != STDOUT else None
    with progress.status("rendering the report"):
        files = render_change(made, wanted, html_name)
    _write(files, wanted)
    error = made.diff.error(allow_unavailable=change.allow_unavailable)
    if error is not None:
        raise error


def _change_report(change: Change, progress: Progress) -> ChangeReport:
    """The change the arguments name (as `diff` reads them), analysed, with its verdict."""
    from datatenet.diff_args import FileDiff
    from datatenet.repo.repository import Repo
    from datatenet.verbs import report as verb

    repo = Repo.find(Path.cwd())
    try:
        request, options = interpret_change(change, repo)
        if isinstance(request, FileDiff):
            return verb.report_files(
                request.old, request.new, options, change.checks, repo, progress=progress
            )
        assert repo is not None
        return verb.report_repository(
            repo,
            request.base,
            request.head,
            request.paths,
            options=options,
            checks=change.checks,
            include_untracked=change.include_untracked,
            progress=progress,
        )
    finally:
        if repo is not None:
            repo.close()


@click.command()
@click.argument("directory", required=False, type=click.Path(path_type=Path, file_okay=False))
@click.option("-q", "--quiet", is_flag=True, help="No progress on stderr.")
def demo(directory: Path | None, quiet: bool) -> None:
    """Play the story of an example support dataset through real commits and hooks, and
    write the report of each commit and of the history; prints where they are.

    DIRECTORY (new or empty; default: a temporary directory) receives the repository
    (quillnote/) and the reports (reports/).
    """
    from datatenet.progress import Progress
    from datatenet.report.outputs import render_change, render_history
    from datatenet.verbs.demo import play

    start = time.perf_counter()
    progress = Progress(quiet=quiet)
    run = play(directory, python=sys.executable, progress=progress)
    reports = run.directory / "reports"
    click.echo(f"repository: {run.repository}")
    checks = "semantic (the embedding model)" if run.semantic else "lexical"
    click.echo(f"checks: {checks}" + ("" if run.semantic else _LEXICAL_HINT))
    with progress.bar(len(run.steps) + 1, "writing the reports", " reports"):
        for number, step in enumerate(run.steps, 1):
            stem = reports / f"{number:02d}-{step.name}"
            paths = {"html": stem.with_suffix(".html"), "md": stem.with_suffix(".md")}
            _write(render_change(step.report, paths, paths["html"].name), paths, quiet=True)
            progress.advance(1)
            outcome = "committed" if step.committed else "REFUSED by the hooks"
            click.echo(f"{number}. {step.title} [{outcome}]\n   {paths['html']}")
            if not step.committed:
                click.echo(_refusal(step.hook_output))
        paths = {"html": reports / "history.html", "md": reports / "history.md"}
        _write(render_history(run.history, paths, "the Quillnote support data"), paths, True)
        progress.advance(1)
    click.echo(f"history: {paths['html']}")
    click.echo(f"done in {time.perf_counter() - start:.1f} s; open the HTML files in a browser")


def write_check_report(result: CheckResult, checks: str, directory: Path) -> None:
    """`check --report DIR`: the report of the staged change, in every format."""
    from datatenet.report.outputs import CHANGE_FORMATS, render_change
    from datatenet.verbs.report import report_of_check

    made = report_of_check(result, checks)
    if made is None:
        return
    paths = {name: directory / FILE_NAMES[name] for name in CHANGE_FORMATS}
    _write(render_change(made, paths, FILE_NAMES["html"]), paths, quiet=True)


FILE_NAMES = {
    "html": "report.html",
    "md": "report.md",
    "json": "report.json",
    "metrics": "metrics.json",
}
_LEXICAL_HINT = " (install datatenet[embeddings] for the semantic tier and model vectors)"


def _refusal(text: str, width: int = 6) -> str:
    """What the hooks said when they refused, from the refusal on (the gates' report before
    it is in the step's HTML report)."""
    from datatenet.report.terminal import inert

    lines = [line for line in text.splitlines() if line.strip()]
    start = next((i for i, line in enumerate(lines) if "refused" in line), 0)
    return "\n".join(" " * width + inert(line, 200) for line in lines[start : start + 8])


def _history_args(repo: Repo, args: tuple[str, ...]) -> tuple[str, str | None]:
    """[RANGE] [PATH]: a leading revision or range, then at most one path."""
    from datatenet.repo.revisions import parse_range

    spec, rest = "HEAD", list(args)
    first = rest[0] if rest else None
    if (
        first
        and not Path(first).exists()
        and (parse_range(first) is not None or repo.revisions.is_revision(first))
    ):
        spec = rest.pop(0)
    if len(rest) > 1:
        raise click.UsageError("--history takes at most one RANGE and one PATH")
    path = repo.relative(Path(rest[0])) if rest else None
    return spec, path or None


def _check_outputs(wanted: Mapping[str, Path], history: bool) -> None:
    if not wanted:
        raise click.UsageError(
            "name at least one output: --html FILE, --md FILE, --json FILE"
            + ("" if history else ", --metrics FILE")
        )
    if history and "metrics" in wanted:
        raise click.UsageError("--metrics measures a change; the history has --html, --md, --json")
    if sum(path == STDOUT for path in wanted.values()) > 1:
        raise click.UsageError("only one output can go to stdout (-)")


def _write(files: Mapping[str, bytes], paths: Mapping[str, Path], quiet: bool = False) -> None:
    """Write each rendered file and say where (on stderr when stdout carries a report)."""
    from datatenet.errors import DatatenetError
    from datatenet.files import write_atomically

    for name, data in files.items():
        path = paths[name]
        if path == STDOUT:
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
            continue
        if not write_atomically(path, data):
            raise DatatenetError(f"{path}: cannot write the {name} report", "check the directory")
        if not quiet:
            to_stderr = STDOUT in paths.values()
            click.echo(f"wrote {path} ({len(data) / 1e3:,.0f} kB)", err=to_stderr)
