"""Run an exported sentence-transformers model (see onnx_export.py) with ONNX Runtime and the
`tokenizers` library: no torch, no transformers, no sentence-transformers in the process.

Texts are tokenized all at once (the Rust tokenizer, in parallel), sorted by token count and
run in batches of equal or near-equal length, so almost no padding is computed; the vectors go
back in the caller's order. ONNX Runtime uses every core this process may run on (intra-op
threads), and the CUDA or CoreML execution provider when the installed onnxruntime has one;
with `bf16`, OpenVINO runs the same model file in bfloat16 instead (openvino_session.py).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from datatenet.embeddings.onnx_export import META_FILE, MODEL_FILE, TOKENIZER_FILE

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from datatenet.embeddings.openvino_session import OpenVinoSession

# Padded tokens in one run (short texts go in larger batches), and texts in one run. Measured on
# 2 cores with all-MiniLM-L6-v2 (English prompts / 256-token answers, texts a second): 8,192
# tokens and 256 texts 100 / 33, 2,048 and 64 125 / 44, 512 tokens 117 / 42; small runs stay
# in the CPU's cache. The same holds for OpenVINO in bfloat16 (fast_embed_bench's English prompts
# / answers: 245 / 119 at 2,048 and 64, 214 / 94 at 4,096 and 128; ONNX Runtime 136 / 65).
TOKENS_PER_BATCH = 2048
MAX_BATCH = 64
_ACCELERATORS = ("CUDAExecutionProvider", "CoreMLExecutionProvider")


def usable_cores() -> int:
    """The cores this process may run on (its affinity mask), not all the machine has."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS, Windows
        return max(1, os.cpu_count() or 1)


class OnnxEncoder:
    """An exported model directory, loaded: `encode(texts)` gives normalized float32 vectors."""

    def __init__(
        self,
        directory: Path,
        max_seq_length: int,
        threads: int | None = None,
        *,
        bf16: bool = False,
    ) -> None:
        from tokenizers import Tokenizer

        meta = json.loads((directory / META_FILE).read_text())
        self.inputs: list[str] = list(meta["inputs"])
        self.lower = bool(meta["do_lower_case"])
        self.pad_id = int(meta["pad_id"])
        self.dimension = int(meta["dimension"])
        self.tokenizer = Tokenizer.from_file(str(directory / TOKENIZER_FILE))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_seq_length)
        self.threads = threads or usable_cores()
        self._openvino: OpenVinoSession | None = None
        if bf16:
            from datatenet.embeddings.openvino_session import OpenVinoSession

            self._openvino = OpenVinoSession(directory / MODEL_FILE, self.threads)
            return
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = self.threads
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3  # errors only
        available = set(onnxruntime.get_available_providers())
        providers = [p for p in _ACCELERATORS if p in available] + ["CPUExecutionProvider"]
        self.session = onnxruntime.InferenceSession(
            str(directory / MODEL_FILE), options, providers=providers
        )
        self.provider = self.session.get_providers()[0]

    @property
    def device(self) -> str:
        if self._openvino is not None:
            return self._openvino.device
        if self.provider == "CPUExecutionProvider":
            return f"cpu (onnxruntime, {self.threads} threads)"
        return f"{self.provider.removesuffix('ExecutionProvider').lower()} (onnxruntime)"

    def encode(
        self, texts: Sequence[str], advance: Callable[[int], None] | None = None
    ) -> npt.NDArray[np.float32]:
        import numpy as np

        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        if not texts:
            return out
        batch = [text.lower() for text in texts] if self.lower else list(texts)
        encodings = self.tokenizer.encode_batch(batch)
        lengths = np.array([len(e.ids) for e in encodings], dtype=np.intp)
        order = np.argsort(lengths, kind="stable")
        start = 0
        while start < len(order):
            width = int(lengths[order[start]])
            end = start + 1
            # grow the batch while its padded size (count x longest) fits the token budget
            while (
                end < len(order)
                and end - start < MAX_BATCH
                and (end - start + 1) * int(lengths[order[end]]) <= max(TOKENS_PER_BATCH, width)
            ):
                end += 1
            rows = order[start:end]
            out[rows] = self._run([encodings[i] for i in rows])
            if advance is not None:
                advance(len(rows))
            start = end
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        np.divide(out, norms, out=out, where=norms > 0)
        return out

    def _run(self, encodings: list[Any]) -> npt.NDArray[np.float32]:
        import numpy as np

        width = max(1, max(len(e.ids) for e in encodings))
        ids = np.full((len(encodings), width), self.pad_id, dtype=np.int64)
        mask = np.zeros((len(encodings), width), dtype=np.int64)
        types = np.zeros((len(encodings), width), dtype=np.int64)
        for row, encoding in enumerate(encodings):
            n = len(encoding.ids)
            ids[row, :n] = encoding.ids
            mask[row, :n] = 1
            types[row, :n] = encoding.type_ids
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
        feeds = {name: feeds[name] for name in self.inputs}
        if self._openvino is not None:
            return self._openvino.run(feeds)
        result = self.session.run(None, feeds)[0]
        return np.asarray(result, dtype=np.float32)
