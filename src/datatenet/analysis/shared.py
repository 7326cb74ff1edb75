"""What the style, topic and eval analyzers of one run share, computed once per `Inputs`:
the phrase lists, prompt vectors of every side (the model's when the semantic
check runs, else lexical ones, `topics.lexical_vectors`), the topics of the change, and their
per-analyzer settings from `AnalysisConfig.options`.

Options read (all optional): `phrases` ({category: [phrase, ...]}, see `style_phrases`),
`behaviours` (the config's `[behaviours]` table), `reinforces` (the statements of the commit),
`reinforced` (the behaviour ids it names), `seed`, and per analyzer `style`, `stability`,
`coverage` tables.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from datatenet.analysis.base import Inputs
from datatenet.analysis.corpus import Item
from datatenet.analysis.findings import ref_json as findings_ref_json

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from datatenet.analysis.coverage import Coverage
    from datatenet.analysis.style_phrases import PhraseLists

    Vectors = npt.NDArray[np.float32]

T = TypeVar("T")
_STORE: weakref.WeakKeyDictionary[Inputs, dict[str, Any]] = weakref.WeakKeyDictionary()
SIDES = ("new", "existing", "removed")


def once(inputs: Inputs, key: str, compute: Callable[[], T]) -> T:
    """`compute()` the first time `key` is asked of these inputs; the same value afterwards."""
    store = _STORE.setdefault(inputs, {})
    if key not in store:
        store[key] = compute()
    value: T = store[key]
    return value


def option(inputs: Inputs, name: str, default: Any = None) -> Any:
    return inputs.config.options.get(name, default)


def table(inputs: Inputs, name: str) -> Mapping[str, Any]:
    value = option(inputs, name, {})
    return value if isinstance(value, Mapping) else {}


def seed(inputs: Inputs) -> int:
    value = option(inputs, "seed", 0)
    return value if isinstance(value, int) else 0


def side(inputs: Inputs, name: str) -> tuple[Item, ...]:
    corpus = inputs.corpus
    if name == "new":
        return corpus.new
    if name == "existing":
        return corpus.existing
    if name == "removed":
        return corpus.removed
    return corpus.eval


def phrases(inputs: Inputs) -> PhraseLists:
    def build() -> PhraseLists:
        from datatenet.analysis.style_phrases import DEFAULT_PHRASES

        extra = table(inputs, "phrases")
        try:
            return DEFAULT_PHRASES.extended(
                {k: [str(p) for p in v] for k, v in extra.items() if isinstance(v, list)}
            )
        except ValueError as exc:
            inputs.notes.append(f"phrases: {exc}; the default phrases are used")
            return DEFAULT_PHRASES

    return once(inputs, "phrases", build)


@dataclass(frozen=True)
class PromptVectors:
    kind: str  # "model" or "lexical"
    new: Vectors
    existing: Vectors
    removed: Vectors

    def of(self, name: str) -> Vectors:
        vectors: Vectors = getattr(self, name)
        return vectors


def prompt_vectors(inputs: Inputs) -> PromptVectors:
    """The model's prompt vectors when the semantic check runs (the removed side embedded
    through the same cache), lexical vectors of all prompts together otherwise."""

    def build() -> PromptVectors:
        import numpy as np

        vectors = inputs.vectors() if _model_reads(inputs) else None
        removed = side(inputs, "removed")
        if vectors is not None:
            extra = embed(inputs, [item.prompt for item in removed])
            if extra is not None:
                return PromptVectors("model", vectors.new_prompts, vectors.existing_prompts, extra)
        from datatenet.analysis.topics import lexical_vectors

        groups = [side(inputs, name) for name in SIDES]
        every = lexical_vectors([item.prompt for group in groups for item in group], seed(inputs))
        a, b = len(groups[0]), len(groups[1])
        parts = np.split(every, [a, a + b])
        return PromptVectors("lexical", parts[0], parts[1], parts[2])

    return once(inputs, "prompt_vectors", build)


def _model_reads(inputs: Inputs) -> bool:
    """False when the prompts are mostly Chinese, Japanese or Korean and the model reads English
    only (embeddings/language.py): its vectors would make topics of unrelated prompts."""
    from datatenet.embeddings.language import MOSTLY, cjk_share, is_english_only

    def build() -> bool:
        if not is_english_only(inputs.config.model):
            return True
        prompts = (item.prompt for name in SIDES for item in side(inputs, name))
        return cjk_share(prompts) <= MOSTLY

    return once(inputs, "model_reads", build)


def embed(inputs: Inputs, texts: Sequence[str]) -> Vectors | None:
    """Vectors of other texts (removed prompts, eval samples, a statement) from the run's
    embedder; None when no model runs."""
    import numpy as np

    embedder = inputs.embedder()
    corpus_vectors = inputs.vectors()
    if embedder is None or corpus_vectors is None:
        return None
    if not texts:
        return np.zeros((0, corpus_vectors.new_prompts.shape[1]), dtype=np.float32)
    from datatenet.embeddings.base import EmbeddingsUnavailable

    try:
        vectors: Vectors = embedder.embed(list(texts))
    except EmbeddingsUnavailable as exc:
        inputs.notes.append(f"embeddings unavailable: {exc.reason}")
        return None
    return vectors


def coverage(inputs: Inputs) -> Coverage | None:
    """The change's topics (see `analysis/coverage.py`), for the coverage and focus checks."""

    def build() -> Coverage | None:
        from datatenet.analysis.coverage import coverage_shift

        vectors = prompt_vectors(inputs)
        prompts = {name: [item.prompt for item in side(inputs, name)] for name in SIDES}
        return coverage_shift(
            vectors.existing, vectors.removed, vectors.new, prompts, seed=seed(inputs)
        )

    return once(inputs, "coverage", build)


def vectors_note(inputs: Inputs) -> tuple[str, ...]:
    if prompt_vectors(inputs).kind == "model":
        return ()
    if inputs.config.embeddings_allowed and not _model_reads(inputs):
        why = f"the model {inputs.config.model} reads English only and the prompts are not"
    else:
        why = "no embedding model in this run"
    return (f"topics and similar prompts from TF-IDF vectors ({why}): coarser than a model's",)


def ref_json(item: Item) -> dict[str, str]:
    """A sample as the reports show it (the same fields as a finding's `sample`)."""
    return findings_ref_json(item.ref())


def evidence_line(item: Item, what: str) -> str:
    return f"{item.origin or item.sample_id[:12]}: {what}"
