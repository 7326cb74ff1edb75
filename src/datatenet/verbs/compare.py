"""`diff` and `scan`: what changed, dataset by dataset, each paired with its analysis.

The two-file diff and the repository diff give the renderers one shape (`results.DiffResult`):
a list of datasets, each a change set with its analysis (and, in a repository, where it sits),
plus the repository's own report (states, renames, what could not be read) when there is one.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from datatenet.results.diff import DatasetResult, DiffResult, ScanResult

if TYPE_CHECKING:
    from datatenet.analysis.base import Analysis
    from datatenet.formats.load import LoadOptions
    from datatenet.repo.diff import RepoDiff
    from datatenet.repo.repository import Repo


def diff_files(
    old: Path, new: Path, options: LoadOptions, checks: str | None, repo: Repo | None
) -> DiffResult:
    """Two files, compared directly (`repo`, when they sit in one, only lends its cache)."""
    from datatenet.analysis.run import analyse_change
    from datatenet.diff import diff_versions
    from datatenet.formats.load import load_files
    from datatenet.formats.mistakes import check_mapping
    from datatenet.repo.analyses import analysis_config, cache_dir_for

    config = analysis_config(checks, None, cache_dir_for(repo))
    base, head = load_files([old, new], options)
    check_mapping([base, head])
    changeset = diff_versions(base, head)
    return DiffResult((DatasetResult(changeset, analyse_change(changeset, config)),))


def diff_repository(
    repo: Repo,
    base: str,
    head: str,
    paths: Sequence[str],
    options: LoadOptions,
    checks: str | None,
    *,
    include_untracked: bool = False,
) -> DiffResult:
    """Every watched dataset between two states of the repository, each analysed."""
    from datatenet.repo.analyses import analyse_diff, repo_analysis_config

    config = repo_analysis_config(repo, checks)
    diff = repo.diff(base, head, paths, options=options, include_untracked=include_untracked)
    return DiffResult(paired(diff, analyse_diff(diff, config, repo)), diff)


def paired(diff: RepoDiff, analyses: Sequence[Analysis]) -> tuple[DatasetResult, ...]:
    """The changed datasets of a diff with their analyses (given in the order of the changes)."""
    return tuple(
        DatasetResult(change.changeset, analysis, change)
        for change, analysis in zip(diff.changes, analyses, strict=True)
    )


def scan(path: Path, options: LoadOptions, checks: str | None) -> ScanResult:
    """One version of a dataset on its own: duplicates and conflicts among its samples."""
    from datatenet.analysis.run import analyse_version
    from datatenet.formats.load import load_file
    from datatenet.formats.mistakes import check_mapping
    from datatenet.repo.analyses import analysis_config, cache_dir_for
    from datatenet.repo.repository import Repo

    version = load_file(path, options)
    check_mapping([version])
    repo = Repo.find(path.resolve().parent)
    settings = repo.settings if repo is not None else None
    config = analysis_config(checks, settings, cache_dir_for(repo))
    return ScanResult(version, analyse_version(version, config))
