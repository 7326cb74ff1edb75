"""Which checks run on a corpus, with which thresholds and embedder, and what they found.

Checks: `exact`, `near`, `semantic` (duplicate tiers) and `conflicts`; `duplicates` names the
three tiers, `all` everything available (the default), `none` nothing. `semantic` is the one
check that needs the `embeddings` extra and a model; `conflicts` compares prompts and answers
with its vectors when it runs, by word overlap otherwise. Without the extra or the model, the
other checks still run and the analysis carries a note saying why.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import orjson

from datatenet.analysis.corpus import Corpus
from datatenet.analysis.findings import Finding, finding_from_json
from datatenet.analysis.thresholds import Thresholds
from datatenet.diff import ChangeSet
from datatenet.errors import DatatenetError
from datatenet.files import write_atomically
from datatenet.version import Version

if TYPE_CHECKING:
    from datatenet.embeddings.base import Embedder
    from datatenet.repo_diff import RepoDiff

CHECKS = ("exact", "near", "semantic", "conflicts")
GROUPS: Mapping[str, tuple[str, ...]] = {
    "duplicates": ("exact", "near", "semantic"),
    "all": CHECKS,
    "none": (),
}
DEFAULT_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
FINDINGS_DIR = "findings"


@dataclass(frozen=True)
class AnalysisConfig:
    checks: frozenset[str] = frozenset(CHECKS)
    thresholds: Thresholds = field(default_factory=Thresholds)
    model: str = DEFAULT_MODEL
    root: Path | None = None  # the repository: its git directory holds the caches
    max_seq_length: int | None = None  # None: the embedder's default


@dataclass(frozen=True)
class Analysis:
    findings: tuple[Finding, ...] = ()
    notes: tuple[str, ...] = ()


def parse_checks(text: str | None) -> frozenset[str]:
    """`--checks exact,near` -> {"exact", "near"}; None -> every check."""
    if text is None:
        return frozenset(CHECKS)
    chosen: set[str] = set()
    for name in filter(None, (part.strip() for part in text.split(","))):
        if name in GROUPS:
            chosen.update(GROUPS[name])
        elif name in CHECKS:
            chosen.add(name)
        else:
            raise DatatenetError(
                f"--checks: unknown check {name!r}",
                f"checks: {', '.join(CHECKS)}; groups: {', '.join(GROUPS)}",
            )
    return frozenset(chosen)


def analyse(corpus: Corpus, config: AnalysisConfig) -> Analysis:
    """Run the configured checks; exact duplicates say how many copies there now are."""
    checks = config.checks
    if not corpus.new or not checks:
        return Analysis()
    findings: list[Finding] = []
    notes: list[str] = []
    if "exact" in checks or "near" in checks:
        findings += _lexical_duplicates(corpus, config)
    vectors = embedder = None
    if "semantic" in checks:  # the model-based layer; conflicts reuse its vectors
        from datatenet.embeddings.base import EmbeddingsUnavailable

        try:
            embedder, note = _open_embedder(config, corpus)
            notes += [note] if note else []
            from datatenet.analysis.semantic import corpus_vectors

            vectors = corpus_vectors(corpus, embedder)
        except EmbeddingsUnavailable as exc:
            fallback = (
                "; conflicts compare answers by word overlap" if "conflicts" in checks else ""
            )
            notes.append(f"semantic checks skipped: {exc.reason}{fallback}")
    if embedder is not None and vectors is not None and "semantic" in checks:
        from datatenet.analysis.semantic import semantic_duplicates

        threshold = config.thresholds.semantic_duplicate
        findings += semantic_duplicates(corpus, embedder, threshold, vectors)
    if "conflicts" in checks:
        from datatenet.analysis.conflicts import find_conflicts

        findings += find_conflicts(corpus, config.thresholds, vectors)
    return Analysis(tuple(findings), tuple(notes))


def _lexical_duplicates(corpus: Corpus, config: AnalysisConfig) -> list[Finding]:
    from datatenet.analysis import duplicates
    from datatenet.analysis.minhash_cache import cache_directory

    cache_dir = cache_directory(config.root) if config.root is not None else None
    threshold = config.thresholds.near_duplicate
    if "exact" in config.checks and "near" in config.checks:
        found = duplicates.duplicates(corpus, threshold, cache_dir=cache_dir)
    elif "exact" in config.checks:
        found = duplicates.exact_duplicates(corpus, cache_dir=cache_dir)
    else:
        found = duplicates.near_duplicates(corpus, threshold, cache_dir=cache_dir)
    return found


def _open_embedder(config: AnalysisConfig, corpus: Corpus) -> tuple[Embedder, str]:
    """The configured model behind the on-disk cache (it loads on the first cache miss), and a
    note when the model does not fit the data's language. EmbeddingsUnavailable if it cannot
    be had."""
    from datatenet.embeddings.cache import cache_directory
    from datatenet.embeddings.open import open_embedder

    if config.max_seq_length is None:
        return open_embedder(config.model, cache_directory(config.root), corpus)
    return open_embedder(
        config.model, cache_directory(config.root), corpus, max_seq_length=config.max_seq_length
    )


def analyse_change(changeset: ChangeSet, config: AnalysisConfig) -> Analysis:
    """The added and modified samples of a change against the samples it left alone."""
    if not config.checks or not (changeset.added or changeset.modified):
        return Analysis()
    from datatenet.analysis.corpus import corpus_of_change

    return analyse(corpus_of_change(changeset), config)


def analyse_repo_diff(diff: RepoDiff, config: AnalysisConfig) -> list[Finding]:
    """Every finding of every changed dataset of a repository diff (for the gates)."""
    return [f for changeset in diff.changesets for f in analyse_change(changeset, config).findings]


def analyse_version(version: Version, config: AnalysisConfig) -> Analysis:
    """`datatenet scan`: every sample against the others."""
    from datatenet.analysis.corpus import corpus_of_version

    return analyse(corpus_of_version(version), config)


def analysis_config(checks: str | None, root: Path | None) -> AnalysisConfig:
    """Checks from the command line; thresholds, model and cache place from the repository."""
    chosen = parse_checks(checks)
    if root is None:
        return AnalysisConfig(chosen)
    from datatenet.config import load_settings

    settings = load_settings(root)
    thresholds = Thresholds.from_config(settings.thresholds)
    model = settings.model or DEFAULT_MODEL
    return AnalysisConfig(chosen, thresholds, model, root, settings.max_seq_length)


def commit_analysis(root: Path, checks: str) -> Callable[[RepoDiff], list[Finding]]:
    """Findings of each diff, for log, check-range and check. A diff between two commits never
    changes, so its findings are kept under the git directory (`datatenet/findings/`), keyed
    by both commits and everything that shapes the checks: history is analysed once."""
    config = analysis_config(checks, root)

    def analyse(diff: RepoDiff) -> list[Finding]:
        path = _findings_path(config, diff)
        if path is not None:
            try:
                return [finding_from_json(item) for item in orjson.loads(path.read_bytes())]
            except (OSError, orjson.JSONDecodeError, KeyError, TypeError, ValueError):
                pass  # absent or damaged: analyse again
        findings = analyse_repo_diff(diff, config)
        if path is not None:
            write_atomically(path, orjson.dumps([finding.to_json() for finding in findings]))
        return findings

    return analyse


def _findings_path(config: AnalysisConfig, diff: RepoDiff) -> Path | None:
    if config.root is None or diff.base.kind != "revision" or diff.head.kind != "revision":
        return None  # the index and the work tree change: never cached
    from datatenet import __version__
    from datatenet.idcache import cache_root
    from datatenet.samples import CANONICAL_VERSION

    key = orjson.dumps(
        [
            diff.base.commit,
            diff.head.commit,
            sorted(config.checks),
            repr(config.thresholds),
            config.model,
            config.max_seq_length,
            CANONICAL_VERSION,
            __version__,
        ]
    )
    name = hashlib.blake2b(key, digest_size=16).hexdigest()
    return cache_root(config.root) / FINDINGS_DIR / f"{name}.json"
