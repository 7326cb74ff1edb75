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
    from datatenet.analysis.pair_model import PairModel
    from datatenet.analysis.semantic import CorpusVectors
    from datatenet.embeddings.cache import CachedEmbedder
    from datatenet.progress import Progress

DEFAULT_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
CHECKS = ("exact", "near", "semantic", "conflicts")
# "cascade": static embeddings propose the pairs, the model embeds only their texts
# (analysis/pair_model.py); "exact": the model embeds every text.
SEMANTIC_MODES = ("cascade", "exact")
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
    semantic_mode: str = SEMANTIC_MODES[0]
    # "auto": bfloat16 where the CPU computes it natively (OpenVINO), else float32; "fp32"
    model_precision: str = "auto"
    quiet: bool = False  # no progress on stderr (nor with DATATENET_QUIET=1 in the environment)

    @property
    def precision_here(self) -> str:
        """What the model computes in on this machine's CPU: "bf16" or "fp32"."""
        from datatenet.embeddings.openvino_session import bf16_available

        return "bf16" if self.model_precision == "auto" and bf16_available() else "fp32"

    @property
    def embeddings_allowed(self) -> bool:
        """Only the `semantic` check loads a model; the others use its vectors when it runs."""
        return "semantic" in self.checks


@dataclass(frozen=True)
class Analysis:
    findings: tuple[Finding, ...] = ()
    measures: tuple[Measure, ...] = ()
    notes: tuple[str, ...] = ()
    # How the analysis ran (the model's runtime and device, what it embedded), for --verbose;
    # not part of the JSON: an analysis read back from a cache ran nothing.
    runtime: tuple[str, ...] = ()

    @classmethod
    def combine(cls, analyses: Iterable[Analysis]) -> Analysis:
        findings: list[Finding] = []
        measures: list[Measure] = []
        notes: dict[str, None] = {}
        runtime: dict[str, None] = {}
        for analysis in analyses:
            findings += analysis.findings
            measures += analysis.measures
            notes.update(dict.fromkeys(analysis.notes))
            runtime.update(dict.fromkeys(analysis.runtime))
        return cls(tuple(findings), tuple(measures), tuple(notes), tuple(runtime))

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
    to compute (the embedders and the embedding vectors), made on first request and reused."""

    def __init__(self, corpus: Corpus, config: AnalysisConfig) -> None:
        self.corpus = corpus
        self.config = config
        self.notes: list[str] = []
        self._progress: Progress | None = None
        self._embedder: CachedEmbedder | None = None
        self._fast: CachedEmbedder | None = None
        self._fast_missing: str | None = None  # why there is no fast stage
        self._vectors: CorpusVectors | None = None
        self._unavailable: str | None = None

    @property
    def progress(self) -> Progress:
        """The run's progress on stderr, shared by the embedders (one bar, not one each)."""
        if self._progress is None:
            from datatenet.progress import Progress

            self._progress = Progress(quiet=self.config.quiet or _quiet_requested())
        return self._progress

    def embedder(self) -> CachedEmbedder | None:
        """The configured model behind the on-disk cache (loaded on the first cache miss), or
        None when the semantic check is off or the model cannot be had (a note says why)."""
        if not self.config.embeddings_allowed or self._unavailable is not None:
            return None
        if self._embedder is None:
            from datatenet.embeddings.base import EmbeddingsUnavailable
            from datatenet.embeddings.open import open_embedder
            from datatenet.embeddings.st import DEFAULT_MAX_SEQ_LENGTH

            texts = (t for item in self.corpus.everyone for t in (item.prompt, item.response))
            length = self.config.max_seq_length or DEFAULT_MAX_SEQ_LENGTH
            try:
                self._embedder, note = open_embedder(
                    self.config.model,
                    self._embeddings_dir(),
                    texts,
                    max_seq_length=length,
                    precision=self.config.model_precision,
                    progress=self.progress,
                )
            except EmbeddingsUnavailable as exc:
                self.skip(exc.reason)
                return None
            if note:
                self.notes.append(note)
        return self._embedder

    def fast_embedder(self) -> CachedEmbedder | None:
        """The static model distilled from the configured one (the cascade's fast stage, cached
        like the model's vectors), or None: the exact mode, no model, or no fast stage here."""
        if self.config.semantic_mode != "cascade" or self.embedder() is None:
            return None
        if self._fast is None and self._fast_missing is None:
            from datatenet.embeddings.open import open_fast_embedder

            self._fast, self._fast_missing = open_fast_embedder(
                self.config.model, self._embeddings_dir(), progress=self.progress
            )
        return self._fast

    def vectors(self) -> CorpusVectors | None:
        """The model's prompt and answer vectors of the whole corpus (every text embedded), or
        None (see `embedder`)."""
        if self._vectors is None:
            embedder = self.embedder()
            if embedder is None:
                return None
            from datatenet.analysis.semantic import corpus_vectors
            from datatenet.embeddings.base import EmbeddingsUnavailable

            try:
                self._vectors = corpus_vectors(self.corpus, embedder)
            except EmbeddingsUnavailable as exc:
                self.skip(exc.reason)
                return None
        return self._vectors

    def pair_model(self) -> PairModel | None:
        """The model as the pair analysis uses it (analysis/pair_model.py): through the
        cascade, or every text embedded (the exact mode, or when the whole corpus is embedded
        anyway); None without a model."""
        embedder = self.embedder()
        if embedder is None:
            return None
        from datatenet.analysis.pair_model import PairModel, RowVectors

        if self.config.semantic_mode == "exact" or self._vectors is not None:
            vectors = self.vectors()
            if vectors is None:
                return None
            return PairModel(self.config.model, RowVectors.of(self.corpus, vectors, embedder))
        fast = self.fast_embedder()
        model = PairModel(self.config.model, RowVectors(self.corpus, embedder), fast, self.progress)
        if fast is None:
            model.why = f"no fast stage: {self._fast_missing}"
        return model

    def skip(self, reason: str) -> None:
        """No embeddings in this run: the note says why."""
        self._unavailable = reason
        overlap = "; conflicts compare answers by word overlap"
        fallback = overlap if "conflicts" in self.config.checks else ""
        self.notes.append(f"semantic checks skipped: {reason}{fallback}")

    def runtime(self) -> tuple[str, ...]:
        """What ran, for --verbose: each embedder's runtime and device, and its work."""
        lines = []
        for what, embedder in (("model", self._embedder), ("fast stage", self._fast)):
            if embedder is None or not (embedder.hits or embedder.misses):
                continue
            device = embedder.device or "not loaded (every text came from the cache)"
            why = getattr(embedder.inner, "note", "")
            lines.append(
                f"{what} {embedder.name.split('|', 1)[0]}: {device}{f' ({why})' if why else ''};"
                f" {embedder.misses:,} texts embedded, {embedder.hits:,} from the cache"
            )
        return tuple(lines)

    def minhash_dir(self) -> Path | None:
        return self.config.cache_dir / MINHASH_DIR if self.config.cache_dir else None

    def _embeddings_dir(self) -> Path | None:
        return self.config.cache_dir / EMBEDDINGS_DIR if self.config.cache_dir else None


def _quiet_requested() -> bool:
    """DATATENET_QUIET=1 (or any value but 0) silences progress, as `--quiet` does."""
    import os

    return os.environ.get("DATATENET_QUIET", "0").strip().lower() not in ("", "0", "false", "no")


class Analyzer(Protocol):
    """One analysis. It runs when one of its `checks` is selected (`--checks`)."""

    @property
    def checks(self) -> frozenset[str]: ...

    def analyse(self, inputs: Inputs) -> Analysis: ...
