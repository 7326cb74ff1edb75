"""The embedder the checks use: the configured sentence-transformers model behind the cache."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from datatenet.embeddings.cache import CachedEmbedder, cache_directory
from datatenet.embeddings.language import language_warning
from datatenet.embeddings.st import (
    DEFAULT_MAX_SEQ_LENGTH,
    DEFAULT_MODEL,
    SentenceTransformerEmbedder,
)


def open_embedder(
    model: str = DEFAULT_MODEL,
    cache_dir: Path | None = None,
    texts: Iterable[str] | None = None,
    *,
    max_seq_length: int = DEFAULT_MAX_SEQ_LENGTH,
) -> tuple[CachedEmbedder, str]:
    """The cached embedder for `model` and a note for the report ("" when there is none): the
    language warning for mostly-CJK `texts` with an English-only model.

    `cache_dir` None: the user's cache directory. Raises EmbeddingsUnavailable when the model
    plainly cannot be had (see SentenceTransformerEmbedder.check_available); nothing heavy is
    imported here: the model is loaded on the first text the cache does not hold.
    """
    backend = SentenceTransformerEmbedder(model, max_seq_length=max_seq_length)
    backend.check_available()
    embedder = CachedEmbedder(backend, cache_dir if cache_dir is not None else cache_directory())
    note = language_warning(texts, backend.name) or "" if texts is not None else ""
    return embedder, note
