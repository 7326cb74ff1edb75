"""Static embeddings distilled from the configured model: the fast first stage of the cascade.

model2vec's distillation runs every token of the model's vocabulary through the model once and
keeps one vector per token (PCA to 256 dimensions, SIF weighting of frequent tokens); a text's
vector is then the mean of its tokens' vectors, thousands of texts a second with numpy and no
model stack. It runs once, offline, from the model's local files, and the result is kept under
the user's cache keyed by the model (artifacts.py). Later runs load it with model2vec alone
(numpy, tokenizers, safetensors): torch is never imported.

The vectors are not the model's: they rank pairs roughly as the model does, which is what a
first stage needs (cascade.py sets its threshold from measurements). A text without any token
the static model knows (empty, or only unknown characters) would have no vector: it gets a unit
vector on an extra axis instead, so that two such texts match each other and nothing else, as
the model's vectors of two empty texts would.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from datatenet.embeddings.artifacts import artifact_path, building, model_files
from datatenet.embeddings.base import EmbeddingsUnavailable
from datatenet.embeddings.st import DEFAULT_MODEL, canonical_model_name
from datatenet.progress import Progress

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

FORMAT = 1
PCA_DIMS = 256
SIF_COEFFICIENT = 1e-4
CHUNK = 4096  # texts encoded between two progress updates
INSTALL_HINT = "pip install 'datatenet[embeddings]'"


class StaticEmbedder:
    """The static model distilled from `model`, behind the Embedder protocol."""

    def __init__(
        self,
        model: str = DEFAULT_MODEL,
        *,
        progress: Progress | None = None,
        artifacts: Path | None = None,
        dimensions: int = PCA_DIMS,
    ) -> None:
        self.model = model
        self.progress = progress if progress is not None else Progress()
        self.artifacts = artifacts  # None: the user's cache directory
        self.dimensions = dimensions
        self._static: Any = None
        self.distilled = False  # whether this object distilled the model (rather than found it)

    label = "fast stage"

    @property
    def settings(self) -> str:
        return f"model2vec-v{FORMAT}|pca={self.dimensions}|sif={SIF_COEFFICIENT}"

    @property
    def name(self) -> str:
        return f"static|{canonical_model_name(self.model)}|{self.settings}|empty-axis"

    @property
    def loaded(self) -> bool:
        return self._static is not None

    @property
    def device(self) -> str | None:
        return "cpu (model2vec static embeddings)" if self._static is not None else None

    def path(self) -> Path:
        return artifact_path("static", self.model, self.settings, self.artifacts)

    def check_available(self) -> None:
        """EmbeddingsUnavailable when the static model is neither cached nor can be distilled."""
        if importlib.util.find_spec("model2vec") is None:
            raise EmbeddingsUnavailable(f"the fast stage needs model2vec: {INSTALL_HINT}")
        if (self.path() / "config.json").is_file():
            return
        missing = [
            name
            for name in ("skeletoken", "transformers", "torch")
            if importlib.util.find_spec(name) is None
        ]
        if missing:
            raise EmbeddingsUnavailable(
                f"distilling the fast stage needs {', '.join(missing)}: {INSTALL_HINT}"
            )
        if model_files(self.model) is None:
            raise EmbeddingsUnavailable(
                f"the files of {self.model} are not on this machine to distill a static model from"
            )

    def load(self) -> Any:
        if self._static is not None:
            return self._static
        self.check_available()
        path = self.path()
        if not (path / "config.json").is_file():
            self._distill(path)
            self.distilled = True
        from model2vec import StaticModel

        with self.progress.status("loading the fast stage (static embeddings)"):
            self._static = StaticModel.from_pretrained(str(path))
        return self._static

    def prepare(self) -> None:
        """Load (or distil) the static model now, before a progress bar is shown."""
        self.load()

    def embed(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        import numpy as np

        static = self.load()
        out = np.zeros((len(texts), static.dim + 1), dtype=np.float32)
        with self.progress.bar(len(texts), self.label):
            for start in range(0, len(texts), CHUNK):
                chunk = list(texts[start : start + CHUNK])
                vectors = static.encode(chunk, batch_size=1024, use_multiprocessing=False)
                out[start : start + len(chunk), :-1] = np.nan_to_num(vectors)
                self.progress.advance(len(chunk))
        norms = np.linalg.norm(out, axis=1)
        out[norms == 0, -1] = 1.0
        norms[norms == 0] = 1.0
        out /= norms[:, None]
        return out

    def _distill(self, path: Path) -> None:
        short = canonical_model_name(self.model).rsplit("/", 1)[-1]
        with (
            self.progress.status(f"distilling a static model from {short} (once, a minute or so)"),
            building(path) as scratch,
            _silenced(not self.progress.enabled),
        ):
            distill(self.model, scratch, self.dimensions)


def distill(model: str, directory: Path, dimensions: int) -> None:
    """model2vec's distillation of `model` from its local files into `directory`."""
    from datatenet.embeddings.st import quiet_model_loading

    files = model_files(model)
    if files is None:
        raise EmbeddingsUnavailable(f"the files of {model} are not on this machine")
    files = _transformer_directory(files)
    quiet_model_loading()
    from model2vec.distill import distill_from_model
    from transformers import AutoModel, AutoTokenizer

    transformer = AutoModel.from_pretrained(str(files), local_files_only=True)
    tokenizer = AutoTokenizer.from_pretrained(str(files), local_files_only=True)
    static = distill_from_model(
        model=transformer,
        tokenizer=tokenizer,
        pca_dims=dimensions,
        sif_coefficient=SIF_COEFFICIENT,
    )
    static.save_pretrained(str(directory))


def _transformer_directory(files: Path) -> Path:
    """Where a sentence-transformers model keeps its transformer (modules.json says)."""
    modules = files / "modules.json"
    if modules.is_file():
        for module in json.loads(modules.read_text()):
            if str(module.get("type", "")).endswith("Transformer"):
                return files / str(module.get("path", ""))
    return files


@contextlib.contextmanager
def _silenced(silent: bool) -> Any:
    """model2vec always draws its own bar on stderr: hidden when progress is not shown."""
    if not silent:
        yield
        return
    with contextlib.redirect_stderr(io.StringIO()):
        yield
