"""The analyzers that compare samples pair by pair: duplicate tiers and conflicting answers."""

from __future__ import annotations

from dataclasses import dataclass

from datatenet.analysis.base import Analysis, Inputs


@dataclass(frozen=True)
class LexicalDuplicates:
    """The exact and near tiers (no model): texts equal after normalisation, or nearly so."""

    checks: frozenset[str] = frozenset({"exact", "near"})

    def analyse(self, inputs: Inputs) -> Analysis:
        from datatenet.analysis import duplicates

        checks, corpus = inputs.config.checks, inputs.corpus
        cache_dir = inputs.minhash_dir()
        threshold = inputs.config.thresholds.near_duplicate
        if "exact" in checks and "near" in checks:
            found = duplicates.duplicates(corpus, threshold, cache_dir=cache_dir)
        elif "exact" in checks:
            found = duplicates.exact_duplicates(corpus, cache_dir=cache_dir)
        else:
            found = duplicates.near_duplicates(corpus, threshold, cache_dir=cache_dir)
        return Analysis(tuple(found))


@dataclass(frozen=True)
class SemanticDuplicates:
    """The semantic tier: prompt and answer both close in meaning (the one check that loads a
    model; the conflict check reuses its vectors)."""

    checks: frozenset[str] = frozenset({"semantic"})

    def analyse(self, inputs: Inputs) -> Analysis:
        vectors = inputs.vectors()
        embedder = inputs.embedder()
        if vectors is None or embedder is None:
            return Analysis()
        from datatenet.analysis.semantic import semantic_duplicates

        threshold = inputs.config.thresholds.semantic_duplicate
        return Analysis(tuple(semantic_duplicates(inputs.corpus, embedder, threshold, vectors)))


@dataclass(frozen=True)
class Conflicts:
    """The same situation taught two ways (see analysis/conflicts.py)."""

    checks: frozenset[str] = frozenset({"conflicts"})

    def analyse(self, inputs: Inputs) -> Analysis:
        from datatenet.analysis.conflicts import find_conflicts

        vectors = inputs.vectors()
        return Analysis(tuple(find_conflicts(inputs.corpus, inputs.config.thresholds, vectors)))
