"""The command line: one thin function per verb. It opens the repository (`repo.Repo`) once,
calls one verb, hands its result to a renderer (`report/`) and exits with the code `exits.py`
decides. Only this module prints.

Heavy modules are imported inside the commands, so `datatenet --help` stays fast.
"""

from __future__ import annotations

import gc
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from datatenet import __version__, cli_report, exits
from datatenet.cli_bisect import bisect
from datatenet.cli_common import (
    allow_unavailable_option,
    open_repo,
    print_json,
    skip_invalid_option,
)
from datatenet.cli_history import blame, log
from datatenet.cli_options import Change, change_options, interpret_change

if TYPE_CHECKING:
    from datatenet.repo.analyses import AnalyseDiff
    from datatenet.repo.repository import Repo

_DEBUG: list[bool] = []  # set by `--debug`


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="datatenet")
@click.option(
    "--debug",
    is_flag=True,
    help="Show the traceback of an unexpected error (also env DATATENET_DEBUG=1).",
)
@click.option(
    "-q",
    "--quiet",
    is_flag=True,
    envvar="DATATENET_QUIET",
    help="No progress on stderr (shown only on a terminal anyway); env DATATENET_QUIET=1.",
)
def cli(debug: bool, quiet: bool) -> None:
    """Version control for LLM fine-tuning datasets, sample by sample.

    Every change to a dataset is diffed sample by sample against the previous version, and
    every commit states which behaviour its new samples reinforce.
    """
    if debug:
        _DEBUG.append(True)
    if quiet:
        from datatenet.progress import set_quiet

        set_quiet()


@cli.command()
@change_options
@click.option(
    "--show",
    default=0,
    metavar="N",
    type=click.IntRange(min=0),
    help="Show N examples of each kind of change.",
)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON document (see docs/json.md).")
@click.option(
    "-v",
    "--verbose",
    is_flag=True,
    help="Say how many versions were parsed or came from cache, and how the models ran.",
)
def diff(change: Change, show: int, as_json: bool, verbose: bool) -> None:
    """Show what changed, sample by sample, in the datasets of a repository or between two files.

    \b
    datatenet diff                    HEAD against the working tree
    datatenet diff --staged           HEAD against the index (what the next commit records)
    datatenet diff HEAD~1 HEAD        two revisions (also HEAD~1..HEAD; main...HEAD for a PR)
    datatenet diff main data/x.jsonl  one revision against the working tree, one dataset
    datatenet diff old.jsonl new.jsonl   two files

    Reordering, renaming fields and changing the file format are not changes: samples are
    compared by the hash of their training content.
    """
    from datatenet.diff_args import FileDiff
    from datatenet.repo.repository import Repo
    from datatenet.verbs import compare

    # A short-lived process holding millions of acyclic objects: the cyclic GC only costs.
    gc.disable()
    repo = Repo.find(Path.cwd())
    try:
        request, options = interpret_change(change, repo)
        if isinstance(request, FileDiff):
            result = compare.diff_files(request.old, request.new, options, change.checks, repo)
        else:
            assert repo is not None
            result = compare.diff_repository(
                repo,
                request.base,
                request.head,
                request.paths,
                options,
                change.checks,
                include_untracked=change.include_untracked,
            )
        if as_json:
            from datatenet.report.json_report import diff_document

            print_json(diff_document(result, show))
        else:
            from datatenet.report.terminal import render_diff

            click.echo(render_diff(result, show, verbose=verbose))
    finally:
        if repo is not None:
            repo.close()
    error = result.error(allow_unavailable=change.allow_unavailable)
    if error is not None:
        raise error


@cli.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option(
    "--format", "schema", metavar="SCHEMA", help="Force a schema instead of detecting it."
)
@click.option("--map", "mapping", metavar="CANONICAL=FIELD,...", help="As for diff.")
@skip_invalid_option
@click.option("--checks", metavar="CHECK,...", help="As for diff (default: all available).")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON document.")
def scan(
    path: Path,
    schema: str | None,
    mapping: str | None,
    skip_invalid: bool,
    checks: str | None,
    as_json: bool,
) -> None:
    """Audit one version of a dataset on its own: duplicates and conflicts among its samples."""
    from datatenet.formats.load import LoadOptions, parse_mapping
    from datatenet.verbs.compare import scan as scan_version

    gc.disable()
    options = LoadOptions(
        schema=schema, mapping=parse_mapping(mapping or ""), skip_invalid=skip_invalid
    )
    result = scan_version(path, options, checks)
    if as_json:
        from datatenet.report.json_report import scan_document

        print_json(scan_document(result))
        return
    from datatenet.report.terminal import render_scan

    click.echo(render_scan(result))


@cli.group()
def cache() -> None:
    """The caches under the git directory (outside a repository, the user's cache, which
    `scan` fills): sample ids of every version parsed, MinHash signatures, embeddings. Safe
    to clear: everything is rebuilt as it is needed."""


@cache.command("info")
def cache_info() -> None:
    """Where the caches are and how much they hold."""
    _caches(clear=False)


@cache.command("clear")
def cache_clear() -> None:
    """Delete the caches; they are rebuilt as versions are read again."""
    _caches(clear=True)


def _caches(*, clear: bool) -> None:
    from datatenet.repo.analyses import cache_dir_for
    from datatenet.repo.repository import Repo
    from datatenet.report.terminal import render_cache
    from datatenet.verbs import caches

    repo = Repo.find(Path.cwd())
    root = cache_dir_for(repo)
    if repo is not None:
        repo.close()
    found = caches.cache_clear(root) if clear else caches.cache_info(root)
    click.echo(render_cache(root, found, cleared=clear, user=repo is None))


@cli.command()
@click.option("--force", is_flag=True, help="Overwrite an existing .datatenet.toml.")
def init(force: bool) -> None:
    """Write a commented starter .datatenet.toml after looking at the repository."""
    from datatenet.report.hooks import render_initialized
    from datatenet.verbs.init import init as write_config

    with open_repo() as repo:
        click.echo(render_initialized(write_config(repo, force=force)))


# -- hooks and history --------------------------------------------------------------------------


def _gate_analysis(repo: Repo, semantic: bool) -> AnalyseDiff:
    """What the gates measure: the lexical pair checks, contamination and noise of the new
    samples, and the analyses the configured gates bound; the semantic tier only when asked
    for (it loads a model: too slow for every commit)."""
    from datatenet.repo.analyses import analyses_for

    return analyses_for(repo, None, semantic=semantic)


def _emit(text: str, ok: bool) -> None:
    """Print a check's report (on stderr when it refused) and exit 1 when it refused."""
    if text:
        click.echo(text, err=not ok)
    if not ok:
        sys.exit(exits.of(ok))


@cli.command()
@click.option(
    "--semantic",
    is_flag=True,
    envvar="DATATENET_SEMANTIC",
    help="Also run the semantic tier (needs datatenet[embeddings]); env DATATENET_SEMANTIC=1.",
)
@click.option(
    "--report",
    "report_dir",
    type=click.Path(path_type=Path, file_okay=False),
    envvar="DATATENET_REPORT_DIR",
    help="Also leave the report of the staged change in this directory (report.html, "
    "report.md, report.json, metrics.json; it runs every check); env DATATENET_REPORT_DIR.",
)
@skip_invalid_option
def check(semantic: bool, report_dir: Path | None, skip_invalid: bool) -> None:
    """pre-commit: analyse the staged data change and apply the [gates] of the config.

    Nothing relevant staged: exits 0 at once. Exit 1 when an error gate fails.
    """
    from datatenet.verbs import commit

    with open_repo(skip_invalid=skip_invalid) as repo:
        analyse = _gate_analysis(repo, semantic)
        if report_dir is not None:
            from datatenet.repo.analyses import analyses_for
            from datatenet.verbs.report import available_checks

            every = available_checks(semantic)
            analyse = analyses_for(repo, every)
        result = commit.check(repo, analyse=analyse, semantic=semantic)
        if result.diff is None:
            return  # nothing relevant staged: nothing to say (every commit pays for this path)
        if report_dir is not None:
            from datatenet.cli_report import write_check_report

            write_check_report(result, every, report_dir)
        from datatenet.report.hooks import render_check

        _emit(render_check(result), result.ok)


@cli.command("check-msg")
@click.argument("message_file", type=click.Path(path_type=Path, dir_okay=False))
def check_msg(message_file: Path) -> None:
    """commit-msg: a change that adds or edits samples needs a specific `Reinforces:` trailer."""
    from datatenet.report.hooks import render_message_check
    from datatenet.verbs import commit

    with open_repo() as repo:
        result = commit.check_msg(repo, message_file)
        _emit(render_message_check(result), result.ok)


@cli.command("prepare-msg")
@click.argument("message_file", type=click.Path(path_type=Path, dir_okay=False))
@click.argument("source", required=False)
@click.argument("sha", required=False)
def prepare_msg(message_file: Path, source: str | None, sha: str | None) -> None:
    """prepare-commit-msg: pre-fill the message with the change and a `Reinforces: ` line.

    SOURCE and SHA are what git passes the hook (message, template, merge, squash, commit).
    """
    from datatenet.report.hooks import prefilled_message
    from datatenet.verbs import commit

    with open_repo() as repo:
        plan = commit.prepare_msg(repo, message_file, source, sha)
        if plan is not None:
            updated = prefilled_message(plan)
            if updated != plan.text:
                commit.write_message(message_file, updated)


@cli.command("check-range")
@click.argument("range_spec", metavar="RANGE")
@click.option(
    "--semantic",
    is_flag=True,
    envvar="DATATENET_SEMANTIC",
    help="Also run the semantic tier (needs datatenet[embeddings]); env DATATENET_SEMANTIC=1.",
)
@skip_invalid_option
@allow_unavailable_option
def check_range(
    range_spec: str, semantic: bool, skip_invalid: bool, allow_unavailable: bool
) -> None:
    """CI: every data commit in RANGE (BASE..HEAD, BASE...HEAD, or BASE) states its behaviour
    and passes the gates, hooks skipped with --no-verify or not. Exit 1 lists the offenders;
    exit 2 when some commit's data cannot be read here (unless --allow-unavailable)."""
    from datatenet.report.hooks import render_range
    from datatenet.results.diff import unavailable_error
    from datatenet.verbs.check_range import check_range as check_commits

    with open_repo(skip_invalid=skip_invalid) as repo:
        result = check_commits(repo, range_spec, analyse=_gate_analysis(repo, semantic))
    if result.unavailable and not allow_unavailable:
        click.echo(render_range(result), err=True)
        raise unavailable_error(result.unavailable, f" for the commits of {range_spec}")
    _emit(render_range(result), result.ok)


@cli.command()
@click.option(
    "--pre-commit",
    "pre_commit",
    is_flag=True,
    help="Add datatenet's hooks to .pre-commit-config.yaml instead of writing git hooks.",
)
def install(pre_commit: bool) -> None:
    """Install the commit-msg, prepare-commit-msg and pre-commit hooks in this repository.

    Existing hooks are never overwritten (the message says what to do instead).
    """
    from datatenet.report.hooks import render_installed
    from datatenet.verbs.install import install as install_hooks

    with open_repo() as repo:
        installed = install_hooks(repo, pre_commit=pre_commit, python=sys.executable)
    click.echo(render_installed(installed))


@cli.command()
def uninstall() -> None:
    """Remove the plain git hooks `datatenet install` wrote (never another hook), e.g. before
    moving to the pre-commit framework."""
    from datatenet.report.hooks import render_uninstalled
    from datatenet.verbs.install import uninstall as remove_hooks

    with open_repo() as repo:
        click.echo(render_uninstalled(remove_hooks(repo)))


cli.add_command(log)
cli.add_command(blame)
cli.add_command(bisect)
cli.add_command(cli_report.report)
cli.add_command(cli_report.demo)


def main(argv: list[str] | None = None) -> None:
    """Entry point: runs the command; `exits.run` decides the exit code."""
    exits.run(cli, argv, lambda: bool(_DEBUG))
