"""`diff` and `scan`: what changed, dataset by dataset, each paired with its analysis.

The two-file diff and the repository diff give the renderers one shape (`results.DiffResult`):
a list of datasets, each a change set with its analysis (and, in a repository, where it sits),
plus the repository's own report (states, renames, what could not be read) when there is one.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from datatenet.progress import STATUS_DELAY_S, shared
from datatenet.results.diff import DatasetResult, DiffResult, ScanResult

if TYPE_CHECKING:
    from datatenet.analysis.base import Analysis, AnalysisConfig
    from datatenet.diff import ChangeSet
    from datatenet.formats.load import LoadOptions
    from datatenet.repo.diff import RepoDiff
    from datatenet.repo.repository import Repo
    from datatenet.version import Version


def diff_files(
    old: Path, new: Path, options: LoadOptions, checks: str | None, repo: Repo | None
) -> DiffResult:
    """Two files, compared directly (`repo`, when they sit in one, only lends its cache)."""
    from datatenet.diff import diff_versions
    from datatenet.formats.load import load_files
    from datatenet.formats.mistakes import check_mapping
    from datatenet.repo.analyses import analysis_config, cache_dir_for

    config = analysis_config(checks, None, cache_dir_for(repo))
    with shared().status(f"parsing {old} and {new}", delay=STATUS_DELAY_S):
        base, head = load_files([old, new], options)
    check_mapping([base, head], options.mapping)
    changeset = diff_versions(base, head)
    analysis = _analyse(changeset, config, str(new))
    return DiffResult((DatasetResult(changeset, analysis),), checked=bool(config.checks))


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
    """Every watched dataset between two states of the repository, each analysed.

    A `--map` field that no version read has is an error (as for two files); a field of the
    configuration's `[mappings]` that no version of its dataset has is a note (the history
    may predate a renamed field)."""
    from datatenet.formats.mistakes import check_mapping
    from datatenet.repo.analyses import analyse_diff, repo_analysis_config

    config = repo_analysis_config(repo, checks)
    diff = repo.diff(base, head, paths, options=options, include_untracked=include_untracked)
    notes: tuple[str, ...] = ()
    if options.mapping:
        check_mapping(_versions_read(diff), options.mapping)
    else:
        notes = _mapping_notes(diff)
    added, _, modified = diff.totals
    with shared().status(_checking(added + modified, "the changed datasets"), delay=STATUS_DELAY_S):
        analyses = analyse_diff(diff, config, repo)
    return DiffResult(paired(diff, analyses), diff, checked=bool(config.checks), notes=notes)


def _analyse(changeset: ChangeSet, config: AnalysisConfig, where: str) -> Analysis:
    from datatenet.analysis.run import analyse_change

    new = len(changeset.added) + len(changeset.modified)
    with shared().status(_checking(new, where), delay=STATUS_DELAY_S):
        return analyse_change(changeset, config)


def _checking(new: int, where: str) -> str:
    return f"checking {new} new sample{'s' if new != 1 else ''} of {where}"


def _versions_read(diff: RepoDiff) -> list[Version]:
    return [v for c in diff.changes for v in (c.changeset.base, c.changeset.head)]


def _mapping_notes(diff: RepoDiff) -> tuple[str, ...]:
    """The `[mappings]` fields that no version of their dataset has."""
    notes: list[str] = []
    for change in diff.changes:
        sides = [v for v in (change.changeset.base, change.changeset.head) if v.entries]
        if not sides:
            continue
        missing = set.intersection(*({u.field for u in v.unmapped} for v in sides))
        for name in sorted(missing):
            notes.append(
                f"{change.path}: [mappings] names the field {name!r}, which no version read "
                "has (fine if the history predates a renamed field; else check the spelling)"
            )
    return tuple(notes)


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

    progress = shared()
    with progress.status(f"parsing {path}", delay=STATUS_DELAY_S):
        version = load_file(path, options)
    check_mapping([version], options.mapping)
    repo = Repo.find(path.resolve().parent)
    settings = repo.settings if repo is not None else None
    config = analysis_config(checks, settings, cache_dir_for(repo))
    count = len(version.entries)
    with progress.status(f"checking {count} samples of {path}", delay=STATUS_DELAY_S):
        return ScanResult(version, analyse_version(version, config))
