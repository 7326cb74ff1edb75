"""The candidates of a bisect and what is known about each: the commits between good and bad
that change the watched data, with their statements, change sizes and findings.

The candidates lie on the first-parent line from bad back to good, oldest first, so that
each holds the data of everything before it (a commit on a merged branch is probed through
the merge that brought it in). A commit is a candidate when its data key differs from the
one before it: commits that touch only code, or that rewrite a dataset to the same content
addresses, are never probed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from datatenet import history
from datatenet.bisect import gitops
from datatenet.bisect.datasets import DataReader, DataState, selected
from datatenet.config import Settings
from datatenet.errors import DatatenetError
from datatenet.sources import dvc, git

if TYPE_CHECKING:
    from datatenet.analysis.findings import Finding
    from datatenet.repo_diff import RepoDiff


@dataclass(frozen=True)
class Span:
    """Good and bad resolved and checked, and the candidates between them."""

    good: str
    bad: str
    good_state: DataState
    bad_state: DataState
    commits: tuple[history.CommitInfo, ...]  # the candidates, oldest first
    states: tuple[DataState, ...]  # their data, in the same order
    walked: int  # commits on the first-parent line between good and bad


@dataclass(frozen=True)
class Facts:
    """What a candidate commit changed and what the analyses found in it."""

    commit: str
    subject: str
    author: str
    date: str
    stated: history.Stated
    datasets: tuple[history.DatasetCounts, ...]
    findings: tuple[Finding, ...] = ()
    unreadable: tuple[str, ...] = ()
    kinds: Counter[str] = field(default_factory=Counter)

    @property
    def added(self) -> int:
        return sum(d.added for d in self.datasets)

    @property
    def removed(self) -> int:
        return sum(d.removed for d in self.datasets)

    @property
    def modified(self) -> int:
        return sum(d.modified for d in self.datasets)

    @property
    def changed(self) -> int:
        return self.added + self.removed + self.modified


def refuse_busy_repository(root: Path) -> None:
    """A merge, rebase, cherry-pick, revert or `git bisect` under way is refused."""
    busy = gitops.operation_in_progress(root)
    if busy is not None:
        what, hint = busy
        raise DatatenetError(f"the repository is in the middle of {what}", hint)


def resolve_commit(root: Path, revision: str, role: str) -> str:
    try:
        return git.resolve_revision(root, f"{revision}^{{commit}}")
    except DatatenetError:
        raise DatatenetError(
            f"--{role} {revision}: not a commit here",
            "name a commit, branch or tag; see `git log --oneline`",
        ) from None


def span(root: Path, reader: DataReader, good_spec: str, bad_spec: str) -> Span:
    """Resolve and check good and bad, and find the candidates between them."""
    good = resolve_commit(root, good_spec, "good")
    bad = resolve_commit(root, bad_spec, "bad")
    if good == bad:
        raise DatatenetError(
            f"--good {good_spec} and --bad {bad_spec} are the same commit",
            "name a good commit older than the bad one",
        )
    if not gitops.is_ancestor(root, good, bad):
        raise DatatenetError(
            f"--good {good_spec} ({good[:10]}) is not an ancestor of --bad {bad_spec} ({bad[:10]})",
            "a bisect looks for the change between an older good commit and a newer bad one "
            "on the same history: name a good commit that the bad one descends from",
        )
    line = list(reversed(history.walk(root, ["--first-parent", f"^{good}", bad])))
    good_state, bad_state = reader.state(good), reader.state(bad)
    if good_state.key == bad_state.key:
        raise DatatenetError(
            f"the watched datasets are the same at {good_spec} and {bad_spec}"
            + (f" ({', '.join(reader.selection)})" if reader.selection else ""),
            "the data cannot explain the difference; check --dataset and the `datasets` "
            "globs of .datatenet.toml",
        )
    commits: list[history.CommitInfo] = []
    states: list[DataState] = []
    previous = good_state.key
    for info in line:
        if not _may_change_data(info.paths, reader.settings, reader.selection):
            continue
        state = reader.state(info.commit)
        if state.key != previous:
            commits.append(info)
            states.append(state)
            previous = state.key
    return Span(good, bad, good_state, bad_state, tuple(commits), tuple(states), len(line))


def _may_change_data(paths: Sequence[str], settings: Settings, selection: Sequence[str]) -> bool:
    """Could a commit that changed these paths change the selected datasets? (No file read.)"""
    for path in paths:
        if dvc.is_pointer(path) or dvc.is_lock(path) or path.endswith("dataset_info.json"):
            return True
        if settings.is_dataset(path) and selected(selection, path):
            return True
    return False


def facts(
    root: Path,
    settings: Settings,
    commits: Sequence[history.CommitInfo],
    selection: Sequence[str],
    *,
    findings: bool,
) -> list[Facts]:
    """Each commit's change against its first parent (the selected datasets only), its
    statement, and with `findings` what the analyses (all but the model-based tier) find."""
    from datatenet.repo_diff import diff_commit

    rules = history.rules_for(settings)
    cache = history.memo_cache(root)
    analyse = _analyser(root, settings) if findings else None
    out: list[Facts] = []
    for info in commits:
        diff = diff_commit(root, info.commit, selection, settings=settings, cache=cache)
        found = analyse(diff) if analyse is not None else ()
        out.append(
            Facts(
                info.commit,
                info.subject,
                info.author,
                info.date,
                history.stated(info.intent, rules),
                tuple(_counts(diff)),
                tuple(found),
                tuple(f.message for f in diff.failures)
                + tuple(f"{u.path}: {u.reason}" for u in diff.unavailable),
                Counter(f.kind for f in found),
            )
        )
    return out


def _counts(diff: RepoDiff) -> list[history.DatasetCounts]:
    counts = []
    for change in diff.changes:
        s = change.changeset.summary
        counts.append(
            history.DatasetCounts(
                change.path,
                change.old_path,
                change.status,
                s.added,
                s.removed,
                s.modified,
                s.base_samples,
                s.head_samples,
            )
        )
    return counts


def _analyser(root: Path, settings: Settings) -> Callable[[RepoDiff], list[Finding]]:
    """The analyses of commit pairs (cached on disk), without the tier that loads a model."""
    from datatenet.analysis.registry import ALL_CHECKS
    from datatenet.idcache import cache_root
    from datatenet.repo.analyses import analysis_config, commit_analyses

    checks = ",".join(c for c in ALL_CHECKS if c != "semantic")
    analyses = commit_analyses(analysis_config(checks, settings, cache_root(root)))

    def analyse(diff: RepoDiff) -> list[Finding]:
        return [f for analysis in analyses(diff) for f in analysis.findings]

    return analyse
