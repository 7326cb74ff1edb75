"""The analyses of a repository: their configuration from the settings, their cache place, and
the analyses of commit pairs kept under the git directory.

A diff between two commits never changes, so its analyses are kept (`datatenet/findings/`),
keyed by both commits and everything that shapes the checks: history is analysed once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datatenet.analysis.base import Analysis, AnalysisConfig
    from datatenet.config import Settings
    from datatenet.repo.diff import RepoDiff
    from datatenet.repo.repository import Repo

    # The analyses of one repository diff: one per changed dataset, in the order of
    # `diff.changes`.
    AnalyseDiff = Callable[[RepoDiff], tuple[Analysis, ...]]

FINDINGS_DIR = "findings"
CACHE_FORMAT = 2  # 2: an analysis per changed dataset, with measures and notes
# Nothing of the analyses is imported before a change needs analysing: a commit hook with no
# data change never pays for it.


def cache_dir_for(repo: Repo | None) -> Path:
    """Where the analyses cache what they compute: the repository's cache directory (under
    the git common dir, shared by its work trees), or, outside a repository, the user's."""
    if repo is not None:
        return repo.cache_root
    from datatenet.embeddings.cache import user_cache_directory

    return user_cache_directory()


def repo_analysis_config(repo: Repo, checks: str | None) -> AnalysisConfig:
    """`analysis_config` with the repository's settings and cache directory."""
    return analysis_config(checks, repo.settings, repo.cache_root)


def analysis_config(
    checks: str | None, settings: Settings | None = None, cache_dir: Path | None = None
) -> AnalysisConfig:
    """Checks from the command line; thresholds and model from the settings."""
    from dataclasses import replace

    from datatenet.analysis.base import DEFAULT_MODEL, AnalysisConfig
    from datatenet.analysis.registry import parse_checks
    from datatenet.analysis.thresholds import Thresholds

    chosen = parse_checks(checks)
    if settings is None:
        return AnalysisConfig(chosen, cache_dir=cache_dir)
    thresholds = Thresholds.from_config(settings.thresholds)
    model = settings.model or DEFAULT_MODEL
    config = AnalysisConfig(chosen, thresholds, model, settings.max_seq_length, cache_dir)
    return replace(config, semantic_mode=settings.semantic_mode or config.semantic_mode)


def analyse_diff(diff: RepoDiff, config: AnalysisConfig) -> tuple[Analysis, ...]:
    """The analysis of every changed dataset of a repository diff."""
    from datatenet.analysis.run import analyse_change

    return tuple(analyse_change(change.changeset, config) for change in diff.changes)


def commit_analyses(config: AnalysisConfig) -> AnalyseDiff:
    """`analyse_diff`, with the analyses of revision pairs kept on disk (log, check-range)."""

    import orjson

    from datatenet.analysis.base import Analysis
    from datatenet.files import write_atomically

    def analyse(diff: RepoDiff) -> tuple[Analysis, ...]:
        path = _cache_path(config, diff)
        if path is not None:
            try:
                stored = orjson.loads(path.read_bytes())
                if len(stored) == len(diff.changes):
                    return tuple(Analysis.from_json(item) for item in stored)
            except (OSError, orjson.JSONDecodeError, KeyError, TypeError, ValueError):
                pass  # absent or damaged: analyse again
        analyses = analyse_diff(diff, config)
        if path is not None:
            write_atomically(path, orjson.dumps([analysis.to_json() for analysis in analyses]))
        return analyses

    return analyse


def _cache_path(config: AnalysisConfig, diff: RepoDiff) -> Path | None:
    if config.cache_dir is None or diff.base.kind != "revision" or diff.head.kind != "revision":
        return None  # the index and the work tree change: never cached
    import orjson

    from datatenet import __version__
    from datatenet.samples import CANONICAL_VERSION

    key = orjson.dumps(
        [
            CACHE_FORMAT,
            diff.base.commit,
            diff.head.commit,
            [change.path for change in diff.changes],
            sorted(config.checks),
            repr(config.thresholds),
            config.model,
            config.max_seq_length,
            config.semantic_mode,  # the cascade may miss a pair the model alone finds
            sorted(config.options.items()),
            CANONICAL_VERSION,
            __version__,
        ],
        default=str,
    )
    name = hashlib.blake2b(key, digest_size=16).hexdigest()
    return config.cache_dir / FINDINGS_DIR / f"{name}.json"


def analyses_for(repo: Repo, checks: str) -> AnalyseDiff:
    """`commit_analyses` with the repository's configuration, set up on the first diff it sees:
    a hook with nothing relevant staged never reads the thresholds, and `log` reads them once,
    not once per commit."""
    made: list[AnalyseDiff] = []

    def analyse(diff: RepoDiff) -> tuple[Analysis, ...]:
        if not made:
            made.append(commit_analyses(repo_analysis_config(repo, checks)))
        return made[0](diff)

    return analyse
