"""The confirming model (the configured sentence-transformers model) on the fastest runtime
this machine offers, chosen when the first text needs embedding:

1. a CUDA or MPS device when an installed torch can use one: sentence-transformers on it
   (torch is imported only when its build could see a GPU, so a CPU machine never pays for it);
2. otherwise the model exported once (onnx_export.py) and kept under the user's cache, on every
   core: OpenVINO in bfloat16 where the CPU computes it natively (openvino_session.py; 1.8x as
   fast; not with `precision="fp32"`), else ONNX Runtime in float32. Once exported, torch,
   transformers and sentence-transformers are not imported at all;
3. otherwise (no onnxruntime, or a model the export does not cover) sentence-transformers on CPU.

The float32 runtimes give the same vectors (the export is checked to cosine 0.9999 with
sentence-transformers), so they share one name and one cache: a vector cached by one serves
all. bfloat16 moves pair cosines by up to 0.003 (mean 0.0001; measured on 20,000 samples built
from ../shared/data: of 8,226 findings, 10 pairs whose cosine sits within 0.003 of a threshold
change verdict or severity and 13 samples name another of their equal copies; the labelled set's
verdicts are unchanged), so its vectors are cached under a name of their own. `device` says
which runtime and device ran.
"""

from __future__ import annotations

import importlib.util
import platform
import sys
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from datatenet.embeddings.artifacts import artifact_path, building
from datatenet.embeddings.onnx_export import (
    META_FILE,
    ExportFailed,
    check_agreement,
    export_model,
    export_settings,
)
from datatenet.embeddings.openvino_session import bf16_available
from datatenet.embeddings.st import (
    DEFAULT_MAX_SEQ_LENGTH,
    DEFAULT_MODEL,
    SentenceTransformerEmbedder,
    canonical_model_name,
)
from datatenet.progress import Progress

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from datatenet.embeddings.onnx_backend import OnnxEncoder

RUNTIMES = ("auto", "onnx", "torch")
PRECISIONS = ("auto", "fp32")  # "auto": bfloat16 where the CPU computes it natively
FAILED_FILE = "export-failed.txt"  # beside the artifact: do not try a failing export each run


def torch_gpu_device() -> str | None:
    """ "cuda" or "mps" when the installed torch can use one; torch is imported only when its
    build has CUDA libraries or the machine is an Apple Silicon Mac."""
    spec = importlib.util.find_spec("torch")
    if spec is None or spec.origin is None:
        return None
    library = Path(spec.origin).parent / "lib"
    cuda_build = any(library.glob("*torch_cuda*"))
    apple = sys.platform == "darwin" and platform.machine() == "arm64"
    if not (cuda_build or apple):
        return None
    try:
        import torch

        if torch.cuda.is_available():
            return "cuda"
        if apple and torch.backends.mps.is_available():
            return "mps"
    except Exception:  # a broken torch: the CPU runtimes still work
        return None
    return None


def onnx_runtime_available() -> bool:
    return all(importlib.util.find_spec(name) is not None for name in ("onnxruntime", "tokenizers"))


def onnx_export_available() -> bool:
    return importlib.util.find_spec("onnx") is not None


class ModelEmbedder:
    """The configured model behind the Embedder protocol, on the runtime `runtime` asks for
    ("auto": the order in the module docstring). Loads on the first `embed`."""

    def __init__(
        self,
        model: str = DEFAULT_MODEL,
        *,
        max_seq_length: int = DEFAULT_MAX_SEQ_LENGTH,
        runtime: str = "auto",
        precision: str = "auto",
        progress: Progress | None = None,
        artifacts: Path | None = None,
        allow_download: bool = False,
    ) -> None:
        if runtime not in RUNTIMES:
            raise ValueError(f"runtime must be one of {RUNTIMES}, not {runtime!r}")
        if precision not in PRECISIONS:
            raise ValueError(f"precision must be one of {PRECISIONS}, not {precision!r}")
        self.model = model
        self.max_seq_length = max_seq_length
        self.runtime = runtime
        self.precision = precision
        self.progress = progress if progress is not None else Progress()
        self.artifacts = artifacts  # None: the user's cache directory
        self.torch_backend = SentenceTransformerEmbedder(
            model,
            max_seq_length=max_seq_length,
            progress=self.progress,
            allow_download=allow_download,
        )
        self._onnx: OnnxEncoder | None = None
        self.note = ""  # why the ONNX runtime is not used, when it could have been

    @property
    def name(self) -> str:
        """The vector cache's name for this model: the float32 runtimes share one."""
        return self.torch_backend.name + ("|bf16" if self.bf16 else "")

    @cached_property
    def bf16(self) -> bool:
        """Whether the exported model runs in bfloat16 here (decided once, without loading):
        asked for, natively computed, and no GPU taking the work (checked last: on a CUDA build
        of torch, that check imports torch)."""
        return (
            self.precision == "auto"
            and self.runtime != "torch"
            and bf16_available()
            and onnx_runtime_available()
            and (self.runtime == "onnx" or torch_gpu_device() is None)
        )

    @property
    def loaded(self) -> bool:
        return self._onnx is not None or self.torch_backend.loaded

    @property
    def device(self) -> str | None:
        """The runtime and device that embedded, e.g. "cpu (onnxruntime, 2 threads)"; None
        while the model has not been loaded (every text came from the cache)."""
        if self._onnx is not None:
            return self._onnx.device
        return self.torch_backend.device_used

    def export_path(self) -> Path:
        return artifact_path("onnx", self.model, export_settings(), self.artifacts)

    def check_available(self) -> None:
        """EmbeddingsUnavailable now when the model plainly cannot run; an exported model is
        enough by itself (sentence-transformers is then not needed)."""
        exported = (self.export_path() / META_FILE).is_file()
        if exported and self.runtime != "torch" and onnx_runtime_available():
            return
        self.torch_backend.check_available()

    def embed(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        import numpy as np

        if not texts:
            return np.zeros((0, self.dimension()), dtype=np.float32)
        encoder = self._load()
        if encoder is None:
            return self.torch_backend.embed(texts)
        with self.progress.bar(len(texts), "embedding"):
            return encoder.encode(texts, self.progress.advance)

    def prepare(self) -> None:
        """Load the model now (CachedEmbedder does before it shows its progress bar)."""
        self._load()

    def dimension(self) -> int:
        encoder = self._load()
        return encoder.dimension if encoder is not None else self.torch_backend.dimension()

    def _load(self) -> OnnxEncoder | None:
        """The ONNX encoder, or None when sentence-transformers runs (loaded by then)."""
        if self._onnx is not None or self.torch_backend.loaded:
            return self._onnx
        if self.runtime != "onnx":
            device = torch_gpu_device()
            if device is not None or self.runtime == "torch":
                self._load_torch(device)
                return None
        if not onnx_runtime_available():
            self.note = "onnxruntime is not installed"
            self._load_torch(None)
            return None
        path = self.export_path()
        if not (path / META_FILE).is_file() and not self._export(path):
            return None  # the export failed: sentence-transformers, loaded by _export
        from datatenet.embeddings.onnx_backend import OnnxEncoder

        if self.bf16:
            try:
                with self.progress.status(f"loading {self._short_name()} (openvino bf16)"):
                    self._onnx = OnnxEncoder(path, self.max_seq_length, bf16=True)
                return self._onnx
            except Exception as error:  # OpenVINO's own errors: float32 still works
                # the vectors then go under the bfloat16 name, a little more exact than it says
                self.note = f"OpenVINO failed ({error}); ONNX Runtime in float32 used"
        with self.progress.status(f"loading {self._short_name()} (onnxruntime)"):
            self._onnx = OnnxEncoder(path, self.max_seq_length)
        return self._onnx

    def _load_torch(self, device: str | None) -> Any:
        self.torch_backend.device = device
        with self.progress.status(f"loading {self._short_name()} (sentence-transformers)"):
            return self.torch_backend.load()

    def _export(self, path: Path) -> bool:
        """Export the model to `path`; False (and sentence-transformers loaded) when it fails."""
        failed = path.with_name(path.name + "." + FAILED_FILE)
        if failed.is_file() or not onnx_export_available():
            self.note = failed.read_text().strip() if failed.is_file() else "onnx is not installed"
            self._load_torch(None)
            return False
        model = self._load_torch(None)
        from datatenet.embeddings.onnx_backend import OnnxEncoder

        try:
            with (
                self.progress.status(f"exporting {self._short_name()} to ONNX (once)"),
                building(path) as scratch,
            ):
                export_model(model, scratch)
                encoder = OnnxEncoder(scratch, self.max_seq_length)
                check_agreement(model, encoder.encode, self.max_seq_length)
        except ExportFailed as error:
            self.note = f"ONNX export of {self._short_name()} failed, torch used: {error}"
            failed.parent.mkdir(parents=True, exist_ok=True)
            failed.write_text(self.note + "\n")
            return False
        self.torch_backend.unload()  # the exported model runs from here on
        return True

    def _short_name(self) -> str:
        return canonical_model_name(self.model).rsplit("/", 1)[-1]
