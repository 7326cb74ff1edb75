"""`report --history`: one row per data commit (what it states, its counts, its findings, its
drift and coverage scores) and the composition of the data by behaviour after each commit. Each
commit is analysed told what it states, as `log` and `check-range` analyse it (the analyses
kept on disk are shared with them and with `report` of one commit).

The composition is carried forward from commit to commit, from each commit's own diff: the
samples it adds (or edits) are counted under the behaviour it states, the samples it removes
leave the behaviour they were counted under. No commit needs a blame of its own; a dataset that
already has samples when the reported range starts is blamed once, at the range's start. Samples
are attributed as `blame` attributes them (by sample id; merges skipped, their branches' commits
counted), so the last row agrees with `datatenet blame --summary`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from datatenet.progress import QUIET, Progress
from datatenet.results.history import NO_STATEMENT
from datatenet.results.report import HistoryCommit, HistoryReport

if TYPE_CHECKING:
    from datatenet.repo.commits import CommitInfo
    from datatenet.repo.diff import ChangedDataset
    from datatenet.repo.repository import Repo
    from datatenet.verbs.history import DataCommit

# The measures a history row shows, in this order, when the commit's analyses measured them.
SCORES = (
    "style_drift_auc",
    "expression_divergence",
    "coverage_shift",
    "new_topics",
    "focus_entropy",
    "statement_fit",
    "behaviour_shown",
    "noise_share",
    "narrow_world_auc",
)
UNKNOWN_ORIGIN = "(unknown origin)"  # as `blame` names samples no commit explains


@dataclass
class Composition:
    """Per dataset, each sample id with the behaviours its copies are counted under (the
    oldest copy first)."""

    datasets: dict[str, dict[str, list[str]]] = field(default_factory=dict)

    def totals(self) -> tuple[tuple[str, int], ...]:
        counts: Counter[str] = Counter()
        for samples in self.datasets.values():
            for behaviours in samples.values():
                counts.update(behaviours)
        return tuple(sorted(counts.items(), key=lambda item: (-item[1], item[0])))

    def apply(self, change: ChangedDataset, behaviour: str) -> None:
        """One commit's change of one dataset (which must be known: see `knows`)."""
        if change.old_path is not None and change.old_path in self.datasets:
            self.datasets[change.path] = self.datasets.pop(change.old_path)
        if change.status == "deleted":
            self.datasets.pop(change.path, None)
            return
        samples = self.datasets.setdefault(change.path, {})
        changeset = change.changeset
        base_ids = changeset.base.entries.sample_ids
        head_ids = changeset.head.entries.sample_ids
        for index in [*changeset.removed, *(b for b, _ in changeset.modified)]:
            copies = samples.get(base_ids[index])
            if copies:
                # the oldest copy goes: blame credits the copies left to the latest additions
                copies.pop(0)
                if not copies:
                    del samples[base_ids[index]]
        for index in [*changeset.added, *(h for _, h in changeset.modified)]:
            samples.setdefault(head_ids[index], []).append(behaviour)

    def knows(self, change: ChangedDataset) -> bool:
        """Is the base side of this change already counted (or empty)?"""
        if change.status == "added":
            return True
        name = change.old_path or change.path
        return name in self.datasets or not len(change.changeset.base.entries)


def history_report(
    repo: Repo,
    spec: str = "HEAD",
    path: str | None = None,
    *,
    checks: str | None = None,
    progress: Progress = QUIET,
) -> HistoryReport:
    """The data commits of `spec` (a revision: its whole history; a range BASE..HEAD), oldest
    first, each analysed with what it states, and the composition after each."""
    from datatenet.repo.analyses import commit_analyses, repo_analysis_config
    from datatenet.verbs.history import data_commit_infos, data_commits

    infos = list(reversed(data_commit_infos(repo, path, spec)))
    composition = Composition()
    rows: list[HistoryCommit] = []
    notes: list[str] = []
    analyse = commit_analyses(repo_analysis_config(repo, checks), repo)
    with progress.bar(len(infos), "reading history", " commits"):
        for commit in data_commits(repo, path, spec, analyse, infos):
            progress.advance(1)
            key = commit.entry.stated.key
            for change in commit.changes:
                if not composition.knows(change):
                    notes += _blame_start(repo, composition, commit.info, change)
                composition.apply(change, key)
            rows.append(_row(commit, composition))
        progress.advance(len(infos) - len(rows))
    return HistoryReport(spec, path, tuple(rows), _checks(checks), tuple(dict.fromkeys(notes)))


def _row(commit: DataCommit, composition: Composition) -> HistoryCommit:
    from datatenet.analysis.measures import combine_measures

    kinds = Counter(f.kind for analysis in commit.analyses for f in analysis.findings)
    measured = combine_measures(m for analysis in commit.analyses for m in analysis.measures)
    scores = tuple((name, measured[name].value) for name in SCORES if name in measured)
    return HistoryCommit(commit.entry, tuple(kinds.most_common()), scores, composition.totals())


def _blame_start(
    repo: Repo, composition: Composition, info: CommitInfo, change: ChangedDataset
) -> list[str]:
    """Count the samples a dataset has before the first reported commit that changes it, by
    one blame at that commit's parent."""
    from datatenet.errors import DatatenetError
    from datatenet.verbs.blame import blame

    name = change.old_path or change.path
    parent = info.parents[0] if info.parents else None
    samples = composition.datasets.setdefault(name, {})
    if parent is None:
        return []
    try:
        found = blame(repo, name, revision=parent)
    except DatatenetError as exc:
        for sample_id in change.changeset.base.entries.sample_ids:
            samples.setdefault(sample_id, []).append(UNKNOWN_ORIGIN)
        return [f"{name}: the samples before {info.commit[:10]} are not attributed ({exc})"]
    for line in found.lines:
        key = line.stated.key if line.commit is not None else UNKNOWN_ORIGIN
        samples.setdefault(line.sample_id, []).append(key or NO_STATEMENT)
    return []


def _checks(checks: str | None) -> tuple[str, ...]:
    from datatenet.analysis.registry import parse_checks

    return tuple(sorted(parse_checks(checks)))
