"""The command line: one thin function per verb. Only this module prints.

Heavy modules are imported inside the commands, so `datatenet --help` stays fast.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from datatenet import __version__
from datatenet.errors import DatatenetError

if TYPE_CHECKING:
    from datatenet.repo_diff import Failure


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="datatenet")
def cli() -> None:
    """Version control for LLM fine-tuning datasets, sample by sample.

    Every change to a dataset is diffed sample by sample against the previous version, and
    every commit states which behaviour its new samples reinforce.
    """


@cli.command()
@click.argument("args", nargs=-1, metavar="[BASE [HEAD]] [PATH]... | OLD NEW")
@click.option(
    "--staged",
    "--cached",
    is_flag=True,
    help="Compare BASE (default HEAD) with the index: what the next commit records.",
)
@click.option("--worktree", is_flag=True, help="Compare the index with the working tree.")
@click.option(
    "--merge-base",
    is_flag=True,
    help="Compare against the merge base of BASE and HEAD (what a pull request changes).",
)
@click.option("--no-index", is_flag=True, help="Compare two files, even inside a repository.")
@click.option(
    "--format", "schema", metavar="SCHEMA", help="Force a schema instead of detecting it."
)
@click.option(
    "--map",
    "mapping",
    metavar="CANONICAL=FIELD,...",
    help="Read the file's fields as canonical ones, e.g. prompt=question,chosen=response_chosen.",
)
@click.option("--key", metavar="FIELD", help="Identify samples by this field, like a primary key.")
@click.option(
    "--show",
    default=0,
    metavar="N",
    type=click.IntRange(min=0),
    help="Show N examples of each kind of change.",
)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON document (see docs/json.md).")
@click.option("--skip-invalid", is_flag=True, help="Skip malformed records, count and list them.")
@click.option(
    "--dataset-info",
    type=click.Path(path_type=Path, dir_okay=False),
    help="A LLaMA-Factory dataset_info.json describing the files (default: the one beside them).",
)
@click.option(
    "-v", "--verbose", is_flag=True, help="Say how many versions were parsed or came from cache."
)
def diff(
    args: tuple[str, ...],
    staged: bool,
    worktree: bool,
    merge_base: bool,
    no_index: bool,
    schema: str | None,
    mapping: str | None,
    key: str | None,
    show: int,
    as_json: bool,
    skip_invalid: bool,
    dataset_info: Path | None,
    verbose: bool,
) -> None:
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
    from datatenet.diff_args import FileDiff, interpret
    from datatenet.formats.load import LoadOptions, parse_mapping

    # A short-lived process holding millions of acyclic objects: the cyclic GC only costs.
    gc.disable()
    request = interpret(
        args, staged=staged, worktree=worktree, merge_base=merge_base, no_index=no_index
    )
    options = LoadOptions(
        schema=schema,
        mapping=parse_mapping(mapping or ""),
        key=key,
        skip_invalid=skip_invalid,
        dataset_info=dataset_info,
    )
    if isinstance(request, FileDiff):
        from datatenet.diff import diff_versions
        from datatenet.formats.load import load_files

        base, head = load_files([request.old, request.new], options)
        changeset = diff_versions(base, head)
        if as_json:
            from datatenet.report.json_report import diff_document

            _print_json(diff_document([changeset], show))
            return
        from datatenet.report.terminal import render_examples, render_summary

        click.echo(render_summary(changeset))
        if show:
            click.echo(render_examples(changeset, show))
        return

    from datatenet.repo_diff import diff_repository

    result = diff_repository(
        request.root, request.base, request.head, request.paths, options=options
    )
    if as_json:
        from datatenet.report.json_report import repo_diff_document

        _print_json(repo_diff_document(result, show))
    else:
        from datatenet.report.terminal import render_repo_diff

        click.echo(render_repo_diff(result, show, verbose=verbose))
    if result.failures:
        raise _failures_error(result.failures)


def _print_json(document: object) -> None:
    import orjson

    click.echo(orjson.dumps(document, option=orjson.OPT_INDENT_2).decode())


def _failures_error(failures: Sequence[Failure]) -> DatatenetError:
    if len(failures) == 1:
        return failures[0].error()
    listed = "\n".join(f"  {failure.message}" for failure in failures)
    return DatatenetError(
        f"{len(failures)} datasets could not be read:\n{listed}", failures[0].hint
    )


@cli.group()
def cache() -> None:
    """The id cache: sample ids of every version already parsed, under the git directory."""


@cache.command("info")
def cache_info() -> None:
    """Where the cache is and how much it holds."""
    from datatenet import idcache
    from datatenet.sources import git

    stats = idcache.stats(idcache.cache_root(git.repo_root(Path.cwd())) / idcache.IDS_DIR)
    click.echo(f"{stats.directory}: {stats.files} versions, {stats.bytes / 1e6:.1f} MB")


@cache.command("clear")
def cache_clear() -> None:
    """Delete the cached ids; they are rebuilt as versions are read again."""
    from datatenet import idcache
    from datatenet.sources import git

    stats = idcache.clear(idcache.cache_root(git.repo_root(Path.cwd())) / idcache.IDS_DIR)
    click.echo(
        f"removed {stats.files} versions ({stats.bytes / 1e6:.1f} MB) from {stats.directory}"
    )


@cli.command()
@click.option("--force", is_flag=True, help="Overwrite an existing .datatenet.toml.")
def init(force: bool) -> None:
    """Write a commented starter .datatenet.toml after looking at the repository."""
    from datatenet.config import write_starter_config

    path = write_starter_config(Path.cwd(), force=force)
    click.echo(f"wrote {path}; review the dataset globs, then commit it")


def main(argv: list[str] | None = None) -> None:
    """Entry point: maps DatatenetError to a message and exit code 2, in this one place."""
    try:
        cli.main(args=argv, prog_name="datatenet", standalone_mode=False)
    except DatatenetError as exc:
        click.echo(f"datatenet: error: {exc.message}", err=True)
        if exc.hint:
            click.echo(f"  hint: {exc.hint}", err=True)
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2 if exc.exit_code not in (0, 1) else exc.exit_code)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except KeyboardInterrupt:
        sys.exit(130)
    except BrokenPipeError:
        sys.stderr.close()  # the reader went away (e.g. `| head`): not an error
        sys.exit(0)
