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
    from datatenet.analysis.base import Analysis
    from datatenet.hooks import Verdict
    from datatenet.repo.analyses import AnalyseDiff
    from datatenet.repo_diff import Failure, RepoDiff


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
@click.option(
    "--checks",
    metavar="CHECK,...",
    help="Checks on the new samples: exact, near, semantic, conflicts; duplicates (the three "
    "tiers), all (default: every one available), none.",
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
    from datatenet.analysis.run import analyse_change
    from datatenet.repo.analyses import analysis_config, cache_dir_for

    if isinstance(request, FileDiff):
        from datatenet.diff import diff_versions
        from datatenet.formats.load import check_mapping, load_files

        config = analysis_config(checks, None, cache_dir_for(Path.cwd()))
        base, head = load_files([request.old, request.new], options)
        check_mapping([base, head])
        changeset = diff_versions(base, head)
        analysis = analyse_change(changeset, config)
        if as_json:
            from datatenet.report.json_report import diff_document

            _print_json(diff_document([changeset], show, [analysis]))
            return
        from datatenet.report.terminal import render_examples, render_findings, render_summary

        click.echo(render_summary(changeset))
        findings = render_findings(analysis.findings, analysis.notes)
        if findings:
            click.echo(findings)
        if show:
            click.echo(render_examples(changeset, show))
        return

    from datatenet.config import load_settings
    from datatenet.idcache import cache_root
    from datatenet.repo_diff import diff_repository

    config = analysis_config(checks, load_settings(request.root), cache_root(request.root))
    result = diff_repository(
        request.root, request.base, request.head, request.paths, options=options
    )
    analyses = [analyse_change(changeset, config) for changeset in result.changesets]
    if as_json:
        from datatenet.report.json_report import repo_diff_document

        _print_json(repo_diff_document(result, show, analyses))
    else:
        from datatenet.report.terminal import render_repo_diff

        click.echo(render_repo_diff(result, show, analyses, verbose=verbose))
    if result.failures:
        raise _failures_error(result.failures)


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
    from datatenet.analysis.run import analyse_version
    from datatenet.config import load_settings
    from datatenet.formats.load import LoadOptions, check_mapping, load_file, parse_mapping
    from datatenet.repo.analyses import analysis_config, cache_dir_for
    from datatenet.sources import git

    gc.disable()
    options = LoadOptions(
        schema=schema, mapping=parse_mapping(mapping or ""), skip_invalid=skip_invalid
    )
    version = load_file(path, options)
    check_mapping([version])
    try:
        root: Path | None = git.repo_root(path.resolve().parent)
    except git.GitError:
        root = None
    settings = load_settings(root) if root is not None else None
    config = analysis_config(checks, settings, cache_dir_for(path.resolve().parent))
    analysis = analyse_version(version, config)
    if as_json:
        from datatenet.report.json_report import scan_document

        _print_json(scan_document(version, analysis))
        return
    from datatenet.report.terminal import render_scan

    click.echo(render_scan(version, analysis))


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
    """The caches under the git directory: sample ids of every version parsed, MinHash
    signatures, embeddings. Safe to clear: everything is rebuilt as it is needed."""


# Subdirectories of <git common dir>/datatenet, as the modules owning them name them.
_CACHES = (
    ("ids", "sample ids"),
    ("minhash", "MinHash signatures"),
    ("embeddings", "embeddings"),
    ("findings", "findings of commits"),
)


@cache.command("info")
def cache_info() -> None:
    """Where the caches are and how much they hold."""
    from datatenet import idcache
    from datatenet.sources import git

    root = idcache.cache_root(git.repo_root(Path.cwd()))
    click.echo(str(root))
    for directory, what in _CACHES:
        stats = idcache.stats(root / directory)
        click.echo(f"  {what}: {stats.files} files, {stats.bytes / 1e6:.1f} MB")


@cache.command("clear")
def cache_clear() -> None:
    """Delete the caches; they are rebuilt as versions are read again."""
    from datatenet import idcache
    from datatenet.sources import git

    root = idcache.cache_root(git.repo_root(Path.cwd()))
    for directory, what in _CACHES:
        stats = idcache.clear(root / directory)
        click.echo(f"removed {what}: {stats.files} files ({stats.bytes / 1e6:.1f} MB)")


@cli.command()
@click.option("--force", is_flag=True, help="Overwrite an existing .datatenet.toml.")
def init(force: bool) -> None:
    """Write a commented starter .datatenet.toml after looking at the repository."""
    from datatenet.config import write_starter_config

    path = write_starter_config(Path.cwd(), force=force)
    click.echo(f"wrote {path}; review the dataset globs, then commit it")


# -- hooks and history ([HOOKS]) ---------------------------------------------------------------


def _repo() -> Path:
    from datatenet.sources import git

    return git.repo_root(Path.cwd())


def _gate_analysis(root: Path, semantic: bool) -> AnalyseDiff:
    """The findings the gates measure: duplicates and conflicts of the new samples; the
    semantic tier only when asked for (it loads a model: too slow for every commit)."""
    return _commit_analysis(root, "all" if semantic else "exact,near,conflicts")


def _commit_analysis(root: Path, checks: str) -> AnalyseDiff:
    """`repo.analyses.commit_analyses`, set up on the first diff it sees: a hook with nothing
    relevant staged never reads the thresholds, and `log` reads them once, not per commit."""
    analyses: list[AnalyseDiff] = []

    def analyse(diff: RepoDiff) -> tuple[Analysis, ...]:
        if not analyses:
            from datatenet.config import load_settings
            from datatenet.idcache import cache_root
            from datatenet.repo.analyses import analysis_config, commit_analyses

            config = analysis_config(checks, load_settings(root), cache_root(root))
            analyses.append(commit_analyses(config))
        return analyses[0](diff)

    return analyse


def _emit(verdict: Verdict) -> None:
    """Print a hook's verdict (refusals on stderr) and exit 1 when it failed."""
    if verdict.lines:
        click.echo(verdict.text, err=not verdict.ok)
    if not verdict.ok:
        sys.exit(verdict.exit_code)


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
    from datatenet import hooks

    root = _repo()
    _emit(hooks.check(root, analyse=_gate_analysis(root, semantic), semantic=semantic))


@cli.command("check-msg")
@click.argument("message_file", type=click.Path(path_type=Path, dir_okay=False))
def check_msg(message_file: Path) -> None:
    """commit-msg: a change that adds or edits samples needs a specific `Reinforces:` trailer."""
    from datatenet import hooks

    _emit(hooks.check_msg(_repo(), message_file))


@cli.command("prepare-msg")
@click.argument("message_file", type=click.Path(path_type=Path, dir_okay=False))
@click.argument("source", required=False)
@click.argument("sha", required=False)
def prepare_msg(message_file: Path, source: str | None, sha: str | None) -> None:
    """prepare-commit-msg: pre-fill the message with the change and a `Reinforces: ` line.

    SOURCE and SHA are what git passes the hook (message, template, merge, squash, commit).
    """
    from datatenet import hooks

    _emit(hooks.prepare_msg(_repo(), message_file, source, sha))


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
    from datatenet import hooks

    root = _repo()
    _emit(hooks.check_range(root, range_spec, analyse=_gate_analysis(root, semantic)))


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
    from datatenet import hooks

    result = hooks.install(_repo(), pre_commit=pre_commit, python=sys.executable)
    click.echo("\n".join(result.lines))


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
    from datatenet import history
    from datatenet.sources import git

    root = _repo()
    relative = git.repo_path(root, path) if path is not None else None
    analyse = None if checks == "none" else _commit_analysis(root, checks)
    entries = history.log(root, relative or None, revision=revision, analyse=analyse)
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
    from datatenet import history
    from datatenet.sources import git

    gc.disable()
    root = _repo()
    result = history.blame(root, git.repo_path(root, path), revision=revision)
    if as_json:
        from datatenet.report.history import blame_document

        _print_json(blame_document(result))
        return
    from datatenet.report.history import render_blame

    click.echo(render_blame(result, summary_only=summary))


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
