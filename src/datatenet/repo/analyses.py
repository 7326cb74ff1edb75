"""The analyses of a repository: their configuration from the settings, their cache place, the
eval samples a change must not copy, and the analyses of commit pairs kept under the git
directory.

A diff between two commits never changes, so its analyses are kept (`datatenet/findings/`),
keyed by both commits and everything that shapes the checks: history is analysed once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from datatenet.errors import DatatenetError

if TYPE_CHECKING:
    from datatenet.analysis.base import Analysis, AnalysisConfig
    from datatenet.analysis.corpus import Item
    from datatenet.config import Settings
    from datatenet.repo.diff import RepoDiff
    from datatenet.repo.repository import Repo
    from datatenet.repo.revisions import State


class AnalyseDiff(Protocol):
    """The analyses of one repository diff: one per changed dataset, in the order of
    `diff.changes`. `statements` are what the commit says it reinforces (the statements of
    the registry ids it names expanded), `behaviours` the registry ids it names."""

    def __call__(
        self, diff: RepoDiff, statements: Sequence[str] = (), behaviours: Sequence[str] = ()
    ) -> tuple[Analysis, ...]: ...


# `[analyses]` in the config: settings of the analyses that are not thresholds.
ANALYSES_KEYS: Mapping[str, frozenset[str] | None] = {
    "seed": None,  # a whole number: sampling and clustering repeat exactly
    "phrases": None,  # category -> extra phrases for the style descriptors
    "style": frozenset({"min_samples", "alpha", "min_effect", "auc_flag"}),
    "stability": frozenset({"min_cosine", "length_ratio"}),
}

FINDINGS_DIR = "findings"
CACHE_FORMAT = 3  # 2: an analysis per changed dataset, with measures and notes; 3: last turns
# Nothing of the analyses is imported before a change needs analysing: a commit hook with no
# data change never pays for it.


def cache_dir_for(repo: Repo | None) -> Path:
    """Where the analyses cache what they compute: the repository's cache directory (under
    the git common dir, shared by its work trees), or, outside a repository, the user's."""
    if repo is not None:
        return repo.cache_root
    from datatenet.embeddings.cache import user_cache_directory

    return user_cache_directory()


def repo_analysis_config(
    repo: Repo,
    checks: str | None,
    statements: Sequence[str] = (),
    behaviours: Sequence[str] = (),
) -> AnalysisConfig:
    """`analysis_config` with the repository's settings and cache directory."""
    return analysis_config(checks, repo.settings, repo.cache_root, statements, behaviours)


def analysis_config(
    checks: str | None,
    settings: Settings | None = None,
    cache_dir: Path | None = None,
    statements: Sequence[str] = (),
    behaviours: Sequence[str] = (),
) -> AnalysisConfig:
    """Checks from the command line; thresholds, model and the analyses' own settings from the
    configuration; what the commit states, for the analyses that hold a change against it."""
    from dataclasses import replace

    from datatenet.analysis.base import DEFAULT_MODEL, AnalysisConfig
    from datatenet.analysis.registry import parse_checks
    from datatenet.analysis.thresholds import Thresholds

    chosen = parse_checks(checks)
    options: dict[str, Any] = {}
    if statements:
        options["reinforces"] = tuple(statements)
    if behaviours:
        options["reinforced"] = tuple(behaviours)
    if settings is None:
        return AnalysisConfig(chosen, cache_dir=cache_dir, options=options)
    where = settings.source.name if settings.source else "config"
    options.update(analyses_options(settings.analyses, where))
    if settings.behaviours:
        options["behaviours"] = {key: dict(value) for key, value in settings.behaviours.items()}
    thresholds = Thresholds.from_config(settings.thresholds)
    model = settings.model or DEFAULT_MODEL
    config = AnalysisConfig(chosen, thresholds, model, settings.max_seq_length, cache_dir, options)
    return replace(
        config,
        semantic_mode=settings.semantic_mode or config.semantic_mode,
        model_precision=settings.model_precision or config.model_precision,
    )


def analyses_options(table: Mapping[str, Any], where: str = "config") -> dict[str, Any]:
    """The `[analyses]` table, checked: every mistake names the key and the keys known."""
    options: dict[str, Any] = {}
    for name, value in table.items():
        if name not in ANALYSES_KEYS:
            raise DatatenetError(
                f"{where}: unknown key {name!r} in [analyses]",
                f"known keys: {', '.join(ANALYSES_KEYS)}",
            )
        known = ANALYSES_KEYS[name]
        if name == "seed":
            if isinstance(value, bool) or not isinstance(value, int):
                raise DatatenetError(f"{where}: [analyses] seed must be a whole number", "seed = 0")
        elif not isinstance(value, Mapping):
            raise DatatenetError(
                f"{where}: [analyses.{name}] must be a table", f"[analyses.{name}]"
            )
        elif name == "phrases":
            for category, phrases in value.items():
                if not isinstance(phrases, list) or not all(isinstance(p, str) for p in phrases):
                    raise DatatenetError(
                        f"{where}: [analyses.phrases] {category} must be a list of strings",
                        'e.g. apology = ["my bad", "oops"]',
                    )
        elif known is not None:
            unknown = sorted(set(value) - known)
            if unknown:
                raise DatatenetError(
                    f"{where}: unknown key {unknown[0]!r} in [analyses.{name}]",
                    f"known keys: {', '.join(sorted(known))}",
                )
        options[name] = dict(value) if isinstance(value, Mapping) else value
    return options


def eval_paths(repo: Repo, state: State) -> list[str]:
    """The configured eval files of a state (files in git, or outputs of DVC pointers)."""
    from datatenet.repo.tree import dataset_path
    from datatenet.sources import dvc

    settings = repo.settings
    if not settings.eval:
        return []
    paths: list[str] = []
    for path in sorted(repo.files(state).files):
        if dvc.is_pointer(path) and settings.is_eval(dataset_path(path)):
            paths.append(dataset_path(path))
        elif settings.is_eval(path) and not dvc.is_pointer(path):
            paths.append(path)
    return paths


def eval_items(repo: Repo, state: State) -> tuple[tuple[Item, ...], tuple[str, ...]]:
    """The eval samples of a state, and a note for every eval file that could not be read."""
    from datatenet.analysis.corpus import items
    from datatenet.version import Version

    found: list[Item] = []
    notes: list[str] = []
    for path in eval_paths(repo, state):
        version = repo.store.version(state, path)
        if isinstance(version, Version):
            found.extend(items(version, range(len(version.entries))))
        elif version is not None:
            what = getattr(version, "reason", None) or getattr(version, "message", "")
            notes.append(f"eval set {path} not checked for contamination: {what}")
    return tuple(found), tuple(notes)


def analyse_diff(
    diff: RepoDiff, config: AnalysisConfig, repo: Repo | None = None
) -> tuple[Analysis, ...]:
    """The analysis of every changed dataset of a repository diff; with the repository, the
    contamination check holds the new samples against the eval sets of the diff's head."""
    from datatenet.analysis.base import Analysis
    from datatenet.analysis.run import analyse_change

    evals: tuple[Item, ...] = ()
    notes: tuple[str, ...] = ()
    wanted = "contamination" in config.checks and any(
        change.changeset.added or change.changeset.modified for change in diff.changes
    )
    if repo is not None and wanted:
        evals, notes = eval_items(repo, diff.head)
    results: list[Analysis] = []
    for change in diff.changes:
        analysis = analyse_change(change.changeset, config, evals)
        if notes and (change.changeset.added or change.changeset.modified):
            analysis = Analysis.combine([analysis, Analysis(notes=notes)])
        results.append(analysis)
    return tuple(results)


def commit_analyses(config: AnalysisConfig, repo: Repo | None = None) -> AnalyseDiff:
    """`analyse_diff`, with the analyses of revision pairs kept on disk (log, check-range)."""

    import orjson

    from datatenet.analysis.base import Analysis
    from datatenet.files import write_atomically

    def analyse(
        diff: RepoDiff, statements: Sequence[str] = (), behaviours: Sequence[str] = ()
    ) -> tuple[Analysis, ...]:
        stated = config
        if statements or behaviours:
            extra = {"reinforces": tuple(statements), "reinforced": tuple(behaviours)}
            stated = replace(config, options={**config.options, **extra})
        path = _cache_path(stated, diff)
        if path is not None:
            try:
                stored = orjson.loads(path.read_bytes())
                if len(stored) == len(diff.changes):
                    return tuple(Analysis.from_json(item) for item in stored)
            except (OSError, orjson.JSONDecodeError, KeyError, TypeError, ValueError):
                pass  # absent or damaged: analyse again
        analyses = analyse_diff(diff, stated, repo)
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
            # bfloat16 moves cosines in the third decimal (embeddings/runtime.py)
            config.precision_here,
            orjson.dumps(config.options, option=orjson.OPT_SORT_KEYS, default=str).decode(),
            CANONICAL_VERSION,
            __version__,
        ],
        default=str,
    )
    name = hashlib.blake2b(key, digest_size=16).hexdigest()
    return config.cache_dir / FINDINGS_DIR / f"{name}.json"


# What the commit hooks and check-range run: the lexical pair checks, contamination and noise
# (cheap for the few samples of a commit), then whatever the configured gates measure.
HOOK_CHECKS = ("exact", "near", "conflicts", "contamination", "noise")


def gate_checks(settings: Settings, semantic: bool = False) -> str:
    """The checks a hook runs: `HOOK_CHECKS`, the semantic tier when asked for, and the
    analyses whose metrics the configured gates (or the default gates) bound."""
    from datatenet import gates
    from datatenet.analysis.registry import METRIC_CHECKS

    chosen = dict.fromkeys(HOOK_CHECKS)
    if semantic:
        chosen["semantic"] = None
    for metric in settings.gates or gates.DEFAULT_GATES:
        check = METRIC_CHECKS.get(metric)
        if check is not None and (check != "semantic" or semantic):
            chosen[check] = None
    return ",".join(chosen)


def analyses_for(repo: Repo, checks: str | None, *, semantic: bool = False) -> AnalyseDiff:
    """`commit_analyses` with the repository's configuration, set up on the first diff it sees:
    a hook with nothing relevant staged never reads the thresholds (nor imports the analyses),
    and `log` reads them once, not once per commit. `checks` None: what the gates need
    (`gate_checks`)."""
    made: list[AnalyseDiff] = []

    def analyse(
        diff: RepoDiff, statements: Sequence[str] = (), behaviours: Sequence[str] = ()
    ) -> tuple[Analysis, ...]:
        if not made:
            chosen = checks if checks is not None else gate_checks(repo.settings, semantic)
            made.append(commit_analyses(repo_analysis_config(repo, chosen), repo))
        return made[0](diff, statements, behaviours)

    return analyse
