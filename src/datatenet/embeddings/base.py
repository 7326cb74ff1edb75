"""The Embedder protocol: what analyses ask of an embedding model."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt


class Embedder(Protocol):
    """Turns texts into L2-normalized float32 vectors (so a dot product is a cosine)."""

    @property
    def name(self) -> str:
        """Model name and settings: part of every cache key."""
        ...

    def embed(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """An array of shape (len(texts), dimension), row i the vector of texts[i]."""
        ...


class EmbeddingsUnavailable(Exception):
    """The semantic tier cannot run here; `reason` says why and what to install or configure.
    Not a user error: the other tiers still run and the report carries the note."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
