"""What every analysis shares: its settings, its inputs, its result, and the Analyzer protocol.

An analyzer is one module with one job (duplicates, conflicts, style drift, …) registered in
`analysis/registry.py`. It reads the shared `Inputs` of a run (the corpus, and the embedding
vectors, computed once for all analyzers that ask for them) and returns an `Analysis`: findings
about samples, measures of the whole, and notes on what could not be done.

Analyses see samples and corpora, never git or settings files: the repository layer hands them
an `AnalysisConfig`, cache directory included.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from datatenet.analysis.corpus import Corpus
from datatenet.analysis.findings import Finding, finding_from_json
from datatenet.analysis.measures import Measure, measure_from_json
from datatenet.analysis.thresholds import Thresholds

if TYPE_CHECKING:
    from datatenet.analysis.semantic import CorpusVectors
    from datatenet.embeddings.base import Embedder

DEFAULT_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
CHECKS = ("exact", "near", "semantic", "conflicts")
EMBEDDINGS_DIR = "embeddings"
MINHASH_DIR = "minhash"


@dataclass(frozen=True)
class AnalysisConfig:
    checks: frozenset[str] = frozenset(CHECKS)
    thresholds: Thresholds = field(default_factory=Thresholds)
    model: str = DEFAULT_MODEL
    max_seq_length: int | None = None  # None: the embedder's default
    # Where caches live (`minhash/`, `embeddings/` below it): the repository's cache directory,
    # or the user's. None: nothing is cached on disk.
    cache_dir: Path | None = None
    options: Mapping[str, Any] = field(default_factory=dict)  # per-analyzer settings

    @property
    def embeddings_allowed(self) -> bool:
        """Only the `semantic` check loads a model; the others use its vectors when it runs."""
        return "semantic" in self.checks


@dataclass(frozen=True)
class Analysis:
    findings: tuple[Finding, ...] = ()
    measures: tuple[Measure, ...] = ()
    notes: tuple[str, ...] = ()

    @classmethod
    def combine(cls, analyses: Iterable[Analysis]) -> Analysis:
        findings: list[Finding] = []
        measures: list[Measure] = []
        notes: dict[str, None] = {}
        for analysis in analyses:
            findings += analysis.findings
            measures += analysis.measures
            notes.update(dict.fromkeys(analysis.notes))
        return cls(tuple(findings), tuple(measures), tuple(notes))

    def measure(self, name: str) -> Measure | None:
        return next((m for m in self.measures if m.name == name), None)

    def to_json(self) -> dict[str, Any]:
        return {
            "findings": [finding.to_json() for finding in self.findings],
            "measures": [measure.to_json() for measure in self.measures],
            "notes": list(self.notes),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Analysis:
        return cls(
            tuple(finding_from_json(item) for item in data["findings"]),
            tuple(measure_from_json(item) for item in data["measures"]),
            tuple(data["notes"]),
        )


class Inputs:
    """What the analyzers of one run share: the corpus, the configuration, and what is costly
    to compute (the embedding vectors), computed on first request and then reused."""

    def __init__(self, corpus: Corpus, config: AnalysisConfig) -> None:
        self.corpus = corpus
        self.config = config
        self.notes: list[str] = []
        self._embedder: Embedder | None = None
        self._vectors: CorpusVectors | None = None
        self._unavailable: str | None = None

    def embedder(self) -> Embedder | None:
        """The configured model behind the on-disk cache (loaded on the first cache miss), or
        None when the semantic check is off or the model cannot be had (a note says why)."""
        if not self.config.embeddings_allowed or self._unavailable is not None:
            return None
        if self._embedder is None:
            from datatenet.embeddings.base import EmbeddingsUnavailable
            from datatenet.embeddings.open import open_embedder

            directory = self.config.cache_dir / EMBEDDINGS_DIR if self.config.cache_dir else None
            texts = (t for item in self.corpus.everyone for t in (item.prompt, item.response))
            from datatenet.embeddings.st import DEFAULT_MAX_SEQ_LENGTH

            length = self.config.max_seq_length or DEFAULT_MAX_SEQ_LENGTH
            try:
                self._embedder, note = open_embedder(
                    self.config.model, directory, texts, max_seq_length=length
                )
            except EmbeddingsUnavailable as exc:
                self._skip(exc.reason)
                return None
            if note:
                self.notes.append(note)
        return self._embedder

    def vectors(self) -> CorpusVectors | None:
        """The prompt and answer vectors of the corpus, or None (see `embedder`)."""
        if self._vectors is None:
            embedder = self.embedder()
            if embedder is None:
                return None
            from datatenet.analysis.semantic import corpus_vectors
            from datatenet.embeddings.base import EmbeddingsUnavailable

            try:
                self._vectors = corpus_vectors(self.corpus, embedder)
            except EmbeddingsUnavailable as exc:
                self._skip(exc.reason)
                return None
        return self._vectors

    def _skip(self, reason: str) -> None:
        self._unavailable = reason
        overlap = "; conflicts compare answers by word overlap"
        fallback = overlap if "conflicts" in self.config.checks else ""
        self.notes.append(f"semantic checks skipped: {reason}{fallback}")

    def minhash_dir(self) -> Path | None:
        return self.config.cache_dir / MINHASH_DIR if self.config.cache_dir else None


class Analyzer(Protocol):
    """One analysis. It runs when one of its `checks` is selected (`--checks`)."""

    @property
    def checks(self) -> frozenset[str]: ...

    def analyse(self, inputs: Inputs) -> Analysis: ...
