"""The embedders the checks use, behind the on-disk cache: the configured model (the confirming
model, runtime.py) and the static model distilled from it (the cascade's fast stage, static.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from datatenet.embeddings.base import EmbeddingsUnavailable
from datatenet.embeddings.cache import CachedEmbedder, cache_directory
from datatenet.embeddings.language import language_warning
from datatenet.embeddings.runtime import ModelEmbedder
from datatenet.embeddings.st import DEFAULT_MAX_SEQ_LENGTH, DEFAULT_MODEL
from datatenet.embeddings.static import StaticEmbedder
from datatenet.progress import Progress


def open_embedder(
    model: str = DEFAULT_MODEL,
    cache_dir: Path | None = None,
    texts: Iterable[str] | None = None,
    *,
    max_seq_length: int = DEFAULT_MAX_SEQ_LENGTH,
    quiet: bool = False,
    runtime: str = "auto",
    precision: str = "auto",
    progress: Progress | None = None,
) -> tuple[CachedEmbedder, str]:
    """The cached embedder for `model` and a note for the report ("" when there is none): the
    language warning when `texts` are mostly CJK and the model reads English only.

    `cache_dir` None: the user's cache directory. `quiet`: no progress on stderr (there is
    none anyway when stderr is not a terminal). `runtime`: "auto" (a GPU through torch if one
    is seen, else the exported model on CPU, else torch on CPU), "onnx" or "torch";
    `precision`: "auto" (bfloat16 where the CPU computes it natively) or "fp32". Raises
    EmbeddingsUnavailable when the model plainly cannot be had; nothing heavy is imported here:
    the model is loaded on the first text the cache does not hold. The embedder's `device`
    says where it ran (None when it never had to). `progress`: the run's progress, shared with
    `open_fast_embedder` (default: a new one, silent when `quiet`).
    """
    progress = progress if progress is not None else Progress(quiet=quiet)
    backend = ModelEmbedder(
        model,
        max_seq_length=max_seq_length,
        runtime=runtime,
        precision=precision,
        progress=progress,
    )
    backend.check_available()
    embedder = CachedEmbedder(backend, cache_dir if cache_dir is not None else cache_directory())
    note = language_warning(texts, backend.name) or "" if texts is not None else ""
    return embedder, note


def open_fast_embedder(
    model: str = DEFAULT_MODEL,
    cache_dir: Path | None = None,
    *,
    progress: Progress | None = None,
) -> tuple[CachedEmbedder | None, str | None]:
    """The cached static embedder distilled from `model` (the cascade's fast stage), or None
    and why it cannot be had here (model2vec missing, or no cached distillation and nothing to
    distil with): the cascade then embeds every text with the model."""
    backend = StaticEmbedder(model, progress=progress)
    try:
        backend.check_available()
    except EmbeddingsUnavailable as error:
        return None, error.reason
    directory = cache_dir if cache_dir is not None else cache_directory()
    return CachedEmbedder(backend, directory), None
