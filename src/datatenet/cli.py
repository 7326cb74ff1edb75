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

from datatenet import __version__, exits

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
def cli(debug: bool) -> None:
    """Version control for LLM fine-tuning datasets, sample by sample.

    Every change to a dataset is diffed sample by sample against the previous version, and
    every commit states which behaviour its new samples reinforce.
    """
    if debug:
        _DEBUG.append(True)


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
    "-v",
    "--verbose",
    is_flag=True,
    help="Say how many versions were parsed or came from cache, and how the models ran.",
)
@click.option(
    "--checks",
    metavar="CHECK,...",
    help="Checks on the new samples: exact, near, semantic, conflicts; duplicates (the three "
    "tiers), all (default: every one available), none.",
)
@click.option(
    "--include-untracked",
    is_flag=True,
    help="Also compare files git does not track (as added); by default they are only counted.",
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
    checks: str | None,
    include_untracked: bool,
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
    from datatenet.repo.repository import Repo
    from datatenet.verbs import compare

    # A short-lived process holding millions of acyclic objects: the cyclic GC only costs.
    gc.disable()
    repo = Repo.find(Path.cwd())
    try:
        request = interpret(
            args, repo, staged=staged, worktree=worktree, merge_base=merge_base, no_index=no_index
        )
        options = LoadOptions(
            schema=schema,
            mapping=parse_mapping(mapping or ""),
            key=key,
            skip_invalid=skip_invalid,
            dataset_info=dataset_info,
        )
        if isinstance(request, FileDiff):
            result = compare.diff_files(request.old, request.new, options, checks, repo)
        else:
            assert repo is not None
            result = compare.diff_repository(
                repo,
                request.base,
                request.head,
                request.paths,
                options,
                checks,
                include_untracked=include_untracked,
            )
        if as_json:
            from datatenet.report.json_report import diff_document

            _print_json(diff_document(result, show))
        else:
            from datatenet.report.terminal import render_diff

            click.echo(render_diff(result, show, verbose=verbose))
    finally:
        if repo is not None:
            repo.close()
    error = result.error()
    if error is not None:
        raise error


@cli.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option(
    "--format", "schema", metavar="SCHEMA", help="Force a schema instead of detecting it."
)
@click.option("--map", "mapping", metavar="CANONICAL=FIELD,...", help="As for diff.")
@click.option("--skip-invalid", is_flag=True, help="Skip malformed records, count and list them.")
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

        _print_json(scan_document(result))
        return
    from datatenet.report.terminal import render_scan

    click.echo(render_scan(result))


def _print_json(document: object) -> None:
    import orjson

    click.echo(orjson.dumps(document, option=orjson.OPT_INDENT_2).decode())


@cli.group()
def cache() -> None:
    """The caches under the git directory: sample ids of every version parsed, MinHash
    signatures, embeddings. Safe to clear: everything is rebuilt as it is needed."""


@cache.command("info")
def cache_info() -> None:
    """Where the caches are and how much they hold."""
    from datatenet.report.terminal import render_cache
    from datatenet.verbs import caches

    with _repo() as repo:
        click.echo(render_cache(repo.cache_root, caches.cache_info(repo), cleared=False))


@cache.command("clear")
def cache_clear() -> None:
    """Delete the caches; they are rebuilt as versions are read again."""
    from datatenet.report.terminal import render_cache
    from datatenet.verbs import caches

    with _repo() as repo:
        click.echo(render_cache(repo.cache_root, caches.cache_clear(repo), cleared=True))


@cli.command()
@click.option("--force", is_flag=True, help="Overwrite an existing .datatenet.toml.")
def init(force: bool) -> None:
    """Write a commented starter .datatenet.toml after looking at the repository."""
    from datatenet.verbs.init import init as write_config

    with _repo() as repo:
        path = write_config(repo, force=force)
    click.echo(f"wrote {path}; review the dataset globs, then commit it")


# -- hooks and history --------------------------------------------------------------------------


def _repo() -> Repo:
    from datatenet.repo.repository import Repo

    return Repo.open(Path.cwd())


def _gate_analysis(repo: Repo, semantic: bool) -> AnalyseDiff:
    """The findings the gates measure: duplicates and conflicts of the new samples; the
    semantic tier only when asked for (it loads a model: too slow for every commit)."""
    from datatenet.repo.analyses import analyses_for

    return analyses_for(repo, "all" if semantic else "exact,near,conflicts")


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
def check(semantic: bool) -> None:
    """pre-commit: analyse the staged data change and apply the [gates] of the config.

    Nothing relevant staged: exits 0 at once. Exit 1 when an error gate fails.
    """
    from datatenet.verbs import commit

    with _repo() as repo:
        result = commit.check(repo, analyse=_gate_analysis(repo, semantic), semantic=semantic)
        if result.diff is None:
            return  # nothing relevant staged: nothing to say (every commit pays for this path)
        from datatenet.report.hooks import render_check

        _emit(render_check(result), result.ok)


@cli.command("check-msg")
@click.argument("message_file", type=click.Path(path_type=Path, dir_okay=False))
def check_msg(message_file: Path) -> None:
    """commit-msg: a change that adds or edits samples needs a specific `Reinforces:` trailer."""
    from datatenet.report.hooks import render_message_check
    from datatenet.verbs import commit

    with _repo() as repo:
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

    with _repo() as repo:
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
def check_range(range_spec: str, semantic: bool) -> None:
    """CI: every data commit in RANGE (BASE..HEAD, BASE...HEAD, or BASE) states its behaviour
    and passes the gates, hooks skipped with --no-verify or not. Exit 1 lists the offenders."""
    from datatenet.report.hooks import render_range
    from datatenet.verbs.check_range import check_range as check_commits

    with _repo() as repo:
        result = check_commits(repo, range_spec, analyse=_gate_analysis(repo, semantic))
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

    with _repo() as repo:
        installed = install_hooks(repo, pre_commit=pre_commit, python=sys.executable)
    click.echo(render_installed(installed))


@cli.command()
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
def log(path: Path | None, as_json: bool, revision: str, checks: str) -> None:
    """The data commits: date, commit, author, stated behaviour, +added -removed ~modified,
    and the findings of each commit's new samples."""
    from datatenet.repo.analyses import analyses_for
    from datatenet.verbs.history import log as data_log

    with _repo() as repo:
        relative = repo.relative(path) if path is not None else None
        analyse = None if checks == "none" else analyses_for(repo, checks)
        entries = data_log(repo, relative or None, revision=revision, analyse=analyse)
    if as_json:
        from datatenet.report.history import log_document

        _print_json(log_document(entries))
        return
    from datatenet.report.history import render_log

    click.echo(render_log(entries))


@cli.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print a JSON document.")
@click.option("--rev", "revision", default="HEAD", show_default=True, help="Blame this version.")
@click.option("--summary", is_flag=True, help="Only the composition by behaviour.")
def blame(path: Path, as_json: bool, revision: str, summary: bool) -> None:
    """For every sample of PATH: the commit that introduced it and the behaviour it states."""
    from datatenet.verbs.blame import blame as blame_samples

    gc.disable()
    with _repo() as repo:
        result = blame_samples(repo, repo.relative(path), revision=revision)
    if as_json:
        from datatenet.report.history import blame_document

        _print_json(blame_document(result))
        return
    from datatenet.report.history import render_blame

    click.echo(render_blame(result, summary_only=summary))


def main(argv: list[str] | None = None) -> None:
    """Entry point: runs the command; `exits.run` decides the exit code."""
    exits.run(cli, argv, lambda: bool(_DEBUG))
