"""The history commands of the command line: `log` (the data commits) and `blame` (the commit
that introduced each sample). Registered on the group in `cli.py`."""

from __future__ import annotations

import gc
from pathlib import Path

import click

from datatenet.cli_common import open_repo, print_json, skip_invalid_option


@click.command()
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print a JSON document.")
@click.option("--rev", "revision", default="HEAD", show_default=True, help="Start from here.")
@click.option(
    "--checks",
    default="exact,near,conflicts",
    show_default=True,
    metavar="CHECK,...",
    help="Checks whose findings each commit counts (as for diff; none to skip them).",
)
@click.option(
    "-n", "--max-count", "limit", type=click.IntRange(min=0), metavar="N", help="N data commits."
)
@click.option("--since", metavar="DATE", help="Commits after DATE, as `git log --since`.")
@click.option("--author", metavar="PATTERN", help="Commits by authors matching PATTERN.")
@click.option("--oneline", is_flag=True, help="One line per commit.")
@skip_invalid_option
def log(
    path: Path | None,
    as_json: bool,
    revision: str,
    checks: str,
    limit: int | None,
    since: str | None,
    author: str | None,
    oneline: bool,
    skip_invalid: bool,
) -> None:
    """The data commits: date, commit, author, stated behaviour, +added -removed ~modified,
    and the findings of each commit's new samples."""
    from datatenet.repo.analyses import analyses_for
    from datatenet.verbs.history import log as data_log

    with open_repo(skip_invalid=skip_invalid) as repo:
        relative = repo.relative(path) if path is not None else None
        analyse = None if checks == "none" else analyses_for(repo, checks)
        entries = data_log(
            repo,
            relative or None,
            revision=revision,
            analyse=analyse,
            limit=limit,
            since=since,
            author=author,
        )
    if as_json:
        from datatenet.report.history import log_document

        print_json(log_document(entries))
        return
    from datatenet.report.history import render_log

    click.echo(render_log(entries, oneline=oneline))


@click.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print a JSON document.")
@click.option("--rev", "revision", default="HEAD", show_default=True, help="Blame this version.")
@click.option("--summary", is_flag=True, help="Only the composition by behaviour.")
@skip_invalid_option
def blame(path: Path, as_json: bool, revision: str, summary: bool, skip_invalid: bool) -> None:
    """For every sample of PATH: the commit that introduced it and the behaviour it states."""
    from datatenet.verbs.blame import blame as blame_samples

    gc.disable()
    with open_repo(skip_invalid=skip_invalid) as repo:
        result = blame_samples(repo, repo.relative(path), revision=revision)
    if as_json:
        from datatenet.report.history import blame_document

        print_json(blame_document(result))
        return
    from datatenet.report.history import render_blame

    click.echo(render_blame(result, summary_only=summary))
